/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Values as ECS spells them, for every program that shows them: resource
 * ids ("d-" and 20 lower-case letters and digits) and times (ISO 8601 UTC,
 * "2026-12-07T04:00:00Z").
 */
#ifndef ECSENC_ECS_FORMAT_H
#define ECSENC_ECS_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* "<prefix>-" and 20 random lower-case letters and digits.  0 or -errno. */
int ecs_new_id(const char *prefix, char *buf, size_t len);
/* @t (seconds since the epoch) as a JSON string; "" when 0 (unknown). */
struct json_object *ecs_time_json(int64_t t);

#endif
