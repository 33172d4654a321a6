// SPDX-License-Identifier: GPL-2.0
/* The verbs that are one agent request each, and how they print. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

int ctl_call_print(const struct ctl_opts *o, enum agent_op_id op,
		   const struct agent_args *args, const char *field)
{
	struct json_object *res;

	if (ctl_call(o, op, args, &res))
		return 1;
	if (o->json)
		ctl_print_json(res);
	else if (field)
		puts(reply_str(res, field));
	json_object_put(res);
	return 0;
}

static int on_disk(const struct ctl_opts *o, enum agent_op_id op,
		   const char *disk_id, const char *field)
{
	struct agent_args a = { .disk_id = disk_id };

	return ctl_call_print(o, op, &a, field);
}

int verb_create_disk(const struct ctl_opts *o, int argc, char **argv)
{
	struct agent_args a = {
		.size = o->size, .category = o->category,
		.encrypted = o->encrypted, .kms_key_id = o->kms_key_id,
		.snapshot_id = o->snapshot_id, .unencrypted = o->unencrypted,
	};

	if (!o->snapshot_id && !o->size) {
		ctl_error("create-disk needs --size (or --snapshot-id)");
		return 1;
	}
	if (!o->snapshot_id && !o->category) {
		ctl_error("create-disk needs --category (or --snapshot-id)");
		return 1;
	}
	return ctl_call_print(o, AGENT_OP_CREATE_DISK, &a, "DiskId");
}

int verb_attach_disk(const struct ctl_opts *o, int argc, char **argv)
{
	struct agent_args a = { .disk_id = argv[0], .force = o->force };

	return ctl_call_print(o, AGENT_OP_ATTACH_DISK, &a, "Device");
}

int verb_detach_disk(const struct ctl_opts *o, int argc, char **argv)
{
	return on_disk(o, AGENT_OP_DETACH_DISK, argv[0], NULL);
}

int verb_create_snapshot(const struct ctl_opts *o, int argc, char **argv)
{
	return on_disk(o, AGENT_OP_CREATE_SNAPSHOT, argv[0], "SnapshotId");
}

int verb_delete_snapshot(const struct ctl_opts *o, int argc, char **argv)
{
	struct agent_args a = { .snapshot_id = argv[0] };

	return ctl_call_print(o, AGENT_OP_DELETE_SNAPSHOT, &a, NULL);
}

int verb_reset_disk(const struct ctl_opts *o, int argc, char **argv)
{
	struct agent_args a = { .disk_id = argv[0], .snapshot_id = o->snapshot_id };

	if (!o->snapshot_id) {
		ctl_error("reset-disk needs --snapshot-id SNAP");
		return 1;
	}
	return ctl_call_print(o, AGENT_OP_RESET_DISK, &a, NULL);
}

int verb_reinit_disk(const struct ctl_opts *o, int argc, char **argv)
{
	return on_disk(o, AGENT_OP_REINIT_DISK, argv[0], NULL);
}

int verb_delete_disk(const struct ctl_opts *o, int argc, char **argv)
{
	return on_disk(o, AGENT_OP_DELETE_DISK, argv[0], NULL);
}

int verb_rebuild_catalog(const struct ctl_opts *o, int argc, char **argv)
{
	struct json_object *res;

	if (ctl_call(o, AGENT_OP_REBUILD_CATALOG, NULL, &res))
		return 1;
	if (o->json)
		ctl_print_json(res);
	else
		printf("%lld\n", (long long)reply_int(res, "Objects"));
	json_object_put(res);
	return 0;
}

static void print_size(int64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	double v = (double)bytes;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, v == (int64_t)v ? "%.0f%s" : "%.1f%s", v, units[u]);
}

static int describe(const struct ctl_opts *o, enum agent_op_id op,
		    const struct agent_args *args, const char *list_key, int disks)
{
	struct json_object *res, *list;
	char size[32];

	if (ctl_call(o, op, args, &res))
		return 1;
	if (o->json) {
		ctl_print_json(res);
		goto out;
	}
	list = reply_array(res, list_key);
	printf("%-24s %-16s %8s %-9s %-24s %-36s %-11s %s\n", disks ? "DISK" : "SNAPSHOT",
	       "CATEGORY", "SIZE", "ENCRYPTED", disks ? "STATUS" : "DISK",
	       "KMS KEY", "KEY VERSION", disks ? "DEVICE" : "COPY");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *d = json_object_array_get_idx(list, i);

		print_size(reply_int(d, "SizeBytes"), size, sizeof(size));
		printf("%-24s %-16s %8s %-9s %-24s %-36s %-11s %s\n",
		       reply_str(d, disks ? "DiskId" : "SnapshotId"),
		       reply_str(d, "Category"), size,
		       reply_bool(d, "Encrypted") ? "yes" : "no",
		       reply_str(d, disks ? "Status" : "SourceDiskId"),
		       *reply_str(d, "KMSKeyId") ? reply_str(d, "KMSKeyId") : "-",
		       *reply_str(d, "KMSKeyVersionId") ? reply_str(d, "KMSKeyVersionId") : "-",
		       disks ? (*reply_str(d, "Device") ? reply_str(d, "Device") : "-") :
		       (*reply_str(d, "CopyMethod") ? reply_str(d, "CopyMethod") : "-"));
	}
out:
	json_object_put(res);
	return 0;
}

int verb_describe_disks(const struct ctl_opts *o, int argc, char **argv)
{
	struct agent_args a = { .n_disk_ids = (size_t)argc };

	if (argc > AGENT_MAX_IDS) {
		ctl_error("describe-disks takes at most %d disk ids", AGENT_MAX_IDS);
		return 1;
	}
	for (int i = 0; i < argc; i++)
		a.disk_ids[i] = argv[i];
	return describe(o, AGENT_OP_DESCRIBE_DISKS, &a, "Disks", 1);
}

int verb_describe_snapshots(const struct ctl_opts *o, int argc, char **argv)
{
	return describe(o, AGENT_OP_DESCRIBE_SNAPSHOTS, NULL, "Snapshots", 0);
}

int verb_describe_kms_usage(const struct ctl_opts *o, int argc, char **argv)
{
	struct json_object *res, *regions, *ops, *actions;

	if (ctl_call(o, AGENT_OP_DESCRIBE_KMS_USAGE, NULL, &res))
		return 1;
	if (o->json) {
		ctl_print_json(res);
		goto out;
	}
	printf("%-16s %-18s %9s  %s\n", "REGION", "OPERATION", "KMS CALLS", "BY ACTION");
	regions = reply_object(res, "Regions");
	if (!regions)
		goto out;
	json_object_object_foreach(regions, region, reg) {
		ops = reply_object(reg, "Operations");
		if (!ops)
			continue;
		json_object_object_foreach(ops, op, row) {
			char by[512] = "";
			size_t n = 0;

			actions = reply_object(row, "Actions");
			if (actions) {
				json_object_object_foreach(actions, act, cnt) {
					if (n >= sizeof(by))
						break;
					n += (size_t)snprintf(by + n, sizeof(by) - n,
						"%s%s=%lld", n ? " " : "", act,
						(long long)json_object_get_int64(cnt));
				}
			}
			printf("%-16s %-18s %9lld  %s\n", region, op,
			       (long long)reply_int(row, "KmsCalls"), *by ? by : "-");
		}
		printf("%-16s %-18s %9lld\n", region, "(total)",
		       (long long)reply_int(reg, "KmsCalls"));
	}
out:
	json_object_put(res);
	return 0;
}

int verb_kms(const struct ctl_opts *o, int argc, char **argv)
{
	struct agent_args a = { .action = argv[0] };
	struct json_object *res;

	if (argc - 1 > AGENT_MAX_KMS_PARAMS) {
		ctl_error("kms takes at most %d parameters", AGENT_MAX_KMS_PARAMS);
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i]) {
			ctl_error("kms parameters are Name=Value, not %s", argv[i]);
			return 1;
		}
		*eq = '\0';
		a.params[a.n_params].name = argv[i];
		a.params[a.n_params++].value = eq + 1;
	}
	if (ctl_call(o, AGENT_OP_KMS, &a, &res))
		return 1;
	ctl_print_json(res);
	json_object_put(res);
	return 0;
}

int verb_encrypt_in_place(const struct ctl_opts *o, int argc, char **argv)
{
	int decrypt = !strcmp(o->verb, "decrypt-disk");

	ctl_error_code(ECS_ERR_ENCRYPTION_CONVERSION, "an existing disk cannot be %s in place; create a new %s disk of at least the same size (create-disk%s) and copy onto it: ecsenc-ctl copy-disk %s NEW-DISK",
		  decrypt ? "decrypted" : "encrypted",
		  decrypt ? "unencrypted" : "encrypted",
		  decrypt ? "" : " --encrypted", argv[0]);
	return 1;
}
