// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "catalog.h"
#include "defaults_file.h"
#include "log.h"

/*
 * One connection shared by every thread, behind @lock.  The lock is held
 * for one statement, never across a visitor call or anything slow, so a
 * describe waits for a few SQLite steps at most, never for the KMS.
 */
struct catalog {
	pthread_mutex_t lock;
	sqlite3 *db;
	int is_new;			/* started empty: rebuild from headers */
	int defaults_lost;		/* a region without settings is unknown */
	char defaults_path[1024];	/* DEFAULTS_FILE_NAME beside the db */
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"CREATE TABLE IF NOT EXISTS objects ("
	" id TEXT PRIMARY KEY, kind INTEGER NOT NULL, region TEXT NOT NULL,"
	" category TEXT NOT NULL, size INTEGER NOT NULL,"
	" encrypted INTEGER NOT NULL, kms_key_id TEXT NOT NULL,"
	" lineage_id TEXT NOT NULL, source_id TEXT NOT NULL,"
	" path TEXT NOT NULL, attached INTEGER NOT NULL DEFAULT 0,"
	" created INTEGER NOT NULL, copy_method TEXT NOT NULL DEFAULT '',"
	" kms_key_version TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE IF NOT EXISTS kms_usage ("
	" region TEXT NOT NULL, operation TEXT NOT NULL, action TEXT NOT NULL,"
	" calls INTEGER NOT NULL, PRIMARY KEY (region, operation, action));"
	"CREATE TABLE IF NOT EXISTS region_defaults ("
	" region TEXT PRIMARY KEY, encrypt_by_default INTEGER NOT NULL,"
	" kms_key_id TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS audit_head ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" base_seq INTEGER NOT NULL, base_hash TEXT NOT NULL,"
	" seq INTEGER NOT NULL, hash TEXT NOT NULL, finding TEXT NOT NULL);";

static int db_error(struct catalog *c, const char *what)
{
	log_err("catalog: %s: %s", what, sqlite3_errmsg(c->db));
	return -EIO;
}

/* ".corrupt-<UTC time>": the suffix of what is moved aside. */
static void corrupt_suffix(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, len, ".corrupt-%Y%m%dT%H%M%SZ", &tm);
}

/* Every region's settings in the database into @s; the lock is held or not needed. */
static int db_defaults(struct catalog *c, struct defaults_set *s)
{
	struct catalog_defaults d;
	sqlite3_stmt *st;
	int r = 0, rc;

	if (sqlite3_prepare_v2(c->db, "SELECT region, encrypt_by_default, kms_key_id"
			       " FROM region_defaults ORDER BY region", -1, &st,
			       NULL) != SQLITE_OK)
		return db_error(c, "prepare defaults list");
	while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&d, 0, sizeof(d));
		d.encrypt_by_default = sqlite3_column_int(st, 1);
		snprintf(d.kms_key_id, sizeof(d.kms_key_id), "%s",
			 (const char *)sqlite3_column_text(st, 2));
		r = defaults_set_put(s, (const char *)sqlite3_column_text(st, 0), &d);
	}
	if (!r && rc != SQLITE_DONE)
		r = db_error(c, "defaults list");
	sqlite3_finalize(st);
	return r;
}

static int put_defaults_locked(struct catalog *c, const char *region,
			       const struct catalog_defaults *d)
{
	sqlite3_stmt *st;
	int r = 0;

	if (sqlite3_prepare_v2(c->db, "INSERT OR REPLACE INTO region_defaults"
			       " (region, encrypt_by_default, kms_key_id)"
			       " VALUES (?1, ?2, ?3)", -1, &st, NULL) != SQLITE_OK)
		return db_error(c, "prepare defaults update");
	sqlite3_bind_text(st, 1, region, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, d->encrypt_by_default);
	sqlite3_bind_text(st, 3, d->kms_key_id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(c, "defaults update");
	sqlite3_finalize(st);
	return r;
}

static int same_defaults(const struct defaults_set *a, const struct defaults_set *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		size_t j;

		for (j = 0; j < b->n; j++)
			if (!strcmp(a->regions[i].region, b->regions[j].region))
				break;
		if (j == b->n ||
		    a->regions[i].d.encrypt_by_default != b->regions[j].d.encrypt_by_default ||
		    strcmp(a->regions[i].d.kms_key_id, b->regions[j].d.kms_key_id))
			return 0;
	}
	return 1;
}

/* The database's settings become @s's. */
static int db_take_defaults(struct catalog *c, const struct defaults_set *s)
{
	int r = 0;

	if (sqlite3_exec(c->db, "BEGIN; DELETE FROM region_defaults", NULL, NULL, NULL))
		return db_error(c, "defaults restore");
	for (size_t i = 0; !r && i < s->n; i++)
		r = put_defaults_locked(c, s->regions[i].region, &s->regions[i].d);
	if (sqlite3_exec(c->db, r ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL) && !r)
		r = db_error(c, "defaults restore");
	return r;
}

/*
 * At open: the settings file is the truth and the database follows it.
 * Without a usable file, the database's settings are written to one,
 * unless the database was lost too: then nothing says what they were,
 * and every region's are unknown until an operator states them.
 */
static int defaults_recover(struct catalog *c)
{
	struct defaults_set file = { 0 }, db = { 0 };
	const char *path = c->defaults_path;
	char aside[1200], suffix[32];
	int r, damaged;

	r = defaults_file_read(path, &file);
	if (r == 0) {
		r = db_defaults(c, &db);
		if (!r && !same_defaults(&file, &db) && (db.n || !c->is_new))
			log_warn("catalog: its encryption-by-default settings differ from %s, which holds them: taken from the file",
				 path);
		else if (!r && file.n && c->is_new)
			log_info("catalog: encryption-by-default settings of %zu region%s restored from %s",
				 file.n, file.n == 1 ? "" : "s", path);
		if (!r)
			r = db_take_defaults(c, &file);
		c->defaults_lost = file.lost;
		goto out;
	}
	damaged = r == -EBADMSG;
	if (damaged) {
		corrupt_suffix(suffix, sizeof(suffix));
		snprintf(aside, sizeof(aside), "%s%s", path, suffix);
		if (rename(path, aside) < 0)
			log_err("cannot move %s aside: %m", path);
		log_warn("%s is damaged: moved aside to %s", path, aside);
	} else if (r != -ENOENT) {
		log_err("%s: %s; the agent does not start without knowing its encryption-by-default settings",
			path, strerror(-r));
		goto out;
	}
	c->defaults_lost = c->is_new && (c->defaults_lost || damaged);
	if (c->defaults_lost) {
		log_warn("the encryption-by-default settings were lost with the catalog: creating disks is refused in every region until its setting is stated again (ecsenc-ctl enable-disk-encryption-by-default, or disable-disk-encryption-by-default)");
		r = 0;
	} else {
		r = db_defaults(c, &file);
		if (!r && damaged)
			log_warn("encryption-by-default settings of %zu region%s restored from the catalog into %s",
				 file.n, file.n == 1 ? "" : "s", path);
	}
	file.lost = c->defaults_lost;
	if (!r)
		r = defaults_file_write(path, &file);
	if (r < 0)
		log_err("cannot write %s: %s", path, strerror(-r));
out:
	defaults_set_free(&file);
	defaults_set_free(&db);
	return r;
}

#define FIRST_ROW_MAX	128

/*
 * The first column of the first row into @arg (FIRST_ROW_MAX bytes):
 * what quick_check says first, "ok" or the first damage it found.
 */
static int first_row(void *arg, int n, char **values, char **names)
{
	char *out = arg;

	if (!out[0] && n > 0 && values[0])
		snprintf(out, FIRST_ROW_MAX, "%s", values[0]);
	return 0;
}

/*
 * Open @path and look at it: 0 when it is a sound SQLite database,
 * -EBADMSG (words in @why) when it is not one or is damaged, -EIO for
 * anything else (permissions, I/O), which is no reason to set it aside.
 */
static int open_checked(const char *path, sqlite3 **db, char *why, size_t len)
{
	char result[FIRST_ROW_MAX] = "";
	char *msg = NULL;
	int rc;

	rc = sqlite3_open(path, db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(*db, "PRAGMA quick_check", first_row, result, &msg);
	if (rc == SQLITE_OK && !strcmp(result, "ok"))
		return 0;
	snprintf(why, len, "%s", rc != SQLITE_OK ? (msg ? msg : sqlite3_errstr(rc)) :
		 result);
	sqlite3_free(msg);
	rc &= 0xff;			/* the primary code of an extended one */
	if (rc == SQLITE_OK || rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
		return -EBADMSG;
	log_err("catalog %s: %s", path, why);
	return -EIO;
}

/* Keep a damaged catalog for a post-mortem: <path>.corrupt-<time>. */
static void set_aside(const char *path, const char *why)
{
	static const char *const suffix[] = { "", "-wal" };
	char stamp[32], from[1100], to[1200];

	corrupt_suffix(stamp, sizeof(stamp));
	for (size_t i = 0; i < sizeof(suffix) / sizeof(*suffix); i++) {
		snprintf(from, sizeof(from), "%s%s", path, suffix[i]);
		snprintf(to, sizeof(to), "%s%s%s", path, stamp, suffix[i]);
		if (rename(from, to) < 0 && errno != ENOENT)
			log_err("catalog: cannot move %s aside: %m", from);
	}
	snprintf(from, sizeof(from), "%s-shm", path);
	unlink(from);
	log_warn("catalog %s is damaged (%s): moved aside to %s%s; rebuilding it from the stores' headers (the KMS usage counts start again)",
		 path, why, path, stamp);
}

/* Whether @db holds the catalog's tables (an emptied file does not). */
static int has_tables(sqlite3 *db)
{
	char result[FIRST_ROW_MAX] = "";

	sqlite3_exec(db, "SELECT count(*) FROM sqlite_master WHERE name = 'objects'",
		     first_row, result, NULL);
	return strcmp(result, "0") != 0;
}

static int open_db(struct catalog *c, const char *path)
{
	char why[256];
	struct stat st;
	int existed = stat(path, &st) == 0, r;

	r = open_checked(path, &c->db, why, sizeof(why));
	if (r == -EBADMSG) {
		sqlite3_close(c->db);
		c->db = NULL;
		set_aside(path, why);
		r = open_checked(path, &c->db, why, sizeof(why));
		c->is_new = 1;
	} else if (r == 0 && existed && !has_tables(c->db)) {
		log_warn("catalog %s was empty (cut short?); rebuilding it from the stores' headers",
			 path);
		c->is_new = 1;
	} else if (!existed) {
		c->is_new = 1;
	}
	if (r < 0)
		return r;
	/* Something was there and is gone: settings may have been lost. */
	c->defaults_lost = existed && c->is_new;
	return 0;
}

int catalog_open(const char *path, struct catalog **out)
{
	struct catalog *c = calloc(1, sizeof(*c));
	const char *slash = strrchr(path, '/');
	char *msg = NULL;
	int r;

	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	snprintf(c->defaults_path, sizeof(c->defaults_path), "%.*s%s",
		 slash ? (int)(slash - path + 1) : 0, path, DEFAULTS_FILE_NAME);
	r = open_db(c, path);
	if (r < 0)
		goto fail;
	sqlite3_busy_timeout(c->db, 5000);
	if (sqlite3_exec(c->db, schema, NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	/* A catalog of the previous release has no copy_method yet. */
	sqlite3_exec(c->db, "ALTER TABLE objects ADD COLUMN copy_method TEXT"
		     " NOT NULL DEFAULT ''", NULL, NULL, NULL);
	sqlite3_exec(c->db, "ALTER TABLE objects ADD COLUMN kms_key_version TEXT"
		     " NOT NULL DEFAULT ''", NULL, NULL, NULL);
	r = defaults_recover(c);
	if (r < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	if (msg)
		log_err("catalog %s: %s", path, msg);
	sqlite3_free(msg);
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->lock);
	free(c);
	return -EIO;
}

int catalog_is_new(const struct catalog *c)
{
	return c->is_new;
}

void catalog_close(struct catalog *c)
{
	if (!c)
		return;
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static int put_locked(struct catalog *c, const struct catalog_object *o)
{
	sqlite3_stmt *st;
	int r = 0;

	if (sqlite3_prepare_v2(c->db,
		"INSERT OR REPLACE INTO objects (id, kind, region, category,"
		" size, encrypted, kms_key_id, lineage_id, source_id, path,"
		" attached, created, copy_method, kms_key_version)"
		" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
		-1, &st, NULL) != SQLITE_OK)
		return db_error(c, "prepare put");
	bind_text(st, 1, o->id);
	sqlite3_bind_int(st, 2, o->kind);
	bind_text(st, 3, o->region);
	bind_text(st, 4, o->category);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)o->size);
	sqlite3_bind_int(st, 6, o->encrypted);
	bind_text(st, 7, o->kms_key_id);
	bind_text(st, 8, o->lineage_id);
	bind_text(st, 9, o->source_id);
	bind_text(st, 10, o->path);
	sqlite3_bind_int(st, 11, o->attached);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)o->created);
	bind_text(st, 13, o->copy_method);
	bind_text(st, 14, o->kms_key_version);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(c, "put");
	sqlite3_finalize(st);
	return r;
}

int catalog_put(struct catalog *c, const struct catalog_object *o)
{
	int r;

	pthread_mutex_lock(&c->lock);
	r = put_locked(c, o);
	pthread_mutex_unlock(&c->lock);
	return r;
}

static void copy_col(sqlite3_stmt *st, int i, char *dst, size_t len)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(dst, len, "%s", s ? (const char *)s : "");
}

#define OBJECT_COLUMNS "id, kind, region, category, size, encrypted," \
	" kms_key_id, lineage_id, source_id, path, attached, created," \
	" copy_method, kms_key_version"

static void read_row(sqlite3_stmt *st, struct catalog_object *o)
{
	memset(o, 0, sizeof(*o));
	copy_col(st, 0, o->id, sizeof(o->id));
	o->kind = sqlite3_column_int(st, 1);
	copy_col(st, 2, o->region, sizeof(o->region));
	copy_col(st, 3, o->category, sizeof(o->category));
	o->size = (uint64_t)sqlite3_column_int64(st, 4);
	o->encrypted = sqlite3_column_int(st, 5);
	copy_col(st, 6, o->kms_key_id, sizeof(o->kms_key_id));
	copy_col(st, 7, o->lineage_id, sizeof(o->lineage_id));
	copy_col(st, 8, o->source_id, sizeof(o->source_id));
	copy_col(st, 9, o->path, sizeof(o->path));
	o->attached = sqlite3_column_int(st, 10);
	o->created = (uint64_t)sqlite3_column_int64(st, 11);
	copy_col(st, 12, o->copy_method, sizeof(o->copy_method));
	copy_col(st, 13, o->kms_key_version, sizeof(o->kms_key_version));
}

static int get_locked(struct catalog *c, const char *region, const char *id,
		      struct catalog_object *o)
{
	sqlite3_stmt *st;
	int r, rc;

	if (sqlite3_prepare_v2(c->db, "SELECT " OBJECT_COLUMNS
			       " FROM objects WHERE id = ?1"
			       " AND (?2 IS NULL OR region = ?2)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(c, "prepare get");
	bind_text(st, 1, id);
	if (region)
		bind_text(st, 2, region);
	else
		sqlite3_bind_null(st, 2);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_row(st, o);
		r = 0;
	} else {
		r = rc == SQLITE_DONE ? -ENOENT : db_error(c, "get");
	}
	sqlite3_finalize(st);
	return r;
}

int catalog_get(struct catalog *c, const char *region, const char *id,
		struct catalog_object *o)
{
	int r;

	pthread_mutex_lock(&c->lock);
	r = get_locked(c, region, id, o);
	pthread_mutex_unlock(&c->lock);
	return r;
}

int catalog_find(struct catalog *c, const char *id, struct catalog_object *o)
{
	return catalog_get(c, NULL, id, o);
}

static int exec_id(struct catalog *c, const char *sql, const char *id, int v)
{
	sqlite3_stmt *st;
	int r = 0;

	pthread_mutex_lock(&c->lock);
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
		r = db_error(c, "prepare");
		goto out;
	}
	bind_text(st, 1, id);
	if (strstr(sql, "?2"))
		sqlite3_bind_int(st, 2, v);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(c, "update");
	sqlite3_finalize(st);
out:
	pthread_mutex_unlock(&c->lock);
	return r;
}

int catalog_delete(struct catalog *c, const char *id)
{
	return exec_id(c, "DELETE FROM objects WHERE id = ?1", id, 0);
}

int catalog_set_attached(struct catalog *c, const char *id, int attached)
{
	return exec_id(c, "UPDATE objects SET attached = ?2 WHERE id = ?1",
		       id, attached);
}

int catalog_clear_objects(struct catalog *c)
{
	int r = 0;

	pthread_mutex_lock(&c->lock);
	if (sqlite3_exec(c->db, "DELETE FROM objects", NULL, NULL, NULL))
		r = db_error(c, "clear");
	pthread_mutex_unlock(&c->lock);
	return r;
}

/* The rows of a listing, read under the lock and visited after it. */
struct row_list {
	struct catalog_object *rows;
	size_t n, cap;
};

static int row_list_add(struct row_list *l, sqlite3_stmt *st)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct catalog_object *p = realloc(l->rows, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->rows = p;
		l->cap = cap;
	}
	read_row(st, &l->rows[l->n++]);
	return 0;
}

static int list_locked(struct catalog *c, enum catalog_kind kind,
		       const char *region, struct row_list *l)
{
	sqlite3_stmt *st;
	int r = 0, rc;

	if (sqlite3_prepare_v2(c->db, "SELECT " OBJECT_COLUMNS " FROM objects"
			       " WHERE kind = ?1 AND (?2 IS NULL OR region = ?2)"
			       " ORDER BY created, id", -1, &st, NULL))
		return db_error(c, "prepare list");
	sqlite3_bind_int(st, 1, kind);
	if (region)
		bind_text(st, 2, region);
	else
		sqlite3_bind_null(st, 2);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = row_list_add(l, st);
		if (r < 0)
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = db_error(c, "list");
	sqlite3_finalize(st);
	return r;
}

int catalog_list(struct catalog *c, enum catalog_kind kind, const char *region,
		 catalog_visit_fn fn, void *arg)
{
	struct row_list l = { 0 };
	int r;

	pthread_mutex_lock(&c->lock);
	r = list_locked(c, kind, region, &l);
	pthread_mutex_unlock(&c->lock);
	for (size_t i = 0; r == 0 && i < l.n; i++)
		r = fn(&l.rows[i], arg);
	free(l.rows);
	return r;
}

int catalog_count_kms_calls(struct catalog *c, const char *region,
			    const char *operation, const char *action,
			    int64_t calls)
{
	sqlite3_stmt *st;
	int r = 0;

	pthread_mutex_lock(&c->lock);
	if (sqlite3_prepare_v2(c->db,
		"INSERT INTO kms_usage (region, operation, action, calls)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (region, operation, action)"
		" DO UPDATE SET calls = calls + ?4", -1, &st, NULL)) {
		r = db_error(c, "prepare usage");
		goto out;
	}
	bind_text(st, 1, region);
	bind_text(st, 2, operation);
	bind_text(st, 3, action);
	sqlite3_bind_int64(st, 4, calls);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(c, "usage");
	sqlite3_finalize(st);
out:
	pthread_mutex_unlock(&c->lock);
	return r;
}

/*
 * The visitor only builds JSON, but it runs under the lock all the same:
 * the usage table is small (regions x operations x actions).
 */
int catalog_list_usage(struct catalog *c, catalog_usage_fn fn, void *arg)
{
	sqlite3_stmt *st;
	int r = 0, rc;

	pthread_mutex_lock(&c->lock);
	if (sqlite3_prepare_v2(c->db, "SELECT region, operation, action, calls"
			       " FROM kms_usage ORDER BY region, operation, action",
			       -1, &st, NULL)) {
		r = db_error(c, "prepare usage list");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = fn((const char *)sqlite3_column_text(st, 0),
		       (const char *)sqlite3_column_text(st, 1),
		       (const char *)sqlite3_column_text(st, 2),
		       sqlite3_column_int64(st, 3), arg);
		if (r)
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = db_error(c, "usage list");
	sqlite3_finalize(st);
out:
	pthread_mutex_unlock(&c->lock);
	return r;
}

int catalog_get_defaults(struct catalog *c, const char *region,
			 struct catalog_defaults *d)
{
	sqlite3_stmt *st;
	int r = 0, rc;

	memset(d, 0, sizeof(*d));
	pthread_mutex_lock(&c->lock);
	if (sqlite3_prepare_v2(c->db, "SELECT encrypt_by_default, kms_key_id"
			       " FROM region_defaults WHERE region = ?1",
			       -1, &st, NULL) != SQLITE_OK) {
		r = db_error(c, "prepare defaults");
		goto out;
	}
	bind_text(st, 1, region);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		d->encrypt_by_default = sqlite3_column_int(st, 0);
		copy_col(st, 1, d->kms_key_id, sizeof(d->kms_key_id));
	} else if (rc != SQLITE_DONE) {
		r = db_error(c, "defaults");
	} else if (c->defaults_lost) {
		r = -ENODATA;
	}
	sqlite3_finalize(st);
out:
	pthread_mutex_unlock(&c->lock);
	return r;
}

/*
 * The database and the settings file change together: the row in a
 * transaction that commits only once the file holds it.
 */
int catalog_put_defaults(struct catalog *c, const char *region,
			 const struct catalog_defaults *d)
{
	struct defaults_set all = { 0 };
	int r;

	pthread_mutex_lock(&c->lock);
	if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) {
		r = db_error(c, "defaults update");
		goto out;
	}
	r = put_defaults_locked(c, region, d);
	if (!r)
		r = db_defaults(c, &all);
	all.lost = c->defaults_lost;
	if (!r) {
		r = defaults_file_write(c->defaults_path, &all);
		if (r < 0)
			log_err("cannot write %s: %s", c->defaults_path,
				strerror(-r));
	}
	if (sqlite3_exec(c->db, r ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL) && !r)
		r = db_error(c, "defaults update");
out:
	pthread_mutex_unlock(&c->lock);
	defaults_set_free(&all);
	return r;
}

int catalog_get_audit_head(struct catalog *c, struct catalog_audit_head *h)
{
	sqlite3_stmt *st;
	int r = 0, rc;

	memset(h, 0, sizeof(*h));
	pthread_mutex_lock(&c->lock);
	if (sqlite3_prepare_v2(c->db, "SELECT base_seq, base_hash, seq, hash,"
			       " finding FROM audit_head WHERE id = 1",
			       -1, &st, NULL) != SQLITE_OK) {
		r = db_error(c, "prepare audit head");
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		h->base_seq = sqlite3_column_int64(st, 0);
		copy_col(st, 1, h->base_hash, sizeof(h->base_hash));
		h->seq = sqlite3_column_int64(st, 2);
		copy_col(st, 3, h->hash, sizeof(h->hash));
		copy_col(st, 4, h->finding, sizeof(h->finding));
	} else {
		r = rc == SQLITE_DONE ? -ENOENT : db_error(c, "audit head");
	}
	sqlite3_finalize(st);
out:
	pthread_mutex_unlock(&c->lock);
	return r;
}

int catalog_put_audit_head(struct catalog *c, const struct catalog_audit_head *h)
{
	sqlite3_stmt *st;
	int r = 0;

	pthread_mutex_lock(&c->lock);
	if (sqlite3_prepare_v2(c->db, "INSERT OR REPLACE INTO audit_head (id,"
			       " base_seq, base_hash, seq, hash, finding)"
			       " VALUES (1, ?1, ?2, ?3, ?4, ?5)",
			       -1, &st, NULL) != SQLITE_OK) {
		r = db_error(c, "prepare audit head update");
		goto out;
	}
	sqlite3_bind_int64(st, 1, h->base_seq);
	bind_text(st, 2, h->base_hash);
	sqlite3_bind_int64(st, 3, h->seq);
	bind_text(st, 4, h->hash);
	bind_text(st, 5, h->finding);
	if (sqlite3_step(st) != SQLITE_DONE) {
		/* A full file system is what the caller must tell apart. */
		r = sqlite3_errcode(c->db) == SQLITE_FULL ? -ENOSPC : -EIO;
		log_err("catalog: audit head update: %s", sqlite3_errmsg(c->db));
	}
	sqlite3_finalize(st);
out:
	pthread_mutex_unlock(&c->lock);
	return r;
}
