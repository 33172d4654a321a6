/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's unix socket: accept, check the peer, dispatch, reply; one
 * thread per connection, bounded (server.c).
 */
#ifndef ECSENC_SERVER_H
#define ECSENC_SERVER_H

#include "agent.h"

/* Bind the socket (mode 0600); a stale socket file is replaced. */
int server_listen(const char *path);
/* Serve until *@stop becomes non-zero. */
int server_run(struct agent *a, int listen_fd, volatile int *stop);
/*
 * Decode, run and answer one request of the protocol (agent_ops.h): what
 * a connection of the socket gets, and what the link to ecs-api
 * (ecs_link.c) runs its tasks through.  The caller frees the reply.
 */
struct json_object *server_dispatch(struct agent *a, struct json_object *req);
/* Wait up to @timeout_ms for requests under way; how many are left. */
int server_drain(long timeout_ms);

#endif
