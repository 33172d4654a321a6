// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent_ops.h"
#include "agent_proto.h"
#include "ecs_error.h"
#include "secmem.h"

const struct proto_limits proto_request_limits = {
	.max_bytes = AGENT_REQUEST_MAX_BYTES,
	.max_depth = AGENT_REQUEST_MAX_DEPTH,
	.max_items = AGENT_REQUEST_MAX_ITEMS,
};

const struct proto_limits proto_reply_limits = {
	.max_bytes = AGENT_PROTO_MAX_MSG,
	.max_depth = 32,
	.max_items = AGENT_PROTO_MAX_MSG,
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Wait for @events on @fd until @deadline (CLOCK_MONOTONIC ms, -1: never). */
static int wait_fd(int fd, short events, long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	long left;
	int n;

	for (;;) {
		left = deadline < 0 ? 60000 : deadline - now_ms();
		n = poll(&pfd, 1, (int)(left <= 0 ? 0 : left > 60000 ? 60000 : left));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0 && deadline >= 0 && left <= 0)
			return -ETIMEDOUT;
	}
}

static int send_text(int fd, const char *text, size_t len, long timeout_ms)
{
	long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int flags = MSG_NOSIGNAL | (deadline < 0 ? 0 : MSG_DONTWAIT);
	size_t done = 0;
	int r;

	while (done < len) {
		ssize_t n = send(fd, text + done, len - done, flags);

		if (n >= 0) {
			done += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0)
			return r;
	}
	return 0;
}

int proto_send_deadline(int fd, struct json_object *obj, long timeout_ms)
{
	const char *text = json_object_to_json_string_ext(obj,
						JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(text);
	int r = send_text(fd, text, len, timeout_ms);

	/* json-c keeps the text in @obj until it is freed. */
	secmem_wipe((char *)text, len);
	return r;
}

int proto_send(int fd, struct json_object *obj)
{
	return proto_send_deadline(fd, obj, -1);
}

/*
 * What the bytes of a message so far hold, counted without building
 * anything: json-c (strict: no comments, no single quotes) makes at most
 * one value per '{', '[' or ',' and one more, and nests no deeper than
 * the brackets do.
 */
struct scan {
	unsigned int depth;
	size_t items;
	bool in_string;
	bool escaped;
};

static int scan_bytes(struct scan *s, const char *p, size_t n,
		      const struct proto_limits *lim)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (s->in_string) {
			if (s->escaped)
				s->escaped = false;
			else if (c == '\\')
				s->escaped = true;
			else if (c == '"')
				s->in_string = false;
			continue;
		}
		switch (c) {
		case '"':
			s->in_string = true;
			break;
		case '{':
		case '[':
			if (++s->depth > lim->max_depth)
				return -ELOOP;
			/* fall through */
		case ',':
			if (++s->items > lim->max_items)
				return -E2BIG;
			break;
		case '}':
		case ']':
			if (s->depth)
				s->depth--;
			break;
		}
	}
	return 0;
}

static int parse_object(const char *buf, size_t len, unsigned int depth,
			struct json_object **out)
{
	struct json_tokener *tok = json_tokener_new_ex((int)depth + 1);
	struct json_object *obj = NULL;
	size_t end;

	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	end = obj ? json_tokener_get_parse_end(tok) : 0;
	while (obj && end < len && strchr(" \t\r\n", buf[end]))
		end++;
	if (tok->pb && tok->pb->buf)
		secmem_wipe(tok->pb->buf, (size_t)tok->pb->size);
	json_tokener_free(tok);
	if (!obj || end != len || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return -EBADMSG;
	}
	*out = obj;
	return 0;
}

int proto_recv(int fd, struct json_object **out)
{
	return proto_recv_limited(fd, out, &proto_reply_limits, -1);
}

/*
 * Take the progress messages at the front of @buf: whole lines, each one
 * JSON object {"progress": {...}}, handed to @fn and dropped.  What
 * remains is the start of the next message.
 */
static int take_progress(char *buf, size_t *len, struct scan *scan,
			 const struct proto_limits *lim,
			 proto_progress_fn fn, void *arg)
{
	struct json_object *msg, *p;
	char *nl;
	size_t n;
	int r;

	while ((nl = memchr(buf, '\n', *len))) {
		n = (size_t)(nl - buf);
		r = parse_object(buf, n, lim->max_depth, &msg);
		if (r < 0)
			return r;
		if (json_object_object_get_ex(msg, "progress", &p))
			fn(p, arg);
		json_object_put(msg);
		secmem_wipe(buf, n + 1);
		memmove(buf, nl + 1, *len - n - 1);
		*len -= n + 1;
		/* The limits are each message's own. */
		*scan = (struct scan){ 0 };
		r = scan_bytes(scan, buf, *len, lim);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Read one JSON object held to @lim until end of file; before it, with
 * @fn set, any number of progress lines (proto_send_progress()).
 */
static int recv_message(int fd, struct json_object **out,
			const struct proto_limits *lim, long timeout_ms,
			proto_progress_fn fn, void *arg)
{
	long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *grown;
	struct scan scan = { 0 };
	int r = 0;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			if (len >= lim->max_bytes) {
				r = -EMSGSIZE;
				goto out;
			}
			/* Grown by hand: realloc() would free the old bytes unwiped. */
			grown = malloc(cap * 2);
			if (!grown) {
				r = -ENOMEM;
				goto out;
			}
			memcpy(grown, buf, len);
			secmem_wipe(buf, len);
			free(buf);
			buf = grown;
			cap *= 2;
		}
		r = wait_fd(fd, POLLIN, deadline);
		if (r < 0)
			goto out;
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		/* A peer that answered and closed unread input resets after it. */
		if (n < 0 && errno == ECONNRESET && len)
			break;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		if (len + (size_t)n > lim->max_bytes) {
			r = -EMSGSIZE;
			goto out;
		}
		r = scan_bytes(&scan, buf + len, (size_t)n, lim);
		len += (size_t)n;
		if (r == 0 && fn)
			r = take_progress(buf, &len, &scan, lim, fn, arg);
		if (r < 0)
			goto out;
	}
	buf[len] = '\0';
	r = parse_object(buf, len, lim->max_depth, out);
out:
	secmem_wipe(buf, len);
	free(buf);
	return r;
}

int proto_recv_limited(int fd, struct json_object **out,
		       const struct proto_limits *lim, long timeout_ms)
{
	return recv_message(fd, out, lim, timeout_ms, NULL, NULL);
}

int proto_send_progress(int fd, struct json_object *progress, long timeout_ms)
{
	struct json_object *msg = json_object_new_object();
	const char *text;
	int r;

	json_object_object_add(msg, "progress", json_object_get(progress));
	text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	r = send_text(fd, text, strlen(text), timeout_ms);
	if (r == 0)
		r = send_text(fd, "\n", 1, timeout_ms);
	json_object_put(msg);
	return r;
}

int proto_call(const char *socket_path, struct json_object *request,
	       struct json_object **reply)
{
	return proto_call_progress(socket_path, request, NULL, NULL, reply);
}

int proto_call_progress(const char *socket_path, struct json_object *request,
			proto_progress_fn fn, void *arg,
			struct json_object **reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r, sent;

	if (strlen(socket_path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		goto out;
	}
	/*
	 * An agent that is busy, or refuses this user, answers at once and
	 * closes without reading: the request meets a closed socket, and
	 * the answer is waiting to be read all the same.
	 */
	sent = proto_send(fd, request);
	if (sent < 0 && sent != -EPIPE && sent != -ECONNRESET) {
		r = sent;
		goto out;
	}
	if (sent == 0 && shutdown(fd, SHUT_WR) < 0) {
		r = -errno;
		goto out;
	}
	r = recv_message(fd, reply, &proto_reply_limits, -1, fn, arg);
	if (r < 0 && sent < 0)
		r = sent;
out:
	close(fd);
	return r;
}

struct json_object *proto_reply_ok(struct json_object *result)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "result",
			       result ? result : json_object_new_object());
	return o;
}

struct json_object *proto_reply_error(int err, enum ecs_err code,
				      const char *message)
{
	struct json_object *o = json_object_new_object();

	if (err < 0)
		err = -err;
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "errno", json_object_new_int(err));
	json_object_object_add(o, "code",
			       json_object_new_string(ecs_error_get(code ? code :
						ecs_error_from_errno(err))->code));
	json_object_object_add(o, "error", json_object_new_string(message));
	return o;
}
