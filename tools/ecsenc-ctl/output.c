// SPDX-License-Identifier: GPL-2.0
/* What ecsenc-ctl prints: answers, errors, and typed reads of answers. */
#include <stdarg.h>
#include <stdio.h>

#include "ctl.h"
#include "ecs_error.h"
#include "log.h"

static int json_output;
static char request_id[REQUEST_ID_MAX + 1];
static enum ecs_err last_error;

void ctl_output_json(int on)
{
	json_output = on;
}

void ctl_set_request_id(const char *id)
{
	snprintf(request_id, sizeof(request_id), "%s", id);
}

const char *ctl_request_id(void)
{
	return request_id[0] ? request_id : NULL;
}

int ctl_exit_status(void)
{
	return ecs_error_get(last_error)->exit_status;
}

/*
 * Success and error share one envelope, as ECS's answers do: the fields of
 * the result (or Code and Message) beside the request's RequestId.
 */
void ctl_progress_bar(const char *stage, int64_t done, int64_t total,
		      const char *tail, int last)
{
	const int width = 40;
	int fill = total > 0 ? (int)(done * width / total) : 0;

	if (fill > width)
		fill = width;
	fprintf(stderr, "\r%s%s[%.*s%*s] %3d%% %s\033[K", stage ? stage : "",
		stage ? " " : "", fill, "########################################",
		width - fill, "", total > 0 ? (int)(done * 100 / total) : 0,
		tail ? tail : "");
	if (last)
		fputc('\n', stderr);
	fflush(stderr);
}

void ctl_print_json(struct json_object *result)
{
	if (request_id[0] && !json_object_object_get_ex(result, "RequestId", NULL))
		json_object_object_add(result, "RequestId",
				       json_object_new_string(request_id));
	puts(json_object_to_json_string_ext(result, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void verror(enum ecs_err code, const char *fmt, va_list ap)
{
	const struct ecs_error *e = ecs_error_get(code);
	char msg[1024];
	struct json_object *o;

	last_error = code ? code : ECS_ERR_INTERNAL;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!json_output) {
		log_err("%s", msg);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "Code", json_object_new_string(e->code));
	json_object_object_add(o, "Message", json_object_new_string(msg));
	json_object_object_add(o, "HttpStatus", json_object_new_int(e->http_status));
	ctl_print_json(o);
	json_object_put(o);
}

void ctl_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(ECS_ERR_INVALID_PARAMETER, fmt, ap);
	va_end(ap);
}

void ctl_error_code(enum ecs_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(code, fmt, ap);
	va_end(ap);
}

static struct json_object *field(struct json_object *o, const char *key,
				 enum json_type type)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

const char *reply_str(struct json_object *o, const char *key)
{
	struct json_object *v = field(o, key, json_type_string);

	return v ? json_object_get_string(v) : "";
}

int64_t reply_int(struct json_object *o, const char *key)
{
	struct json_object *v = field(o, key, json_type_int);

	return v ? json_object_get_int64(v) : 0;
}

int reply_bool(struct json_object *o, const char *key)
{
	struct json_object *v = field(o, key, json_type_boolean);

	return v ? json_object_get_boolean(v) : 0;
}

struct json_object *reply_array(struct json_object *o, const char *key)
{
	return field(o, key, json_type_array);
}

struct json_object *reply_object(struct json_object *o, const char *key)
{
	return field(o, key, json_type_object);
}
