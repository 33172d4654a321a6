/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replay protection: each (AccessKeyId, SignatureNonce) is accepted once
 * while its request's Timestamp is inside the window.  The nonces live in
 * DIR/nonces.db, a SQLite database of its own (WAL, synchronous=NORMAL),
 * so that they survive a restart or a kill -9 of the emulator without an
 * fsync per request, and never wait for the lock of kms.db.  A power loss
 * can forget the last nonces; a process crash cannot.
 */
#ifndef KMS_EMU_NONCES_H
#define KMS_EMU_NONCES_H

#include <time.h>

struct nonce_store;

int nonce_store_open(const char *data_dir, struct nonce_store **out);
void nonce_store_close(struct nonce_store *ns);

/*
 * Record a nonce that must not be reused before @expire (real time).
 * 0: first use (or the earlier use has expired); -EEXIST: used; -ENOSPC:
 * the store is full of unexpired nonces; -EIO.
 */
int nonce_store_use(struct nonce_store *ns, const char *access_key,
		    const char *nonce, time_t expire, time_t now);

#endif
