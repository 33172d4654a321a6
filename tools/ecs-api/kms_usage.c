// SPDX-License-Identifier: GPL-2.0
/* The agents' KMS usage, asked for and kept for the console (kms_usage.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kms_usage.h"
#include "link.h"
#include "resources.h"
#include "tasks.h"

#define USAGE_INSTANCES	256
#define ASK_AGAIN_MS	10000	/* after an answer */
#define GIVE_UP_MS	60000	/* an unanswered ask */

struct usage_entry {
	char instance[ECS_ID_MAX];
	int64_t asked_ms;		/* 0: never */
	int64_t answered_ms;		/* 0: never */
	char *regions;			/* the last answer's Regions, JSON */
};

struct kms_usage {
	pthread_mutex_t lock;		/* guards @entries */
	struct usage_entry entries[USAGE_INSTANCES];
};

int kms_usage_new(struct kms_usage **out)
{
	struct kms_usage *u = calloc(1, sizeof(*u));

	if (!u)
		return -ENOMEM;
	pthread_mutex_init(&u->lock, NULL);
	*out = u;
	return 0;
}

void kms_usage_free(struct kms_usage *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < USAGE_INSTANCES; i++)
		free(u->entries[i].regions);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

/* The entry of @instance, made if need be; NULL when the table is full. */
static struct usage_entry *entry_of(struct kms_usage *u, const char *instance)
{
	struct usage_entry *free_slot = NULL;

	for (size_t i = 0; i < USAGE_INSTANCES; i++) {
		struct usage_entry *e = &u->entries[i];

		if (!strcmp(e->instance, instance))
			return e;
		if (!e->instance[0] && !free_slot)
			free_slot = e;
	}
	if (free_slot)
		snprintf(free_slot->instance, sizeof(free_slot->instance), "%s", instance);
	return free_slot;
}

void kms_usage_record(struct kms_usage *u, const char *instance,
		      struct json_object *result)
{
	struct json_object *regions;
	struct usage_entry *e;

	if (!u || !json_object_object_get_ex(result, "Regions", &regions))
		return;
	pthread_mutex_lock(&u->lock);
	e = entry_of(u, instance);
	if (e) {
		char *text = strdup(json_object_to_json_string_ext(regions,
						JSON_C_TO_STRING_PLAIN));

		if (text) {
			free(e->regions);
			e->regions = text;
			e->answered_ms = now_ms();
		}
	}
	pthread_mutex_unlock(&u->lock);
}

struct usage_walk {
	struct api_call *call;
	struct json_object *rows;
	char ask[USAGE_INSTANCES][ECS_ID_MAX];
	size_t n_ask;
};

/* Whether @e's agent is to be asked now; marks it asked. */
static bool due(struct usage_entry *e, int64_t now)
{
	bool waiting = e->asked_ms > e->answered_ms;

	if (waiting ? now - e->asked_ms < GIVE_UP_MS : now - e->answered_ms < ASK_AGAIN_MS)
		return false;
	e->asked_ms = now;
	return true;
}

static int usage_visit(const struct ecs_instance *i, void *arg)
{
	struct usage_walk *w = arg;
	struct ecs_api *api = w->call->api;
	struct kms_usage *u = api->usage;
	const char *region = i->region[0] ? i->region : api->opt.regions[0];
	struct json_object *row, *regions, *reg, *ops;
	struct usage_entry *e;

	if (strcmp(region, w->call->args.region_id))
		return 0;
	row = json_object_new_object();
	json_object_object_add(row, "InstanceId", json_object_new_string(i->id));
	json_object_object_add(row, "Status", json_object_new_string(
		instance_status_name(instance_status(api, i))));
	pthread_mutex_lock(&u->lock);
	e = entry_of(u, i->id);
	if (e && e->regions && (regions = json_tokener_parse(e->regions))) {
		if (json_object_object_get_ex(regions, region, &reg) &&
		    json_object_object_get_ex(reg, "Operations", &ops))
			json_object_object_add(row, "Operations", json_object_get(ops));
		json_object_object_add(row, "ReportedAt",
				       ecs_time_json((time_t)(e->answered_ms / 1000)));
		json_object_put(regions);
	}
	if (e && instance_status(api, i) == INSTANCE_RUNNING && due(e, now_ms()) &&
	    w->n_ask < USAGE_INSTANCES)
		snprintf(w->ask[w->n_ask++], ECS_ID_MAX, "%s", i->id);
	pthread_mutex_unlock(&u->lock);
	json_object_array_add(w->rows, row);
	return 0;
}

enum ecs_err kms_usage_describe(struct api_call *call)
{
	struct ecs_api *api = call->api;
	struct usage_walk *w = calloc(1, sizeof(*w));
	const struct agent_args none = { 0 };
	enum ecs_err e = ECS_ERR_NONE;

	if (!w)
		return api_fail(call, ECS_ERR_INTERNAL, "Out of memory.");
	w->call = call;
	w->rows = json_object_new_array();
	if (api->ops->begin(api->store) < 0) {
		e = api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE, "The store is not available.");
		goto out;
	}
	if (api->ops->instance_list(api->store, call->account, usage_visit, w) < 0)
		e = api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE, "The instances cannot be listed.");
	for (size_t i = 0; !e && i < w->n_ask; i++)
		e = task_queue(call, w->ask[i], AGENT_OP_DESCRIBE_KMS_USAGE,
			       call->args.region_id, w->ask[i], &none);
	if (e) {
		api->ops->rollback(api->store);
		goto out;
	}
	if (api->ops->commit(api->store) < 0) {
		e = api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE, "The store could not record the change.");
		goto out;
	}
	for (size_t i = 0; i < w->n_ask; i++)
		link_wake(api->link, w->ask[i]);
	call->reply = json_object_new_object();
	json_object_object_add(call->reply, "RegionId",
			       json_object_new_string(call->args.region_id));
	json_object_object_add(call->reply, "Usage", w->rows);
	w->rows = NULL;
out:
	json_object_put(w->rows);
	free(w);
	return e;
}
