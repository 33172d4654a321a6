// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent_proto.h"
#include "json_wipe.h"
#include "log.h"
#include "server.h"

/* The handler of each operation of the protocol table (agent_ops.c). */
static const op_handler handlers[AGENT_OP_COUNT] = {
	[AGENT_OP_CREATE_DISK] = op_create_disk,
	[AGENT_OP_ATTACH_DISK] = op_attach_disk,
	[AGENT_OP_DETACH_DISK] = op_detach_disk,
	[AGENT_OP_CREATE_SNAPSHOT] = op_create_snapshot,
	[AGENT_OP_RESET_DISK] = op_reset_disk,
	[AGENT_OP_REINIT_DISK] = op_reinit_disk,
	[AGENT_OP_DELETE_DISK] = op_delete_disk,
	[AGENT_OP_DELETE_SNAPSHOT] = op_delete_snapshot,
	[AGENT_OP_DESCRIBE_DISKS] = op_describe_disks,
	[AGENT_OP_DESCRIBE_SNAPSHOTS] = op_describe_snapshots,
	[AGENT_OP_DESCRIBE_KMS_USAGE] = op_describe_kms_usage,
	[AGENT_OP_KMS] = op_kms_call,
	[AGENT_OP_REBUILD_CATALOG] = op_rebuild_catalog,
};

int server_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];
	mode_t old_umask;
	int fd, probe, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	strcpy(dir, path);
	mkdir(dirname(dir), 0755);

	/* A socket nobody answers on is left over from a killed agent. */
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0) {
		if (connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			log_err("another agent is serving %s", path);
			return -EADDRINUSE;
		}
		close(probe);
	}
	unlink(path);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	old_umask = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	if (r < 0 || chmod(path, 0600) < 0 || listen(fd, 16) < 0) {
		r = -errno;
		log_err("socket %s: %s", path, strerror(errno));
		close(fd);
		return r;
	}
	return fd;
}

/* Only root and the agent's own user may drive it. */
static int peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return 0;
	if (cred.uid == 0 || cred.uid == geteuid())
		return 1;
	log_warn("refused a request from uid %u (pid %d)", cred.uid, cred.pid);
	return 0;
}

static struct json_object *dispatch(struct agent *a, struct json_object *req)
{
	struct op_ctx ctx = { .agent = a };
	struct json_object *result = NULL;
	struct agent_request rq;
	const char *name;
	int r;

	r = agent_request_decode(req, &rq, ctx.error, sizeof(ctx.error));
	if (r < 0)
		return proto_reply_error(r, "InvalidParameter", ctx.error);
	name = rq.op->name;
	ctx.op = rq.op->billing;
	ctx.region = rq.region ? rq.region : a->default_region;
	r = handlers[rq.op->id](&ctx, &rq.args, &result);
	if (r < 0) {
		log_info("%s %s: %s", name, ctx.region, ctx.error);
		json_wipe_put(result);
		return proto_reply_error(r, ctx.code, ctx.error[0] ? ctx.error :
					 strerror(-r));
	}
	return proto_reply_ok(result);
}

static void serve_one(struct agent *a, int fd)
{
	struct timeval tv = { .tv_sec = 10 };
	struct json_object *req = NULL, *reply;
	int r;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* Read first even from a stranger, so the refusal is not lost to a reset. */
	r = proto_recv(fd, &req);
	if (!peer_allowed(fd)) {
		reply = proto_reply_error(EACCES, "Forbidden",
					  "only root may use the ecsenc agent");
		goto send;
	}
	if (r < 0) {
		reply = proto_reply_error(r, "InvalidParameter", r == -EMSGSIZE ?
			"request larger than 1 MiB" : "malformed request: not one JSON object");
		goto send;
	}
	reply = dispatch(a, req);
send:
	proto_send(fd, reply);
	/* A kms reply may hold key-management secrets (import tokens). */
	json_wipe_put(reply);
	json_object_put(req);
}

int server_run(struct agent *a, int listen_fd, volatile int *stop)
{
	struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };

	while (!*stop) {
		int fd;

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		serve_one(a, fd);
		close(fd);
	}
	return 0;
}
