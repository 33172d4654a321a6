// SPDX-License-Identifier: GPL-2.0
/*
 * tools/lib/kms_client against a running kms-emulator:
 *   client-test ENDPOINT AK SECRET CLOSED_PORT_ENDPOINT
 * Round trips, KMS errors, regions, no-answer errors, and many threads
 * (each with its own client, reading and writing, plus one client shared
 * by all).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kms_client.h"
#include "kms_sign.h"
#include "log.h"
#include "unit.h"

#define THREADS 16
#define ROUNDS 40

static const char *endpoint, *ak, *secret;

static const char *field(const struct kms_response *r, const char *name)
{
	struct json_object *v;

	if (!r->body || !json_object_object_get_ex(r->body, name, &v))
		return NULL;
	return json_object_get_string(v);
}

static struct kms_client *make(const char *ep, const char *s, const char *region)
{
	struct kms_client_config cfg = {
		.endpoint = ep, .access_key_id = ak, .access_key_secret = s,
		.region = region, .timeout_ms = 5000,
	};
	struct kms_client *c = NULL;

	CHECK(kms_client_new(&cfg, &c) == 0);
	return c;
}

/* GenerateDataKey then Decrypt; the plaintexts must match. */
static void round_trip(struct kms_client *c, const char *key_id)
{
	const char *gp[] = { "KeyId", key_id, "EncryptionContext",
			     "{\"disk\":\"d-1\",\"lineage\":\"L\"}", NULL };
	struct kms_response g, d;
	char *blob = NULL, *pt = NULL;

	CHECK(kms_client_call(c, "GenerateDataKey", gp, &g) == 0);
	if (field(&g, "CiphertextBlob") && field(&g, "Plaintext")) {
		blob = strdup(field(&g, "CiphertextBlob"));
		pt = strdup(field(&g, "Plaintext"));
	}
	CHECK(blob && pt && g.request_id[0] && !g.code[0]);
	kms_response_release(&g);
	CHECK(g.body == NULL && g.http_status == 0);
	if (!blob || !pt)
		goto out;
	{
		const char *dp[] = { "CiphertextBlob", blob,
				     "EncryptionContext.lineage", "L",
				     "EncryptionContext.disk", "d-1", NULL };

		CHECK(kms_client_call(c, "Decrypt", dp, &d) == 0);
		CHECK(field(&d, "Plaintext") && !strcmp(field(&d, "Plaintext"), pt));
		kms_response_release(&d);
	}
out:
	free(blob);
	free(pt);
}

/* KeyState of @key_id, into @state. */
static void key_state(struct kms_client *c, const char *key_id, char *state,
		      size_t cap)
{
	const char *p[] = { "KeyId", key_id, NULL };
	struct json_object *m, *v;
	struct kms_response r;

	state[0] = '\0';
	CHECK(kms_client_call(c, "DescribeKey", p, &r) == 0);
	if (r.body && json_object_object_get_ex(r.body, "KeyMetadata", &m) &&
	    json_object_object_get_ex(m, "KeyState", &v))
		snprintf(state, cap, "%s", json_object_get_string(v));
	kms_response_release(&r);
}

/* Writes from many threads at once: create, disable, alias, enable. */
static void writes(struct kms_client *c, int n)
{
	const char *create[] = { NULL };
	struct json_object *m, *v;
	struct kms_response r;
	char key_id[64] = "", alias[64], state[32];

	CHECK(kms_client_call(c, "CreateKey", create, &r) == 0);
	if (r.body && json_object_object_get_ex(r.body, "KeyMetadata", &m) &&
	    json_object_object_get_ex(m, "KeyId", &v))
		snprintf(key_id, sizeof(key_id), "%s", json_object_get_string(v));
	kms_response_release(&r);
	if (!key_id[0])
		return;
	snprintf(alias, sizeof(alias), "alias/thread-%d", n);
	{
		const char *k[] = { "KeyId", key_id, NULL };
		const char *a[] = { "AliasName", alias, "KeyId", key_id, NULL };

		CHECK(kms_client_call(c, "DisableKey", k, &r) == 0);
		kms_response_release(&r);
		key_state(c, key_id, state, sizeof(state));
		CHECK(!strcmp(state, "Disabled"));
		CHECK(kms_client_call(c, "CreateAlias", a, &r) == 0);
		kms_response_release(&r);
		CHECK(kms_client_call(c, "EnableKey", k, &r) == 0);
		kms_response_release(&r);
		key_state(c, alias, state, sizeof(state));
		CHECK(!strcmp(state, "Enabled"));
	}
}

static int next_worker;

static void *worker(void *arg)
{
	const char *key_id = arg;
	struct kms_client *c = make(endpoint, secret, NULL);
	int i, n = __atomic_fetch_add(&next_worker, 1, __ATOMIC_SEQ_CST);

	if (c)
		writes(c, n);
	for (i = 0; c && i < ROUNDS; i++)
		round_trip(c, key_id);
	kms_client_free(c);
	return NULL;
}

struct shared {
	struct kms_client *c;
	const char *key_id;
};

static void *shared_worker(void *arg)
{
	struct shared *s = arg;
	int i;

	for (i = 0; i < ROUNDS / 4; i++)
		round_trip(s->c, s->key_id);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *create[] = { "Description", "from C", NULL };
	const char *unknown[] = { "KeyId", "00000000-0000-4000-8000-000000000000", NULL };
	struct kms_client *c, *bad, *sh, *closed;
	pthread_t t[THREADS];
	struct kms_response r;
	struct shared s;
	char key_id[128] = "";
	int i, ret;

	if (argc != 5) {
		fprintf(stderr, "usage: %s ENDPOINT AK SECRET CLOSED_ENDPOINT\n", argv[0]);
		return 2;
	}
	log_init(argv[0], LOG_LEVEL_WARN);
	endpoint = argv[1];
	ak = argv[2];
	secret = argv[3];

	c = make(endpoint, secret, NULL);
	if (!c)
		return 1;
	CHECK(kms_client_call(c, "CreateKey", create, &r) == 0);
	CHECK(r.http_status == 200);
	if (r.body) {
		struct json_object *m, *id;

		if (json_object_object_get_ex(r.body, "KeyMetadata", &m) &&
		    json_object_object_get_ex(m, "KeyId", &id))
			snprintf(key_id, sizeof(key_id), "%s", json_object_get_string(id));
	}
	kms_response_release(&r);
	CHECK(key_id[0]);
	round_trip(c, key_id);

	/* A KMS error answer. */
	ret = kms_client_call(c, "DescribeKey", unknown, &r);
	CHECK(ret == -EPROTO && r.http_status == 404);
	CHECK(!strcmp(r.code, "Forbidden.KeyNotFound") && r.message[0] && r.request_id[0]);
	CHECK(!kms_error_is_transient(ret, &r));
	kms_response_release(&r);

	/* Odd characters in values survive signing and the form body. */
	{
		const char *ep[] = { "KeyId", key_id, "Plaintext", "a+b c&d=e%f*g~h/é", NULL };
		char *blob = NULL;

		CHECK(kms_client_call(c, "Encrypt", ep, &r) == 0);
		if (field(&r, "CiphertextBlob"))
			blob = strdup(field(&r, "CiphertextBlob"));
		kms_response_release(&r);
		if (blob) {
			const char *dp[] = { "CiphertextBlob", blob, NULL };

			CHECK(kms_client_call(c, "Decrypt", dp, &r) == 0);
			CHECK(field(&r, "Plaintext") &&
			      !strcmp(field(&r, "Plaintext"), "a+b c&d=e%f*g~h/é"));
			kms_response_release(&r);
			free(blob);
		}
	}

	/* Wrong secret. */
	bad = make(endpoint, "wrong", NULL);
	CHECK(kms_client_call(bad, "DescribeKey", unknown, &r) == -EPROTO);
	CHECK(!strcmp(r.code, "SignatureDoesNotMatch"));
	kms_response_release(&r);
	kms_client_free(bad);

	/* RegionId: keys are regional. */
	sh = make(endpoint, secret, "cn-shanghai");
	{
		const char *dk[] = { "KeyId", key_id, NULL };

		CHECK(kms_client_call(sh, "DescribeKey", dk, &r) == -EPROTO);
		CHECK(!strcmp(r.code, "Forbidden.KeyNotFound"));
		kms_response_release(&r);
	}
	kms_client_free(sh);

	/* No answer at all. */
	closed = make(argv[4], secret, NULL);
	ret = kms_client_call(closed, "DescribeKey", unknown, &r);
	CHECK(ret == -ECONNREFUSED && r.http_status == 0 && !r.body);
	CHECK(kms_error_is_transient(ret, &r));
	kms_response_release(&r);
	kms_client_free(closed);

	/* Many clients at once, and one client shared by many threads. */
	for (i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, worker, key_id) == 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	s.c = c;
	s.key_id = key_id;
	for (i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, shared_worker, &s) == 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	kms_client_free(c);

	return unit_summary("kms_client tests passed");
}
