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
#include "log.h"
#include "server.h"

/* Every op: its protocol name, the ECS operation it is billed as, handler. */
static const struct op_route {
	const char *name;
	const char *billing;
	op_handler handler;
} routes[] = {
	{ "create-disk",	"CreateDisk",		op_create_disk },
	{ "attach-disk",	"AttachDisk",		op_attach_disk },
	{ "detach-disk",	"DetachDisk",		op_detach_disk },
	{ "create-snapshot",	"CreateSnapshot",	op_create_snapshot },
	{ "reset-disk",		"ResetDisk",		op_reset_disk },
	{ "reinit-disk",	"ReInitDisk",		op_reinit_disk },
	{ "delete-disk",	"DeleteDisk",		op_delete_disk },
	{ "delete-snapshot",	"DeleteSnapshot",	op_delete_snapshot },
	{ "describe-disks",	"DescribeDisks",	op_describe_disks },
	{ "describe-snapshots",	"DescribeSnapshots",	op_describe_snapshots },
	{ "describe-kms-usage",	"DescribeKmsUsage",	op_describe_kms_usage },
	{ "kms",		"KmsApi",		op_kms_call },
	{ "rebuild-catalog",	"RebuildCatalog",	op_rebuild_catalog },
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
	struct json_object *args = NULL, *result = NULL, *v;
	const char *op = NULL, *region = a->default_region;
	struct op_ctx ctx = { .agent = a };
	const struct op_route *route = NULL;
	int r;

	if (json_object_object_get_ex(req, "op", &v))
		op = json_object_get_string(v);
	if (json_object_object_get_ex(req, "region", &v) &&
	    json_object_get_string_len(v) > 0)
		region = json_object_get_string(v);
	json_object_object_get_ex(req, "args", &args);
	for (size_t i = 0; op && i < sizeof(routes) / sizeof(*routes); i++)
		if (!strcmp(routes[i].name, op))
			route = &routes[i];
	if (!route)
		return proto_reply_error(EINVAL, "unknown operation");
	if (strlen(region) >= 32 || strchr(region, '/') || region[0] == '.')
		return proto_reply_error(EINVAL, "bad region name");

	ctx.op = route->billing;
	ctx.region = region;
	r = route->handler(&ctx, args, &result);
	if (r < 0) {
		log_info("%s %s: %s", route->name, region, ctx.error);
		json_object_put(result);
		return proto_reply_error(r, ctx.error[0] ? ctx.error :
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
		reply = proto_reply_error(EACCES, "only root may use the ecsenc agent");
		goto send;
	}
	if (r < 0) {
		reply = proto_reply_error(r, "malformed request");
		goto send;
	}
	reply = dispatch(a, req);
send:
	proto_send(fd, reply);
	json_object_put(reply);
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
