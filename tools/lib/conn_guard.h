/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What one client may hold of the HTTP server, which any local user can
 * reach:
 *
 *  - at most @max_per_client connections at once.  A client is the local
 *    user (uid) behind a loopback connection, since every local client
 *    shares 127.0.0.1 and a per-address limit would let one user use up
 *    everyone's share; for other peers it is the IPv4 address.
 *  - a request's headers and body must all arrive within @deadline_s of
 *    the accept (or, on a keep-alive connection, of the previous answer).
 *    An idle timeout would be reset by every trickled header line; this
 *    deadline is not.  A watchdog thread shuts down connections that miss
 *    it.  A request being handled or answered has no deadline.
 *
 * The guard keeps its own dup() of each connection's socket, so the
 * watchdog never shuts down a descriptor number the server has reused.
 */
#ifndef ECSENC_CONN_GUARD_H
#define ECSENC_CONN_GUARD_H

#include <netinet/in.h>

struct conn_guard;
struct conn_slot;

/* @max_per_client >= 1. */
int conn_guard_start(unsigned int max_per_client, unsigned int deadline_s,
		     struct conn_guard **out);
/* Stops the watchdog and logs what the guard refused and cut. */
void conn_guard_stop(struct conn_guard *g);

/*
 * A connection accepted on @fd from @peer.  NULL when its client already
 * holds its share (or on ENOMEM): the caller must close the connection.
 */
struct conn_slot *conn_guard_accept(struct conn_guard *g, int fd,
				    const struct sockaddr_in *peer);
/* The whole request has arrived: no deadline while it is handled. */
void conn_guard_request_in(struct conn_slot *s);
/* The request is over: the next one's deadline runs from now. */
void conn_guard_request_done(struct conn_slot *s);
/* The connection is closed; @s may be NULL. */
void conn_guard_close(struct conn_slot *s);

#endif
