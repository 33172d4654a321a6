// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent_proto.h"
#include "ctl.h"

int ctl_call(const struct ctl_opts *o, const char *op, struct json_object *args,
	     struct json_object **result)
{
	struct json_object *req = json_object_new_object(), *reply = NULL, *v;
	int r;

	json_object_object_add(req, "op", json_object_new_string(op));
	if (o->region)
		json_object_object_add(req, "region", json_object_new_string(o->region));
	json_object_object_add(req, "args", args ? args : json_object_new_object());
	r = proto_call(o->socket, req, &reply);
	json_object_put(req);
	if (r < 0) {
		ctl_error("cannot reach the kms-agent at %s: %s%s", o->socket,
			  strerror(-r), r == -ENOENT || r == -ECONNREFUSED ?
			  " (is kms-agent running?)" : "");
		return 1;
	}
	if (!json_object_object_get_ex(reply, "ok", &v) || !json_object_get_boolean(v)) {
		const char *msg = "the agent answered without a reason";

		if (json_object_object_get_ex(reply, "error", &v))
			msg = json_object_get_string(v);
		ctl_error("%s", msg);
		json_object_put(reply);
		return 1;
	}
	json_object_object_get_ex(reply, "result", &v);
	*result = json_object_get(v);
	json_object_put(reply);
	return 0;
}

void ctl_print_json(struct json_object *result)
{
	puts(json_object_to_json_string_ext(result, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
}
