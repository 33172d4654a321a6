// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent_proto.h"
#include "ctl.h"

struct progress_view {
	int shown;			/* a line is on the terminal */
};

static void show_progress(struct json_object *p, void *arg)
{
	struct progress_view *v = arg;
	const char *stage = reply_str(p, "Stage");

	ctl_progress_bar(*stage ? stage : "working", reply_int(p, "Done"),
			 reply_int(p, "Total"), NULL, 0);
	v->shown = 1;
}

int ctl_call(const struct ctl_opts *o, enum agent_op_id op,
	     const struct agent_args *args, struct json_object **result)
{
	struct json_object *req, *reply = NULL, *res;
	struct progress_view view = { 0 };
	int r;

	req = agent_request_encode(op, o->region, ctl_request_id(), args);
	if (!req) {
		ctl_error_code(ECS_ERR_INTERNAL, "out of memory");
		return 1;
	}
	if (!o->json && !o->no_progress && isatty(STDERR_FILENO)) {
		json_object_object_add(req, "progress", json_object_new_boolean(1));
		r = proto_call_progress(o->socket, req, show_progress, &view, &reply);
		if (view.shown)
			fputs("\r\033[K", stderr);
	} else {
		r = proto_call(o->socket, req, &reply);
	}
	json_object_put(req);
	if (r == -EBADMSG || r == -EMSGSIZE) {
		ctl_error_code(ECS_ERR_INTERNAL,
			       "the kms-agent at %s answered something that is not one JSON object",
			       o->socket);
		return 1;
	}
	if (r < 0) {
		ctl_error_code(ECS_ERR_SERVICE_UNAVAILABLE,
			       "cannot reach the kms-agent at %s: %s%s", o->socket,
			       strerror(-r), r == -ENOENT || r == -ECONNREFUSED ?
			       " (is kms-agent running?)" : "");
		return 1;
	}
	if (!reply_bool(reply, "ok")) {
		const char *msg = reply_str(reply, "error");
		const char *code = reply_str(reply, "code");

		ctl_error_code(*code ? ecs_error_find(code) : ECS_ERR_INTERNAL, "%s",
			       *msg ? msg : "the agent answered without a reason");
		json_object_put(reply);
		return 1;
	}
	res = reply_object(reply, "result");
	if (!res) {
		ctl_error_code(ECS_ERR_INTERNAL, "the agent's answer has no result");
		json_object_put(reply);
		return 1;
	}
	*result = json_object_get(res);
	json_object_put(reply);
	return 0;
}
