// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kernel.h"
#include "log.h"

#define LOOP_MAJOR 7

static int open_loop(int nr, char *dev, size_t dev_len)
{
	int fd;

	snprintf(dev, dev_len, "/dev/loop%d", nr);
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && !devnodes_by_udev()) {
		/* No devtmpfs and no udev to make the node: make it ourselves. */
		if (mknod(dev, S_IFBLK | 0600, makedev(LOOP_MAJOR, nr)) < 0 &&
		    errno != EEXIST)
			return -errno;
		fd = open(dev, O_RDWR | O_CLOEXEC);
	}
	return fd < 0 ? -errno : fd;
}

int loop_attach(const char *path, char *dev, size_t dev_len)
{
	struct loop_info64 info;
	int ctl = -1, file = -1, loop = -1, nr, r, tries;

	file = open(path, O_RDWR | O_CLOEXEC);
	if (file < 0)
		return -errno;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		r = -errno;
		log_err("open /dev/loop-control: %s", strerror(errno));
		goto out;
	}
	for (tries = 0; tries < 8; tries++) {
		nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (nr < 0) {
			r = -errno;
			goto out;
		}
		loop = open_loop(nr, dev, dev_len);
		if (loop < 0) {
			r = loop;
			goto out;
		}
		if (ioctl(loop, LOOP_SET_FD, file) == 0)
			break;
		r = -errno;
		close(loop);
		loop = -1;
		if (r != -EBUSY)	/* -EBUSY: someone raced us to it */
			goto out;
	}
	if (loop < 0)
		goto out;
	memset(&info, 0, sizeof(info));
	info.lo_flags = LO_FLAGS_AUTOCLEAR;
	snprintf((char *)info.lo_file_name, sizeof(info.lo_file_name), "%s",
		 path);
	if (ioctl(loop, LOOP_SET_STATUS64, &info) < 0) {
		r = -errno;
		ioctl(loop, LOOP_CLR_FD, 0);
		close(loop);
		loop = -1;
		goto out;
	}
	r = loop;
out:
	if (ctl >= 0)
		close(ctl);
	if (file >= 0)
		close(file);
	return r;
}
