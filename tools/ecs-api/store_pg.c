// SPDX-License-Identifier: GPL-2.0
/*
 * The store (store.h) in PostgreSQL, shared by every server given the same
 * --database: disks, snapshots, instances, the disks' attachments, tasks
 * and their outcomes, ClientTokens, settings, the instances' audit records
 * and findings, and the nonces of signed requests.
 *
 * - A pool of PG_POOL connections per server: begin() takes one for the
 *   calling thread until commit(); READ COMMITTED; statements prepared
 *   once per connection.  A disk, snapshot or task is read FOR UPDATE,
 *   so that two transactions changing one take turns.
 * - A lost connection is made again at the next begin(): meanwhile
 *   begin() fails and the API answers ServiceUnavailable.  An action is
 *   one transaction: a connection lost in its middle leaves nothing.
 * - ClientToken: the (account, action, token) row is unique, and its
 *   lookup takes a transaction lock on the token, so that a second
 *   request with the same token waits for the first and finds its resource.
 * - Attachments: one upsert of the (disk, instance) row, under the disk's
 *   row lock.  An instance's audit chain is extended under a transaction
 *   lock on the instance (audit_head), so that two ships of one instance
 *   take turns; findings and outcomes kept twice are kept once.
 * - Tasks: a poll takes the open tasks FOR UPDATE SKIP LOCKED, so that a
 *   task is handed to one poll; one handed over (sent) is handed again only
 *   when TASK_RESEND_MS have passed (its agent lost it: it restarted).
 *   A task committed NOTIFYs ecs_tasks; every server LISTENs (watch_tasks)
 *   and wakes its parked poll of that instance.
 * - The nonces are written without waiting for the WAL's flush
 *   (synchronous_commit off, as nonces.db's synchronous=NORMAL): a crash
 *   of the database's host may forget the last of them.  An action's
 *   commit waits for it.  Each access key's unexpired nonces are counted
 *   (nonce_keys) for its quota, on all servers.
 * - The schema is migrated at start under an advisory lock, one version
 *   at a time, recorded in schema_version: servers starting together
 *   migrate once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "log.h"
#include "store.h"
#include "store_columns.h"

#define PG_MIGRATE_LOCK		0x65637361706931LL	/* "ecsapi1" */
#define PG_CHANNEL		"ecs_tasks"
#define TASK_RESEND_MS		1000
#define PG_MAX_PARAMS		24
#define PG_RECONNECT_MS		200
#define PG_POOL			4	/* transactions of one server at once */
#define NONCE_SHARDS		8	/* rows of one key's nonce count */
#define PG_PREPARED_MAX		64	/* statements prepared on a connection */

struct pg_conn {
	PGconn *db;			/* NULL or lost: made again when taken */
	bool busy;			/* a thread's, from begin() to commit() */
	int n_prepared;
	char *prepared[PG_PREPARED_MAX];	/* statement "s<i>" is prepared[i] */
};

struct ecs_store {
	pthread_mutex_t lock;		/* guards the pool's busy flags */
	pthread_cond_t freed;		/* a connection went back to the pool */
	struct pg_conn pool[PG_POOL];
	char *url;
	int64_t nonces_purged;		/* when expired nonces last went (s) */
	pthread_t listener;
	bool listening;
	volatile int stop;
	void (*woken)(const char *instance, void *arg);
	void *woken_arg;
};

/* Every version's statements; a version is never changed once released. */
static const char *const migrations[] = {
	/* 1 */
	"CREATE TABLE disks (id TEXT PRIMARY KEY, account TEXT NOT NULL,"
	" region TEXT NOT NULL, zone TEXT NOT NULL, host TEXT NOT NULL,"
	" instance TEXT NOT NULL, category TEXT NOT NULL, kms_key_id TEXT NOT NULL,"
	" snapshot_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,"
	" device TEXT NOT NULL, size_gib BIGINT NOT NULL, encrypted BIGINT NOT NULL,"
	" multi_attach BIGINT NOT NULL, status BIGINT NOT NULL, created BIGINT NOT NULL,"
	" attached_at BIGINT NOT NULL);"
	"CREATE INDEX disks_account ON disks(account, id);"
	"CREATE INDEX disks_snapshot ON disks(snapshot_id);"
	"CREATE TABLE snapshots (id TEXT PRIMARY KEY, account TEXT NOT NULL,"
	" region TEXT NOT NULL, host TEXT NOT NULL, source_disk TEXT NOT NULL,"
	" category TEXT NOT NULL, kms_key_id TEXT NOT NULL, name TEXT NOT NULL,"
	" description TEXT NOT NULL, source_size_gib BIGINT NOT NULL,"
	" encrypted BIGINT NOT NULL, status BIGINT NOT NULL, progress BIGINT NOT NULL,"
	" created BIGINT NOT NULL);"
	"CREATE INDEX snapshots_account ON snapshots(account, id);"
	"CREATE TABLE instances (id TEXT PRIMARY KEY, account TEXT NOT NULL,"
	" region TEXT NOT NULL, last_seen_ms BIGINT NOT NULL);"
	"CREATE TABLE tasks (id BIGSERIAL PRIMARY KEY, instance TEXT NOT NULL,"
	" request_id TEXT NOT NULL, resource TEXT NOT NULL, op BIGINT NOT NULL,"
	" request TEXT NOT NULL, state BIGINT NOT NULL, created_ms BIGINT NOT NULL,"
	" sent_ms BIGINT NOT NULL DEFAULT 0);"
	"CREATE INDEX tasks_open ON tasks(instance, state);"
	"CREATE TABLE tokens (account TEXT, action TEXT, token TEXT,"
	" hash TEXT NOT NULL, resource TEXT NOT NULL,"
	" PRIMARY KEY (account, action, token));"
	"CREATE TABLE default_encryption (account TEXT, region TEXT,"
	" enabled BIGINT NOT NULL, kms_key_id TEXT NOT NULL,"
	" PRIMARY KEY (account, region));"
	"CREATE TABLE nonces (access_key TEXT, nonce TEXT, expire BIGINT NOT NULL,"
	" PRIMARY KEY (access_key, nonce));"
	"CREATE INDEX nonces_expire ON nonces(expire);",
	/*
	 * 2: the unexpired nonces each access key holds, for its quota: the
	 * sum of its rows, NONCE_SHARDS of them, so that the requests of one
	 * key do not all wait for one row's lock.
	 */
	"CREATE TABLE nonce_keys (access_key TEXT, shard INTEGER, held BIGINT NOT NULL,"
	" PRIMARY KEY (access_key, shard));"
	"INSERT INTO nonce_keys SELECT access_key, 0, count(*) FROM nonces GROUP BY access_key;",
	/*
	 * 3: the instances' backends, the disks' attachments as a set, the
	 * instances' audit trails and what became of each task.
	 */
	"ALTER TABLE instances ADD COLUMN backend TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE attachments (disk_id TEXT NOT NULL, instance TEXT NOT NULL,"
	" device TEXT NOT NULL, attached_at BIGINT NOT NULL, state BIGINT NOT NULL,"
	" PRIMARY KEY (disk_id, instance));"
	"CREATE TABLE audit_records (instance TEXT NOT NULL, account TEXT NOT NULL,"
	" seq BIGINT NOT NULL, hash TEXT NOT NULL, prev_hash TEXT NOT NULL,"
	" line TEXT NOT NULL, received_ms BIGINT NOT NULL, PRIMARY KEY (instance, seq));"
	"CREATE TABLE audit_findings (instance TEXT NOT NULL, account TEXT NOT NULL,"
	" seq BIGINT NOT NULL, hash TEXT NOT NULL, reason TEXT NOT NULL,"
	" line TEXT NOT NULL, found_ms BIGINT NOT NULL, PRIMARY KEY (instance, seq, hash));"
	"CREATE TABLE task_outcomes (task_id BIGINT PRIMARY KEY, account TEXT NOT NULL,"
	" region TEXT NOT NULL, action TEXT NOT NULL, resource TEXT NOT NULL,"
	" failed BIGINT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL,"
	" created_ms BIGINT NOT NULL, finished_ms BIGINT NOT NULL);",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(*migrations)))

/* The connection of this thread's transaction, from begin() to commit(). */
static __thread struct pg_conn *tx;

/* Text parameters of one statement. */
struct params {
	int n;
	const char *v[PG_MAX_PARAMS];
	char num[PG_MAX_PARAMS][24];
};

static void p_text(struct params *p, const char *v)
{
	p->v[p->n++] = v;
}

static void p_int(struct params *p, int64_t v)
{
	snprintf(p->num[p->n], sizeof(p->num[0]), "%" PRId64, v);
	p->v[p->n] = p->num[p->n];
	p->n++;
}

/* Statement @sql prepared on this thread's connection: its name, or "". */
static void prepared(const char *sql, int n_params, char name[16])
{
	PGresult *res;
	int i;

	for (i = 0; i < tx->n_prepared; i++)
		if (!strcmp(tx->prepared[i], sql))
			goto found;
	name[0] = '\0';
	if (i == PG_PREPARED_MAX)
		return;
	tx->prepared[i] = strdup(sql);
	if (!tx->prepared[i])
		return;
	snprintf(name, 16, "s%d", i);
	res = PQprepare(tx->db, name, sql, n_params, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		free(tx->prepared[i]);
		name[0] = '\0';
		PQclear(res);
		return;
	}
	PQclear(res);
	tx->n_prepared++;
found:
	snprintf(name, 16, "s%d", i);
}

/* A new connection has none of the old one's prepared statements. */
static void forget_prepared(struct pg_conn *c)
{
	for (int i = 0; i < c->n_prepared; i++)
		free(c->prepared[i]);
	c->n_prepared = 0;
}

/* Run @sql; NULL (logged) unless it returned @want. */
static PGresult *run(struct ecs_store *s, const char *sql,
		     const struct params *p, ExecStatusType want)
{
	PGresult *res;
	char name[16] = "";

	/* Without parameters: several statements may go at once (migrations). */
	if (!p)
		res = PQexec(tx->db, sql);
	else {
		prepared(sql, p->n, name);
		res = name[0] ? PQexecPrepared(tx->db, name, p->n, p->v, NULL, NULL, 0) :
				PQexecParams(tx->db, sql, p->n, NULL, p->v, NULL, NULL, 0);
	}

	if (PQresultStatus(res) == want)
		return res;
	log_err("store: %.60s: %s", sql, PQerrorMessage(tx->db));
	PQclear(res);
	return NULL;
}

static int run_cmd(struct ecs_store *s, const char *sql, const struct params *p)
{
	PGresult *res = run(s, sql, p, PGRES_COMMAND_OK);

	PQclear(res);
	return res ? 0 : -EIO;
}

/* Notices ("already exists, skipping") are not the log's business. */
static void ignore_notice(void *arg, const char *message)
{
}

/* A database that does not answer is given up after 2 s, unless @url says. */
static PGconn *connect_db(const char *url)
{
	const char *const keys[] = { "connect_timeout", "dbname", NULL };
	const char *const values[] = { "2", url, NULL };
	PGconn *c = PQconnectdbParams(keys, values, 1);

	if (PQstatus(c) != CONNECTION_OK) {
		log_err("store: cannot connect to the database: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, ignore_notice, NULL);
	/* The nonces' writes; every transaction of begin() waits for the flush. */
	PQclear(PQexec(c, "SET synchronous_commit TO off"));
	return c;
}

/* This thread's connection, made again when it was lost. */
static int ensure_connected(struct ecs_store *s)
{
	bool again = tx->db != NULL;

	if (tx->db && PQstatus(tx->db) == CONNECTION_OK)
		return 0;
	PQfinish(tx->db);
	forget_prepared(tx);
	tx->db = connect_db(s->url);
	if (tx->db && again)
		log_info("store: connected to the database again");
	return tx->db ? 0 : -EIO;
}

/* A connection of the pool for this thread, waiting for one if need be. */
static void take(struct ecs_store *s)
{
	pthread_mutex_lock(&s->lock);
	for (;;) {
		for (int i = 0; i < PG_POOL; i++) {
			if (!s->pool[i].busy) {
				s->pool[i].busy = true;
				tx = &s->pool[i];
				pthread_mutex_unlock(&s->lock);
				return;
			}
		}
		pthread_cond_wait(&s->freed, &s->lock);
	}
}

static void give(struct ecs_store *s)
{
	pthread_mutex_lock(&s->lock);
	tx->busy = false;
	tx = NULL;
	pthread_cond_signal(&s->freed);
	pthread_mutex_unlock(&s->lock);
}

/*
 * Version 3's data: a disk's one attachment of before it, kept in the
 * disk's row (instance, device), moves to the attachments table, as
 * store_sqlite.c moves it.
 */
static int move_disk_attachments(struct ecs_store *s)
{
	struct params p = { 0 };
	int r;

	p_int(&p, DISK_ATTACHING);
	p_int(&p, ATTACHMENT_ATTACHING);
	p_int(&p, DISK_DETACHING);
	p_int(&p, ATTACHMENT_DETACHING);
	p_int(&p, ATTACHMENT_IN_USE);
	r = run_cmd(s, "INSERT INTO attachments (disk_id, instance, device, attached_at, state)"
		    " SELECT id, instance, device, attached_at,"
		    " CASE status WHEN $1 THEN $2::bigint WHEN $3 THEN $4::bigint ELSE $5::bigint END"
		    " FROM disks WHERE instance != ''", &p);
	if (!r)
		r = run_cmd(s, "UPDATE disks SET instance = '', device = '' WHERE instance != ''",
			    NULL);
	return r;
}

/* Bring the schema to SCHEMA_VERSION, one server at a time. */
static int migrate(struct ecs_store *s)
{
	struct params lock = { 0 };
	PGresult *res;
	int have, r;

	p_int(&lock, PG_MIGRATE_LOCK);
	res = run(s, "SELECT pg_advisory_lock($1::bigint)", &lock, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	PQclear(res);
	r = run_cmd(s, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL,"
		    " migrated_at TIMESTAMPTZ NOT NULL DEFAULT now())", NULL);
	if (r)
		goto out;
	res = run(s, "SELECT coalesce(max(version), 0) FROM schema_version", NULL,
		  PGRES_TUPLES_OK);
	if (!res) {
		r = -EIO;
		goto out;
	}
	have = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (have > SCHEMA_VERSION) {
		log_err("store: the database's schema is version %d, newer than this server's %d",
			have, SCHEMA_VERSION);
		r = -EPROTO;
		goto out;
	}
	for (int v = have + 1; v <= SCHEMA_VERSION && !r; v++) {
		struct params p = { 0 };

		p_int(&p, v);
		r = run_cmd(s, "BEGIN", NULL);
		if (!r)
			r = run_cmd(s, migrations[v - 1], NULL);
		if (!r && v == 3)
			r = move_disk_attachments(s);
		if (!r)
			r = run_cmd(s, "INSERT INTO schema_version (version) VALUES ($1)", &p);
		if (!r)
			r = run_cmd(s, "COMMIT", NULL);
		if (r)
			run_cmd(s, "ROLLBACK", NULL);
		else
			log_info("store: database schema migrated to version %d", v);
	}
out:
	res = run(s, "SELECT pg_advisory_unlock($1::bigint)", &lock, PGRES_TUPLES_OK);
	PQclear(res);
	return r;
}

static int pg_open(const char *url, struct ecs_store **out)
{
	struct ecs_store *s = calloc(1, sizeof(*s));
	int r = -ENOMEM;

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->freed, NULL);
	s->url = strdup(url);
	if (!s->url)
		goto fail;
	take(s);
	r = ensure_connected(s);
	if (!r)
		r = migrate(s);
	give(s);
	if (r)
		goto fail;
	*out = s;
	return 0;
fail:
	PQfinish(s->pool[0].db);
	free(s->url);
	free(s);
	return r;
}

static void pg_close(struct ecs_store *s)
{
	if (!s)
		return;
	if (s->listening) {
		s->stop = 1;
		pthread_join(s->listener, NULL);
	}
	for (int i = 0; i < PG_POOL; i++) {
		PQfinish(s->pool[i].db);
		forget_prepared(&s->pool[i]);
	}
	pthread_cond_destroy(&s->freed);
	pthread_mutex_destroy(&s->lock);
	free(s->url);
	free(s);
}

static int pg_begin(struct ecs_store *s)
{
	take(s);
	/* Twice: the first may find the connection lost since the last. */
	for (int tries = 0; tries < 2; tries++) {
		if (ensure_connected(s) == 0 &&
		    run_cmd(s, "BEGIN; SET LOCAL synchronous_commit TO on", NULL) == 0)
			return 0;
	}
	give(s);
	return -EIO;
}

static int pg_commit(struct ecs_store *s)
{
	PGresult *res = run(s, "COMMIT", NULL, PGRES_COMMAND_OK);
	/* A transaction with a failed statement "commits" as ROLLBACK. */
	int r = res && !strcmp(PQcmdStatus(res), "COMMIT") ? 0 : -EIO;

	PQclear(res);
	give(s);
	return r;
}

static void pg_rollback(struct ecs_store *s)
{
	run_cmd(s, "ROLLBACK", NULL);
	give(s);
}

/* Rows of a column table. */

static void row_params(const struct column *cols, const void *obj,
		       struct params *p)
{
	for (const struct column *c = cols; c->name; c++) {
		const char *f = (const char *)obj + c->offset;

		switch (c->type) {
		case COL_TEXT:
			p_text(p, f);
			break;
		case COL_INT64:
			p_int(p, *(const int64_t *)f);
			break;
		case COL_BOOL:
			p_int(p, *(const bool *)f);
			break;
		case COL_ENUM:
		case COL_INT:
			p_int(p, *(const int *)f);
			break;
		}
	}
}

static int row_put(struct ecs_store *s, const char *table,
		   const struct column *cols, const void *obj)
{
	char sql[3072];
	size_t n = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s (", table);
	struct params p = { 0 };
	int i = 1;

	for (const struct column *c = cols; c->name; c++, i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s%s", i > 1 ? ", " : "", c->name);
	n += (size_t)snprintf(sql + n, sizeof(sql) - n, ") VALUES (");
	for (i = 1; cols[i - 1].name; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s$%d", i > 1 ? ", " : "", i);
	n += (size_t)snprintf(sql + n, sizeof(sql) - n, ") ON CONFLICT (%s) DO UPDATE SET ",
			      cols[0].name);
	for (const struct column *c = cols + 1; c->name; c++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s = EXCLUDED.%s%s",
				      c->name, c->name, c[1].name ? ", " : "");
	if (n >= sizeof(sql))
		return -ENAMETOOLONG;
	row_params(cols, obj, &p);
	return run_cmd(s, sql, &p);
}

static void row_read(PGresult *res, int row, const struct column *cols, void *obj)
{
	int i = 0;

	for (const struct column *c = cols; c->name; c++, i++) {
		char *f = (char *)obj + c->offset;
		const char *v = PQgetvalue(res, row, i);

		switch (c->type) {
		case COL_TEXT:
			snprintf(f, c->size, "%s", v);
			break;
		case COL_INT64:
			*(int64_t *)f = strtoll(v, NULL, 10);
			break;
		case COL_BOOL:
			*(bool *)f = strtoll(v, NULL, 10) != 0;
			break;
		case COL_ENUM:
		case COL_INT:
			*(int *)f = (int)strtol(v, NULL, 10);
			break;
		}
	}
}

static int select_sql(char *sql, size_t size, const char *table,
		      const struct column *cols, const char *where, const char *tail)
{
	size_t n = (size_t)snprintf(sql, size, "SELECT ");

	for (const struct column *c = cols; c->name; c++)
		n += (size_t)snprintf(sql + n, size - n, "%s%s", c->name,
				      c[1].name ? ", " : "");
	n += (size_t)snprintf(sql + n, size - n, " FROM %s WHERE %s ORDER BY id%s",
			      table, where, tail);
	return n < size ? 0 : -ENAMETOOLONG;
}

/* @lock: a row read to be changed, locked until the transaction ends. */
static int row_get(struct ecs_store *s, const char *table,
		   const struct column *cols, const char *id, bool lock, void *obj)
{
	struct params p = { 0 };
	char sql[2048];
	PGresult *res;
	int r;

	if (select_sql(sql, sizeof(sql), table, cols, "id = $1", lock ? " FOR UPDATE" : ""))
		return -ENAMETOOLONG;
	p_text(&p, id);
	res = run(s, sql, &p, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	r = PQntuples(res) ? 0 : -ENOENT;
	if (!r)
		row_read(res, 0, cols, obj);
	PQclear(res);
	return r;
}

static int row_list(struct ecs_store *s, const char *table,
		    const struct column *cols, const char *account,
		    size_t obj_size, int (*fn)(const void *, void *), void *arg)
{
	struct params p = { 0 };
	char sql[2048];
	PGresult *res;
	void *obj;
	int r = 0;

	if (select_sql(sql, sizeof(sql), table, cols,
		       account ? "account = $1" : "true", ""))
		return -ENAMETOOLONG;
	if (account)
		p_text(&p, account);
	res = run(s, sql, &p, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	obj = malloc(obj_size);
	if (!obj) {
		PQclear(res);
		return -ENOMEM;
	}
	for (int row = 0; r == 0 && row < PQntuples(res); row++) {
		memset(obj, 0, obj_size);
		row_read(res, row, cols, obj);
		r = fn(obj, arg);
	}
	free(obj);
	PQclear(res);
	return r;
}

static int row_delete(struct ecs_store *s, const char *table, const char *id)
{
	struct params p = { 0 };
	char sql[128];

	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = $1", table);
	p_text(&p, id);
	return run_cmd(s, sql, &p);
}

static int pg_disk_put(struct ecs_store *s, const struct ecs_disk *d)
{
	return row_put(s, "disks", disk_cols, d);
}

static int pg_disk_get(struct ecs_store *s, const char *id, struct ecs_disk *d)
{
	memset(d, 0, sizeof(*d));
	return row_get(s, "disks", disk_cols, id, true, d);
}

static int pg_disk_delete(struct ecs_store *s, const char *id)
{
	return row_delete(s, "disks", id);
}

static int pg_disk_list(struct ecs_store *s, const char *account,
			disk_visit_fn fn, void *arg)
{
	return row_list(s, "disks", disk_cols, account, sizeof(struct ecs_disk),
			(int (*)(const void *, void *))fn, arg);
}

static int pg_disk_count_from(struct ecs_store *s, const char *snapshot_id)
{
	struct params p = { 0 };
	PGresult *res;
	int n;

	p_text(&p, snapshot_id);
	res = run(s, "SELECT count(*) FROM disks WHERE snapshot_id = $1", &p,
		  PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	n = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return n;
}

static int pg_snapshot_put(struct ecs_store *s, const struct ecs_snapshot *sn)
{
	return row_put(s, "snapshots", snapshot_cols, sn);
}

static int pg_snapshot_get(struct ecs_store *s, const char *id,
			   struct ecs_snapshot *sn)
{
	memset(sn, 0, sizeof(*sn));
	return row_get(s, "snapshots", snapshot_cols, id, true, sn);
}

static int pg_snapshot_delete(struct ecs_store *s, const char *id)
{
	return row_delete(s, "snapshots", id);
}

static int pg_snapshot_list(struct ecs_store *s, const char *account,
			    snapshot_visit_fn fn, void *arg)
{
	return row_list(s, "snapshots", snapshot_cols, account,
			sizeof(struct ecs_snapshot),
			(int (*)(const void *, void *))fn, arg);
}

static int pg_instance_put(struct ecs_store *s, const struct ecs_instance *i)
{
	return row_put(s, "instances", instance_cols, i);
}

static int pg_instance_get(struct ecs_store *s, const char *id,
			   struct ecs_instance *i)
{
	/* Not locked: only a poll writes it (when it was last seen). */
	memset(i, 0, sizeof(*i));
	return row_get(s, "instances", instance_cols, id, false, i);
}

static int pg_instance_list(struct ecs_store *s, const char *account,
			    instance_visit_fn fn, void *arg)
{
	return row_list(s, "instances", instance_cols, account,
			sizeof(struct ecs_instance),
			(int (*)(const void *, void *))fn, arg);
}

/* The task and its wake-up for every server, both at commit. */
static int pg_task_add(struct ecs_store *s, struct ecs_task *t)
{
	struct params p = { 0 }, w = { 0 };
	PGresult *res;

	p_text(&p, t->instance);
	p_text(&p, t->request_id);
	p_text(&p, t->resource);
	p_int(&p, t->op);
	p_text(&p, t->request);
	p_int(&p, t->state);
	p_int(&p, t->created_ms);
	res = run(s, "INSERT INTO tasks (instance, request_id, resource, op, request,"
		  " state, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
		  &p, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	t->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	p_text(&w, t->instance);
	res = run(s, "SELECT pg_notify('" PG_CHANNEL "', $1)", &w, PGRES_TUPLES_OK);
	PQclear(res);
	return res ? 0 : -EIO;
}

#define TASK_COLS "id, instance, request_id, resource, op, request, state, created_ms"

static int task_read(PGresult *res, int row, struct ecs_task *t)
{
	memset(t, 0, sizeof(*t));
	t->id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
	snprintf(t->instance, sizeof(t->instance), "%s", PQgetvalue(res, row, 1));
	snprintf(t->request_id, sizeof(t->request_id), "%s", PQgetvalue(res, row, 2));
	snprintf(t->resource, sizeof(t->resource), "%s", PQgetvalue(res, row, 3));
	t->op = (enum agent_op_id)atoi(PQgetvalue(res, row, 4));
	t->request = strdup(PQgetvalue(res, row, 5));
	t->state = (enum task_state)atoi(PQgetvalue(res, row, 6));
	t->created_ms = strtoll(PQgetvalue(res, row, 7), NULL, 10);
	return t->request ? 0 : -ENOMEM;
}

static int pg_task_get(struct ecs_store *s, int64_t id, struct ecs_task *t)
{
	struct params p = { 0 };
	PGresult *res;
	int r;

	p_int(&p, id);
	res = run(s, "SELECT " TASK_COLS " FROM tasks WHERE id = $1 FOR UPDATE", &p,
		  PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	r = PQntuples(res) ? task_read(res, 0, t) : -ENOENT;
	PQclear(res);
	return r;
}

/*
 * The tasks this poll may hand over: queued, or sent long enough ago to
 * be lost, and not being taken by another poll right now.
 */
static int pg_task_list_open(struct ecs_store *s, const char *instance,
			     task_visit_fn fn, void *arg)
{
	struct params p = { 0 };
	struct ecs_task t;
	PGresult *res;
	int r = 0;

	p_text(&p, instance);
	p_int(&p, TASK_QUEUED);
	p_int(&p, TASK_SENT);
	p_int(&p, now_ms() - TASK_RESEND_MS);
	res = run(s, "SELECT " TASK_COLS " FROM tasks WHERE instance = $1 AND"
		  " (state = $2 OR (state = $3 AND sent_ms <= $4))"
		  " ORDER BY id FOR UPDATE SKIP LOCKED", &p, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	for (int row = 0; r == 0 && row < PQntuples(res); row++) {
		r = task_read(res, row, &t);
		if (r == 0)
			r = fn(&t, arg);
		task_release(&t);
	}
	PQclear(res);
	return r;
}

static int pg_task_set_state(struct ecs_store *s, int64_t id,
			     enum task_state state)
{
	struct params p = { 0 };

	p_int(&p, state);
	p_int(&p, id);
	p_int(&p, now_ms());
	return run_cmd(s, "UPDATE tasks SET state = $1, sent_ms = $3 WHERE id = $2", &p);
}

static int pg_token_get(struct ecs_store *s, const char *account,
			const char *action, const char *token,
			char hash[STORE_HASH_LEN + 1], char resource[ECS_ID_MAX])
{
	struct params p = { 0 };
	PGresult *res;
	int r;

	p_text(&p, account);
	p_text(&p, action);
	p_text(&p, token);
	/* A second request with this token waits here for the first's commit. */
	res = run(s, "SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2 || ' ' || $3, 0))",
		  &p, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	PQclear(res);
	res = run(s, "SELECT hash, resource FROM tokens"
		  " WHERE account = $1 AND action = $2 AND token = $3", &p, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	r = PQntuples(res) ? 0 : -ENOENT;
	if (!r) {
		snprintf(hash, STORE_HASH_LEN + 1, "%s", PQgetvalue(res, 0, 0));
		snprintf(resource, ECS_ID_MAX, "%s", PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return r;
}

static int pg_token_put(struct ecs_store *s, const char *account,
			const char *action, const char *token,
			const char *hash, const char *resource)
{
	struct params p = { 0 };

	p_text(&p, account);
	p_text(&p, action);
	p_text(&p, token);
	p_text(&p, hash);
	p_text(&p, resource);
	return run_cmd(s, "INSERT INTO tokens (account, action, token, hash, resource)"
		       " VALUES ($1, $2, $3, $4, $5)", &p);
}

static int pg_default_get(struct ecs_store *s, const char *account,
			  const char *region, struct ecs_default_encryption *out)
{
	struct params p = { 0 };
	PGresult *res;

	memset(out, 0, sizeof(*out));
	p_text(&p, account);
	p_text(&p, region);
	res = run(s, "SELECT enabled, kms_key_id FROM default_encryption"
		  " WHERE account = $1 AND region = $2", &p, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	if (PQntuples(res)) {
		out->enabled = atoi(PQgetvalue(res, 0, 0)) != 0;
		snprintf(out->kms_key_id, sizeof(out->kms_key_id), "%s",
			 PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return 0;
}

static int pg_default_put(struct ecs_store *s, const char *account,
			  const char *region,
			  const struct ecs_default_encryption *in)
{
	struct params p = { 0 };

	p_text(&p, account);
	p_text(&p, region);
	p_int(&p, in->enabled);
	p_text(&p, in->kms_key_id);
	return run_cmd(s, "INSERT INTO default_encryption (account, region, enabled,"
		       " kms_key_id) VALUES ($1, $2, $3, $4) ON CONFLICT (account, region)"
		       " DO UPDATE SET enabled = EXCLUDED.enabled,"
		       " kms_key_id = EXCLUDED.kms_key_id", &p);
}

/*
 * Expired nonces go, at most once a second, and their keys hold fewer
 * (taken from shard 0: a key holds the sum of its shards).
 */
static void nonces_purge(struct ecs_store *s, time_t now)
{
	int64_t last = __atomic_load_n(&s->nonces_purged, __ATOMIC_RELAXED);
	struct params p = { 0 };

	if (last == now || !__atomic_compare_exchange_n(&s->nonces_purged, &last, now, false,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	p_int(&p, now);
	run_cmd(s, "WITH gone AS (DELETE FROM nonces WHERE expire <= $1 RETURNING access_key),"
		" per_key AS (SELECT access_key, count(*) AS n FROM gone GROUP BY access_key)"
		" INSERT INTO nonce_keys (access_key, shard, held)"
		" SELECT access_key, 0, -n FROM per_key ON CONFLICT (access_key, shard)"
		" DO UPDATE SET held = nonce_keys.held + EXCLUDED.held", &p);
}

/*
 * One statement: unless the key holds its quota, the nonce's row is new
 * (the key holds one more) or an expired one renewed; a nonce still valid
 * is left alone (no row changed: used).  Servers at once may overshoot
 * the quota by a request each.
 */
static int pg_nonce_use(struct ecs_store *s, const char *access_key,
			const char *nonce, time_t expire, time_t now, long quota)
{
	struct params p = { 0 };
	PGresult *res;
	int r = -EIO;

	p_text(&p, access_key);
	p_text(&p, nonce);
	p_int(&p, expire);
	p_int(&p, now);
	p_int(&p, quota);
	p_int(&p, (int64_t)(random() % NONCE_SHARDS));
	take(s);
	if (ensure_connected(s) == 0)
		nonces_purge(s, now);
	/* Twice: the first may find the connection lost since the last. */
	for (int tries = 0; tries < 2 && r == -EIO; tries++) {
		if (ensure_connected(s) < 0)
			continue;
		res = run(s, "WITH held AS (SELECT coalesce(sum(held), 0) AS n FROM nonce_keys"
			  "  WHERE access_key = $1),"
			  " used AS (INSERT INTO nonces AS o (access_key, nonce, expire)"
			  "  SELECT $1, $2, $3 FROM held WHERE held.n < $5"
			  "  ON CONFLICT (access_key, nonce) DO UPDATE SET expire = EXCLUDED.expire"
			  "  WHERE o.expire <= $4 RETURNING (xmax = 0) AS fresh),"
			  " counted AS (INSERT INTO nonce_keys (access_key, shard, held)"
			  "  SELECT $1, $6, 1 FROM used WHERE fresh ON CONFLICT (access_key, shard)"
			  "  DO UPDATE SET held = nonce_keys.held + 1)"
			  " SELECT (SELECT count(*) FROM used), (SELECT n FROM held)",
			  &p, PGRES_TUPLES_OK);
		if (res) {
			r = strcmp(PQgetvalue(res, 0, 0), "0") ? 0 :
			    strtol(PQgetvalue(res, 0, 1), NULL, 10) >= quota ? -EDQUOT : -EEXIST;
			PQclear(res);
		}
	}
	give(s);
	return r;
}

#define AUDIT_COLS "instance, account, seq, hash, prev_hash, line, received_ms"

/* r->line points into @res: it lives as long as @res. */
static void audit_read(PGresult *res, int row, struct ecs_audit_record *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->instance, sizeof(r->instance), "%s", PQgetvalue(res, row, 0));
	snprintf(r->account, sizeof(r->account), "%s", PQgetvalue(res, row, 1));
	r->seq = strtoll(PQgetvalue(res, row, 2), NULL, 10);
	snprintf(r->hash, sizeof(r->hash), "%s", PQgetvalue(res, row, 3));
	snprintf(r->prev_hash, sizeof(r->prev_hash), "%s", PQgetvalue(res, row, 4));
	r->line = PQgetvalue(res, row, 5);
	r->received_ms = strtoll(PQgetvalue(res, row, 6), NULL, 10);
}

/*
 * The head of @instance's chain, read under a transaction lock on the
 * instance: a second AgentAuditShip of the instance (its agent moved to
 * another server meanwhile) waits for the first's commit and reads the
 * head it left, as one SQLite store's lock makes them take turns.
 */
static int pg_audit_head(struct ecs_store *s, const char *instance,
			 struct ecs_audit_record *out)
{
	struct params p = { 0 };
	PGresult *res;
	int r;

	p_text(&p, instance);
	res = run(s, "SELECT pg_advisory_xact_lock(hashtextextended('audit ' || $1, 0))",
		  &p, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	PQclear(res);
	res = run(s, "SELECT " AUDIT_COLS " FROM audit_records"
		  " WHERE instance = $1 ORDER BY seq DESC LIMIT 1", &p, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	r = PQntuples(res) ? 0 : -ENOENT;
	if (!r)
		audit_read(res, 0, out);
	out->line = NULL;
	PQclear(res);
	return r;
}

static int pg_audit_hash(struct ecs_store *s, const char *instance, int64_t seq,
			 char hash[ECS_AUDIT_HASH_MAX + 1])
{
	struct params p = { 0 };
	PGresult *res;
	int r;

	p_text(&p, instance);
	p_int(&p, seq);
	res = run(s, "SELECT hash FROM audit_records WHERE instance = $1 AND seq = $2",
		  &p, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	r = PQntuples(res) ? 0 : -ENOENT;
	if (!r)
		snprintf(hash, ECS_AUDIT_HASH_MAX + 1, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return r;
}

/* Not ON CONFLICT: under audit_head's lock a record held already is a fault. */
static int pg_audit_put(struct ecs_store *s, const struct ecs_audit_record *r)
{
	struct params p = { 0 };

	p_text(&p, r->instance);
	p_text(&p, r->account);
	p_int(&p, r->seq);
	p_text(&p, r->hash);
	p_text(&p, r->prev_hash);
	p_text(&p, r->line);
	p_int(&p, r->received_ms);
	return run_cmd(s, "INSERT INTO audit_records (" AUDIT_COLS ")"
		       " VALUES ($1, $2, $3, $4, $5, $6, $7)", &p);
}

static int pg_audit_list(struct ecs_store *s, const char *account,
			 const char *instance, int64_t after, size_t max,
			 audit_record_visit_fn fn, void *arg)
{
	struct params p = { 0 };
	struct ecs_audit_record r;
	PGresult *res;
	int ret = 0;

	p_text(&p, account);
	p_text(&p, instance);
	p_int(&p, after);
	p_int(&p, (int64_t)max);
	res = run(s, "SELECT " AUDIT_COLS " FROM audit_records"
		  " WHERE account = $1 AND instance = $2 AND seq > $3"
		  " ORDER BY seq LIMIT $4", &p, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	for (int row = 0; ret == 0 && row < PQntuples(res); row++) {
		audit_read(res, row, &r);
		ret = fn(&r, arg);
	}
	PQclear(res);
	return ret;
}

static int pg_audit_finding_put(struct ecs_store *s,
				const struct ecs_audit_finding *f)
{
	struct params p = { 0 };

	p_text(&p, f->instance);
	p_text(&p, f->account);
	p_int(&p, f->seq);
	p_text(&p, f->hash);
	p_text(&p, f->reason);
	p_text(&p, f->line ? f->line : "");
	p_int(&p, f->found_ms);
	return run_cmd(s, "INSERT INTO audit_findings (instance, account, seq, hash,"
		       " reason, line, found_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)"
		       " ON CONFLICT DO NOTHING", &p);
}

static int pg_audit_finding_list(struct ecs_store *s, const char *account,
				 const char *instance,
				 audit_finding_visit_fn fn, void *arg)
{
	struct params p = { 0 };
	struct ecs_audit_finding f;
	PGresult *res;
	int ret = 0;

	p_text(&p, account);
	p_text(&p, instance);
	res = run(s, "SELECT instance, account, seq, hash, reason, line, found_ms"
		  " FROM audit_findings WHERE account = $1 AND instance = $2"
		  " ORDER BY found_ms, seq", &p, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	for (int row = 0; ret == 0 && row < PQntuples(res); row++) {
		memset(&f, 0, sizeof(f));
		snprintf(f.instance, sizeof(f.instance), "%s", PQgetvalue(res, row, 0));
		snprintf(f.account, sizeof(f.account), "%s", PQgetvalue(res, row, 1));
		f.seq = strtoll(PQgetvalue(res, row, 2), NULL, 10);
		snprintf(f.hash, sizeof(f.hash), "%s", PQgetvalue(res, row, 3));
		snprintf(f.reason, sizeof(f.reason), "%s", PQgetvalue(res, row, 4));
		f.line = PQgetvalue(res, row, 5);
		f.found_ms = strtoll(PQgetvalue(res, row, 6), NULL, 10);
		ret = fn(&f, arg);
	}
	PQclear(res);
	return ret;
}

static int pg_task_outcome_put(struct ecs_store *s,
			       const struct ecs_task_outcome *o)
{
	struct params p = { 0 };

	p_int(&p, o->task_id);
	p_text(&p, o->account);
	p_text(&p, o->region);
	p_text(&p, o->action);
	p_text(&p, o->resource);
	p_int(&p, o->failed);
	p_text(&p, o->code);
	p_text(&p, o->message);
	p_int(&p, o->created_ms);
	p_int(&p, o->finished_ms);
	return run_cmd(s, "INSERT INTO task_outcomes (task_id, account, region, action,"
		       " resource, failed, code, message, created_ms, finished_ms)"
		       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
		       " ON CONFLICT DO NOTHING", &p);
}

static int pg_task_outcome_list(struct ecs_store *s, const char *account,
				task_outcome_visit_fn fn, void *arg)
{
	struct params p = { 0 };
	struct ecs_task_outcome o;
	PGresult *res;
	int ret = 0;

	p_text(&p, account);
	res = run(s, "SELECT task_id, account, region, action, resource, failed, code,"
		  " message, created_ms, finished_ms FROM task_outcomes"
		  " WHERE account = $1 ORDER BY task_id", &p, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	for (int row = 0; ret == 0 && row < PQntuples(res); row++) {
		memset(&o, 0, sizeof(o));
		o.task_id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
		snprintf(o.account, sizeof(o.account), "%s", PQgetvalue(res, row, 1));
		snprintf(o.region, sizeof(o.region), "%s", PQgetvalue(res, row, 2));
		snprintf(o.action, sizeof(o.action), "%s", PQgetvalue(res, row, 3));
		snprintf(o.resource, sizeof(o.resource), "%s", PQgetvalue(res, row, 4));
		o.failed = strtoll(PQgetvalue(res, row, 5), NULL, 10) != 0;
		snprintf(o.code, sizeof(o.code), "%s", PQgetvalue(res, row, 6));
		snprintf(o.message, sizeof(o.message), "%s", PQgetvalue(res, row, 7));
		o.created_ms = strtoll(PQgetvalue(res, row, 8), NULL, 10);
		o.finished_ms = strtoll(PQgetvalue(res, row, 9), NULL, 10);
		ret = fn(&o, arg);
	}
	PQclear(res);
	return ret;
}

/* One statement: the row of (disk, instance) is new or replaced. */
static int pg_attachment_put(struct ecs_store *s, const struct ecs_attachment *a)
{
	struct params p = { 0 };

	p_text(&p, a->disk_id);
	p_text(&p, a->instance);
	p_text(&p, a->device);
	p_int(&p, a->attached_at);
	p_int(&p, a->state);
	return run_cmd(s, "INSERT INTO attachments (disk_id, instance, device,"
		       " attached_at, state) VALUES ($1, $2, $3, $4, $5)"
		       " ON CONFLICT (disk_id, instance) DO UPDATE SET"
		       " device = EXCLUDED.device, attached_at = EXCLUDED.attached_at,"
		       " state = EXCLUDED.state", &p);
}

static int pg_attachment_delete(struct ecs_store *s, const char *disk_id,
				const char *instance)
{
	struct params p = { 0 };

	p_text(&p, disk_id);
	p_text(&p, instance);
	return run_cmd(s, "DELETE FROM attachments WHERE disk_id = $1 AND instance = $2",
		       &p);
}

/* Byte order (COLLATE "C"), as SQLite orders them. */
static int pg_attachment_list(struct ecs_store *s, const char *disk_id,
			      attachment_visit_fn fn, void *arg)
{
	struct params p = { 0 };
	struct ecs_attachment a;
	PGresult *res;
	int r = 0;

	p_text(&p, disk_id);
	res = run(s, "SELECT disk_id, instance, device, attached_at, state"
		  " FROM attachments WHERE disk_id = $1 ORDER BY instance COLLATE \"C\"",
		  &p, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	for (int row = 0; r == 0 && row < PQntuples(res); row++) {
		memset(&a, 0, sizeof(a));
		snprintf(a.disk_id, sizeof(a.disk_id), "%s", PQgetvalue(res, row, 0));
		snprintf(a.instance, sizeof(a.instance), "%s", PQgetvalue(res, row, 1));
		snprintf(a.device, sizeof(a.device), "%s", PQgetvalue(res, row, 2));
		a.attached_at = strtoll(PQgetvalue(res, row, 3), NULL, 10);
		a.state = (enum attachment_state)atoi(PQgetvalue(res, row, 4));
		r = fn(&a, arg);
	}
	PQclear(res);
	return r;
}

static PGconn *listen_connect(struct ecs_store *s)
{
	PGconn *c = connect_db(s->url);
	PGresult *res;

	if (!c)
		return NULL;
	res = PQexec(c, "LISTEN " PG_CHANNEL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		PQclear(res);
		PQfinish(c);
		return NULL;
	}
	PQclear(res);
	return c;
}

/* Every server's committed tasks, as NOTIFYs; a lost connection made again. */
static void *listener_main(void *arg)
{
	struct ecs_store *s = arg;
	PGconn *c = NULL;

	while (!s->stop) {
		struct pollfd pfd = { .events = POLLIN };
		PGnotify *n;

		if (!c) {
			c = listen_connect(s);
			if (!c) {
				usleep(PG_RECONNECT_MS * 1000);
				continue;
			}
			/* What was committed while nobody listened. */
			s->woken(NULL, s->woken_arg);
		}
		pfd.fd = PQsocket(c);
		if (poll(&pfd, 1, 250) < 0 && errno != EINTR)
			break;
		if (!PQconsumeInput(c) || PQstatus(c) != CONNECTION_OK) {
			log_warn("store: the database's notifications were lost: %s",
				 PQerrorMessage(c));
			PQfinish(c);
			c = NULL;
			continue;
		}
		while ((n = PQnotifies(c)) != NULL) {
			s->woken(n->extra, s->woken_arg);
			PQfreemem(n);
		}
	}
	PQfinish(c);
	return NULL;
}

static int pg_watch_tasks(struct ecs_store *s,
			  void (*fn)(const char *instance, void *arg), void *arg)
{
	s->woken = fn;
	s->woken_arg = arg;
	if (pthread_create(&s->listener, NULL, listener_main, s))
		return -EAGAIN;
	s->listening = true;
	return 0;
}

const struct ecs_store_ops store_pg_ops = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.disk_put = pg_disk_put,
	.disk_get = pg_disk_get,
	.disk_delete = pg_disk_delete,
	.disk_list = pg_disk_list,
	.disk_count_from = pg_disk_count_from,
	.snapshot_put = pg_snapshot_put,
	.snapshot_get = pg_snapshot_get,
	.snapshot_delete = pg_snapshot_delete,
	.snapshot_list = pg_snapshot_list,
	.instance_put = pg_instance_put,
	.instance_get = pg_instance_get,
	.instance_list = pg_instance_list,
	.task_add = pg_task_add,
	.task_get = pg_task_get,
	.task_list_open = pg_task_list_open,
	.task_set_state = pg_task_set_state,
	.token_get = pg_token_get,
	.token_put = pg_token_put,
	.default_encryption_get = pg_default_get,
	.default_encryption_put = pg_default_put,
	.audit_head = pg_audit_head,
	.audit_hash = pg_audit_hash,
	.audit_put = pg_audit_put,
	.audit_list = pg_audit_list,
	.audit_finding_put = pg_audit_finding_put,
	.audit_finding_list = pg_audit_finding_list,
	.task_outcome_put = pg_task_outcome_put,
	.task_outcome_list = pg_task_outcome_list,
	.attachment_put = pg_attachment_put,
	.attachment_delete = pg_attachment_delete,
	.attachment_list = pg_attachment_list,
	.nonce_use = pg_nonce_use,
	.watch_tasks = pg_watch_tasks,
};
