// SPDX-License-Identifier: GPL-2.0
/*
 * Start-up: rebuild the catalog from the stores, and reconcile the
 * catalog, the stores and the dm devices after a crash.  The stores'
 * headers are the truth; the catalog follows them, and a dm device
 * follows its disk.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "core_internal.h"
#include "kernel.h"
#include "log.h"

static int rebuild_visit(const struct backend_ref *ref,
			 const struct disk_header *h, void *arg)
{
	struct agent *a = ((void **)arg)[0];
	int *count = ((void **)arg)[1];
	struct core_object o;

	if (core_from_store(a, ref, &o) < 0)
		return 0;
	if (catalog_put(a->catalog, &o.row) == 0)
		(*count)++;
	return 0;
}

int core_rebuild_catalog(struct agent *a, int *count)
{
	void *arg[2] = { a, count };
	int r;

	*count = 0;
	r = catalog_clear_objects(a->catalog);
	if (r < 0)
		return r;
	r = a->backend->list(rebuild_visit, arg);
	if (r < 0)
		return r;
	log_info("catalog rebuilt from headers: %d objects", *count);
	return 0;
}

/* A store the catalog does not know, or knows differently. */
static int reconcile_store(const struct backend_ref *ref,
			   const struct disk_header *h, void *arg)
{
	struct agent *a = arg;
	struct catalog_object row;
	struct core_object o;
	int r;

	if (core_from_store(a, ref, &o) < 0)
		return 0;
	r = catalog_get(a->catalog, ref->region, ref->id, &row);
	if (r == -ENOENT) {
		log_info("reconcile: %s has a store but no catalog row (stopped while creating or deleting it): recorded it",
			 ref->id);
		catalog_put(a->catalog, &o.row);
		return 0;
	}
	if (r < 0)
		return 0;
	if (strcmp(row.lineage_id, o.row.lineage_id) ||
	    strcmp(row.kms_key_id, o.row.kms_key_id) ||
	    strcmp(row.kms_key_version, o.row.kms_key_version) ||
	    row.size != o.row.size) {
		log_info("reconcile: the catalog row of %s is older than its store (stopped while rewriting it): updated it",
			 ref->id);
		o.row.attached = row.attached;
		snprintf(o.row.copy_method, sizeof(o.row.copy_method), "%s",
			 row.copy_method);
		catalog_put(a->catalog, &o.row);
	}
	return 0;
}

/* A catalog row whose store is gone. */
static int reconcile_row(const struct catalog_object *row, void *arg)
{
	struct agent *a = arg;
	struct backend_ref ref = { .region = row->region, .id = row->id };
	struct disk_header h;
	int r = a->backend->read_header(&ref, &h, NULL, 0);

	if (r != -ENOENT)
		return 0;
	log_info("reconcile: %s has a catalog row but no store: removed the row",
		 row->id);
	catalog_delete(a->catalog, row->id);
	return 0;
}

/* A snapshot suspends an attached disk; a crash then left it suspended. */
static void resume_if_suspended(const char *kname, const char *dm)
{
	char path[300], flag = '0';
	FILE *f;

	snprintf(path, sizeof(path), "/sys/block/%s/dm/suspended", kname);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fread(&flag, 1, 1, f) != 1)
		flag = '0';
	fclose(f);
	if (flag != '1')
		return;
	if (devmap_resume(dm) == 0)
		log_info("reconcile: resumed %s, left suspended by a snapshot the agent did not finish",
			 dm);
	else
		log_err("reconcile: cannot resume %s", dm);
}

/*
 * Which host the storage says holds @row, where it is not this one: then
 * that host took the disk (attach-disk --force there fences this one),
 * and a device kept here would be a second writer.  0 (keep the device)
 * when the storage is of one host, names this host, names none, or
 * cannot be asked.
 */
static int held_elsewhere(struct agent *a, const struct catalog_object *row,
			  char *holder, size_t len)
{
	struct backend_attachment att[BACKEND_MAX_ATTACHMENTS];
	struct backend_ref ref = { .region = row->region, .id = row->id };
	int n;

	if (!a->backend->attachments)
		return 0;
	n = a->backend->attachments(&ref, att, BACKEND_MAX_ATTACHMENTS);
	if (n < 0) {
		log_warn("reconcile: cannot ask the %s backend who holds %s (%s); its device stays",
			 a->backend->name, row->id, BACKEND_STRERROR(a->backend, n));
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (!strcmp(att[i].instance, a->instance_id))
			return 0;
	if (!n)
		return 0;
	snprintf(holder, len, "%s", att[0].instance);
	return 1;
}

/* This host's device of a disk another host holds goes, and its mapping. */
static void drop_foreign(struct agent *a, const struct catalog_object *row,
			 const char *dm, const char *holder)
{
	struct backend_ref ref = { .region = row->region, .id = row->id };

	catalog_set_attached(a->catalog, row->id, 0);
	if (devmap_remove(dm) < 0) {
		log_err("reconcile: %s is held by %s, not this host (%s), but %s cannot be removed (in use?); this host was fenced: unmount it and detach-disk %s",
			row->id, holder, a->instance_id, dm, row->id);
		return;
	}
	if (a->backend->unmap(&ref) < 0)
		log_err("reconcile: %s: cannot release this host's mapping of it",
			row->id);
	log_warn("reconcile: %s is held by %s, not this host (%s): removed %s, left by an earlier run, and did not re-attach it",
		 row->id, holder, a->instance_id, dm);
}

static void remove_half_made(const char *dm, void *arg)
{
	int *removed = arg;

	if (devmap_half_made(dm) != 1 || devmap_remove(dm) < 0)
		return;
	log_info("reconcile: removed %s, left without a table by an attach that was cut short",
		 dm);
	(*removed)++;
}

/*
 * dm devices "<prefix>-d-…": those an attach left without a table, those
 * of disks that no longer exist, or that another host holds, are removed;
 * those left suspended are resumed.
 */
static int reconcile_devices(struct agent *a)
{
	char path[300], name[128], dm[64], mine[48], holder[64];
	struct catalog_object row;
	struct dirent *de;
	size_t n;
	int removed = 0;
	DIR *d;

	/* Only this agent's devices: another agent may share the kernel. */
	snprintf(mine, sizeof(mine), "%s-d-", a->dm_prefix);
	n = strlen(mine);
	devmap_list(mine, remove_half_made, &removed);

	d = opendir("/sys/block");
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		FILE *f;

		if (strncmp(de->d_name, "dm-", 3))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dm/name", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(name, sizeof(name), f))
			name[0] = '\0';
		fclose(f);
		name[strcspn(name, "\n")] = '\0';
		if (strncmp(name, mine, n))
			continue;
		snprintf(dm, sizeof(dm), "%s", name);
		if (catalog_find(a->catalog, name + n - 2, &row) == 0) {
			if (held_elsewhere(a, &row, holder, sizeof(holder)))
				drop_foreign(a, &row, dm, holder);
			else
				resume_if_suspended(de->d_name, dm);
			continue;
		}
		if (devmap_remove(dm) == 0) {
			log_info("reconcile: removed %s, the device of a deleted disk",
				 dm);
			removed++;
		} else {
			log_err("reconcile: %s belongs to a deleted disk but cannot be removed (in use?)",
				dm);
		}
	}
	closedir(d);
	return removed;
}

/*
 * What the kernel offers, said once at start: without device-mapper or
 * the ecsenc target the agent still creates, snapshots and copies, and
 * refuses an attach before any KMS call (core_map).
 */
static void log_kernel_probe(void)
{
	char why[160];

	if (devmap_probe("ecsenc", why, sizeof(why)) == 0)
		log_info("device-mapper and its ecsenc target are available");
	else
		log_warn("%s: attach-disk is refused until it is; create, snapshot and copy work without it",
			 why);
}

int core_reconcile(struct agent *a)
{
	int r;

	log_kernel_probe();

	r = a->backend->clean_partial();
	if (r < 0)
		log_err("reconcile: cannot look for half-built stores: %s",
			strerror(-r));
	a->backend->list(reconcile_store, a);
	catalog_list(a->catalog, CATALOG_DISK, NULL, reconcile_row, a);
	catalog_list(a->catalog, CATALOG_SNAPSHOT, NULL, reconcile_row, a);
	reconcile_devices(a);
	return 0;
}
