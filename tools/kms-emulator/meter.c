// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "meter.h"
#include "store.h"

struct meter_entry {
	char region[KMS_REGION_MAX + 1];
	char access_key[128];
	char action[64];
	unsigned long long count;
	unsigned long long stored;	/* count as last written */
};

struct meter {
	pthread_mutex_t lock;		/* guards everything below */
	struct meter_entry *v;
	size_t n;
	size_t cap;
};

/* Caller holds the lock.  NULL on allocation failure. */
static struct meter_entry *entry(struct meter *m, const char *region,
				 const char *access_key, const char *action)
{
	struct meter_entry *e;
	size_t i;

	for (i = 0; i < m->n; i++) {
		e = &m->v[i];
		if (!strcmp(e->action, action) && !strcmp(e->region, region) &&
		    !strcmp(e->access_key, access_key))
			return e;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;

		e = realloc(m->v, cap * sizeof(*e));
		if (!e)
			return NULL;
		m->v = e;
		m->cap = cap;
	}
	e = &m->v[m->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->region, sizeof(e->region), "%s", region);
	snprintf(e->access_key, sizeof(e->access_key), "%s", access_key);
	snprintf(e->action, sizeof(e->action), "%s", action);
	return e;
}

int meter_init(struct emulator *emu)
{
	struct meter *m = calloc(1, sizeof(*m));
	sqlite3_stmt *st;
	int rc;

	if (!m)
		return -ENOMEM;
	pthread_mutex_init(&m->lock, NULL);
	emu->meter = m;
	st = store_prepare(emu, "SELECT region, access_key, action, count"
			   " FROM meter");
	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct meter_entry *e = entry(m, store_text(st, 0),
					      store_text(st, 1),
					      store_text(st, 2));

		if (!e)
			break;
		e->count = e->stored = (unsigned long long)sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

void meter_free(struct emulator *emu)
{
	struct meter *m = emu->meter;

	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->v);
	free(m);
	emu->meter = NULL;
}

void meter_count(struct emulator *emu, const char *region,
		 const char *access_key, const char *action)
{
	struct meter *m = emu->meter;
	struct meter_entry *e;

	pthread_mutex_lock(&m->lock);
	e = entry(m, region, access_key, action);
	if (e)
		e->count++;
	pthread_mutex_unlock(&m->lock);
}

int meter_flush(struct emulator *emu)
{
	struct meter *m = emu->meter;
	sqlite3_stmt *st;
	size_t i;
	int ret = 0;

	st = store_prepare(emu,
		"INSERT INTO meter (region, access_key, action, count)"
		" VALUES (?, ?, ?, ?) ON CONFLICT (region, access_key, action)"
		" DO UPDATE SET count = excluded.count");
	if (!st)
		return -EIO;
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->n && !ret; i++) {
		struct meter_entry *e = &m->v[i];

		if (e->count == e->stored)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, e->region, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, e->access_key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, e->action, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)e->count);
		ret = store_step_done(emu, st);
		if (!ret)
			e->stored = e->count;
	}
	pthread_mutex_unlock(&m->lock);
	sqlite3_finalize(st);
	return ret;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct meter_entry *x = a, *y = b;
	int r = strcmp(x->region, y->region);

	if (!r)
		r = strcmp(x->access_key, y->access_key);
	return r ? r : strcmp(x->action, y->action);
}

struct json_object *meter_json(struct emulator *emu)
{
	struct json_object *out = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	struct meter *m = emu->meter;
	unsigned long long total = 0;
	size_t i;

	pthread_mutex_lock(&m->lock);
	qsort(m->v, m->n, sizeof(*m->v), cmp_entry);
	for (i = 0; i < m->n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "RegionId",
				       json_object_new_string(m->v[i].region));
		json_object_object_add(o, "AccessKeyId",
				       json_object_new_string(m->v[i].access_key));
		json_object_object_add(o, "Action",
				       json_object_new_string(m->v[i].action));
		json_object_object_add(o, "Count",
				       json_object_new_int64((int64_t)m->v[i].count));
		json_object_array_add(arr, o);
		total += m->v[i].count;
	}
	pthread_mutex_unlock(&m->lock);
	json_object_object_add(out, "Metering", arr);
	json_object_object_add(out, "TotalCount",
			       json_object_new_int64((int64_t)total));
	return out;
}
