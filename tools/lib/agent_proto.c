// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent_proto.h"
#include "ecs_error.h"
#include "secmem.h"

int proto_send(int fd, struct json_object *obj)
{
	const char *text = json_object_to_json_string_ext(obj,
						JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(text), done = 0;
	int r = 0;

	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		done += (size_t)n;
	}
	/* json-c keeps the text in @obj until it is freed. */
	secmem_wipe((char *)text, len);
	return r;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Wait until @fd is readable or @deadline (CLOCK_MONOTONIC ms, -1: never). */
static int wait_readable(int fd, long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long left;
	int n;

	if (deadline < 0)
		return 0;
	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, (int)(left > 60000 ? 60000 : left));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

int proto_recv(int fd, struct json_object **out)
{
	return proto_recv_deadline(fd, out, -1);
}

int proto_recv_deadline(int fd, struct json_object **out, long timeout_ms)
{
	long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *grown;
	enum json_tokener_error jerr;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			if (cap >= AGENT_PROTO_MAX_MSG) {
				r = -EMSGSIZE;
				goto out;
			}
			cap *= 2;
			grown = realloc(buf, cap);
			if (!grown) {
				r = -ENOMEM;
				goto out;
			}
			buf = grown;
		}
		r = wait_readable(fd, deadline);
		if (r < 0)
			goto out;
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = json_tokener_parse_verbose(buf, &jerr);
	if (!*out || !json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		r = -EBADMSG;
	}
out:
	free(buf);
	return r;
}

int proto_call(const char *socket_path, struct json_object *request,
	       struct json_object **reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

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
	r = proto_send(fd, request);
	if (r < 0)
		goto out;
	if (shutdown(fd, SHUT_WR) < 0) {
		r = -errno;
		goto out;
	}
	r = proto_recv(fd, reply);
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
