// SPDX-License-Identifier: GPL-2.0
/* Parked AgentPolls (link.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "link.h"
#include "model.h"

#define LINK_MAX_INSTANCES 4096

struct link_slot {
	char instance[ECS_ID_MAX];
	uint64_t generation;
	void *parked;			/* cookie of the parked poll, or NULL */
	int64_t deadline_ms;
};

struct agent_link {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	pthread_t timer;
	bool stopping;			/* the timer thread ends */
	bool unparking;			/* no poll is parked any more */
	int n_parked;
	unsigned int wait_ms;
	void (*resume)(void *cookie);
	size_t n;
	struct link_slot slots[LINK_MAX_INSTANCES];
};

static struct link_slot *slot(struct agent_link *l, const char *instance)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->slots[i].instance, instance))
			return &l->slots[i];
	if (l->n == LINK_MAX_INSTANCES)
		return NULL;
	memset(&l->slots[l->n], 0, sizeof(l->slots[0]));
	strncpy(l->slots[l->n].instance, instance, ECS_ID_MAX - 1);
	return &l->slots[l->n++];
}

/* Resumes the polls whose deadline passed; sleeps until the next one. */
static void *timer_main(void *arg)
{
	struct agent_link *l = arg;

	pthread_mutex_lock(&l->lock);
	while (!l->stopping) {
		int64_t now = now_ms(), next = now + 1000;
		void *due = NULL;
		struct timespec ts;

		for (size_t i = 0; i < l->n && !due; i++) {
			struct link_slot *s = &l->slots[i];

			if (!s->parked)
				continue;
			if (s->deadline_ms <= now) {
				due = s->parked;
				s->parked = NULL;
			} else if (s->deadline_ms < next) {
				next = s->deadline_ms;
			}
		}
		if (due) {
			pthread_mutex_unlock(&l->lock);
			l->resume(due);
			pthread_mutex_lock(&l->lock);
			continue;
		}
		ts.tv_sec = next / 1000;
		ts.tv_nsec = (next % 1000) * 1000000;
		pthread_cond_timedwait(&l->changed, &l->lock, &ts);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

int link_start(unsigned int wait_ms, void (*resume)(void *cookie),
	       struct agent_link **out)
{
	struct agent_link *l = calloc(1, sizeof(*l));
	pthread_condattr_t ca;

	if (!l)
		return -ENOMEM;
	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_REALTIME);
	pthread_cond_init(&l->changed, &ca);
	pthread_condattr_destroy(&ca);
	l->wait_ms = wait_ms;
	l->resume = resume;
	if (pthread_create(&l->timer, NULL, timer_main, l)) {
		free(l);
		return -EAGAIN;
	}
	*out = l;
	return 0;
}

void link_stop(struct agent_link *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->lock);
	l->stopping = true;
	pthread_cond_signal(&l->changed);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->timer, NULL);
	free(l);
}

uint64_t link_generation(struct agent_link *l, const char *instance)
{
	struct link_slot *s;
	uint64_t g = 0;

	pthread_mutex_lock(&l->lock);
	s = slot(l, instance);
	if (s)
		g = s->generation;
	pthread_mutex_unlock(&l->lock);
	return g;
}

int link_park(struct agent_link *l, const char *instance, uint64_t gen,
	      void *cookie)
{
	struct link_slot *s;
	void *older = NULL;
	int r = 0;

	pthread_mutex_lock(&l->lock);
	s = slot(l, instance);
	if (l->unparking) {
		r = -ESHUTDOWN;
	} else if (!s) {
		r = -ENOSPC;
	} else if (s->generation != gen) {
		r = -EAGAIN;
	} else {
		/* A restarted agent's new poll replaces its old one. */
		older = s->parked;
		s->parked = cookie;
		s->deadline_ms = now_ms() + l->wait_ms;
		pthread_cond_signal(&l->changed);
	}
	pthread_mutex_unlock(&l->lock);
	if (older)
		l->resume(older);
	return r;
}

void link_unpark_all(struct agent_link *l, long timeout_ms)
{
	pthread_mutex_lock(&l->lock);
	l->unparking = true;
	for (size_t i = 0; i < l->n; i++) {
		void *parked = l->slots[i].parked;

		if (!parked)
			continue;
		l->slots[i].parked = NULL;
		l->n_parked++;
		pthread_mutex_unlock(&l->lock);
		l->resume(parked);
		pthread_mutex_lock(&l->lock);
	}
	pthread_mutex_unlock(&l->lock);
	/* The resumed polls answer on MHD's threads; link_answered() counts. */
	for (long waited = 0; waited < timeout_ms; waited += 10) {
		pthread_mutex_lock(&l->lock);
		if (!l->n_parked) {
			pthread_mutex_unlock(&l->lock);
			return;
		}
		pthread_mutex_unlock(&l->lock);
		usleep(10 * 1000);
	}
}

void link_answered(struct agent_link *l)
{
	pthread_mutex_lock(&l->lock);
	if (l->unparking && l->n_parked > 0)
		l->n_parked--;
	pthread_mutex_unlock(&l->lock);
}

void link_forget(struct agent_link *l, void *cookie)
{
	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < l->n; i++)
		if (l->slots[i].parked == cookie)
			l->slots[i].parked = NULL;
	pthread_mutex_unlock(&l->lock);
}

void link_wake(struct agent_link *l, const char *instance)
{
	struct link_slot *s;
	void *parked = NULL;

	pthread_mutex_lock(&l->lock);
	s = slot(l, instance);
	if (s) {
		s->generation++;
		parked = s->parked;
		s->parked = NULL;
	}
	pthread_mutex_unlock(&l->lock);
	if (parked)
		l->resume(parked);
}

bool link_parked(struct agent_link *l, const char *instance)
{
	struct link_slot *s;
	bool parked = false;

	pthread_mutex_lock(&l->lock);
	s = slot(l, instance);
	if (s)
		parked = s->parked != NULL;
	pthread_mutex_unlock(&l->lock);
	return parked;
}

unsigned int link_wait_ms(const struct agent_link *l)
{
	return l->wait_ms;
}
