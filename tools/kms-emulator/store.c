// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "emulator.h"
#include "log.h"
#include "store.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta ("
	"  name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS keys ("
	"  region TEXT NOT NULL, key_id TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  key_spec TEXT NOT NULL, key_usage TEXT NOT NULL,"
	"  origin TEXT NOT NULL, protection_level TEXT NOT NULL,"
	"  state TEXT NOT NULL, prev_state TEXT NOT NULL DEFAULT '',"
	"  creator TEXT NOT NULL, is_service INTEGER NOT NULL DEFAULT 0,"
	"  creation INTEGER NOT NULL, deletion_date INTEGER NOT NULL DEFAULT 0,"
	"  material_expire INTEGER NOT NULL DEFAULT 0,"
	"  rotation_enabled INTEGER NOT NULL DEFAULT 0,"
	"  rotation_interval INTEGER NOT NULL DEFAULT 0,"
	"  last_rotation INTEGER NOT NULL DEFAULT 0,"
	"  primary_version TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (region, key_id));"
	"CREATE TABLE IF NOT EXISTS versions ("
	"  region TEXT NOT NULL, key_id TEXT NOT NULL, version_id TEXT NOT NULL,"
	"  creation INTEGER NOT NULL, material BLOB, digest BLOB,"
	"  PRIMARY KEY (region, key_id, version_id));"
	"CREATE TABLE IF NOT EXISTS aliases ("
	"  region TEXT NOT NULL, alias TEXT NOT NULL, key_id TEXT NOT NULL,"
	"  PRIMARY KEY (region, alias));"
	"CREATE INDEX IF NOT EXISTS aliases_by_key ON aliases (region, key_id);"
	"CREATE TABLE IF NOT EXISTS import_tokens ("
	"  token TEXT PRIMARY KEY, region TEXT NOT NULL, key_id TEXT NOT NULL,"
	"  algorithm TEXT NOT NULL, expire INTEGER NOT NULL,"
	"  private_key BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS meter ("
	"  region TEXT NOT NULL, access_key TEXT NOT NULL,"
	"  action TEXT NOT NULL, count INTEGER NOT NULL,"
	"  PRIMARY KEY (region, access_key, action));";

int store_exec(struct emulator *emu, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(emu->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_err("sqlite: %s", err ? err : sqlite3_errmsg(emu->db));
		sqlite3_free(err);
		return -EIO;
	}
	return 0;
}

sqlite3_stmt *store_prepare(struct emulator *emu, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(emu->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_err("sqlite prepare: %s", sqlite3_errmsg(emu->db));
		return NULL;
	}
	return st;
}

int store_step_done(struct emulator *emu, sqlite3_stmt *st)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		log_err("sqlite step: %s", sqlite3_errmsg(emu->db));
		return -EIO;
	}
	return 0;
}

const char *store_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? (const char *)s : "";
}

int store_count(struct emulator *emu, const char *sql, const char *p1,
		const char *p2, long *count)
{
	sqlite3_stmt *st = store_prepare(emu, sql);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
	if (p2)
		sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -EIO;
}

int store_get_meta(struct emulator *emu, const char *name, long *value)
{
	sqlite3_stmt *st = store_prepare(emu,
		"SELECT value FROM meta WHERE name = ?");
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*value = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

int store_set_meta(struct emulator *emu, const char *name, long value)
{
	sqlite3_stmt *st = store_prepare(emu,
		"INSERT INTO meta (name, value) VALUES (?, ?) "
		"ON CONFLICT (name) DO UPDATE SET value = excluded.value");
	int ret;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, value);
	ret = store_step_done(emu, st);
	sqlite3_finalize(st);
	return ret;
}

int store_open(struct emulator *emu)
{
	char path[4096];
	long offset = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/kms.db", emu->opt.data_dir);
	rc = sqlite3_open_v2(path, &emu->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_err("cannot open %s: %s", path, sqlite3_errstr(rc));
		return -EIO;
	}
	sqlite3_busy_timeout(emu->db, 5000);
	if (store_exec(emu, "PRAGMA journal_mode = WAL;"
			    "PRAGMA synchronous = FULL;") ||
	    store_exec(emu, schema))
		return -EIO;
	if (store_get_meta(emu, "clock_offset", &offset) == -EIO)
		return -EIO;
	emu->clock_offset = offset;
	return 0;
}

void store_close(struct emulator *emu)
{
	if (emu->db)
		sqlite3_close(emu->db);
	emu->db = NULL;
}
