// SPDX-License-Identifier: GPL-2.0
/* A record of the audit trail: its hash and its fields (audit_record.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "audit_record.h"
#include "kms_sign.h"

const char audit_genesis[AUDIT_HASH_HEX + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

int audit_record_split(const char *line, size_t len, size_t *body_len,
		       char hash[AUDIT_HASH_HEX + 1])
{
	const size_t field = sizeof(AUDIT_HASH_FIELD) - 1;
	const char *p = NULL, *q = line;

	while ((q = memmem(q, len - (size_t)(q - line), AUDIT_HASH_FIELD, field))) {
		p = q;
		q++;
	}
	if (!p || (size_t)(line + len - p) != field + AUDIT_HASH_HEX + 2 ||
	    memcmp(line + len - 2, "\"}", 2))
		return -EBADMSG;
	memcpy(hash, p + field, AUDIT_HASH_HEX);
	hash[AUDIT_HASH_HEX] = '\0';
	*body_len = (size_t)(p - line);
	return 0;
}

int audit_record_hash(const char *line, size_t body_len,
		      char out[AUDIT_HASH_HEX + 1])
{
	char *buf = malloc(body_len + 1);

	if (!buf)
		return -ENOMEM;
	memcpy(buf, line, body_len);
	buf[body_len] = '}';
	kms_sha256_hex(buf, body_len + 1, out);
	free(buf);
	return 0;
}

/* The fields of a record; every one a string but these two. */
static const char *const fields[] = {
	"Seq", "Time", "Region", "Operation", "Action", "ObjectId", "KMSKeyId",
	"RequestId", "Result", "RequestSeq", "PrevHash", "Hash", NULL
};

static int known_field(const char *key, struct json_object *v)
{
	for (size_t i = 0; fields[i]; i++) {
		if (strcmp(key, fields[i]))
			continue;
		if (!strcmp(key, "Seq") || !strcmp(key, "RequestSeq"))
			return json_object_is_type(v, json_type_int);
		return json_object_is_type(v, json_type_string);
	}
	return 0;
}

static int is_hash(const char *s)
{
	if (strlen(s) != AUDIT_HASH_HEX)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

int audit_record_fit(const char *line, size_t len, char *why, size_t why_len)
{
	struct json_object *o;
	int r = -EPERM;

	if (len > AUDIT_RECORD_MAX || memchr(line, '\0', len) || memchr(line, '\n', len)) {
		snprintf(why, why_len, "not one line of at most %d bytes", AUDIT_RECORD_MAX);
		return -EPERM;
	}
	o = json_tokener_parse(line);
	if (!o || !json_object_is_type(o, json_type_object)) {
		snprintf(why, why_len, "not a JSON object");
		goto out;
	}
	json_object_object_foreach(o, key, val) {
		if (!known_field(key, val)) {
			snprintf(why, why_len, "field %.40s is not one a record has", key);
			goto out;
		}
	}
	r = 0;
out:
	json_object_put(o);
	return r;
}

int audit_record_check(const char *line, size_t len,
		       struct audit_record_info *out, char *why, size_t why_len)
{
	struct json_object *o = NULL, *v;
	char want[AUDIT_HASH_HEX + 1];
	size_t body_len;
	int r;

	r = audit_record_fit(line, len, why, why_len);
	if (r < 0)
		return r;
	r = -EBADMSG;
	if (audit_record_split(line, len, &body_len, out->hash) < 0) {
		snprintf(why, why_len, "no Hash at its end");
		return -EBADMSG;
	}
	if (audit_record_hash(line, body_len, want) < 0) {
		snprintf(why, why_len, "cannot hash it");
		return -ENOMEM;
	}
	if (strcmp(want, out->hash)) {
		snprintf(why, why_len, "its Hash does not match its content");
		return -EBADMSG;
	}
	o = json_tokener_parse(line);
	if (!json_object_object_get_ex(o, "Seq", &v) ||
	    (out->seq = json_object_get_int64(v)) < 1) {
		snprintf(why, why_len, "no Seq of 1 or more");
		goto out;
	}
	if (!json_object_object_get_ex(o, "PrevHash", &v) ||
	    !is_hash(json_object_get_string(v))) {
		snprintf(why, why_len, "no PrevHash");
		goto out;
	}
	snprintf(out->prev, sizeof(out->prev), "%s", json_object_get_string(v));
	r = 0;
out:
	json_object_put(o);
	return r;
}
