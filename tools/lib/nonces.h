/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replay protection for a server of signed requests (the KMS emulator,
 * ecs-api): each (AccessKeyId, SignatureNonce) is accepted once
 * while its request's Timestamp is inside the window.  The nonces live in
 * DIR/nonces.db, a SQLite database of its own (WAL, synchronous=NORMAL),
 * so that they survive a restart or a kill -9 of the server without an
 * fsync per request, and never wait for the server's own database.  A power loss
 * can forget the last nonces; a process crash cannot.
 *
 * The store holds at most NONCE_MAX_ENTRIES unexpired nonces, and each
 * access key at most its quota of them: by default an equal share of the
 * store among the access keys of the credentials file, so that the
 * quotas add up to no more than the store and one key that signs
 * requests as fast as it can is refused alone.
 */
#ifndef ECSENC_NONCES_H
#define ECSENC_NONCES_H

#include <time.h>

/* 30 minutes of requests at about 1 100 per second. */
#define NONCE_MAX_ENTRIES 2000000L

struct nonce_store;

/*
 * @per_key: the quota of one access key (0: an equal share for each of
 * @n_keys keys); never more than that share.
 */
int nonce_store_open(const char *data_dir, long per_key, size_t n_keys,
		     struct nonce_store **out);
/* The quota of one access key. */
long nonce_store_quota(const struct nonce_store *ns);
/* That quota, for a store of nonces kept elsewhere (ecs-api's database). */
long nonce_quota(long per_key, size_t n_keys);
void nonce_store_close(struct nonce_store *ns);

/*
 * Record a nonce that must not be reused before @expire (real time).
 * 0: first use (or the earlier use has expired); -EEXIST: used; -EDQUOT:
 * @access_key holds its quota of unexpired nonces; -ENOSPC: the store is
 * full of them; -EIO.
 */
int nonce_store_use(struct nonce_store *ns, const char *access_key,
		    const char *nonce, time_t expire, time_t now);

#endif
