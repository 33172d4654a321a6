/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the agent asks of the kernel: loop devices over backing files,
 * logon keys in the thread keyring, and device-mapper devices (through
 * libdevmapper, every task marked secure so its buffers are wiped).
 */
#ifndef ECSENC_KERNEL_H
#define ECSENC_KERNEL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Bind @path to a free loop device that clears itself on last close.
 * Returns an open fd of the loop device (keep it until a dm table holds
 * the device) and its path in @dev.
 */
int loop_attach(const char *path, char *dev, size_t dev_len);

/*
 * Add @key as a logon key named @desc to the calling thread's keyring,
 * which the DM table load of the same thread can find.  Returns the key
 * serial (> 0) or -errno.
 */
long keyring_add_logon(const char *desc, const void *key, size_t len);
/* Invalidate the key: it leaves /proc/keys and its payload is freed. */
void keyring_drop(long serial);

/*
 * Device-mapper devices (dm.c), named devmap_* to keep clear of
 * libdevmapper's dm_* names.  devmap_create creates, loads (the table
 * marked secure) and resumes /dev/mapper/@name.
 */
int devmap_create(const char *name, const char *target, uint64_t sectors,
		  const char *params);
/*
 * Whether the kernel can load a table of @target ("ecsenc", "linear"):
 * device-mapper answers and has the target (its module is loaded, or is
 * loaded by asking, as a table load would).  0, or -ENODEV (no
 * device-mapper) / -ENOENT (no such target) with a sentence for the
 * operator in @why.  Asked before any KMS call of an attach.
 */
int devmap_probe(const char *target, char *why, size_t len);
int devmap_remove(const char *name);
/*
 * 1 if the device exists with a live table, 0 if not, -errno on error.  A
 * device without one (an attach cut off between create and resume) is
 * not attached: devmap_create() replaces it, start-up removes it.
 */
int devmap_exists(const char *name);
/* 1 if the device exists without a live table, 0 if not, -errno. */
int devmap_half_made(const char *name);
/*
 * Every device whose name starts with @prefix, those without a table too
 * (the kernel shows no /sys/block entry for them).
 */
typedef void (*devmap_visit_fn)(const char *name, void *arg);
int devmap_list(const char *prefix, devmap_visit_fn fn, void *arg);
int devmap_suspend(const char *name);
int devmap_resume(const char *name);
/*
 * "/dev/mapper/@name": made by udev where udev runs, otherwise with mknod
 * when nothing else made it.
 */
int devmap_node_path(const char *name, char *path, size_t len);

/* 1 if udev runs (/run/udev/control exists) and so makes the device nodes. */
int devnodes_by_udev(void);

#endif
