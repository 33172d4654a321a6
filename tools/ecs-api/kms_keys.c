// SPDX-License-Identifier: GPL-2.0
/* KMSKeyId checks with DescribeKey (kms_keys.h). */
#include <stdio.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kms_api.h"
#include "kms_client.h"
#include "kms_keys.h"
#include "log.h"

struct kms_region_client {
	char region[ECS_ID_MAX];
	struct kms_client *client;
};

struct kms_keys {
	char *endpoint;
	struct credentials *creds;	/* the first key is used */
	pthread_mutex_t lock;		/* guards @clients */
	struct kms_region_client clients[ECS_API_MAX_REGIONS];
};

int kms_keys_open(const char *endpoint, const char *credentials_path,
		  struct kms_keys **out)
{
	struct kms_keys *k = calloc(1, sizeof(*k));
	int r;

	if (!k)
		return -ENOMEM;
	pthread_mutex_init(&k->lock, NULL);
	k->endpoint = strdup(endpoint);
	r = credentials_load(credentials_path, &k->creds);
	if (r < 0 || !k->endpoint) {
		kms_keys_close(k);
		return r < 0 ? r : -ENOMEM;
	}
	*out = k;
	return 0;
}

void kms_keys_close(struct kms_keys *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < ECS_API_MAX_REGIONS; i++)
		kms_client_free(k->clients[i].client);
	credentials_free(k->creds);
	free(k->endpoint);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

static struct kms_client *client_of(struct kms_keys *k, const char *region)
{
	struct kms_client *c = NULL;

	pthread_mutex_lock(&k->lock);
	for (size_t i = 0; i < ECS_API_MAX_REGIONS && !c; i++) {
		struct kms_region_client *rc = &k->clients[i];

		if (rc->client && !strcmp(rc->region, region)) {
			c = rc->client;
		} else if (!rc->client) {
			struct kms_client_config cfg = {
				.endpoint = k->endpoint,
				.access_key_id = k->creds->keys[0].id,
				.access_key_secret = k->creds->keys[0].secret,
				.region = region,
				.timeout_ms = 5000,
			};

			if (kms_client_new(&cfg, &rc->client) == 0) {
				strncpy(rc->region, region, sizeof(rc->region) - 1);
				c = rc->client;
			}
			break;
		}
	}
	pthread_mutex_unlock(&k->lock);
	return c;
}

enum ecs_err kms_keys_check(struct kms_keys *k, struct api_call *call,
			    const char *key_id, const char *region)
{
	const char *const params[] = { "KeyId", key_id, NULL };
	struct kms_response resp = { 0 };
	struct json_object *meta, *state;
	struct kms_client *c;
	enum ecs_err e = ECS_ERR_NONE;
	int r;

	if (!k || !strcmp(key_id, KMS_SERVICE_KEY_ALIAS))
		return ECS_ERR_NONE;
	c = client_of(k, region ? region : call->api->opt.regions[0]);
	if (!c)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"No KMS client for the region.");
	r = kms_client_call(c, "DescribeKey", params, &resp);
	if (r == -EPROTO && resp.http_status == 404) {
		e = api_fail(call, ECS_ERR_KMS_KEY_NOT_FOUND,
			     "The KMS key %s does not exist in %s.", key_id, region);
	} else if (r < 0) {
		e = api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
			     "The KMS could not describe %s: %s", key_id,
			     resp.code[0] ? resp.code : strerror(-r));
	} else if (!json_object_object_get_ex(resp.body, "KeyMetadata", &meta) ||
		   !json_object_object_get_ex(meta, "KeyState", &state) ||
		   strcmp(json_object_get_string(state), "Enabled")) {
		e = api_fail(call, ECS_ERR_KMS_KEY_NOT_ENABLED,
			     "The KMS key %s is not enabled.", key_id);
	}
	kms_response_release(&resp);
	return e;
}

/* One page of a List* action: its "Outer": {"Inner": [...]} array. */
static struct json_object *page_items(const struct kms_response *resp,
				      const char *outer, const char *inner)
{
	struct json_object *o, *arr;

	if (!json_object_object_get_ex(resp->body, outer, &o) ||
	    !json_object_object_get_ex(o, inner, &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return NULL;
	return arr;
}

static const char *str_field(struct json_object *o, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) ? json_object_get_string(v) : "";
}

/* Every page of @action: each item handed to @fn. */
static int list_all(struct kms_client *c, const char *action, const char *outer,
		    const char *inner,
		    void (*fn)(struct json_object *item, struct json_object *acc),
		    struct json_object *acc, char *why, size_t why_len)
{
	for (int page = 1; page <= 100; page++) {
		char number[16];
		const char *const params[] = { "PageNumber", number, "PageSize", "100", NULL };
		struct kms_response resp = { 0 };
		struct json_object *items, *total;
		size_t n;
		int r;

		snprintf(number, sizeof(number), "%d", page);
		r = kms_client_call(c, action, params, &resp);
		if (r < 0) {
			snprintf(why, why_len, "The KMS could not answer %s: %s", action,
				 resp.code[0] ? resp.code : strerror(-r));
			kms_response_release(&resp);
			return r;
		}
		items = page_items(&resp, outer, inner);
		n = items ? json_object_array_length(items) : 0;
		for (size_t i = 0; i < n; i++)
			fn(json_object_array_get_idx(items, i), acc);
		json_object_object_get_ex(resp.body, "TotalCount", &total);
		r = n < 100 || json_object_get_int64(total) <= (int64_t)page * 100;
		kms_response_release(&resp);
		if (r)
			return 0;
	}
	return 0;
}

static void add_key(struct json_object *item, struct json_object *keys)
{
	struct json_object *k = json_object_new_object();

	json_object_object_add(k, "KeyId", json_object_new_string(str_field(item, "KeyId")));
	json_object_object_add(k, "Aliases", json_object_new_array());
	json_object_array_add(keys, k);
}

static void add_alias(struct json_object *item, struct json_object *keys)
{
	const char *key_id = str_field(item, "KeyId");

	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		struct json_object *k = json_object_array_get_idx(keys, i), *aliases;

		if (strcmp(str_field(k, "KeyId"), key_id))
			continue;
		json_object_object_get_ex(k, "Aliases", &aliases);
		json_object_array_add(aliases, json_object_new_string(
			str_field(item, "AliasName")));
	}
}

enum ecs_err kms_keys_list(struct kms_keys *k, const char *region,
			   struct json_object **out, char *why, size_t why_len)
{
	struct json_object *keys = json_object_new_array();
	struct kms_client *c;

	if (!k) {
		*out = keys;
		return ECS_ERR_NONE;
	}
	c = client_of(k, region);
	if (!c) {
		snprintf(why, why_len, "No KMS client for the region.");
		goto unavailable;
	}
	if (list_all(c, "ListKeys", "Keys", "Key", add_key, keys, why, why_len) < 0 ||
	    list_all(c, "ListAliases", "Aliases", "Alias", add_alias, keys, why, why_len) < 0)
		goto unavailable;
	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		struct json_object *key = json_object_array_get_idx(keys, i), *meta;
		const char *const params[] = { "KeyId", str_field(key, "KeyId"), NULL };
		struct kms_response resp = { 0 };

		if (kms_client_call(c, "DescribeKey", params, &resp) == 0 &&
		    json_object_object_get_ex(resp.body, "KeyMetadata", &meta)) {
			static const char *const fields[] = { "KeyState", "Origin", "Description" };

			for (size_t f = 0; f < 3; f++)
				json_object_object_add(key, fields[f], json_object_new_string(
					str_field(meta, fields[f])));
		} else {
			json_object_object_add(key, "KeyState", json_object_new_string("Unknown"));
		}
		kms_response_release(&resp);
	}
	*out = keys;
	return ECS_ERR_NONE;
unavailable:
	json_object_put(keys);
	return ECS_ERR_SERVICE_UNAVAILABLE;
}
