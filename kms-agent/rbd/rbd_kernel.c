// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel rbd client through sysfs (rbd_kernel.h).  A write to
 * /sys/bus/rbd/add_single_major returns once the image is mapped or
 * refused; the new device is the one that was not there before, so maps
 * are serialised.  The client lives in the writer's network namespace.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rbd_cluster.h"
#include "rbd_kernel.h"

#define RBD_SYSFS	"/sys/bus/rbd"
#define MAX_DEVICES	1024

static pthread_mutex_t map_lock = PTHREAD_MUTEX_INITIALIZER;

static int write_sysfs(const char *file, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd = open(file, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

static int read_attr(int id, const char *attr, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), RBD_SYSFS "/devices/%d/%s", id, attr);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Device ids in sysfs, as a bitmap over 0..MAX_DEVICES-1. */
static void device_ids(unsigned char *seen)
{
	struct dirent *de;
	DIR *d = opendir(RBD_SYSFS "/devices");

	memset(seen, 0, MAX_DEVICES / 8);
	if (!d)
		return;
	while ((de = readdir(d))) {
		int id = atoi(de->d_name);

		if (de->d_name[0] >= '0' && de->d_name[0] <= '9' &&
		    id < MAX_DEVICES)
			seen[id / 8] |= (unsigned char)(1u << (id % 8));
	}
	closedir(d);
}

static int id_matches(int id, const char *pool, const char *image)
{
	char p[256], n[256];

	return read_attr(id, "pool", p, sizeof(p)) == 0 &&
	       read_attr(id, "name", n, sizeof(n)) == 0 &&
	       !strcmp(p, pool) && !strcmp(n, image);
}

int rbd_kernel_map(const struct rbd_cluster *cl, const char *image,
		   char *dev, size_t dev_len, char *addr, size_t addr_len)
{
	unsigned char before[MAX_DEVICES / 8], after[MAX_DEVICES / 8];
	char opts[256], spec[1024];
	int r, id, found = -1;

	r = rbd_cluster_kernel_options(cl, opts, sizeof(opts));
	if (r < 0)
		return r;
	snprintf(spec, sizeof(spec), "%s %s %s %s -", cl->mons, opts, cl->pool,
		 image);
	pthread_mutex_lock(&map_lock);
	device_ids(before);
	r = write_sysfs(RBD_SYSFS "/add_single_major", spec);
	if (r < 0)
		goto out;
	device_ids(after);
	for (id = 0; id < MAX_DEVICES && found < 0; id++)
		if ((after[id / 8] & ~before[id / 8] & (1u << (id % 8))) &&
		    id_matches(id, cl->pool, image))
			found = id;
	r = found < 0 ? -ENODEV : 0;
	if (r == 0) {
		snprintf(dev, dev_len, "/dev/rbd%d", found);
		if (read_attr(found, "client_addr", addr, addr_len) < 0)
			addr[0] = '\0';
	}
out:
	pthread_mutex_unlock(&map_lock);
	return r;
}

static int dev_id(const char *dev)
{
	char *end;
	long id;

	if (strncmp(dev, "/dev/rbd", 8))
		return -EINVAL;
	id = strtol(dev + 8, &end, 10);
	if (end == dev + 8 || *end || id < 0 || id >= MAX_DEVICES)
		return -EINVAL;
	return (int)id;
}

int rbd_kernel_maps(const char *dev, const char *pool, const char *image)
{
	int id = dev_id(dev);

	return id >= 0 && id_matches(id, pool, image);
}

int rbd_kernel_client_addr(const char *dev, char *addr, size_t addr_len)
{
	int id = dev_id(dev);

	if (id < 0)
		return id;
	return read_attr(id, "client_addr", addr, addr_len);
}

int rbd_kernel_unmap(const char *dev)
{
	char buf[16];
	int id = dev_id(dev), r = 0;

	if (id < 0)
		return id;
	snprintf(buf, sizeof(buf), "%d", id);
	/* The dm device that held it may take a moment to let go. */
	for (int i = 0; i < 50; i++) {
		r = write_sysfs(RBD_SYSFS "/remove_single_major", buf);
		if (r != -EBUSY)
			break;
		usleep(100000);
	}
	return r == -ENOENT ? 0 : r;
}
