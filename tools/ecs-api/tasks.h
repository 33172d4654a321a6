/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Work handed to an instance's agent: an agent request (agent_ops.h) kept
 * as a task, queued -> sent -> done, in the same transaction as the
 * resource's new state; and what the agent's report does to the resource.
 * A task is sent again until it is reported, so every agent operation a
 * task runs is one that may run twice (new objects carry their id).
 */
#ifndef ECS_API_TASKS_H
#define ECS_API_TASKS_H

#include "ecs_api.h"

/* Queue @op with @args for @instance, about @resource; wakes it after commit. */
enum ecs_err task_queue(struct api_call *call, const char *instance,
			enum agent_op_id op, const char *region,
			const char *resource, const struct agent_args *args);

/* Apply an agent's reply (the unix protocol's {"ok", ...}) to the task's resource. */
enum ecs_err task_apply_report(struct api_call *call, const struct ecs_task *t,
			       struct json_object *reply);

/*
 * Keep what became of task @t (task_outcomes.c): done (@ok), or failed
 * with the agent's @code and @message, under @account and @region.
 */
int task_outcome_record(struct api_call *call, const struct ecs_task *t,
			const char *account, const char *region, bool ok,
			const char *code, const char *message);

#endif
