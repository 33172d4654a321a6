/* SPDX-License-Identifier: GPL-2.0 */
/* The HTTP(S) listener of ecs-api (libmicrohttpd, suspend/resume). */
#ifndef ECS_API_HTTP_H
#define ECS_API_HTTP_H

#include "ecs_api.h"

struct MHD_Daemon;

int http_start(struct ecs_api *api, struct MHD_Daemon **out);
void http_stop(struct ecs_api *api, struct MHD_Daemon *d);
/* link.h's resume callback: @cookie is a parked connection. */
void http_resume(void *cookie);

#endif
