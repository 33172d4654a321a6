// SPDX-License-Identifier: GPL-2.0
/* Console sessions in memory (session.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "credentials.h"
#include "kms_sign.h"
#include "session.h"
#include "store.h"

struct session {
	char id[SESSION_ID_LEN + 1];	/* "" when the slot is free */
	struct session_view view;
	time_t last_used;
};

/* Wrong secrets given for a key of --credentials. */
struct sign_in_failures {
	const struct credential *key;	/* NULL: a free entry */
	time_t window_start;
	unsigned int count;
};

#define FAILURE_KEYS	64

struct session_table {
	pthread_mutex_t lock;		/* guards @slots and @failures */
	unsigned int idle_timeout_s;
	struct session slots[SESSION_MAX];
	struct sign_in_failures failures[FAILURE_KEYS];
	/* With console_session_*: the sessions are the store's, not @slots. */
	const struct ecs_store_ops *ops;
	struct ecs_store *store;
};

int session_table_new(unsigned int idle_timeout_s, struct session_table **out)
{
	struct session_table *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	t->idle_timeout_s = idle_timeout_s;
	*out = t;
	return 0;
}

void session_table_free(struct session_table *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	explicit_bzero(t->slots, sizeof(t->slots));
	free(t);
}

unsigned int session_idle_timeout(const struct session_table *t)
{
	return t->idle_timeout_s;
}

static int random_hex(char *out, size_t len)
{
	unsigned char raw[SESSION_ID_LEN / 2];

	if (len != sizeof(raw) * 2 + 1 ||
	    getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

void session_table_share(struct session_table *t, const struct ecs_store_ops *ops,
			 struct ecs_store *store)
{
	if (!ops->console_session_put || !ops->console_session_touch ||
	    !ops->console_session_delete)
		return;
	t->ops = ops;
	t->store = store;
}

static bool shared(const struct session_table *t)
{
	return t->ops != NULL;
}

/* What the store keeps of session @id: its SHA-256, never the id. */
static void id_hash(const char *id, char out[KMS_SHA256_HEX_LEN + 1])
{
	kms_sha256_hex(id, strlen(id), out);
}

static void view_of_row(const struct session_table *t,
			const struct ecs_console_session *c, struct session_view *v)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->csrf, sizeof(v->csrf), "%s", c->csrf);
	snprintf(v->access_key_id, sizeof(v->access_key_id), "%s", c->access_key_id);
	snprintf(v->account, sizeof(v->account), "%s", c->account);
	v->expires = (time_t)c->last_used + t->idle_timeout_s;
}

/* A new session in the store: its id in @id. */
static int open_shared(struct session_table *t, const struct credential *c,
		       time_t now, char *id, struct session_view *view)
{
	struct ecs_console_session row = { .last_used = now };
	int r;

	r = random_hex(id, SESSION_ID_LEN + 1);
	if (r == 0)
		r = random_hex(row.csrf, sizeof(row.csrf));
	if (r < 0)
		goto out;
	id_hash(id, row.id_hash);
	snprintf(row.access_key_id, sizeof(row.access_key_id), "%s", c->id);
	snprintf(row.account, sizeof(row.account), "%s", c->extra[0]);
	r = t->ops->console_session_put(t->store, &row,
					now - (time_t)t->idle_timeout_s);
	if (r == 0)
		view_of_row(t, &row, view);
out:
	if (r < 0)
		explicit_bzero(id, SESSION_ID_LEN + 1);
	explicit_bzero(&row, sizeof(row));
	return r < 0 ? -EIO : 0;
}

static bool same(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

static bool expired(const struct session_table *t, const struct session *s,
		    time_t now)
{
	return now - s->last_used >= (time_t)t->idle_timeout_s;
}

/* The slot of live session @id, or NULL; an expired one is freed. */
static struct session *find(struct session_table *t, const char *id, time_t now)
{
	if (strlen(id) != SESSION_ID_LEN)
		return NULL;
	for (size_t i = 0; i < SESSION_MAX; i++) {
		struct session *s = &t->slots[i];

		if (!s->id[0] || !same(s->id, id))
			continue;
		if (expired(t, s, now)) {
			explicit_bzero(s, sizeof(*s));
			return NULL;
		}
		return s;
	}
	return NULL;
}

/*
 * Whether @secret is @want, in a time that tells nothing of either: their
 * digests are compared, whatever their lengths.
 */
static bool secret_matches(const char *want, const char *secret)
{
	unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
	bool ok;

	SHA256((const unsigned char *)want, strlen(want), a);
	SHA256((const unsigned char *)secret, strlen(secret), b);
	ok = CRYPTO_memcmp(a, b, sizeof(a)) == 0;
	explicit_bzero(a, sizeof(a));
	explicit_bzero(b, sizeof(b));
	return ok;
}

/* The failure count of key @c in its current window; NULL for no key. */
static struct sign_in_failures *failures_of(struct session_table *t,
					    const struct credential *c, time_t now)
{
	struct sign_in_failures *f = NULL, *oldest = &t->failures[0];

	if (!c)
		return NULL;
	for (size_t i = 0; i < FAILURE_KEYS && !f; i++) {
		if (t->failures[i].key == c)
			f = &t->failures[i];
		else if (t->failures[i].window_start < oldest->window_start)
			oldest = &t->failures[i];
	}
	if (!f) {
		f = oldest;
		f->key = c;
		f->count = 0;
		f->window_start = now;
	}
	if (now - f->window_start >= SESSION_FAILURES_WINDOW) {
		f->count = 0;
		f->window_start = now;
	}
	return f;
}

int session_open(struct session_table *t, const struct credentials *users,
		 const char *ak, const char *secret, char *id,
		 struct session_view *view)
{
	const struct credential *c = credentials_find(users, ak);
	struct session *free_slot = NULL;
	struct sign_in_failures *f;
	time_t now = time(NULL);
	int r = 0;

	pthread_mutex_lock(&t->lock);
	f = failures_of(t, c, now);
	if (f && f->count >= SESSION_FAILURES_MAX) {
		r = -EAGAIN;
		goto out;
	}
	/* The same work whether the key exists or not. */
	if (!secret_matches(c ? c->secret : "", secret) || !c) {
		if (f)
			f->count++;
		r = -EACCES;
		goto out;
	}
	if (f)
		memset(f, 0, sizeof(*f));
	if (shared(t)) {
		r = open_shared(t, c, now, id, view);
		goto out;
	}
	for (size_t i = 0; i < SESSION_MAX && !free_slot; i++) {
		struct session *s = &t->slots[i];

		if (s->id[0] && expired(t, s, now))
			explicit_bzero(s, sizeof(*s));
		if (!s->id[0])
			free_slot = s;
	}
	if (!free_slot) {
		r = -ENOSPC;
		goto out;
	}
	if (random_hex(free_slot->id, sizeof(free_slot->id)) < 0 ||
	    random_hex(free_slot->view.csrf, sizeof(free_slot->view.csrf)) < 0) {
		explicit_bzero(free_slot, sizeof(*free_slot));
		r = -EIO;
		goto out;
	}
	snprintf(free_slot->view.access_key_id, sizeof(free_slot->view.access_key_id),
		 "%s", c->id);
	snprintf(free_slot->view.account, sizeof(free_slot->view.account), "%s",
		 c->extra[0]);
	free_slot->last_used = now;
	free_slot->view.expires = now + t->idle_timeout_s;
	memcpy(id, free_slot->id, sizeof(free_slot->id));
	*view = free_slot->view;
out:
	pthread_mutex_unlock(&t->lock);
	return r;
}

int session_touch(struct session_table *t, const char *id, time_t now,
		  struct session_view *view)
{
	struct ecs_console_session row;
	char hash[KMS_SHA256_HEX_LEN + 1];
	struct session *s;
	int r;

	if (shared(t)) {
		if (strlen(id) != SESSION_ID_LEN)
			return -ENOENT;
		id_hash(id, hash);
		r = t->ops->console_session_touch(t->store, hash, now,
						  now - (time_t)t->idle_timeout_s, &row);
		if (r == 0)
			view_of_row(t, &row, view);
		explicit_bzero(&row, sizeof(row));
		return r == 0 || r == -ENOENT ? r : -EIO;
	}
	pthread_mutex_lock(&t->lock);
	s = find(t, id, now);
	if (s) {
		s->last_used = now;
		s->view.expires = now + t->idle_timeout_s;
		*view = s->view;
	}
	pthread_mutex_unlock(&t->lock);
	return s ? 0 : -ENOENT;
}

bool session_csrf_ok(const struct session_view *view, const char *token)
{
	return token && view->csrf[0] && same(view->csrf, token);
}

void session_close(struct session_table *t, const char *id)
{
	char hash[KMS_SHA256_HEX_LEN + 1];
	struct session *s;

	if (shared(t)) {
		id_hash(id, hash);
		t->ops->console_session_delete(t->store, hash);
		return;
	}

	pthread_mutex_lock(&t->lock);
	s = find(t, id, time(NULL));
	if (s)
		explicit_bzero(s, sizeof(*s));
	pthread_mutex_unlock(&t->lock);
}
