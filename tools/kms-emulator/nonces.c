// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "log.h"
#include "nonces.h"

/* 30 minutes of requests at about 1 100 per second. */
#define NONCE_MAX_ENTRIES 2000000
/* Expired rows are deleted after this many inserts, and when full. */
#define NONCE_PRUNE_EVERY 4096

struct nonce_store {
	pthread_mutex_t lock;	/* guards everything below */
	sqlite3 *db;
	sqlite3_stmt *use;	/* insert, or take over an expired row */
	sqlite3_stmt *prune;
	long count;		/* rows, expired ones included; never too low */
	long since_prune;	/* inserts since the last prune */
};

/* Only this connection uses the file: no -shm, no shared-memory locks. */
static const char schema[] =
	"PRAGMA locking_mode = EXCLUSIVE;"
	"PRAGMA journal_mode = WAL;"
	"PRAGMA synchronous = NORMAL;"
	"CREATE TABLE IF NOT EXISTS nonces ("
	"  access_key TEXT NOT NULL, nonce TEXT NOT NULL,"
	"  expire INTEGER NOT NULL,"
	"  PRIMARY KEY (access_key, nonce)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS nonces_by_expire ON nonces (expire);";

static int db_fail(struct nonce_store *ns, const char *what)
{
	log_err("nonces.db %s: %s", what, sqlite3_errmsg(ns->db));
	return -EIO;
}

/* Caller holds ns->lock. */
static int prune(struct nonce_store *ns, time_t now)
{
	int rc;

	sqlite3_reset(ns->prune);
	sqlite3_bind_int64(ns->prune, 1, now);
	rc = sqlite3_step(ns->prune);
	sqlite3_reset(ns->prune);
	if (rc != SQLITE_DONE)
		return db_fail(ns, "prune");
	ns->count -= sqlite3_changes(ns->db);
	ns->since_prune = 0;
	return 0;
}

static int count_rows(struct nonce_store *ns)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(ns->db, "SELECT COUNT(*) FROM nonces", -1, &st,
			       NULL) != SQLITE_OK)
		return db_fail(ns, "count");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ns->count = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_fail(ns, "count");
}

int nonce_store_open(const char *data_dir, struct nonce_store **out)
{
	struct nonce_store *ns = calloc(1, sizeof(*ns));
	char path[4096], *err = NULL;
	int ret = -EIO;

	if (!ns)
		return -ENOMEM;
	pthread_mutex_init(&ns->lock, NULL);
	snprintf(path, sizeof(path), "%s/nonces.db", data_dir);
	if (sqlite3_open_v2(path, &ns->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		db_fail(ns, "open");
		goto bad;
	}
	sqlite3_busy_timeout(ns->db, 5000);
	if (sqlite3_exec(ns->db, schema, NULL, NULL, &err) != SQLITE_OK) {
		log_err("nonces.db schema: %s", err ? err : "?");
		sqlite3_free(err);
		goto bad;
	}
	if (sqlite3_prepare_v2(ns->db,
		"INSERT INTO nonces (access_key, nonce, expire) VALUES (?1, ?2, ?3) "
		"ON CONFLICT (access_key, nonce) DO UPDATE SET expire = excluded.expire "
		"WHERE nonces.expire <= ?4", -1, &ns->use, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ns->db, "DELETE FROM nonces WHERE expire <= ?1",
			       -1, &ns->prune, NULL) != SQLITE_OK) {
		db_fail(ns, "prepare");
		goto bad;
	}
	ret = prune(ns, time(NULL));
	if (!ret)
		ret = count_rows(ns);
	if (ret)
		goto bad;
	*out = ns;
	return 0;
bad:
	nonce_store_close(ns);
	return ret;
}

void nonce_store_close(struct nonce_store *ns)
{
	if (!ns)
		return;
	sqlite3_finalize(ns->use);
	sqlite3_finalize(ns->prune);
	sqlite3_close(ns->db);
	pthread_mutex_destroy(&ns->lock);
	free(ns);
}

int nonce_store_use(struct nonce_store *ns, const char *access_key,
		    const char *nonce, time_t expire, time_t now)
{
	int rc, ret = 0;

	pthread_mutex_lock(&ns->lock);
	if (ns->since_prune >= NONCE_PRUNE_EVERY ||
	    ns->count >= NONCE_MAX_ENTRIES) {
		ret = prune(ns, now);
		if (!ret && ns->count >= NONCE_MAX_ENTRIES)
			ret = count_rows(ns);
		if (!ret && ns->count >= NONCE_MAX_ENTRIES)
			ret = -ENOSPC;
		if (ret)
			goto out;
	}
	sqlite3_reset(ns->use);
	sqlite3_bind_text(ns->use, 1, access_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(ns->use, 2, nonce, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ns->use, 3, expire);
	sqlite3_bind_int64(ns->use, 4, now);
	rc = sqlite3_step(ns->use);
	if (rc != SQLITE_DONE) {
		ret = db_fail(ns, "insert");
	} else if (!sqlite3_changes(ns->db)) {
		ret = -EEXIST;
	} else {
		/*
		 * A taken-over expired row is counted again: the count may run
		 * high, never low, and is made exact when it reaches the limit.
		 */
		ns->count++;
		ns->since_prune++;
	}
	sqlite3_reset(ns->use);
	sqlite3_clear_bindings(ns->use);
out:
	pthread_mutex_unlock(&ns->lock);
	return ret;
}
