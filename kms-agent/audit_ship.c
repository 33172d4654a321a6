// SPDX-License-Identifier: GPL-2.0
/* Shipping the audit trail to ecs-api (audit_ship.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "audit_ship.h"
#include "ecs_servers.h"
#include "log.h"

#define SHIP_BATCH		100		/* records per call */
#define SHIP_BATCH_BYTES	(256 * 1024)
#define SHIP_TIMEOUT_MS		5000
#define SHIP_RETRY_MIN_MS	250		/* after a failed call, doubling */
#define SHIP_RETRY_MAX_MS	2000
#define SHIP_REFUSED_MS		10000		/* after the server refused a record */
#define SHIP_IDLE_MS		1000		/* a wait for the next record */
#define SHIP_GATHER_MS		100		/* then for those close behind it */

struct audit_ship {
	struct agent *agent;
	struct ecs_servers servers;	/* the link's, called as it calls them */
	pthread_t thread;
	volatile int stop;
	long long head;			/* the server's last record; -1 unknown */
	off_t hint;			/* where the last batch ended in the log */
	long long seen;			/* the log's last record when read */
	long retry_ms;
	long long refused_seq;		/* the last refusal reported; 0 none */
};

static void pause_ms(struct audit_ship *s, long ms)
{
	for (long waited = 0; waited < ms && !s->stop; waited += 50)
		usleep(50 * 1000);
}

/* What the server answered: its head, and a record it refused. */
static void take_answer(struct audit_ship *s, const struct kms_response *resp,
			int *refused)
{
	struct json_object *v, *r;
	long long seq = 0;

	if (json_object_object_get_ex(resp->body, "HeadSeq", &v))
		s->head = json_object_get_int64(v);
	*refused = json_object_object_get_ex(resp->body, "Refused", &r);
	if (!*refused)
		return;
	if (json_object_object_get_ex(r, "Seq", &v))
		seq = json_object_get_int64(v);
	if (seq != s->refused_seq) {
		json_object_object_get_ex(r, "Reason", &v);
		log_err("ecs-api refused audit record Seq %lld: %s; it keeps Seq 1 to %lld, and the records after stay on this host",
			seq, v ? json_object_get_string(v) : "?", s->head);
		s->refused_seq = seq;
	}
}

/* One call: @lines (NULL: none, to learn the head).  0, or -errno. */
static int ship(struct audit_ship *s, struct json_object *lines, int *refused)
{
	const char *text = lines ? json_object_to_json_string_ext(lines, JSON_C_TO_STRING_PLAIN) : "[]";
	const char *const params[] = { "Records", text, NULL };
	struct kms_response resp = { 0 };
	int r = ecs_servers_call(&s->servers, "AgentAuditShip", params, &resp);

	*refused = 0;
	if (r == 0)
		take_answer(s, &resp, refused);
	else
		log_warn("ecs-api: AgentAuditShip failed: %s%s%s; the records wait on this host",
			 strerror(-r), resp.code[0] ? ": " : "", resp.code);
	kms_response_release(&resp);
	return r;
}

static void *ship_main(void *arg)
{
	struct audit_ship *s = arg;
	struct audit_log *log = s->agent->audit;

	while (!s->stop) {
		struct json_object *lines = NULL;
		size_t n = 0;
		int refused = 0, r;

		if (s->head >= 0) {
			lines = json_object_new_array();
			r = audit_read_after(log, s->head, SHIP_BATCH, SHIP_BATCH_BYTES,
					     &s->hint, lines);
			n = r == 0 ? json_object_array_length(lines) : 0;
			if (r < 0 && r != -EPERM)
				log_warn("audit log: cannot read records to ship: %s", strerror(-r));
			if (r < 0) {
				json_object_put(lines);
				pause_ms(s, SHIP_REFUSED_MS);
				continue;
			}
			if (!n) {
				/*
				 * Until a record is added (the first wait may be
				 * short), and a moment more: a KMS call makes two,
				 * and calls come in bursts; one batch for them.
				 */
				long long before = s->seen;

				json_object_put(lines);
				s->seen = audit_wait_after(log, s->seen, SHIP_IDLE_MS);
				if (s->seen > before && before >= 0)
					pause_ms(s, SHIP_GATHER_MS);
				continue;
			}
		}
		r = ship(s, lines, &refused);
		json_object_put(lines);
		if (r < 0) {
			s->head = -1;	/* the answer may be lost: ask again */
			pause_ms(s, s->retry_ms);
			s->retry_ms = s->retry_ms * 2 > SHIP_RETRY_MAX_MS ?
				      SHIP_RETRY_MAX_MS : s->retry_ms * 2;
			continue;
		}
		s->retry_ms = SHIP_RETRY_MIN_MS;
		if (n)
			log_debug("shipped %zu audit records; ecs-api holds up to Seq %lld",
				  n, s->head);
		if (refused)
			pause_ms(s, SHIP_REFUSED_MS);
	}
	return NULL;
}

int audit_ship_start(struct agent *a, const struct kms_client_config *cfg,
		     const char *const *urls, size_t n_urls, struct audit_ship **out)
{
	struct audit_ship *s;
	struct kms_client_config c = *cfg;
	int r;

	if (!a->audit)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->agent = a;
	s->head = -1;
	s->seen = -1;
	s->retry_ms = SHIP_RETRY_MIN_MS;
	c.timeout_ms = SHIP_TIMEOUT_MS;
	r = ecs_servers_init(&s->servers, &c, urls, n_urls);
	if (r < 0)
		goto fail;
	if (pthread_create(&s->thread, NULL, ship_main, s)) {
		r = -EAGAIN;
		ecs_servers_release(&s->servers);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	free(s);
	return r;
}

void audit_ship_stop(struct audit_ship *s)
{
	if (!s)
		return;
	s->stop = 1;
	pthread_join(s->thread, NULL);
	ecs_servers_release(&s->servers);
	free(s);
}
