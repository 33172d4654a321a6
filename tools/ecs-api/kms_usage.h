/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KMS calls by ECS operation, as each agent counts them (its
 * describe-kms-usage), for the console: asking is a task for the agent of
 * each Running instance (at most one outstanding per instance), and what
 * the agents last reported is kept here, in memory.
 */
#ifndef ECS_API_KMS_USAGE_H
#define ECS_API_KMS_USAGE_H

#include "ecs_api.h"

int kms_usage_new(struct kms_usage **out);
void kms_usage_free(struct kms_usage *u);

/* AgentReport of a describe-kms-usage task of @instance. */
void kms_usage_record(struct kms_usage *u, const char *instance,
		      struct json_object *result);

/*
 * @call->account's usage in @call->args.region_id: what was last
 * reported, by instance, into call->reply; asks the agents again.
 */
enum ecs_err kms_usage_describe(struct api_call *call);

#endif
