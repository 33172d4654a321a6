/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local user behind a loopback TCP connection: the kernel's sock_diag
 * interface (what "ss -e" shows) looked up for the client's own socket.
 */
#ifndef ECSENC_PEER_UID_H
#define ECSENC_PEER_UID_H

#include <netinet/in.h>
#include <sys/types.h>

/*
 * @peer: the client's address, @local: ours (the accepted socket's).
 * 0 and *uid; -ENOENT when the client socket is not in our network
 * namespace (or already gone); -errno on netlink failure.
 */
int peer_uid(const struct sockaddr_in *peer, const struct sockaddr_in *local,
	     uid_t *uid);

#endif
