/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The actions the server answers, declared once: name, who may call it,
 * the parameters it takes with a policy each, and its handler.  A request
 * is decoded against the policy into struct api_args before any handler
 * runs; a parameter the action does not take is ignored, as ECS does.
 */
#ifndef ECS_API_ACTIONS_H
#define ECS_API_ACTIONS_H

#include "ecs_api.h"

enum api_param_type {
	P_ID,		/* [A-Za-z0-9._:/-], 1..ECS_KEY_ID_MAX bytes */
	P_TEXT,		/* printable text, up to @max bytes */
	P_BOOL,		/* "true" or "false" */
	P_INT,		/* a decimal integer within 0..@max */
	P_ID_LIST,	/* a JSON array of ids, up to ECS_API_MAX_IDS */
	P_JSON,		/* a JSON document, up to @max bytes */
	P_ENABLED,	/* a bool as ECS spells some: "Enabled" or "Disabled" */
};

struct api_param {
	const char *name;		/* "DiskId" */
	enum api_param_type type;
	bool required;
	size_t offset;			/* of the field in struct api_args */
	size_t count_offset;		/* P_ID_LIST: of its size_t count */
	int64_t max;			/* P_TEXT/P_JSON bytes, P_INT value */
};

struct api_action {
	const char *name;		/* "CreateDisk" */
	enum caller_kind caller;
	const struct api_param *params;	/* ends with a NULL name */
	api_handler fn;
	bool checks_kms_key;		/* KMSKeyId checked with the KMS first */
};

/* The action named @name, or NULL. */
const struct api_action *api_action_find(const char *name);
/* Decode the parameters of @req for @call->action into call->args. */
enum ecs_err api_decode(struct api_call *call);

/* Handlers. */
enum ecs_err act_create_disk(struct api_call *call);
enum ecs_err act_describe_disks(struct api_call *call);
enum ecs_err act_attach_disk(struct api_call *call);
enum ecs_err act_detach_disk(struct api_call *call);
enum ecs_err act_delete_disk(struct api_call *call);
enum ecs_err act_reset_disk(struct api_call *call);
enum ecs_err act_reinit_disk(struct api_call *call);
enum ecs_err act_create_snapshot(struct api_call *call);
enum ecs_err act_describe_snapshots(struct api_call *call);
enum ecs_err act_delete_snapshot(struct api_call *call);
enum ecs_err act_copy_snapshot(struct api_call *call);
enum ecs_err act_enable_default_encryption(struct api_call *call);
enum ecs_err act_disable_default_encryption(struct api_call *call);
enum ecs_err act_describe_default_encryption(struct api_call *call);
enum ecs_err act_describe_default_key(struct api_call *call);
enum ecs_err act_modify_default_key(struct api_call *call);
enum ecs_err act_reset_default_key(struct api_call *call);
enum ecs_err act_describe_instances(struct api_call *call);
enum ecs_err act_describe_regions(struct api_call *call);
enum ecs_err act_agent_poll(struct api_call *call);
enum ecs_err act_agent_report(struct api_call *call);
enum ecs_err act_agent_audit_ship(struct api_call *call);
enum ecs_err act_describe_audit_records(struct api_call *call);
enum ecs_err act_describe_tasks(struct api_call *call);
enum ecs_err act_describe_task_attribute(struct api_call *call);
enum ecs_err act_agent_keep_alive(struct api_call *call);
/* How often an agent at work keeps in touch: a third of --agent-silence. */
int64_t agent_keep_alive_ms(const struct ecs_api *api);

#endif
