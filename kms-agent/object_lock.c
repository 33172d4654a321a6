// SPDX-License-Identifier: GPL-2.0
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "agent_ops.h"
#include "object_lock.h"

/* Enough for every connection the server admits (server.c), twice. */
#define OBJECT_LOCK_SLOTS	160

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static char held[OBJECT_LOCK_SLOTS][AGENT_ID_MAX + 1];	/* "" = free */
static size_t n_held;
static bool all_held;

static bool is_held(const char *id)
{
	for (size_t i = 0; i < OBJECT_LOCK_SLOTS; i++)
		if (held[i][0] && !strcmp(held[i], id))
			return true;
	return false;
}

/* The ids to take, NULLs and duplicates dropped, in strcmp order. */
static size_t sorted_ids(const char *const *ids, size_t n,
			 const char **out)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < OBJECT_LOCK_MAX_IDS; i++) {
		size_t j;

		if (!ids[i] || !ids[i][0])
			continue;
		for (j = 0; j < k && strcmp(out[j], ids[i]); j++)
			;
		if (j < k)
			continue;
		out[k++] = ids[i];
	}
	if (k == 2 && strcmp(out[0], out[1]) > 0) {
		const char *t = out[0];

		out[0] = out[1];
		out[1] = t;
	}
	return k;
}

void object_lock(const char *const *ids, size_t n)
{
	const char *want[OBJECT_LOCK_MAX_IDS];
	size_t k = sorted_ids(ids, n, want);

	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < k; i++) {
		size_t slot;

		while (all_held || is_held(want[i]) ||
		       n_held == OBJECT_LOCK_SLOTS)
			pthread_cond_wait(&changed, &mu);
		for (slot = 0; held[slot][0]; slot++)
			;
		strncpy(held[slot], want[i], AGENT_ID_MAX);
		n_held++;
	}
	pthread_mutex_unlock(&mu);
}

void object_unlock(const char *const *ids, size_t n)
{
	const char *want[OBJECT_LOCK_MAX_IDS];
	size_t k = sorted_ids(ids, n, want);

	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < k; i++) {
		for (size_t slot = 0; slot < OBJECT_LOCK_SLOTS; slot++) {
			if (strcmp(held[slot], want[i]))
				continue;
			held[slot][0] = '\0';
			n_held--;
			break;
		}
	}
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&mu);
}

void object_lock_all(void)
{
	pthread_mutex_lock(&mu);
	while (all_held || n_held)
		pthread_cond_wait(&changed, &mu);
	all_held = true;
	pthread_mutex_unlock(&mu);
}

void object_unlock_all(void)
{
	pthread_mutex_lock(&mu);
	all_held = false;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&mu);
}
