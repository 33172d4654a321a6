/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Console sessions: a user who signed in with an AccessKey pair holds a
 * random session id (its HttpOnly cookie) and a CSRF token (sent back in
 * a header on every call).  The secret is checked once and never kept.
 * A session unused for the idle timeout is gone; so is one signed out.
 * Sessions live in memory (a restart of ecs-api signs everyone out),
 * unless the store keeps them for every server of it (store.h,
 * console_session_*: PostgreSQL), under the SHA-256 of their id.  The
 * count of wrong secrets stays each server's.
 */
#ifndef ECS_API_SESSION_H
#define ECS_API_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SESSION_ID_LEN		64	/* hex of 32 random bytes */
#define SESSION_MAX		1024
#define SESSION_FAILURES_MAX	10	/* wrong secrets of a key ... */
#define SESSION_FAILURES_WINDOW	60	/* ... within these seconds */

struct credentials;
struct ecs_store;
struct ecs_store_ops;
struct session_table;

/* What a handler may know of a session: a copy, taken under the lock. */
struct session_view {
	char csrf[SESSION_ID_LEN + 1];
	char access_key_id[128];
	char account[64];
	time_t expires;			/* if unused until then */
};

int session_table_new(unsigned int idle_timeout_s, struct session_table **out);
void session_table_free(struct session_table *t);
unsigned int session_idle_timeout(const struct session_table *t);
/* Keep the sessions in @store if its @ops can (else nothing changes). */
void session_table_share(struct session_table *t, const struct ecs_store_ops *ops,
			 struct ecs_store *store);

/*
 * Check @ak/@secret against @users; on success a new session: its id in
 * @id (SESSION_ID_LEN + 1 bytes) and its view.  -EACCES for a wrong pair,
 * -EAGAIN after SESSION_FAILURES_MAX wrong secrets for a key within
 * SESSION_FAILURES_WINDOW seconds (the secret is then not even checked),
 * -ENOSPC when SESSION_MAX live sessions exist (in memory), -EIO when
 * the store cannot keep it.
 */
int session_open(struct session_table *t, const struct credentials *users,
		 const char *ak, const char *secret, char *id,
		 struct session_view *view);
/* The live session @id, its idle time restarted: 0, -ENOENT, or -EIO (the store). */
int session_touch(struct session_table *t, const char *id, time_t now,
		  struct session_view *view);
/* Whether @token is the CSRF token of @view (constant time). */
bool session_csrf_ok(const struct session_view *view, const char *token);
/* End session @id (signing out). */
void session_close(struct session_table *t, const char *id);

#endif
