/* SPDX-License-Identifier: GPL-2.0 */
/* Resources as the SDK's models read them (ECS's PascalCase JSON). */
#ifndef ECS_API_RENDER_H
#define ECS_API_RENDER_H

#include "ecs_api.h"

struct disk_attachments;

/* @set: the disk's attachments (attachments.h). */
struct json_object *render_disk(const struct ecs_disk *d,
				const struct disk_attachments *set);
struct json_object *render_snapshot(const struct ecs_snapshot *s);
struct json_object *render_instance(const struct ecs_instance *i,
				    enum instance_status status);

/*
 * One page of @items into call->reply as Outer.Inner[] with TotalCount:
 * by MaxResults/NextToken when either was given, else by
 * PageNumber/PageSize (default 1 and 10).  Takes @items.
 */
enum ecs_err render_page(struct api_call *call, struct json_object *items,
			 const char *outer, const char *inner);

#endif
