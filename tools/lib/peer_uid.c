// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "peer_uid.h"

struct diag_request {
	struct nlmsghdr nlh;
	struct inet_diag_req_v2 req;
};

int peer_uid(const struct sockaddr_in *peer, const struct sockaddr_in *local,
	     uid_t *uid)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct diag_request rq = {
		.nlh = {
			.nlmsg_len = sizeof(rq),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST,
		},
		.req = {
			.sdiag_family = AF_INET,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = ~0u,
			/* The client's socket: its source is the peer. */
			.id = {
				.idiag_sport = peer->sin_port,
				.idiag_dport = local->sin_port,
				.idiag_src = { peer->sin_addr.s_addr },
				.idiag_dst = { local->sin_addr.s_addr },
				.idiag_cookie = { INET_DIAG_NOCOOKIE,
						  INET_DIAG_NOCOOKIE },
			},
		},
	};
	union {
		struct nlmsghdr nlh;
		char buf[8192];
	} ans;
	struct timeval tv = { .tv_sec = 1 };
	const struct inet_diag_msg *msg;
	ssize_t n;
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(fd, &rq, sizeof(rq), 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		ret = -errno;
		goto out;
	}
	n = recv(fd, &ans, sizeof(ans), 0);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	ret = -EPROTO;
	if (!NLMSG_OK(&ans.nlh, (size_t)n))
		goto out;
	if (ans.nlh.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(&ans.nlh);

		if (ans.nlh.nlmsg_len >= NLMSG_LENGTH(sizeof(*e)))
			ret = e->error ? e->error : -ENOENT;
		goto out;
	}
	if (ans.nlh.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    ans.nlh.nlmsg_len < NLMSG_LENGTH(sizeof(*msg)))
		goto out;
	msg = NLMSG_DATA(&ans.nlh);
	*uid = msg->idiag_uid;
	ret = 0;
out:
	close(fd);
	return ret;
}
