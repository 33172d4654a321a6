// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "context.h"
#include "emulator.h"

#define CONTEXT_MAX_PAIRS 64
#define CONTEXT_MAX_BYTES 8192

/* @v may hold NULs (JSON's \u0000): it is @vlen bytes, not a C string. */
struct pair {
	const char *k;
	const char *v;
	size_t vlen;
};

static int cmp_pair(const void *a, const void *b)
{
	return strcmp(((const struct pair *)a)->k, ((const struct pair *)b)->k);
}

static int add_pair(struct pair *p, size_t *n, const char *k, const char *v,
		    size_t vlen)
{
	size_t i;

	if (*n == CONTEXT_MAX_PAIRS || !*k)
		return -EINVAL;
	for (i = 0; i < *n; i++)
		if (!strcmp(p[i].k, k))
			return p[i].vlen != vlen || memcmp(p[i].v, v, vlen) ?
			       -EINVAL : 0;
	p[*n].k = k;
	p[*n].v = v;
	p[*n].vlen = vlen;
	(*n)++;
	return 0;
}

static void put_field(unsigned char **w, const char *s, size_t len)
{
	(*w)[0] = (unsigned char)(len >> 24);
	(*w)[1] = (unsigned char)(len >> 16);
	(*w)[2] = (unsigned char)(len >> 8);
	(*w)[3] = (unsigned char)len;
	memcpy(*w + 4, s, len);
	*w += 4 + len;
}

/* The whole of @s must be one JSON object (nothing after it). */
static struct json_object *parse_object(const char *s)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;
	size_t len = strlen(s);

	if (!tok)
		return NULL;
	obj = json_tokener_parse_ex(tok, s, (int)len);
	if (obj && (json_tokener_get_error(tok) != json_tokener_success ||
		    json_tokener_get_parse_end(tok) != len ||
		    !json_object_is_type(obj, json_type_object))) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

/* The \u0000 escapes of a JSON text ("\\u0000" is not one). */
static size_t nul_escapes(const char *json)
{
	size_t n = 0;

	for (; *json; json++) {
		if (*json != '\\')
			continue;
		if (!strncmp(json + 1, "u0000", 5))
			n++;
		if (json[1])
			json++;
	}
	return n;
}

static size_t nul_bytes(const char *s, size_t len)
{
	size_t n = 0;

	while (len--)
		n += !*s++;
	return n;
}

/*
 * The pairs of a JSON object.  json-c keeps a value's NULs (its length is
 * known) but cuts a key at its first NUL, so "a\u0000b" would turn into
 * key "a": a NUL that no value accounts for was in a key, and is refused.
 */
static int add_json_pairs(struct json_object *obj, const char *json,
			  struct pair *pairs, size_t *n)
{
	size_t nuls = 0;
	int ret;

	json_object_object_foreach(obj, key, val) {
		const char *v;
		size_t vlen;

		if (!val || json_object_is_type(val, json_type_object) ||
		    json_object_is_type(val, json_type_array))
			return -EINVAL;
		v = json_object_get_string(val);
		vlen = (size_t)json_object_get_string_len(val);
		nuls += nul_bytes(v, vlen);
		ret = add_pair(pairs, n, key, v, vlen);
		if (ret)
			return ret;
	}
	return nuls == nul_escapes(json) ? 0 : -EINVAL;
}

int enc_context_parse(const struct kms_request *req, const char *name,
		      struct enc_context *out)
{
	struct pair pairs[CONTEXT_MAX_PAIRS];
	struct json_object *obj = NULL;
	size_t n = 0, i, total = 0, nlen = strlen(name);
	const char *json = req_param(req, name);
	unsigned char *w;
	int ret = 0;

	out->bytes = NULL;
	out->len = 0;
	if (json && *json) {
		obj = parse_object(json);
		if (!obj) {
			ret = -EINVAL;
			goto out;
		}
		ret = add_json_pairs(obj, json, pairs, &n);
		if (ret)
			goto out;
	}
	for (i = 0; i < req->nparams; i++) {
		const struct req_param *p = &req->params[i];

		if (strncmp(p->name, name, nlen) || p->name[nlen] != '.')
			continue;
		ret = add_pair(pairs, &n, p->name + nlen + 1, p->value,
			       strlen(p->value));
		if (ret)
			goto out;
	}
	if (!n)
		goto out;
	qsort(pairs, n, sizeof(pairs[0]), cmp_pair);
	for (i = 0; i < n; i++)
		total += 8 + strlen(pairs[i].k) + pairs[i].vlen;
	if (total > CONTEXT_MAX_BYTES) {
		ret = -EINVAL;
		goto out;
	}
	out->bytes = malloc(total);
	if (!out->bytes) {
		ret = -ENOMEM;
		goto out;
	}
	w = out->bytes;
	for (i = 0; i < n; i++) {
		put_field(&w, pairs[i].k, strlen(pairs[i].k));
		put_field(&w, pairs[i].v, pairs[i].vlen);
	}
	out->len = total;
out:
	json_object_put(obj);
	return ret;
}

void enc_context_free(struct enc_context *c)
{
	free(c->bytes);
	c->bytes = NULL;
	c->len = 0;
}
