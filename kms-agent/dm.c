// SPDX-License-Identifier: GPL-2.0
/*
 * Device-mapper through libdevmapper.  Every task that carries a table is
 * marked with dm_task_secure_data() so the library wipes its ioctl buffers
 * (the table names a keyring key, and a hex key for tests would be in it).
 *
 * Where udev runs, it makes and removes the /dev/mapper nodes (and systemd
 * learns of the devices from it): resume and remove wait for udev with a
 * cookie, as dmsetup and cryptsetup do.  Where it does not (a bare
 * initramfs), libdevmapper's udev sync is off and the nodes are made here.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <libdevmapper.h>

#include "kernel.h"
#include "log.h"

/* libdevmapper's messages go to our log, at debug level: callers say what failed. */
static void log_libdevmapper(int level, const char *file, int line,
			     int dm_errno, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_debug("libdevmapper: %s", msg);
}

int devnodes_by_udev(void)
{
	return access("/run/udev/control", F_OK) == 0;
}

static int use_udev;

/*
 * libdevmapper's state is set up lazily by the first tasks (the control
 * fd, the version check, the dm major bitset, the log hook) and is not
 * guarded: a first task runs under pthread_once, before any other, and
 * after it tasks run concurrently, each with its own buffers.  The kernel
 * work of a table load (the target's constructor) is the slow part of an
 * attach after the KMS; serialising it would serialise re-attach at start.
 */
static void devmap_init(void)
{
	struct dm_task *dmt;

	use_udev = devnodes_by_udev();
	dm_udev_set_sync_support(use_udev);
	dm_log_with_errno_init(log_libdevmapper);
	dmt = dm_task_create(DM_DEVICE_VERSION);
	if (dmt) {
		dm_task_run(dmt);	/* opens the control device, checks the version */
		dm_task_destroy(dmt);
	}
	dm_is_dm_major(0);		/* builds the major bitset */
}

static pthread_once_t devmap_once = PTHREAD_ONCE_INIT;

static int run_task(int type, const char *name, const char *target,
		    uint64_t sectors, const char *params, struct dm_info *info)
{
	struct dm_task *dmt;
	uint32_t cookie = 0;
	int udev_wait = 0;
	int r = 0;

	pthread_once(&devmap_once, devmap_init);
	dmt = dm_task_create(type);
	if (!dmt)
		return -ENOMEM;
	if (!dm_task_secure_data(dmt) || !dm_task_set_name(dmt, name)) {
		r = -EINVAL;
		goto out;
	}
	if (target && !dm_task_add_target(dmt, 0, sectors, target, params)) {
		r = -EINVAL;
		goto out;
	}
	if (type == DM_DEVICE_REMOVE)
		dm_task_retry_remove(dmt);
	/* The uevents of resume and remove carry the cookie udev answers. */
	if (use_udev && (type == DM_DEVICE_RESUME || type == DM_DEVICE_REMOVE)) {
		if (!dm_task_set_cookie(dmt, &cookie, 0)) {
			r = -EIO;
			goto out;
		}
		udev_wait = 1;
	}
	errno = 0;
	if (!dm_task_run(dmt)) {
		/* libdevmapper logged the ioctl error; errno is not kept. */
		r = type == DM_DEVICE_INFO ? -EIO :
		    (errno ? -errno : -EIO);
		goto out;
	}
	if (info && !dm_task_get_info(dmt, info))
		r = -EIO;
out:
	if (udev_wait)
		dm_udev_wait(cookie);
	dm_task_destroy(dmt);
	return r;
}

/* @target among the targets the kernel has loaded (DM_DEVICE_LIST_VERSIONS). */
static int target_listed(const char *target)
{
	struct dm_versions *v, *last;
	struct dm_task *dmt;
	int found = 0;

	dmt = dm_task_create(DM_DEVICE_LIST_VERSIONS);
	if (!dmt)
		return -ENOMEM;
	if (!dm_task_run(dmt)) {
		dm_task_destroy(dmt);
		return -ENODEV;
	}
	v = dm_task_get_versions(dmt);
	do {
		last = v;
		if (!strcmp(v->name, target))
			found = 1;
		v = (struct dm_versions *)((char *)v + v->next);
	} while (!found && last != v);
	dm_task_destroy(dmt);
	return found;
}

int devmap_probe(const char *target, char *why, size_t len)
{
	struct dm_task *dmt;
	int r;

	pthread_once(&devmap_once, devmap_init);
	dmt = dm_task_create(DM_DEVICE_VERSION);
	r = dmt && dm_task_run(dmt) ? 0 : -ENODEV;
	if (dmt)
		dm_task_destroy(dmt);
	if (r < 0) {
		snprintf(why, len, "the kernel has no device-mapper (%s/control does not answer; modprobe dm_mod)",
			 dm_dir());
		return r;
	}
	/*
	 * Asking for one target's version loads its module where it is
	 * installed, as a table load would; a kernel without that ioctl
	 * answers only the list of what is loaded.
	 */
	dmt = dm_task_create(DM_DEVICE_GET_TARGET_VERSION);
	r = dmt && dm_task_set_name(dmt, target) && dm_task_run(dmt);
	if (dmt)
		dm_task_destroy(dmt);
	if (r || target_listed(target) == 1)
		return 0;
	if (!strcmp(target, "ecsenc"))
		snprintf(why, len, "the kernel has no ecsenc device-mapper target: the dm-ecsenc module is not loaded (modprobe dm-ecsenc)");
	else
		snprintf(why, len, "the kernel has no %s device-mapper target (modprobe dm-%s)",
			 target, target);
	return -ENOENT;
}

int devmap_exists(const char *name)
{
	struct dm_info info;
	int r = run_task(DM_DEVICE_INFO, name, NULL, 0, NULL, &info);

	if (r < 0)
		return r;
	return info.exists && info.live_table ? 1 : 0;
}

int devmap_half_made(const char *name)
{
	struct dm_info info;
	int r = run_task(DM_DEVICE_INFO, name, NULL, 0, NULL, &info);

	if (r < 0)
		return r;
	return info.exists && !info.live_table ? 1 : 0;
}

int devmap_list(const char *prefix, devmap_visit_fn fn, void *arg)
{
	size_t n = strlen(prefix);
	struct dm_names *names;
	struct dm_task *dmt;
	unsigned int next = 0;
	int r = 0;

	pthread_once(&devmap_once, devmap_init);
	dmt = dm_task_create(DM_DEVICE_LIST);
	if (!dmt)
		return -ENOMEM;
	if (!dm_task_run(dmt) || !(names = dm_task_get_names(dmt))) {
		r = -EIO;
		goto out;
	}
	if (!names->dev)
		goto out;
	do {
		names = (struct dm_names *)((char *)names + next);
		if (!strncmp(names->name, prefix, n))
			fn(names->name, arg);
		next = names->next;
	} while (next);
out:
	dm_task_destroy(dmt);
	return r;
}

int devmap_create(const char *name, const char *target, uint64_t sectors,
		  const char *params)
{
	int r;

	/* What an earlier create left without a table goes first. */
	if (devmap_half_made(name) == 1) {
		log_warn("dm %s has no table (an attach cut short): removing it",
			 name);
		run_task(DM_DEVICE_REMOVE, name, NULL, 0, NULL, NULL);
	}
	r = run_task(DM_DEVICE_CREATE, name, NULL, 0, NULL, NULL);
	if (r < 0) {
		log_err("dm create %s: %s", name, strerror(-r));
		return r;
	}
	r = run_task(DM_DEVICE_RELOAD, name, target, sectors, params, NULL);
	if (r < 0) {
		log_err("dm load %s (%s target): %s; see the kernel log",
			name, target, strerror(-r));
		goto fail;
	}
	r = run_task(DM_DEVICE_RESUME, name, NULL, 0, NULL, NULL);
	if (r < 0) {
		log_err("dm resume %s: %s", name, strerror(-r));
		goto fail;
	}
	return 0;
fail:
	run_task(DM_DEVICE_REMOVE, name, NULL, 0, NULL, NULL);
	return r;
}

int devmap_remove(const char *name)
{
	char path[256];
	int r = run_task(DM_DEVICE_REMOVE, name, NULL, 0, NULL, NULL);

	if (r == 0 && !use_udev) {
		snprintf(path, sizeof(path), "%s/%s", dm_dir(), name);
		unlink(path);
	}
	return r;
}

int devmap_suspend(const char *name)
{
	return run_task(DM_DEVICE_SUSPEND, name, NULL, 0, NULL, NULL);
}

int devmap_resume(const char *name)
{
	return run_task(DM_DEVICE_RESUME, name, NULL, 0, NULL, NULL);
}

int devmap_node_path(const char *name, char *path, size_t len)
{
	struct dm_info info;
	struct stat st;
	int r;

	snprintf(path, len, "%s/%s", dm_dir(), name);
	r = run_task(DM_DEVICE_INFO, name, NULL, 0, NULL, &info);
	if (r < 0)
		return r;
	if (!info.exists)
		return -ENODEV;
	if (stat(path, &st) == 0 && S_ISBLK(st.st_mode) &&
	    st.st_rdev == makedev(info.major, info.minor))
		return 0;
	if (use_udev) {		/* udev waited for, and still no node */
		log_err("udev made no %s", path);
		return -ENODEV;
	}
	unlink(path);
	mkdir(dm_dir(), 0755);
	if (mknod(path, S_IFBLK | 0600, makedev(info.major, info.minor)) < 0)
		return -errno;
	return 0;
}
