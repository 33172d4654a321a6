/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ecsenc-ctl <-> kms-agent protocol, over a unix stream socket.
 *
 * One request and one reply per connection, each a single JSON object:
 * the client writes its request and shuts down its sending side; the agent
 * answers and closes.
 *
 *   request  {"op": "attach-disk", "region": "cn-hangzhou",
 *             "args": {"disk_id": "d-..."}}
 *   reply    {"ok": true,  "result": {...}}
 *            {"ok": false, "errno": 16, "code": "IncorrectDiskStatus",
 *             "error": "disk d-... is attached"}
 *
 * agent_ops.h declares every op and its arguments.
 */
#ifndef ECSENC_AGENT_PROTO_H
#define ECSENC_AGENT_PROTO_H

#include <json-c/json.h>

#include "ecs_error.h"

#define AGENT_DEFAULT_SOCKET	"/run/ecsenc/agent.sock"
#define AGENT_DEFAULT_REGION	"cn-hangzhou"
#define AGENT_PROTO_MAX_MSG	(1024 * 1024)

/* Write @obj on @fd as one JSON text (the text is wiped afterwards). */
int proto_send(int fd, struct json_object *obj);
/* Read one JSON object from @fd until end of file. */
int proto_recv(int fd, struct json_object **out);
/*
 * The same, with a deadline for the whole message (not each read): a
 * client that sends nothing, or trickles bytes, gets -ETIMEDOUT after
 * @timeout_ms (-1: wait for ever).
 */
int proto_recv_deadline(int fd, struct json_object **out, long timeout_ms);

/*
 * Client side: connect to @socket_path, send @request, wait for the reply.
 * Returns 0 with *reply set (check its "ok"), or a negative errno when the
 * agent could not be reached or answered garbage.
 */
int proto_call(const char *socket_path, struct json_object *request,
	       struct json_object **reply);

/*
 * Reply builders: take ownership of @result.  An error carries the code of
 * its identity in the error table (ecs_error.h); ECS_ERR_NONE takes the
 * class of @err (EAGAIN: "Throttling", ...).
 */
struct json_object *proto_reply_ok(struct json_object *result);
struct json_object *proto_reply_error(int err, enum ecs_err code,
				      const char *message);

#endif
