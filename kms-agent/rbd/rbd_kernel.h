/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel rbd client through sysfs (Documentation/ABI/testing/
 * sysfs-bus-rbd): map an image to /dev/rbdN, unmap it, ask what a device
 * maps.  No rbd CLI and no udev: the kernel interface is the stable one.
 */
#ifndef ECSENC_RBD_KERNEL_H
#define ECSENC_RBD_KERNEL_H

#include <stddef.h>

struct rbd_cluster;

/*
 * Map @pool/@image; the device in @dev ("/dev/rbd3") and the address the
 * OSDs know its client by in @addr (what fencing blocklists).
 */
int rbd_kernel_map(const struct rbd_cluster *cl, const char *image,
		   char *dev, size_t dev_len, char *addr, size_t addr_len);
int rbd_kernel_unmap(const char *dev);
/* The address the OSDs know the client of mapped @dev by, in @addr. */
int rbd_kernel_client_addr(const char *dev, char *addr, size_t addr_len);
/* 1 if @dev maps @pool/@image now, else 0. */
int rbd_kernel_maps(const char *dev, const char *pool, const char *image);

#endif
