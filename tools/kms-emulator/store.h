/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SQLite persistence: <data-dir>/kms.db, WAL, synchronous=FULL, so a
 * committed answer survives kill -9.  One connection guarded by
 * emu->db_lock; router.c runs every action inside one transaction.
 */
#ifndef KMS_EMU_STORE_H
#define KMS_EMU_STORE_H

#include <sqlite3.h>

struct emulator;

int store_open(struct emulator *emu);
void store_close(struct emulator *emu);

int store_exec(struct emulator *emu, const char *sql);
/* Prepare, logging failures; NULL on error. */
sqlite3_stmt *store_prepare(struct emulator *emu, const char *sql);
/* sqlite3_step() until done; 0 or -EIO (logged). */
int store_step_done(struct emulator *emu, sqlite3_stmt *st);

/* Text column as a C string ("" for NULL). */
const char *store_text(sqlite3_stmt *st, int col);

/* SELECT COUNT(*) with text parameters ?1 and (unless NULL) ?2. */
int store_count(struct emulator *emu, const char *sql, const char *p1,
		const char *p2, long *count);

int store_get_meta(struct emulator *emu, const char *name, long *value);
int store_set_meta(struct emulator *emu, const char *name, long value);

#endif
