/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent as an ECS instance: a thread that connects out to ecs-api,
 * waits in AgentPoll (signed with the instance's key) for work, runs the
 * tasks through the same dispatch as the unix socket (server_dispatch) on
 * a few worker threads of the poll and reports each reply with
 * AgentReport as it comes, again until it is taken; a second
 * thread ships the audit trail (audit_ship.h), a third keeps the
 * instance Running while tasks run (ecs_keepalive.h).  No port is opened
 * on the host.
 */
#ifndef ECSENC_ECS_LINK_H
#define ECSENC_ECS_LINK_H

#include <stdbool.h>

#include "agent.h"

struct ecs_link;

#define ECS_LINK_WORKERS_DEFAULT	8
#define ECS_LINK_WORKERS_MAX		64

/*
 * @credentials_path: "<AccessKeyId> <AccessKeySecret>" of this instance.
 * @urls: one server or several of one region, "URL[,URL]...", each
 * https://, or http:// to loopback (anywhere with @allow_http).  The
 * first is called until it does not answer, then the next, and so on
 * around: the servers share one database.
 * @workers: how many tasks of a poll run at once (1..ECS_LINK_WORKERS_MAX);
 * the tasks of one disk or snapshot run one after the other, in order.
 */
int ecs_link_start(struct agent *a, const char *urls,
		   const char *credentials_path, bool allow_http,
		   unsigned int workers, struct ecs_link **out);
void ecs_link_stop(struct ecs_link *l);

#endif
