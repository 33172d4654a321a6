// SPDX-License-Identifier: GPL-2.0
/* The catalog (SQLite) and the ctl<->agent protocol over a socketpair. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent_proto.h"
#include "catalog.h"
#include "unit.h"

static int count_visit(const struct catalog_object *o, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int usage_visit(const char *region, const char *op, const char *action,
		       int64_t calls, void *arg)
{
	if (!strcmp(region, "cn-hangzhou") && !strcmp(op, "AttachDisk") &&
	    !strcmp(action, "Decrypt"))
		*(int64_t *)arg = calls;
	return 0;
}

static void test_catalog(const char *dir)
{
	struct catalog_object o = { .kind = CATALOG_DISK }, g;
	struct catalog *c;
	char path[512];
	int64_t calls = 0;
	int n = 0;

	snprintf(path, sizeof(path), "%s/catalog.db", dir);
	REQUIRE(catalog_open(path, &c) == 0);
	strcpy(o.id, "d-1");
	strcpy(o.region, "cn-hangzhou");
	strcpy(o.category, "cloud_ssd");
	o.size = 1 << 30;
	o.encrypted = 1;
	strcpy(o.path, "/x/d-1.img");
	REQUIRE(catalog_put(c, &o) == 0);
	strcpy(o.id, "s-1");
	o.kind = CATALOG_SNAPSHOT;
	REQUIRE(catalog_put(c, &o) == 0);
	REQUIRE(catalog_get(c, "cn-hangzhou", "d-1", &g) == 0);
	REQUIRE(g.kind == CATALOG_DISK && g.size == 1 << 30 && g.encrypted);
	REQUIRE(catalog_get(c, "cn-beijing", "d-1", &g) == -ENOENT);
	REQUIRE(catalog_set_attached(c, "d-1", 1) == 0);
	REQUIRE(catalog_get(c, "cn-hangzhou", "d-1", &g) == 0 && g.attached);
	REQUIRE(catalog_list(c, CATALOG_DISK, "cn-hangzhou", count_visit, &n) == 0 && n == 1);
	n = 0;
	REQUIRE(catalog_list(c, CATALOG_DISK, "cn-beijing", count_visit, &n) == 0 && n == 0);
	for (int i = 0; i < 3; i++)
		REQUIRE(catalog_count_kms_calls(c, "cn-hangzhou", "AttachDisk", "Decrypt", 1) == 0);
	REQUIRE(catalog_list_usage(c, usage_visit, &calls) == 0 && calls == 3);
	REQUIRE(catalog_delete(c, "d-1") == 0);
	REQUIRE(catalog_get(c, "cn-hangzhou", "d-1", &g) == -ENOENT);
	catalog_close(c);

	/* Persistent across reopen. */
	REQUIRE(catalog_open(path, &c) == 0);
	REQUIRE(catalog_get(c, "cn-hangzhou", "s-1", &g) == 0 && g.kind == CATALOG_SNAPSHOT);
	catalog_close(c);
}

static void test_proto(void)
{
	struct json_object *req = json_object_new_object(), *got = NULL, *v;
	int sv[2];

	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	json_object_object_add(req, "op", json_object_new_string("attach-disk"));
	REQUIRE(proto_send(sv[0], req) == 0);
	shutdown(sv[0], SHUT_WR);
	REQUIRE(proto_recv(sv[1], &got) == 0);
	REQUIRE(json_object_object_get_ex(got, "op", &v));
	REQUIRE(!strcmp(json_object_get_string(v), "attach-disk"));
	json_object_put(got);
	json_object_put(req);
	close(sv[0]);
	close(sv[1]);

	/* Garbage and non-objects are refused. */
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	REQUIRE(write(sv[0], "[1,2", 4) == 4);
	shutdown(sv[0], SHUT_WR);
	REQUIRE(proto_recv(sv[1], &got) == -EBADMSG);
	close(sv[0]);
	close(sv[1]);

	got = proto_reply_error(-EBUSY, ECS_ERR_NONE, "disk d-1 is attached");
	REQUIRE(json_object_object_get_ex(got, "errno", &v) && json_object_get_int(v) == EBUSY);
	REQUIRE(json_object_object_get_ex(got, "ok", &v) && !json_object_get_boolean(v));
	json_object_put(got);

	/* No agent: a clean error, no hang. */
	req = json_object_new_object();
	REQUIRE(proto_call("/nonexistent/agent.sock", req, &got) == -ENOENT);
	json_object_put(req);
}

int main(int argc, char **argv)
{
	test_catalog(argc > 1 ? argv[1] : "/tmp");
	test_proto();
	return unit_summary("catalog and protocol: all checks passed");
}
