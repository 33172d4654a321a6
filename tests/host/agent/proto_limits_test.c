// SPDX-License-Identifier: GPL-2.0
/*
 * The request limits of agent_proto.h: the largest requests the operation
 * table admits are read and decoded; what is deeper, longer or has more
 * values than a request can need is refused before it is parsed, with
 * its own errno; json-c is held to strict JSON, so nothing hides a bracket
 * from the count.  And a client hears an agent that answers and closes
 * without reading (busy, refused) instead of dying of SIGPIPE.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_ops.h"
#include "agent_proto.h"
#include "unit.h"

/* @text sent by a child process over a socketpair, read as a request. */
static int recv_request(const char *text, size_t len, struct json_object **out)
{
	int sv[2], r;
	pid_t pid;

	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		close(sv[1]);
		signal(SIGPIPE, SIG_IGN);
		for (size_t done = 0; done < len;) {
			ssize_t n = write(sv[0], text + done, len - done);

			if (n <= 0)
				_exit(0);
			done += (size_t)n;
		}
		_exit(0);
	}
	close(sv[0]);
	*out = NULL;
	r = proto_recv_limited(sv[1], out, &proto_request_limits, 5000);
	close(sv[1]);
	waitpid(pid, NULL, 0);
	return r;
}

static int recv_str(const char *text)
{
	struct json_object *o;
	int r = recv_request(text, strlen(text), &o);

	json_object_put(o);
	return r;
}

/* The request of @op with @args, through the socket and the decoder. */
static void check_admitted(enum agent_op_id op, const struct agent_args *args)
{
	struct json_object *req = agent_request_encode(op, "cn-hangzhou", NULL, args), *got;
	const char *text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	struct agent_request rq;
	char err[256];

	CHECK(strlen(text) <= AGENT_REQUEST_MAX_BYTES);
	REQUIRE(recv_request(text, strlen(text), &got) == 0);
	CHECK(agent_request_decode(got, &rq, err, sizeof(err)) == 0);
	json_object_put(got);
	json_object_put(req);
}

static char *filled(size_t len, char c)
{
	char *s = malloc(len + 1);

	REQUIRE(s);
	memset(s, c, len);
	s[len] = '\0';
	return s;
}

static void test_largest_requests(void)
{
	static struct agent_args a;
	char *id = filled(AGENT_ID_MAX, 'd'), *value = filled(1024, 'v');
	char names[AGENT_MAX_KMS_PARAMS][16];

	/* Ids with '/' (aliases), which JSON may write as "\/". */
	for (int i = 0; i < 4; i++)
		id[10 * i + 5] = '/';
	for (size_t i = 0; i < AGENT_MAX_IDS; i++)
		a.disk_ids[i] = id;
	a.n_disk_ids = AGENT_MAX_IDS;
	check_admitted(AGENT_OP_DESCRIBE_DISKS, &a);

	memset(&a, 0, sizeof(a));
	a.action = "ImportKeyMaterial";
	for (size_t i = 0; i < AGENT_MAX_KMS_PARAMS; i++) {
		snprintf(names[i], sizeof(names[i]), "Param%zu", i);
		a.params[i] = (struct agent_kms_param){ names[i], value };
	}
	a.n_params = AGENT_MAX_KMS_PARAMS;
	check_admitted(AGENT_OP_KMS, &a);

	memset(&a, 0, sizeof(a));
	a.disk_id = id;
	a.snapshot_id = id;
	a.kms_key_id = id;
	a.category = "cloud_ssd";
	a.size = AGENT_DISK_SIZE_MAX;
	a.encrypted = true;
	a.unencrypted = true;
	check_admitted(AGENT_OP_CREATE_DISK, &a);
	free(id);
	free(value);
}

static void test_refused_before_parsing(void)
{
	char *big = filled(AGENT_REQUEST_MAX_BYTES + 1, ' ');
	char many[4096] = "[";
	struct json_object *o;
	struct agent_request rq;
	char err[256], ids[2048] = "{\"op\":\"describe-disks\",\"args\":{\"disk_ids\":[";

	CHECK(recv_str("{\"op\":\"describe-disks\",\"args\":{\"disk_ids\":[]}}") == 0);
	CHECK(recv_str("{\"op\":\"describe-disks\",\"args\":{\"disk_ids\":[[]]}}") == -ELOOP);
	CHECK(recv_str("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[") == -ELOOP);
	/* Brackets inside strings are not counted. */
	CHECK(recv_str("{\"op\":\"[[[[{{{{\\\"[[[[,,,,\"}") == 0);

	for (int i = 0; i < AGENT_REQUEST_MAX_ITEMS; i++)
		strcat(many, "1,");
	strcat(many, "1]");
	CHECK(recv_str(many) == -E2BIG);
	big[0] = '{';
	big[AGENT_REQUEST_MAX_BYTES] = '}';
	CHECK(recv_request(big, AGENT_REQUEST_MAX_BYTES + 1, &o) == -EMSGSIZE);
	big[AGENT_REQUEST_MAX_BYTES - 1] = '}';
	CHECK(recv_request(big, AGENT_REQUEST_MAX_BYTES, &o) == 0);
	json_object_put(o);
	free(big);

	/* Strict JSON: no comment or single quote hides a bracket. */
	CHECK(recv_str("{\"op\":\"x\" /* \" */}") == -EBADMSG);
	CHECK(recv_str("{'op':'[\"'}") == -EBADMSG);
	CHECK(recv_str("{\"op\":\"x\"} {}") == -EBADMSG);
	CHECK(recv_str("{\"op\":\"x\"}\n") == 0);
	CHECK(recv_str("[1]") == -EBADMSG);

	/* Past the table's own limit, the decoder names it. */
	for (int i = 0; i <= AGENT_MAX_IDS; i++)
		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s\"d%d\"",
			 i ? "," : "", i);
	strcat(ids, "]}}");
	REQUIRE(recv_request(ids, strlen(ids), &o) == 0);
	CHECK(agent_request_decode(o, &rq, err, sizeof(err)) == -E2BIG);
	CHECK(strstr(err, "at most 100 ids"));
	json_object_put(o);
}

/*
 * A stand-in agent that answers at once and closes without reading, as
 * the agent does when busy; the client's request is larger than the
 * socket can hold, so it meets a closed socket.
 */
static void test_answer_without_reading(const char *dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct json_object *req = json_object_new_object(), *reply = NULL, *v;
	const char *busy = "{\"ok\":false,\"errno\":11,\"code\":\"Throttling\","
			   "\"error\":\"the agent is serving too many requests; try again\"}";
	char *pad = filled(1 << 20, 'x');
	int lfd, r;
	pid_t pid;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/busy.sock", dir);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	REQUIRE(lfd >= 0 && bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		listen(lfd, 1) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0 || write(fd, busy, strlen(busy)) < 0)
			_exit(1);
		close(fd);
		_exit(0);
	}
	close(lfd);
	json_object_object_add(req, "op", json_object_new_string("describe-disks"));
	json_object_object_add(req, "pad", json_object_new_string(pad));
	r = proto_call(sa.sun_path, req, &reply);
	CHECK(r == 0);
	CHECK(reply && json_object_object_get_ex(reply, "code", &v) &&
	      !strcmp(json_object_get_string(v), "Throttling"));
	json_object_put(reply);
	json_object_put(req);
	waitpid(pid, NULL, 0);
	free(pad);
}

int main(int argc, char **argv)
{
	test_largest_requests();
	test_refused_before_parsing();
	test_answer_without_reading(argc > 1 ? argv[1] : "/tmp");
	return unit_summary("protocol limits: all checks passed");
}
