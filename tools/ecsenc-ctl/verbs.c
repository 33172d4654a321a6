// SPDX-License-Identifier: GPL-2.0
/* The verbs that are one agent request each, and how they print. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return "";
	return json_object_get_string(v);
}

static int64_t num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static struct json_object *one_arg(const char *name, const char *value)
{
	struct json_object *a = json_object_new_object();

	json_object_object_add(a, name, json_object_new_string(value));
	return a;
}

/* Call @op; print @field of the result (or all of it with --json). */
static int simple(const struct ctl_opts *o, const char *op,
		  struct json_object *args, const char *field)
{
	struct json_object *res;

	if (ctl_call(o, op, args, &res))
		return 1;
	if (o->json)
		ctl_print_json(res);
	else if (field)
		puts(str(res, field));
	json_object_put(res);
	return 0;
}

int verb_create_disk(const struct ctl_opts *o, int argc, char **argv)
{
	struct json_object *a;

	if (!o->snapshot_id && (!o->size || !o->category)) {
		ctl_error("create-disk needs --size and --category (or --snapshot-id)");
		return 1;
	}
	a = json_object_new_object();
	if (o->size)
		json_object_object_add(a, "size", json_object_new_int64((int64_t)o->size));
	if (o->category)
		json_object_object_add(a, "category", json_object_new_string(o->category));
	json_object_object_add(a, "encrypted", json_object_new_int(o->encrypted));
	if (o->kms_key_id)
		json_object_object_add(a, "kms_key_id", json_object_new_string(o->kms_key_id));
	if (o->snapshot_id)
		json_object_object_add(a, "snapshot_id", json_object_new_string(o->snapshot_id));
	return simple(o, "create-disk", a, "DiskId");
}

int verb_attach_disk(const struct ctl_opts *o, int argc, char **argv)
{
	return simple(o, "attach-disk", one_arg("disk_id", argv[0]), "Device");
}

int verb_detach_disk(const struct ctl_opts *o, int argc, char **argv)
{
	return simple(o, "detach-disk", one_arg("disk_id", argv[0]), NULL);
}

int verb_create_snapshot(const struct ctl_opts *o, int argc, char **argv)
{
	return simple(o, "create-snapshot", one_arg("disk_id", argv[0]), "SnapshotId");
}

int verb_delete_snapshot(const struct ctl_opts *o, int argc, char **argv)
{
	return simple(o, "delete-snapshot", one_arg("snapshot_id", argv[0]), NULL);
}

int verb_reset_disk(const struct ctl_opts *o, int argc, char **argv)
{
	struct json_object *a;

	if (!o->snapshot_id) {
		ctl_error("reset-disk needs --snapshot-id SNAP");
		return 1;
	}
	a = one_arg("disk_id", argv[0]);
	json_object_object_add(a, "snapshot_id", json_object_new_string(o->snapshot_id));
	return simple(o, "reset-disk", a, NULL);
}

int verb_reinit_disk(const struct ctl_opts *o, int argc, char **argv)
{
	return simple(o, "reinit-disk", one_arg("disk_id", argv[0]), NULL);
}

int verb_delete_disk(const struct ctl_opts *o, int argc, char **argv)
{
	return simple(o, "delete-disk", one_arg("disk_id", argv[0]), NULL);
}

int verb_rebuild_catalog(const struct ctl_opts *o, int argc, char **argv)
{
	return simple(o, "rebuild-catalog", NULL, "Objects");
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

static int describe(const struct ctl_opts *o, const char *op,
		    struct json_object *args, const char *list_key, int disks)
{
	struct json_object *res, *list;
	char size[32];

	if (ctl_call(o, op, args, &res))
		return 1;
	if (o->json) {
		ctl_print_json(res);
		goto out;
	}
	json_object_object_get_ex(res, list_key, &list);
	printf("%-24s %-16s %8s %-9s %-24s %-36s %s\n", disks ? "DISK" : "SNAPSHOT",
	       "CATEGORY", "SIZE", "ENCRYPTED", disks ? "STATUS" : "DISK",
	       "KMS KEY", disks ? "DEVICE" : "");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *d = json_object_array_get_idx(list, i);

		print_size(num(d, "Size"), size, sizeof(size));
		printf("%-24s %-16s %8s %-9s %-24s %-36s %s\n",
		       str(d, disks ? "DiskId" : "SnapshotId"), str(d, "Category"),
		       size, num(d, "Encrypted") ? "yes" : "no",
		       disks ? str(d, "Status") : str(d, "SourceDiskId"),
		       *str(d, "KMSKeyId") ? str(d, "KMSKeyId") : "-",
		       disks ? (*str(d, "Device") ? str(d, "Device") : "-") : "");
	}
out:
	json_object_put(res);
	return 0;
}

int verb_describe_disks(const struct ctl_opts *o, int argc, char **argv)
{
	struct json_object *a = json_object_new_object();
	struct json_object *ids = json_object_new_array();

	for (int i = 0; i < argc; i++)
		json_object_array_add(ids, json_object_new_string(argv[i]));
	json_object_object_add(a, "disk_ids", ids);
	return describe(o, "describe-disks", a, "Disks", 1);
}

int verb_describe_snapshots(const struct ctl_opts *o, int argc, char **argv)
{
	return describe(o, "describe-snapshots", NULL, "Snapshots", 0);
}

int verb_describe_kms_usage(const struct ctl_opts *o, int argc, char **argv)
{
	struct json_object *res, *regions, *ops, *actions;

	if (ctl_call(o, "describe-kms-usage", NULL, &res))
		return 1;
	if (o->json) {
		ctl_print_json(res);
		goto out;
	}
	printf("%-16s %-18s %9s  %s\n", "REGION", "OPERATION", "KMS CALLS", "BY ACTION");
	json_object_object_get_ex(res, "Regions", &regions);
	json_object_object_foreach(regions, region, reg) {
		json_object_object_get_ex(reg, "Operations", &ops);
		json_object_object_foreach(ops, op, row) {
			char by[512] = "";
			size_t n = 0;

			json_object_object_get_ex(row, "Actions", &actions);
			json_object_object_foreach(actions, act, cnt) {
				n += (size_t)snprintf(by + n, n < sizeof(by) ? sizeof(by) - n : 0,
					"%s%s=%lld", n ? " " : "", act,
					(long long)json_object_get_int64(cnt));
			}
			printf("%-16s %-18s %9lld  %s\n", region, op,
			       (long long)num(row, "KmsCalls"), *by ? by : "-");
		}
		printf("%-16s %-18s %9lld\n", region, "(total)",
		       (long long)num(reg, "KmsCalls"));
	}
out:
	json_object_put(res);
	return 0;
}

int verb_kms(const struct ctl_opts *o, int argc, char **argv)
{
	struct json_object *a = json_object_new_object();
	struct json_object *params = json_object_new_object();
	struct json_object *res;

	json_object_object_add(a, "action", json_object_new_string(argv[0]));
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i]) {
			ctl_error("kms parameters are Name=Value, not %s", argv[i]);
			json_object_put(params);
			json_object_put(a);
			return 1;
		}
		*eq = '\0';
		json_object_object_add(params, argv[i], json_object_new_string(eq + 1));
		*eq = '=';
	}
	json_object_object_add(a, "params", params);
	if (ctl_call(o, "kms", a, &res))
		return 1;
	ctl_print_json(res);
	json_object_put(res);
	return 0;
}

int verb_encrypt_in_place(const struct ctl_opts *o, int argc, char **argv)
{
	int decrypt = !strcmp(o->verb, "decrypt-disk");

	ctl_error("an existing disk cannot be %s in place; create a new %s disk of at least the same size (create-disk%s) and copy onto it: ecsenc-ctl copy-disk %s NEW-DISK",
		  decrypt ? "decrypted" : "encrypted",
		  decrypt ? "unencrypted" : "encrypted",
		  decrypt ? "" : " --encrypted", argv[0]);
	return 1;
}
