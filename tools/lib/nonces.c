// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "nonces.h"

/* Expired rows are deleted after this many inserts, and when full. */
#define NONCE_PRUNE_EVERY 4096

/* The nonces of one access key. */
struct key_nonces {
	char *access_key;
	long count;		/* its rows, as ns->count counts all */
	time_t full_until;	/* refused without a recount until then */
};

struct nonce_store {
	pthread_mutex_t lock;	/* guards everything below */
	sqlite3 *db;
	sqlite3_stmt *use;	/* insert, or take over an expired row */
	sqlite3_stmt *prune;
	sqlite3_stmt *count_key; /* unexpired rows of one access key */
	long count;		/* rows, expired ones included; never too low */
	long since_prune;	/* inserts since the last prune */
	long quota;		/* unexpired rows one access key may hold */
	struct key_nonces *keys; /* the access keys seen, n_keys of them */
	size_t n_keys;
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

/* Caller holds ns->lock.  The unexpired rows of @k into k->count; -EIO. */
static int count_key(struct nonce_store *ns, struct key_nonces *k, time_t now)
{
	int rc;

	sqlite3_reset(ns->count_key);
	sqlite3_bind_text(ns->count_key, 1, k->access_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ns->count_key, 2, now);
	rc = sqlite3_step(ns->count_key);
	if (rc == SQLITE_ROW)
		k->count = (long)sqlite3_column_int64(ns->count_key, 0);
	sqlite3_reset(ns->count_key);
	sqlite3_clear_bindings(ns->count_key);
	return rc == SQLITE_ROW ? 0 : db_fail(ns, "count");
}

/* Caller holds ns->lock.  @access_key's entry, made and counted on first use. */
static int key_entry(struct nonce_store *ns, const char *access_key,
		     time_t now, struct key_nonces **out)
{
	struct key_nonces *k, *keys;
	size_t i;
	int ret;

	for (i = 0; i < ns->n_keys; i++) {
		if (!strcmp(ns->keys[i].access_key, access_key)) {
			*out = &ns->keys[i];
			return 0;
		}
	}
	keys = realloc(ns->keys, (ns->n_keys + 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	ns->keys = keys;
	k = &keys[ns->n_keys];
	memset(k, 0, sizeof(*k));
	k->access_key = strdup(access_key);
	if (!k->access_key)
		return -ENOMEM;
	ret = count_key(ns, k, now);
	if (ret) {
		free(k->access_key);
		return ret;
	}
	ns->n_keys++;
	*out = k;
	return 0;
}

/*
 * Caller holds ns->lock.  -EDQUOT while @k holds its quota: counted again
 * (expired rows drop out) at most once a second, so that a key at its
 * quota costs no more than one count a second.
 */
static int check_quota(struct nonce_store *ns, struct key_nonces *k,
		       time_t now)
{
	int ret;

	if (k->count < ns->quota)
		return 0;
	if (now < k->full_until)
		return -EDQUOT;
	ret = count_key(ns, k, now);
	if (ret)
		return ret;
	if (k->count < ns->quota)
		return 0;
	k->full_until = now + 1;
	return -EDQUOT;
}

long nonce_store_quota(const struct nonce_store *ns)
{
	return ns->quota;
}

long nonce_quota(long per_key, size_t n_keys)
{
	long share = NONCE_MAX_ENTRIES / (long)(n_keys ? n_keys : 1);

	if (per_key > share)
		log_warn("--max-nonces-per-key %ld is more than the share of one of %zu access keys in a store of %ld: %ld",
			 per_key, n_keys, NONCE_MAX_ENTRIES, share);
	return per_key > 0 && per_key < share ? per_key : share;
}

int nonce_store_open(const char *data_dir, long per_key, size_t n_keys,
		     struct nonce_store **out)
{
	struct nonce_store *ns = calloc(1, sizeof(*ns));
	char path[4096], *err = NULL;
	int ret = -EIO;

	if (!ns)
		return -ENOMEM;
	ns->quota = nonce_quota(per_key, n_keys);
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
			       -1, &ns->prune, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ns->db, "SELECT COUNT(*) FROM nonces"
			       " WHERE access_key = ?1 AND expire > ?2", -1,
			       &ns->count_key, NULL) != SQLITE_OK) {
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
	sqlite3_finalize(ns->count_key);
	for (size_t i = 0; i < ns->n_keys; i++)
		free(ns->keys[i].access_key);
	free(ns->keys);
	sqlite3_close(ns->db);
	pthread_mutex_destroy(&ns->lock);
	free(ns);
}

int nonce_store_use(struct nonce_store *ns, const char *access_key,
		    const char *nonce, time_t expire, time_t now)
{
	struct key_nonces *k;
	int rc, ret;

	pthread_mutex_lock(&ns->lock);
	ret = key_entry(ns, access_key, now, &k);
	if (!ret)
		ret = check_quota(ns, k, now);
	if (ret)
		goto out;
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
		k->count++;
	}
	sqlite3_reset(ns->use);
	sqlite3_clear_bindings(ns->use);
out:
	pthread_mutex_unlock(&ns->lock);
	return ret;
}
