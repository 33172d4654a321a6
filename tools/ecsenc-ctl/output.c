// SPDX-License-Identifier: GPL-2.0
/* What ecsenc-ctl prints: answers, errors, and typed reads of answers. */
#include <stdarg.h>
#include <stdio.h>

#include "ctl.h"

static int json_errors;

void ctl_output_json(int on)
{
	json_errors = on;
}

void ctl_print_json(struct json_object *result)
{
	puts(json_object_to_json_string_ext(result, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void verror(const char *code, const char *fmt, va_list ap)
{
	char msg[1024];
	struct json_object *o;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!json_errors) {
		fprintf(stderr, "ecsenc-ctl: %s\n", msg);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "code", json_object_new_string(code));
	json_object_object_add(o, "error", json_object_new_string(msg));
	ctl_print_json(o);
	json_object_put(o);
}

void ctl_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror("InvalidParameter", fmt, ap);
	va_end(ap);
}

void ctl_error_code(const char *code, const char *fmt, ...)
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
