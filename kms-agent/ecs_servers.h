/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ecs-api servers of --ecs-api as one thread calls them: a client per
 * server; the first is called until a call gets no answer at all
 * (refused, lost, timed out), then the next, and so on around.  The
 * servers share one database, so any of them will do.  Each thread of
 * the link (ecs_link.h: the polls and reports, the audit shipper, the
 * keep-alive) has its own, as a kms_client is one thread's.
 */
#ifndef ECSENC_ECS_SERVERS_H
#define ECSENC_ECS_SERVERS_H

#include <stddef.h>

#include "kms_client.h"

#define ECS_SERVERS_MAX 8

struct ecs_servers {
	struct kms_client *client[ECS_SERVERS_MAX];
	const char *url[ECS_SERVERS_MAX];	/* the caller's, for the log */
	size_t n;
	size_t current;			/* the server called now */
};

/* A client of @cfg (its endpoint ignored) for each of @urls[0..n). */
int ecs_servers_init(struct ecs_servers *s, const struct kms_client_config *cfg,
		     const char *const *urls, size_t n);
void ecs_servers_release(struct ecs_servers *s);

/* kms_client_call() to the current server, which then moves on if it did not answer. */
int ecs_servers_call(struct ecs_servers *s, const char *action,
		     const char *const *params, struct kms_response *resp);

#endif
