// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent_ops.h"
#include "agent_proto.h"
#include "agent_regions.h"
#include "json_wipe.h"
#include "log.h"
#include "object_lock.h"
#include "request_id.h"
#include "server.h"

/*
 * Each connection is served by a thread of its own, within bounds: the
 * peer is checked before a byte is read (users other than root and the
 * agent's own are refused at once, without a thread); a request must
 * arrive whole within SERVER_RECV_DEADLINE_MS and hold no more than
 * agent_ops.h's request limits, checked before it is parsed; its reply
 * must be taken within SERVER_SEND_DEADLINE_MS; at most SERVER_MAX_CONNS
 * connections are served at once.  So a client that says nothing, or
 * never reads its answer, holds one slot for a few seconds, and no
 * request makes the agent lock more than a few pages for it.
 */
#define SERVER_MAX_CONNS	64
#define SERVER_RECV_DEADLINE_MS	5000
#define SERVER_SEND_DEADLINE_MS	2000
#define SERVER_THREAD_STACK	(512 * 1024)	/* mlockall: keep it small */

/* How an operation holds the objects its request names. */
enum op_locking {
	LOCK_NONE,	/* reads the catalog and the kernel only */
	LOCK_IDS,	/* the disk_id and snapshot_id of the request */
	LOCK_ALL,	/* every object (rebuild-catalog rewrites all rows) */
};

/* The handler of each operation of the protocol table (agent_ops.c). */
static const struct {
	op_handler fn;
	enum op_locking locking;
} handlers[AGENT_OP_COUNT] = {
	[AGENT_OP_CREATE_DISK] = { op_create_disk, LOCK_IDS },
	[AGENT_OP_ATTACH_DISK] = { op_attach_disk, LOCK_IDS },
	[AGENT_OP_DETACH_DISK] = { op_detach_disk, LOCK_IDS },
	[AGENT_OP_CREATE_SNAPSHOT] = { op_create_snapshot, LOCK_IDS },
	[AGENT_OP_RESET_DISK] = { op_reset_disk, LOCK_IDS },
	[AGENT_OP_REINIT_DISK] = { op_reinit_disk, LOCK_IDS },
	[AGENT_OP_DELETE_DISK] = { op_delete_disk, LOCK_IDS },
	[AGENT_OP_DELETE_SNAPSHOT] = { op_delete_snapshot, LOCK_IDS },
	[AGENT_OP_DESCRIBE_DISKS] = { op_describe_disks, LOCK_NONE },
	[AGENT_OP_DESCRIBE_SNAPSHOTS] = { op_describe_snapshots, LOCK_NONE },
	[AGENT_OP_DESCRIBE_KMS_USAGE] = { op_describe_kms_usage, LOCK_NONE },
	[AGENT_OP_KMS] = { op_kms_call, LOCK_NONE },
	[AGENT_OP_REBUILD_CATALOG] = { op_rebuild_catalog, LOCK_ALL },
	[AGENT_OP_REWRAP_DISK] = { op_rewrap_disk, LOCK_IDS },
	[AGENT_OP_REWRAP_SNAPSHOT] = { op_rewrap_snapshot, LOCK_IDS },
	[AGENT_OP_COPY_SNAPSHOT] = { op_copy_snapshot, LOCK_IDS },
	[AGENT_OP_ENABLE_ENCRYPTION_BY_DEFAULT] = { op_enable_encryption_by_default, LOCK_NONE },
	[AGENT_OP_DISABLE_ENCRYPTION_BY_DEFAULT] = { op_disable_encryption_by_default, LOCK_NONE },
	[AGENT_OP_DESCRIBE_ENCRYPTION_BY_DEFAULT] = { op_describe_encryption_by_default, LOCK_NONE },
	[AGENT_OP_DESCRIBE_DEFAULT_KMS_KEY] = { op_describe_default_kms_key, LOCK_NONE },
	[AGENT_OP_MODIFY_DEFAULT_KMS_KEY] = { op_modify_default_kms_key, LOCK_NONE },
	[AGENT_OP_RESET_DEFAULT_KMS_KEY] = { op_reset_default_kms_key, LOCK_NONE },
	[AGENT_OP_DESCRIBE_AUDIT_EVENTS] = { op_describe_audit_events, LOCK_NONE },
	[AGENT_OP_VERIFY_AUDIT_LOG] = { op_verify_audit_log, LOCK_NONE },
};

/* Connections being served, counted at accept and at the end. */
static pthread_mutex_t conn_lock = PTHREAD_MUTEX_INITIALIZER;
static int n_conns;

struct conn {
	struct agent *agent;
	int fd;
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
	if (r < 0 || chmod(path, 0600) < 0 || listen(fd, SERVER_MAX_CONNS) < 0) {
		r = -errno;
		log_err("socket %s: %s", path, strerror(errno));
		close(fd);
		return r;
	}
	return fd;
}

/* Only root and the agent's own user may drive it. */
static int peer_allowed(int fd, struct ucred *cred)
{
	socklen_t len = sizeof(*cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) < 0)
		return 0;
	return cred->uid == 0 || cred->uid == geteuid();
}

/* The reply of a request, which carries the request's id either way. */
static struct json_object *with_request_id(struct json_object *reply,
					   const char *request_id)
{
	json_object_object_add(reply, "request_id",
			       json_object_new_string(request_id));
	return reply;
}

static struct json_object *dispatch(struct agent *a, struct json_object *req,
				    int fd)
{
	struct op_ctx ctx = { .agent = a, .progress_fd = fd };
	struct json_object *result = NULL;
	struct agent_request rq;
	const char *name, *ids[OBJECT_LOCK_MAX_IDS];
	char made_id[REQUEST_ID_LEN + 1] = "-";
	enum op_locking locking;
	int r;

	r = agent_request_decode(req, &rq, ctx.error, sizeof(ctx.error));
	if (!rq.request_id && request_id_new(made_id, sizeof(made_id)) < 0)
		log_warn("no randomness for a request id");
	ctx.request_id = rq.request_id ? rq.request_id : made_id;
	if (r < 0) {
		log_info("RequestId %s: refused: %s", ctx.request_id, ctx.error);
		return with_request_id(proto_reply_error(r, ECS_ERR_INVALID_PARAMETER,
							 ctx.error), ctx.request_id);
	}
	name = rq.op->name;
	ctx.op = rq.op->billing;
	ctx.region = rq.region ? rq.region : a->default_region;
	/* Before anything is locked, written, billed or audited. */
	r = agent_regions_admit(&ctx, rq.args.destination_region);
	if (r < 0) {
		log_info("RequestId %s: %s %s: %s", ctx.request_id, name,
			 ctx.region, ctx.error);
		return with_request_id(proto_reply_error(r, ctx.code, ctx.error),
				       ctx.request_id);
	}
	ctx.progress_on = rq.progress;
	ctx.object_id = rq.args.disk_id ? rq.args.disk_id : rq.args.snapshot_id;
	ctx.new_id = rq.args.new_id;
	log_info("RequestId %s: %s %s %s", ctx.request_id, name, ctx.region,
		  ctx.object_id ? ctx.object_id : "");
	locking = handlers[rq.op->id].locking;
	ids[0] = rq.args.disk_id;
	ids[1] = rq.args.snapshot_id;
	if (locking == LOCK_IDS)
		object_lock(ids, OBJECT_LOCK_MAX_IDS);
	else if (locking == LOCK_ALL)
		object_lock_all();
	op_set_current(&ctx);
	r = handlers[rq.op->id].fn(&ctx, &rq.args, &result);
	op_set_current(NULL);
	if (locking == LOCK_IDS)
		object_unlock(ids, OBJECT_LOCK_MAX_IDS);
	else if (locking == LOCK_ALL)
		object_unlock_all();
	op_bill(&ctx);
	if (r < 0) {
		log_info("RequestId %s: %s %s: %s: %s", ctx.request_id, name,
			 ctx.region, ecs_error_get(ctx.code ? ctx.code :
				ecs_error_from_errno(r))->code, ctx.error);
		json_wipe_put(result);
		return with_request_id(proto_reply_error(r, ctx.code,
				ctx.error[0] ? ctx.error : strerror(-r)), ctx.request_id);
	}
	return with_request_id(proto_reply_ok(result), ctx.request_id);
}

struct json_object *server_dispatch(struct agent *a, struct json_object *req)
{
	return dispatch(a, req, -1);	/* no client to send progress to */
}

/* Why a request could not be read, in the words of the limits. */
static void recv_error(int r, char *msg, size_t len)
{
	switch (r) {
	case -EMSGSIZE:
		snprintf(msg, len, "request larger than %d bytes",
			 AGENT_REQUEST_MAX_BYTES);
		break;
	case -ELOOP:
		snprintf(msg, len, "request nested deeper than %d levels",
			 AGENT_REQUEST_MAX_DEPTH);
		break;
	case -E2BIG:
		snprintf(msg, len, "request with more than %d values",
			 AGENT_REQUEST_MAX_ITEMS);
		break;
	case -ETIMEDOUT:
		snprintf(msg, len, "no whole request within the deadline");
		break;
	default:
		snprintf(msg, len, "malformed request: not one JSON object");
		break;
	}
}

static void *serve_one(void *arg)
{
	struct conn *c = arg;
	struct json_object *req = NULL, *reply;
	char why[64];
	int r;

	r = proto_recv_limited(c->fd, &req, &proto_request_limits,
			       SERVER_RECV_DEADLINE_MS);
	if (r < 0) {
		recv_error(r, why, sizeof(why));
		reply = proto_reply_error(r, ECS_ERR_INVALID_PARAMETER, why);
	} else {
		reply = dispatch(c->agent, req, c->fd);
	}
	r = proto_send_deadline(c->fd, reply, SERVER_SEND_DEADLINE_MS);
	if (r == -ETIMEDOUT)
		log_warn("dropped a client that did not take its answer within %d s",
			 SERVER_SEND_DEADLINE_MS / 1000);
	/* A kms reply may hold key-management secrets (import tokens). */
	json_wipe_put(reply);
	json_object_put(req);
	close(c->fd);
	pthread_mutex_lock(&conn_lock);
	n_conns--;
	pthread_mutex_unlock(&conn_lock);
	free(c);
	return NULL;
}

/*
 * Say no without reading: the answer fits in the empty socket buffer, so
 * it is sent at once, and the client reads it whether or not it finished
 * writing (proto_call).
 */
static void refuse(int fd, int err, enum ecs_err code, const char *why)
{
	struct json_object *reply = proto_reply_error(err, code, why);

	proto_send_deadline(fd, reply, 0);
	json_object_put(reply);
	close(fd);
}

static void admit(struct agent *a, int fd, pthread_attr_t *attr)
{
	struct ucred cred = { 0 };
	struct conn *c;
	pthread_t t;

	if (!peer_allowed(fd, &cred)) {
		log_warn("refused a request from uid %u (pid %d)", cred.uid,
			 cred.pid);
		refuse(fd, EACCES, ECS_ERR_FORBIDDEN, "only root may use the ecsenc agent");
		return;
	}
	pthread_mutex_lock(&conn_lock);
	if (n_conns >= SERVER_MAX_CONNS) {
		pthread_mutex_unlock(&conn_lock);
		log_warn("busy: refused a connection from uid %u (pid %d)",
			 cred.uid, cred.pid);
		refuse(fd, EAGAIN, ECS_ERR_THROTTLING,
		       "the agent is serving too many requests; try again");
		return;
	}
	n_conns++;
	pthread_mutex_unlock(&conn_lock);

	c = malloc(sizeof(*c));
	if (c) {
		*c = (struct conn){ .agent = a, .fd = fd };
		if (pthread_create(&t, attr, serve_one, c) == 0)
			return;
		free(c);
	}
	pthread_mutex_lock(&conn_lock);
	n_conns--;
	pthread_mutex_unlock(&conn_lock);
	log_err("no thread for a connection: %m");
	refuse(fd, EAGAIN, ECS_ERR_THROTTLING,
	       "the agent cannot serve this request now; try again");
}

int server_run(struct agent *a, int listen_fd, volatile int *stop)
{
	struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, SERVER_THREAD_STACK);
	while (!*stop) {
		int fd;

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		admit(a, fd, &attr);
	}
	pthread_attr_destroy(&attr);
	return 0;
}

int server_drain(long timeout_ms)
{
	int left;

	for (long waited = 0;; waited += 50) {
		pthread_mutex_lock(&conn_lock);
		left = n_conns;
		pthread_mutex_unlock(&conn_lock);
		if (!left || waited >= timeout_ms)
			return left;
		usleep(50 * 1000);
	}
}
