/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backing stores: the sparse files under <state-dir>/<region>/ that hold
 * one disk or snapshot each (header copies, then the data area).
 */
#ifndef ECSENC_STORE_H
#define ECSENC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"
#include "disk_header.h"

/* "<prefix>-" and 20 random lowercase letters and digits. */
int store_new_id(const char *prefix, char *buf, size_t len);
/* <state-dir>/<region>/<id>.img, creating the region directory. */
int store_path(struct agent *a, const char *region, const char *id,
	       char *path, size_t len);

/*
 * Read and check @path's header: -EBADMSG when both copies are damaged,
 * -EPROTO (with the reason in @why) when it names what the agent refuses.
 */
int store_read_header(const char *path, struct disk_header *h,
		      char *why, size_t why_len);

/* Bytes free to unprivileged users on the file system that holds @path. */
uint64_t store_free_bytes(const char *path);

/*
 * Build a new store at @path (atomically: a temporary file renamed over
 * @path) with header @h, sized to hold h->data_size bytes, and with the
 * data area of @src_path copied in when it is not NULL (sparse: holes stay
 * holes).  @copy_len bytes at most are copied.  A new store larger than
 * the free space of its file system is refused with -ENOSPC.
 */
int store_build(const char *path, struct disk_header *h,
		const char *src_path, uint64_t copy_len);

#endif
