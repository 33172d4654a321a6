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
 * A request with "progress": true may get, before its reply, progress
 * messages of long operations, one JSON object per line:
 *
 *            {"progress": {"Stage": "copying the data", "Done": 1048576,
 *                          "Total": 67108864}}
 *
 * agent_ops.h declares every op and its arguments.
 */
#ifndef ECSENC_AGENT_PROTO_H
#define ECSENC_AGENT_PROTO_H

#include <stddef.h>

#include <json-c/json.h>

#include "ecs_error.h"

#define AGENT_DEFAULT_SOCKET	"/run/ecsenc/agent.sock"
#define AGENT_DEFAULT_REGION	"cn-hangzhou"
#define AGENT_PROTO_MAX_MSG	(1024 * 1024)	/* a reply */

/*
 * What one message may hold, checked on the raw bytes as they arrive,
 * before json-c builds a single object: a message over a limit is
 * refused without being read further.
 */
struct proto_limits {
	size_t max_bytes;
	unsigned int max_depth;	/* objects and arrays within each other */
	size_t max_items;	/* objects, arrays and commas: bounds values */
};

/* A request to the agent (from agent_ops.h's table); a reply to ctl. */
extern const struct proto_limits proto_request_limits;
extern const struct proto_limits proto_reply_limits;

/* Write @obj on @fd as one JSON text (the text is wiped afterwards). */
int proto_send(int fd, struct json_object *obj);
/*
 * The same, giving up with -ETIMEDOUT when the whole text is not taken
 * within @timeout_ms (0: only what fits at once): a peer that never
 * reads does not hold the writer.  Never raises SIGPIPE.
 */
int proto_send_deadline(int fd, struct json_object *obj, long timeout_ms);

/* Read one reply (proto_reply_limits) from @fd until end of file. */
int proto_recv(int fd, struct json_object **out);
/*
 * Read one JSON object held to @lim, with a deadline for the whole
 * message (not each read): a client that sends nothing, or trickles
 * bytes, gets -ETIMEDOUT after @timeout_ms (-1: wait for ever).  Beyond
 * a limit: -EMSGSIZE (bytes), -ELOOP (depth) or -E2BIG (items), before
 * anything is parsed; not one JSON object: -EBADMSG.
 */
int proto_recv_limited(int fd, struct json_object **out,
		       const struct proto_limits *lim, long timeout_ms);

/*
 * Client side: connect to @socket_path, send @request, wait for the reply.
 * Returns 0 with *reply set (check its "ok"), or a negative errno when the
 * agent could not be reached or answered garbage.  An agent that answers
 * without reading the request (busy, refused) is heard.
 */
int proto_call(const char *socket_path, struct json_object *request,
	       struct json_object **reply);

/* A progress message of the reply being awaited; @progress is borrowed. */
typedef void (*proto_progress_fn)(struct json_object *progress, void *arg);
/* proto_call, handing each progress message to @fn on the way. */
int proto_call_progress(const char *socket_path, struct json_object *request,
			proto_progress_fn fn, void *arg,
			struct json_object **reply);
/*
 * Server side: one progress message, within @timeout_ms (a client that
 * does not read it is not waited for).
 */
int proto_send_progress(int fd, struct json_object *progress, long timeout_ms);

/*
 * Reply builders: take ownership of @result.  An error carries the code of
 * its identity in the error table (ecs_error.h); ECS_ERR_NONE takes the
 * class of @err (EAGAIN: "Throttling", ...).
 */
struct json_object *proto_reply_ok(struct json_object *result);
struct json_object *proto_reply_error(int err, enum ecs_err code,
				      const char *message);

#endif
