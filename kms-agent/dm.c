// SPDX-License-Identifier: GPL-2.0
/*
 * Device-mapper through libdevmapper.  Every task that carries a table is
 * marked with dm_task_secure_data() so the library wipes its ioctl buffers
 * (the table names a keyring key, and a hex key for tests would be in it).
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
static void dm_log(int level, const char *file, int line, int dm_errno,
		   const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_debug("libdevmapper: %s", msg);
}

/*
 * libdevmapper's state is set up lazily by the first tasks (the control
 * fd, the version check, the dm major bitset, the log hook) and is not
 * guarded: a first task runs under pthread_once, before any other, and
 * after it tasks run concurrently, each with its own buffers.  The kernel
 * work of a table load (the target's constructor) is the slow part of an
 * attach after the KMS; serialising it would serialise re-attach at start.
 */
static void dm_init(void)
{
	struct dm_task *dmt;

	/* No udev in the VM and none needed: we make the node ourselves. */
	dm_udev_set_sync_support(0);
	dm_log_with_errno_init(dm_log);
	dmt = dm_task_create(DM_DEVICE_VERSION);
	if (dmt) {
		dm_task_run(dmt);	/* opens the control device, checks the version */
		dm_task_destroy(dmt);
	}
	dm_is_dm_major(0);		/* builds the major bitset */
}

static pthread_once_t dm_once = PTHREAD_ONCE_INIT;

static int run_task(int type, const char *name, const char *target,
		    uint64_t sectors, const char *params, struct dm_info *info)
{
	struct dm_task *dmt;
	int r = 0;

	pthread_once(&dm_once, dm_init);
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
	dm_task_destroy(dmt);
	return r;
}

int dm_exists(const char *name)
{
	struct dm_info info;
	int r = run_task(DM_DEVICE_INFO, name, NULL, 0, NULL, &info);

	if (r < 0)
		return r;
	return info.exists ? 1 : 0;
}

int dm_create(const char *name, const char *target, uint64_t sectors,
	      const char *params)
{
	int r;

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

int dm_remove(const char *name)
{
	char path[256];
	int r = run_task(DM_DEVICE_REMOVE, name, NULL, 0, NULL, NULL);

	if (r == 0) {
		snprintf(path, sizeof(path), "%s/%s", dm_dir(), name);
		unlink(path);
	}
	return r;
}

int dm_suspend(const char *name)
{
	return run_task(DM_DEVICE_SUSPEND, name, NULL, 0, NULL, NULL);
}

int dm_resume(const char *name)
{
	return run_task(DM_DEVICE_RESUME, name, NULL, 0, NULL, NULL);
}

int dm_node_path(const char *name, char *path, size_t len)
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
	unlink(path);
	mkdir(dm_dir(), 0755);
	if (mknod(path, S_IFBLK | 0600, makedev(info.major, info.minor)) < 0)
		return -errno;
	return 0;
}
