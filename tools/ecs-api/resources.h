/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the handlers share: an account's resources looked up as ECS does
 * (another account's resource does not exist), instances' liveness, and
 * ClientToken idempotency.
 */
#ifndef ECS_API_RESOURCES_H
#define ECS_API_RESOURCES_H

#include "ecs_api.h"

/* 0, or the NotFound refusal when @id is not @call->account's. */
enum ecs_err find_disk(struct api_call *call, const char *id, struct ecs_disk *d);
enum ecs_err find_snapshot(struct api_call *call, const char *id,
			   struct ecs_snapshot *s);
enum ecs_err find_instance(struct api_call *call, const char *id,
			   struct ecs_instance *i);

/* A Describe* in the making: its request, and the items that match. */
struct listing {
	struct api_call *call;
	struct json_object *items;
};

/* Whether @id is one of the @n of @ids (DiskIds, SnapshotIds, ...). */
bool id_listed(const char *const *ids, size_t n, const char *id);

/* Running while its agent polls, Stopped after --agent-silence without. */
enum instance_status instance_status(struct ecs_api *api,
				     const struct ecs_instance *i);

/*
 * ClientToken: *@resource set when the token was used with the same
 * parameters (answer that); IDEMPOTENT_MISMATCH with others; NONE and
 * "" when new.  token_record() after the resource is made.
 */
enum ecs_err token_check(struct api_call *call, char resource[ECS_ID_MAX]);
enum ecs_err token_record(struct api_call *call, const char *resource);

#endif
