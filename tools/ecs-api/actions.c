// SPDX-License-Identifier: GPL-2.0
/* The action table and the typed decoding of parameters (actions.h). */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "actions.h"

#define A(f) offsetof(struct api_args, f)
#define ID(n, f, req) { n, P_ID, req, A(f), 0, 0 }
#define TEXT(n, f, max) { n, P_TEXT, false, A(f), 0, max }
#define BOOL(n, f) { n, P_BOOL, false, A(f), 0, 0 }
#define INT(n, f, req, max) { n, P_INT, req, A(f), 0, max }
#define IDS(n, f) { n, P_ID_LIST, false, A(f), A(n_##f), 0 }
#define END { NULL, 0, false, 0, 0, 0 }

static const struct api_param p_create_disk[] = {
	ID("RegionId", region_id, true), ID("ZoneId", zone_id, false),
	ID("DiskCategory", category, false), INT("Size", size, false, 32768),
	ID("SnapshotId", snapshot_id, false), BOOL("Encrypted", encrypted),
	ID("KMSKeyId", kms_key_id, false), TEXT("DiskName", name, ECS_NAME_MAX),
	TEXT("Description", description, ECS_DESC_MAX),
	TEXT("ClientToken", client_token, ECS_TOKEN_MAX),
	{ "MultiAttach", P_ENABLED, false, A(multi_attach), 0, 0 },
	ID("InstanceId", instance_id, false),
	END
};
static const struct api_param p_describe_disks[] = {
	ID("RegionId", region_id, true), ID("ZoneId", zone_id, false),
	IDS("DiskIds", disk_ids), ID("InstanceId", instance_id, false),
	ID("Status", status, false), BOOL("Encrypted", encrypted),
	ID("KMSKeyId", kms_key_id, false), ID("Category", category, false),
	ID("SnapshotId", snapshot_id, false),
	INT("PageNumber", page_number, false, 1 << 30),
	INT("PageSize", page_size, false, 100),
	INT("MaxResults", max_results, false, 500),
	ID("NextToken", next_token, false),
	END
};
static const struct api_param p_disk_instance[] = {
	ID("DiskId", disk_id, true), ID("InstanceId", instance_id, true),
	BOOL("Force", force), END
};
static const struct api_param p_disk[] = { ID("DiskId", disk_id, true), END };
static const struct api_param p_reset_disk[] = {
	ID("DiskId", disk_id, true), ID("SnapshotId", snapshot_id, true), END
};
static const struct api_param p_create_snapshot[] = {
	ID("DiskId", disk_id, true), TEXT("SnapshotName", name, ECS_NAME_MAX),
	TEXT("Description", description, ECS_DESC_MAX),
	TEXT("ClientToken", client_token, ECS_TOKEN_MAX), END
};
static const struct api_param p_describe_snapshots[] = {
	ID("RegionId", region_id, true), IDS("SnapshotIds", snapshot_ids),
	ID("DiskId", disk_id, false), ID("Status", status, false),
	BOOL("Encrypted", encrypted), ID("KMSKeyId", kms_key_id, false),
	INT("PageNumber", page_number, false, 1 << 30),
	INT("PageSize", page_size, false, 100),
	INT("MaxResults", max_results, false, 500),
	ID("NextToken", next_token, false),
	END
};
static const struct api_param p_delete_snapshot[] = {
	ID("SnapshotId", snapshot_id, true), BOOL("Force", force), END
};
static const struct api_param p_copy_snapshot[] = {
	ID("RegionId", region_id, true), ID("SnapshotId", snapshot_id, true),
	ID("DestinationRegionId", destination_region, true),
	TEXT("DestinationSnapshotName", name, ECS_NAME_MAX),
	TEXT("DestinationSnapshotDescription", description, ECS_DESC_MAX),
	BOOL("Encrypted", encrypted), ID("KMSKeyId", kms_key_id, false),
	TEXT("ClientToken", client_token, ECS_TOKEN_MAX), END
};
static const struct api_param p_region[] = { ID("RegionId", region_id, true), END };
static const struct api_param p_modify_key[] = {
	ID("RegionId", region_id, true), ID("KMSKeyId", kms_key_id, true), END
};
static const struct api_param p_describe_instances[] = {
	ID("RegionId", region_id, true), IDS("InstanceIds", instance_ids),
	ID("Status", status, false),
	INT("PageNumber", page_number, false, 1 << 30),
	INT("PageSize", page_size, false, 100),
	INT("MaxResults", max_results, false, 100),
	ID("NextToken", next_token, false),
	END
};
static const struct api_param p_describe_regions[] = { END };
static const struct api_param p_agent_poll[] = {
	ID("RegionId", region_id, false), ID("Backend", backend, false), END
};
static const struct api_param p_agent_report[] = {
	INT("TaskId", task_id, true, INT64_MAX),
	{ "Result", P_JSON, true, A(result), 0, 1 << 20 }, END
};
static const struct api_param p_agent_audit_ship[] = {
	{ "Records", P_JSON, false, A(records), 0, 1 << 20 }, END
};
static const struct api_param p_describe_audit_records[] = {
	ID("RegionId", region_id, false), ID("InstanceId", instance_id, true),
	INT("MaxResults", max_results, false, 500),
	ID("NextToken", next_token, false),
	END
};
static const struct api_param p_describe_tasks[] = {
	ID("RegionId", region_id, true), TEXT("TaskIds", task_ids, 2100),
	ID("TaskAction", task_action, false), ID("TaskStatus", task_status, false),
	INT("PageNumber", page_number, false, 1 << 30),
	INT("PageSize", page_size, false, 100),
	END
};
static const struct api_param p_describe_task_attribute[] = {
	ID("RegionId", region_id, true), ID("TaskId", task_ref, true), END
};
static const struct api_param p_agent_keep_alive[] = { END };

#define USER(n, p, fn) { n, CALLER_USER, p, fn, false }
#define USER_KEY(n, p, fn) { n, CALLER_USER, p, fn, true }
#define AGENT(n, p, fn) { n, CALLER_INSTANCE, p, fn, false }

static const struct api_action actions[] = {
	USER_KEY("CreateDisk", p_create_disk, act_create_disk),
	USER("DescribeDisks", p_describe_disks, act_describe_disks),
	USER("AttachDisk", p_disk_instance, act_attach_disk),
	USER("DetachDisk", p_disk_instance, act_detach_disk),
	USER("DeleteDisk", p_disk, act_delete_disk),
	USER("ResetDisk", p_reset_disk, act_reset_disk),
	USER("ReInitDisk", p_disk, act_reinit_disk),
	USER("CreateSnapshot", p_create_snapshot, act_create_snapshot),
	USER("DescribeSnapshots", p_describe_snapshots, act_describe_snapshots),
	USER("DeleteSnapshot", p_delete_snapshot, act_delete_snapshot),
	USER_KEY("CopySnapshot", p_copy_snapshot, act_copy_snapshot),
	USER("EnableDiskEncryptionByDefault", p_region, act_enable_default_encryption),
	USER("DisableDiskEncryptionByDefault", p_region, act_disable_default_encryption),
	USER("DescribeDiskEncryptionByDefaultStatus", p_region, act_describe_default_encryption),
	USER("DescribeDiskDefaultKMSKeyId", p_region, act_describe_default_key),
	USER_KEY("ModifyDiskDefaultKMSKeyId", p_modify_key, act_modify_default_key),
	USER("ResetDiskDefaultKMSKeyId", p_region, act_reset_default_key),
	USER("DescribeInstances", p_describe_instances, act_describe_instances),
	USER("DescribeRegions", p_describe_regions, act_describe_regions),
	AGENT("AgentPoll", p_agent_poll, act_agent_poll),
	AGENT("AgentReport", p_agent_report, act_agent_report),
	/* Not ECS: the audit trails of the agents (audit_records.c). */
	AGENT("AgentAuditShip", p_agent_audit_ship, act_agent_audit_ship),
	USER("DescribeAuditRecords", p_describe_audit_records, act_describe_audit_records),
	USER("DescribeTasks", p_describe_tasks, act_describe_tasks),
	USER("DescribeTaskAttribute", p_describe_task_attribute, act_describe_task_attribute),
	/* Not ECS: an agent at work is alive (agent_keepalive.c). */
	AGENT("AgentKeepAlive", p_agent_keep_alive, act_agent_keep_alive),
};

const struct api_action *api_action_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(actions) / sizeof(*actions); i++)
		if (!strcmp(actions[i].name, name))
			return &actions[i];
	return NULL;
}

static bool is_id(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("._:/-", c)))
			return false;
	}
	return true;
}

static bool is_text(const char *s, int64_t max)
{
	size_t n = strlen(s);

	if ((int64_t)n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* ["d-1","d-2"]: ids kept in @json (freed with the call). */
static enum ecs_err decode_ids(struct api_call *call, const struct api_param *p,
			       const char *v)
{
	struct json_object *arr = json_tokener_parse(v);
	const char **out = (const char **)((char *)&call->args + p->offset);
	size_t *count = (size_t *)((char *)&call->args + p->count_offset);
	size_t n;

	if (!arr || !json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		return api_fail(call, ECS_ERR_INVALID_PARAMETER,
				"The parameter %s must be a JSON array of ids.", p->name);
	}
	n = json_object_array_length(arr);
	if (n > ECS_API_MAX_IDS) {
		json_object_put(arr);
		return api_fail(call, ECS_ERR_INVALID_PARAMETER,
				"The parameter %s holds more than %d ids.", p->name,
				ECS_API_MAX_IDS);
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(e, json_type_string) ||
		    !is_id(json_object_get_string(e), ECS_ID_MAX - 1)) {
			json_object_put(arr);
			return api_fail(call, ECS_ERR_INVALID_PARAMETER,
					"The parameter %s holds a value that is not an id.",
					p->name);
		}
	}
	/* The strings live as long as the array: as long as the call. */
	if (!call->scratch)
		call->scratch = json_object_new_array();
	json_object_array_add(call->scratch, arr);
	for (size_t i = 0; i < n; i++)
		out[i] = json_object_get_string(json_object_array_get_idx(arr, i));
	*count = n;
	return ECS_ERR_NONE;
}

static enum ecs_err decode_one(struct api_call *call, const struct api_param *p,
			       const char *v)
{
	void *field = (char *)&call->args + p->offset;
	char *end;
	long long n;

	switch (p->type) {
	case P_ID:
		if (!is_id(v, p->offset == A(kms_key_id) ? ECS_KEY_ID_MAX - 1 :
							   ECS_ID_MAX - 1))
			break;
		*(const char **)field = v;
		return ECS_ERR_NONE;
	case P_TEXT:
		if (!is_text(v, p->max))
			break;
		*(const char **)field = v;
		return ECS_ERR_NONE;
	case P_JSON:
		if ((int64_t)strlen(v) > p->max)
			break;
		*(const char **)field = v;
		return ECS_ERR_NONE;
	case P_BOOL:
		if (strcmp(v, "true") && strcmp(v, "false"))
			break;
		*(bool *)field = !strcmp(v, "true");
		return ECS_ERR_NONE;
	case P_ENABLED:
		/* ECS's spelling; true and false as the other booleans. */
		if (!strcmp(v, "Enabled") || !strcmp(v, "true"))
			*(bool *)field = true;
		else if (!strcmp(v, "Disabled") || !strcmp(v, "false"))
			*(bool *)field = false;
		else
			break;
		return ECS_ERR_NONE;
	case P_INT:
		errno = 0;
		n = strtoll(v, &end, 10);
		if (errno || end == v || *end || n < 0 || n > p->max)
			break;
		*(int64_t *)field = n;
		return ECS_ERR_NONE;
	case P_ID_LIST:
		return decode_ids(call, p, v);
	}
	return api_fail(call, ECS_ERR_INVALID_PARAMETER,
			"The specified parameter %s is not valid.", p->name);
}

enum ecs_err api_decode(struct api_call *call)
{
	const struct api_param *p;
	enum ecs_err e;
	unsigned int bit = 0;

	for (p = call->action->params; p->name; p++, bit++) {
		const char *v = signed_request_param(call->req, p->name);

		if (!v || (!*v && p->type != P_TEXT)) {
			if (p->required)
				return api_fail(call, ECS_ERR_MISSING_PARAMETER,
						"The input parameter \"%s\" that is mandatory for processing this request is not supplied.",
						p->name);
			continue;
		}
		e = decode_one(call, p, v);
		if (e)
			return e;
		call->args.given |= 1ull << bit;
	}
	return ECS_ERR_NONE;
}

bool api_given(const struct api_call *call, const char *name)
{
	unsigned int bit = 0;

	for (const struct api_param *p = call->action->params; p->name; p++, bit++)
		if (!strcmp(p->name, name))
			return call->args.given & (1ull << bit);
	return false;
}
