/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-object locks: operations on one disk or snapshot run one at a time,
 * operations on different objects run side by side.  A lock is an id in a
 * small table; waiting is on one condition variable.  rebuild-catalog,
 * which rewrites every row, takes the table exclusively.
 */
#ifndef ECSENC_OBJECT_LOCK_H
#define ECSENC_OBJECT_LOCK_H

#include <stddef.h>

/* At most this many ids held by one operation. */
#define OBJECT_LOCK_MAX_IDS	2

/*
 * Lock the ids (NULL entries are skipped; duplicates count once), in a
 * fixed order so that two operations never wait for each other.  Blocks
 * while another operation holds one of them, or holds everything.
 */
void object_lock(const char *const *ids, size_t n);
void object_unlock(const char *const *ids, size_t n);

/* Wait until no id is held, then hold everything (and release it). */
void object_lock_all(void);
void object_unlock_all(void);

#endif
