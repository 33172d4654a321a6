// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conn_guard.h"
#include "log.h"
#include "peer_uid.h"

#define WATCHDOG_PERIOD_MS 200

enum slot_state {
	SLOT_WAITING,		/* receiving a request, under the deadline */
	SLOT_HANDLING,		/* the request is in; no deadline */
	SLOT_CUT,		/* shut down by the watchdog */
};

/* One client and the connections it holds. */
struct client {
	int is_uid;		/* @id is a uid, else an IPv4 address */
	uint32_t id;
	unsigned int conns;
	int warned;		/* told the log it hit its limit */
};

struct conn_slot {
	struct conn_guard *guard;
	struct conn_slot *prev, *next;
	int fd;			/* our dup() of the socket */
	int is_uid;
	uint32_t id;
	enum slot_state state;
	long since_ms;		/* start of the current request's deadline */
};

struct conn_guard {
	unsigned int max_per_client;
	long deadline_ms;
	pthread_t watchdog;
	pthread_mutex_t lock;	/* guards everything below */
	pthread_cond_t wake;
	int stopping;
	struct conn_slot *slots;	/* every open connection */
	struct client *clients;
	size_t nclients, cap;
	unsigned long refused, cut;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void client_name(int is_uid, uint32_t id, char *buf, size_t len)
{
	struct in_addr a = { .s_addr = id };

	if (is_uid)
		snprintf(buf, len, "uid %u", id);
	else
		snprintf(buf, len, "%s", inet_ntoa(a));
}

/* Caller holds g->lock.  NULL on ENOMEM. */
static struct client *client_get(struct conn_guard *g, int is_uid,
				 uint32_t id)
{
	size_t i;

	for (i = 0; i < g->nclients; i++)
		if (g->clients[i].is_uid == is_uid && g->clients[i].id == id)
			return &g->clients[i];
	if (g->nclients == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 16;
		struct client *c = realloc(g->clients, cap * sizeof(*c));

		if (!c)
			return NULL;
		g->clients = c;
		g->cap = cap;
	}
	g->clients[g->nclients] = (struct client){ .is_uid = is_uid, .id = id };
	return &g->clients[g->nclients++];
}

/* Caller holds g->lock; a client without connections is forgotten. */
static void client_put(struct conn_guard *g, struct client *c)
{
	if (--c->conns)
		return;
	*c = g->clients[--g->nclients];
}

/* Who is behind @fd: the local user for loopback, else the address. */
static void identify(int fd, const struct sockaddr_in *peer, int *is_uid,
		     uint32_t *id)
{
	struct sockaddr_in local;
	socklen_t len = sizeof(local);
	uid_t uid;

	*is_uid = 0;
	*id = peer->sin_addr.s_addr;
	if ((ntohl(peer->sin_addr.s_addr) >> 24) != 127 ||
	    getsockname(fd, (struct sockaddr *)&local, &len) < 0 ||
	    local.sin_family != AF_INET || peer_uid(peer, &local, &uid))
		return;
	*is_uid = 1;
	*id = (uint32_t)uid;
}

struct conn_slot *conn_guard_accept(struct conn_guard *g, int fd,
				    const struct sockaddr_in *peer)
{
	struct conn_slot *s = calloc(1, sizeof(*s));
	struct client *c;
	char name[32];

	if (!s)
		return NULL;
	s->guard = g;
	identify(fd, peer, &s->is_uid, &s->id);
	s->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (s->fd < 0) {
		log_warn("cannot watch a connection: %m");
		free(s);
		return NULL;
	}
	pthread_mutex_lock(&g->lock);
	c = client_get(g, s->is_uid, s->id);
	if (!c || c->conns >= g->max_per_client) {
		g->refused++;
		if (c && !c->warned) {
			client_name(s->is_uid, s->id, name, sizeof(name));
			log_warn("client %s holds %u connections, its limit: closing new ones",
				 name, c->conns);
			c->warned = 1;
		}
		pthread_mutex_unlock(&g->lock);
		close(s->fd);
		free(s);
		return NULL;
	}
	c->conns++;
	s->state = SLOT_WAITING;
	s->since_ms = now_ms();
	s->next = g->slots;
	if (g->slots)
		g->slots->prev = s;
	g->slots = s;
	pthread_mutex_unlock(&g->lock);
	return s;
}

void conn_guard_request_in(struct conn_slot *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->guard->lock);
	if (s->state == SLOT_WAITING)
		s->state = SLOT_HANDLING;
	pthread_mutex_unlock(&s->guard->lock);
}

void conn_guard_request_done(struct conn_slot *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->guard->lock);
	if (s->state != SLOT_CUT) {
		s->state = SLOT_WAITING;
		s->since_ms = now_ms();
	}
	pthread_mutex_unlock(&s->guard->lock);
}

void conn_guard_close(struct conn_slot *s)
{
	struct conn_guard *g;
	struct client *c;

	if (!s)
		return;
	g = s->guard;
	pthread_mutex_lock(&g->lock);
	if (s->prev)
		s->prev->next = s->next;
	else
		g->slots = s->next;
	if (s->next)
		s->next->prev = s->prev;
	c = client_get(g, s->is_uid, s->id);
	if (c)
		client_put(g, c);
	pthread_mutex_unlock(&g->lock);
	close(s->fd);
	free(s);
}

static void *watchdog(void *arg)
{
	struct conn_guard *g = arg;
	struct conn_slot *s;
	struct timespec until;
	long now;

	pthread_mutex_lock(&g->lock);
	while (!g->stopping) {
		now = now_ms();
		for (s = g->slots; s; s = s->next) {
			if (s->state != SLOT_WAITING ||
			    now - s->since_ms < g->deadline_ms)
				continue;
			/* MHD sees the end of the stream and closes it. */
			shutdown(s->fd, SHUT_RDWR);
			s->state = SLOT_CUT;
			g->cut++;
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += WATCHDOG_PERIOD_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->wake, &g->lock, &until);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int conn_guard_start(unsigned int max_per_client, unsigned int deadline_s,
		     struct conn_guard **out)
{
	struct conn_guard *g = calloc(1, sizeof(*g));
	pthread_condattr_t ca;
	int ret;

	if (!g)
		return -ENOMEM;
	g->max_per_client = max_per_client;
	g->deadline_ms = deadline_s * 1000L;
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &ca);
	pthread_condattr_destroy(&ca);
	ret = -pthread_create(&g->watchdog, NULL, watchdog, g);
	if (ret) {
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->lock);
		free(g);
		return ret;
	}
	*out = g;
	return 0;
}

void conn_guard_stop(struct conn_guard *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stopping = 1;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->watchdog, NULL);
	if (g->refused || g->cut)
		log_info("connections refused over a client's limit: %lu; cut at the request deadline: %lu",
			 g->refused, g->cut);
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g->clients);
	free(g);
}
