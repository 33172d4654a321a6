// SPDX-License-Identifier: GPL-2.0
/*
 * The key-lifecycle verbs: rewrap, copy-snapshot, encryption by default
 * and the audit trail.  One agent request each.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"


int verb_rewrap(const struct ctl_opts *o, int argc, char **argv)
{
	struct agent_args a = { .kms_key_id = o->kms_key_id };
	int disk = !strcmp(o->verb, "rewrap-disk");

	if (disk)
		a.disk_id = argv[0];
	else
		a.snapshot_id = argv[0];
	return ctl_call_print(o, disk ? AGENT_OP_REWRAP_DISK : AGENT_OP_REWRAP_SNAPSHOT,
			  &a, "KMSKeyVersionId");
}

int verb_copy_snapshot(const struct ctl_opts *o, int argc, char **argv)
{
	struct agent_args a = {
		.snapshot_id = argv[0], .kms_key_id = o->kms_key_id,
		.destination_region = o->destination_region,
		.encrypted = o->encrypted,
	};

	struct json_object *res, *list, *snap = NULL;
	char category[32] = "";
	int encrypted = 1;

	if (o->encrypted) {
		/* Unencrypted data must be encrypted on the way: copy.c. */
		if (ctl_call(o, AGENT_OP_DESCRIBE_SNAPSHOTS, NULL, &res))
			return 1;
		list = reply_array(res, "Snapshots");
		for (size_t i = 0; list && i < json_object_array_length(list); i++)
			if (!strcmp(reply_str(json_object_array_get_idx(list, i),
					      "SnapshotId"), argv[0]))
				snap = json_object_array_get_idx(list, i);
		if (snap) {
			encrypted = reply_bool(snap, "Encrypted");
			snprintf(category, sizeof(category), "%s",
				 reply_str(snap, "Category"));
		}
		json_object_put(res);
		if (!encrypted)
			return ctl_copy_snapshot_encrypting(o, argv[0], category) ? 1 : 0;
	}
	return ctl_call_print(o, AGENT_OP_COPY_SNAPSHOT, &a, "SnapshotId");
}

static const struct {
	const char *verb;
	enum agent_op_id op;
	const char *field;	/* printed without --json; NULL: nothing */
} default_verbs[] = {
	{ "enable-disk-encryption-by-default", AGENT_OP_ENABLE_ENCRYPTION_BY_DEFAULT, NULL },
	{ "disable-disk-encryption-by-default", AGENT_OP_DISABLE_ENCRYPTION_BY_DEFAULT, NULL },
	{ "describe-disk-encryption-by-default-status", AGENT_OP_DESCRIBE_ENCRYPTION_BY_DEFAULT, "Encrypted" },
	{ "describe-disk-default-kms-key-id", AGENT_OP_DESCRIBE_DEFAULT_KMS_KEY, "KMSKeyId" },
	{ "modify-disk-default-kms-key-id", AGENT_OP_MODIFY_DEFAULT_KMS_KEY, NULL },
	{ "reset-disk-default-kms-key-id", AGENT_OP_RESET_DEFAULT_KMS_KEY, NULL },
};

int verb_default_encryption(const struct ctl_opts *o, int argc, char **argv)
{
	struct agent_args a = { .kms_key_id = argc ? argv[0] : NULL };
	struct json_object *res;

	for (size_t i = 0; i < sizeof(default_verbs) / sizeof(*default_verbs); i++) {
		if (strcmp(o->verb, default_verbs[i].verb))
			continue;
		if (ctl_call(o, default_verbs[i].op, &a, &res))
			return 1;
		if (o->json)
			ctl_print_json(res);
		else if (default_verbs[i].field && !strcmp(default_verbs[i].field, "Encrypted"))
			puts(reply_bool(res, "Encrypted") ? "true" : "false");
		else if (default_verbs[i].field)
			puts(reply_str(res, default_verbs[i].field));
		json_object_put(res);
		return 0;
	}
	ctl_error("%s: not an encryption-by-default verb", o->verb);
	return 1;
}

int verb_describe_audit_events(const struct ctl_opts *o, int argc, char **argv)
{
	struct agent_args a = { .disk_id = o->disk_id };
	struct json_object *res, *list;

	if (ctl_call(o, AGENT_OP_DESCRIBE_AUDIT_EVENTS, &a, &res))
		return 1;
	if (o->json) {
		ctl_print_json(res);
		goto out;
	}
	printf("%-6s %-20s %-14s %-22s %-31s %-22s %-18s %s\n", "SEQ", "TIME",
	       "REGION", "OPERATION", "ACTION", "OBJECT", "RESULT", "KMS KEY");
	list = reply_array(res, "AuditEvents");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *e = json_object_array_get_idx(list, i);
		/* Records of earlier agents say KmsKeyId. */
		const char *key = *reply_str(e, "KMSKeyId") ? reply_str(e, "KMSKeyId") :
							      reply_str(e, "KmsKeyId");

		printf("%-6lld %-20s %-14s %-22s %-31s %-22s %-18s %s\n",
		       (long long)reply_int(e, "Seq"), reply_str(e, "Time"),
		       reply_str(e, "Region"), reply_str(e, "Operation"),
		       reply_str(e, "Action"),
		       *reply_str(e, "ObjectId") ? reply_str(e, "ObjectId") : "-",
		       reply_str(e, "Result"),
		       *key ? key : "-");
	}
out:
	json_object_put(res);
	return 0;
}

int verb_verify_audit_log(const struct ctl_opts *o, int argc, char **argv)
{
	struct json_object *res;

	if (ctl_call(o, AGENT_OP_VERIFY_AUDIT_LOG, NULL, &res))
		return 1;
	if (o->json)
		ctl_print_json(res);
	else
		printf("audit log intact: %lld records\n",
		       (long long)reply_int(res, "Records"));
	json_object_put(res);
	return 0;
}
