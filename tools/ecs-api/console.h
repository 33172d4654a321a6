/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The console under /console/: its files (plain HTML, CSS and JS), the
 * sign-in that opens a session (session.h), and /console/api/<Action>,
 * which runs the ECS action through the same dispatch as a signed call
 * with the session's account.  See Documentation/ecs-api.md, Console.
 */
#ifndef ECS_API_CONSOLE_H
#define ECS_API_CONSOLE_H

#include <microhttpd.h>

#include "ecs_api.h"

#define CONSOLE_IDLE_DEFAULT_S	900

/* Find the console's files and make the session table. */
int console_open(struct ecs_api *api);
void console_close(struct ecs_api *api);

/* Whether @url is the console's. */
bool console_url(const char *url);

/* Answer a console request (its parameters already in @req). */
enum MHD_Result console_answer(struct ecs_api *api, struct MHD_Connection *conn,
			       const char *url, const char *method,
			       const struct signed_request *req,
			       struct api_call *call);

#endif
