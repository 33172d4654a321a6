// SPDX-License-Identifier: GPL-2.0
/* Keep-alives while the link runs a task (ecs_keepalive.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ecs_keepalive.h"
#include "ecs_servers.h"
#include "log.h"

#define KEEPALIVE_DEFAULT_MS	15000	/* a third of ecs-api's default 45 s */
#define KEEPALIVE_MIN_MS	100
#define KEEPALIVE_MAX_MS	600000
#define KEEPALIVE_TIMEOUT_MS	5000

struct ecs_keepalive {
	struct ecs_servers servers;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;		/* busy or stop changed */
	bool stop;
	bool busy;
	long interval_ms;
};

static void deadline_after(struct timespec *t, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* One keep-alive; a server that does not answer is left for the next. */
static void keep_alive(struct ecs_keepalive *k)
{
	const char *const params[] = { NULL };
	struct kms_response resp = { 0 };
	struct json_object *v;
	int r = ecs_servers_call(&k->servers, "AgentKeepAlive", params, &resp);

	if (r < 0)
		log_warn("ecs-api: AgentKeepAlive failed: %s%s%s", strerror(-r),
			 resp.code[0] ? ": " : "", resp.code);
	else if (json_object_object_get_ex(resp.body, "KeepAliveMs", &v))
		ecs_keepalive_interval(k, (long)json_object_get_int64(v));
	kms_response_release(&resp);
}

/*
 * Idle until a task begins; then a keep-alive every interval, the first
 * one interval after the task began (its poll answered just before).
 */
static void *keepalive_main(void *arg)
{
	struct ecs_keepalive *k = arg;
	struct timespec due;

	pthread_mutex_lock(&k->lock);
	deadline_after(&due, k->interval_ms);
	while (!k->stop) {
		if (!k->busy) {
			pthread_cond_wait(&k->changed, &k->lock);
			deadline_after(&due, k->interval_ms);
			continue;
		}
		if (pthread_cond_timedwait(&k->changed, &k->lock, &due) != ETIMEDOUT)
			continue;
		deadline_after(&due, k->interval_ms);
		if (!k->busy || k->stop)
			continue;
		pthread_mutex_unlock(&k->lock);
		keep_alive(k);
		pthread_mutex_lock(&k->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return NULL;
}

int ecs_keepalive_start(const struct kms_client_config *cfg,
			const char *const *urls, size_t n_urls,
			struct ecs_keepalive **out)
{
	struct ecs_keepalive *k = calloc(1, sizeof(*k));
	struct kms_client_config c = *cfg;
	pthread_condattr_t attr;
	int r;

	if (!k)
		return -ENOMEM;
	k->interval_ms = KEEPALIVE_DEFAULT_MS;
	c.timeout_ms = KEEPALIVE_TIMEOUT_MS;
	r = ecs_servers_init(&k->servers, &c, urls, n_urls);
	if (r < 0)
		goto fail;
	pthread_mutex_init(&k->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&k->changed, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&k->thread, NULL, keepalive_main, k)) {
		r = -EAGAIN;
		pthread_cond_destroy(&k->changed);
		pthread_mutex_destroy(&k->lock);
		ecs_servers_release(&k->servers);
		goto fail;
	}
	*out = k;
	return 0;
fail:
	free(k);
	return r;
}

void ecs_keepalive_stop(struct ecs_keepalive *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->lock);
	if (k->stop) {
		pthread_mutex_unlock(&k->lock);
		return;
	}
	k->stop = true;
	pthread_cond_signal(&k->changed);
	pthread_mutex_unlock(&k->lock);
	pthread_join(k->thread, NULL);
	ecs_servers_release(&k->servers);
}

void ecs_keepalive_free(struct ecs_keepalive *k)
{
	if (!k)
		return;
	pthread_cond_destroy(&k->changed);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

void ecs_keepalive_busy(struct ecs_keepalive *k, bool busy)
{
	pthread_mutex_lock(&k->lock);
	k->busy = busy;
	pthread_cond_signal(&k->changed);
	pthread_mutex_unlock(&k->lock);
}

void ecs_keepalive_interval(struct ecs_keepalive *k, long ms)
{
	if (ms < KEEPALIVE_MIN_MS || ms > KEEPALIVE_MAX_MS)
		return;
	pthread_mutex_lock(&k->lock);
	k->interval_ms = ms;
	pthread_mutex_unlock(&k->lock);
}
