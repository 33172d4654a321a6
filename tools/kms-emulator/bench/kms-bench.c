// SPDX-License-Identifier: GPL-2.0
/*
 * kms-bench: requests per second of one KMS action, from N threads, each
 * with its own kms_client (libcurl, keep-alive), every request signed.
 *
 *   kms-bench --endpoint URL --credentials FILE [--threads N]
 *             [--seconds S] [--key-id ID] ACTION
 *
 * ACTION is GenerateDataKey or Decrypt (of one blob made at start).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "credentials.h"
#include "kms_api.h"
#include "kms_client.h"
#include "log.h"

struct bench {
	struct kms_client_config cfg;
	const char *action;
	const char *const *params;
	double seconds;
	pthread_mutex_t lock;	/* guards the counters */
	unsigned long ok;
	unsigned long failed;
	double lat_sum;		/* seconds */
	double lat_max;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
	struct bench *b = arg;
	unsigned long ok = 0, failed = 0;
	double end, t0, dt, sum = 0, max = 0;
	struct kms_client *c;
	struct kms_response r;

	if (kms_client_new(&b->cfg, &c))
		return NULL;
	end = now() + b->seconds;
	while ((t0 = now()) < end) {
		int ret = kms_client_call(c, b->action, b->params, &r);

		dt = now() - t0;
		sum += dt;
		if (dt > max)
			max = dt;
		if (ret)
			failed++;
		else
			ok++;
		kms_response_release(&r);
	}
	kms_client_free(c);
	pthread_mutex_lock(&b->lock);
	b->ok += ok;
	b->failed += failed;
	b->lat_sum += sum;
	if (max > b->lat_max)
		b->lat_max = max;
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* One GenerateDataKey, for Decrypt to decrypt; malloc()ed blob. */
static char *make_blob(const struct bench *b, const char *key_id)
{
	const char *p[] = { "KeyId", key_id, NULL };
	struct kms_client *c;
	struct kms_response r;
	struct json_object *v;
	char *blob = NULL;

	if (kms_client_new(&b->cfg, &c))
		return NULL;
	if (!kms_client_call(c, "GenerateDataKey", p, &r) &&
	    json_object_object_get_ex(r.body, "CiphertextBlob", &v))
		blob = strdup(json_object_get_string(v));
	else
		log_err("GenerateDataKey: %s %s", r.code, r.message);
	kms_response_release(&r);
	kms_client_free(c);
	return blob;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s --endpoint URL --credentials FILE [--threads N] "
		"[--seconds S] [--key-id ID] GenerateDataKey|Decrypt\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "endpoint", required_argument, NULL, 'e' },
		{ "credentials", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		{ "seconds", required_argument, NULL, 's' },
		{ "key-id", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *creds_path = NULL, *key_id = KMS_SERVICE_KEY_ALIAS;
	const char *gdk[] = { "KeyId", NULL, NULL }, *dec[] = { "CiphertextBlob", NULL, NULL };
	struct credentials *creds = NULL;
	struct bench b = { .seconds = 5 };
	pthread_t *t;
	char *blob = NULL;
	int threads = 8, i, c;
	double t0, elapsed;

	log_init(argv[0], LOG_LEVEL_WARN);
	pthread_mutex_init(&b.lock, NULL);
	while ((c = getopt_long(argc, argv, "e:c:t:s:k:", opts, NULL)) != -1) {
		switch (c) {
		case 'e': b.cfg.endpoint = optarg; break;
		case 'c': creds_path = optarg; break;
		case 't': threads = atoi(optarg); break;
		case 's': b.seconds = atof(optarg); break;
		case 'k': key_id = optarg; break;
		default: usage(argv[0]);
		}
	}
	if (optind != argc - 1 || !b.cfg.endpoint || !creds_path || threads < 1 ||
	    b.seconds <= 0)
		usage(argv[0]);
	b.action = argv[optind];
	if (credentials_load(creds_path, &creds))
		return 1;
	b.cfg.access_key_id = creds->keys[0].id;
	b.cfg.access_key_secret = creds->keys[0].secret;
	if (!strcmp(b.action, "GenerateDataKey")) {
		gdk[1] = key_id;
		b.params = gdk;
	} else if (!strcmp(b.action, "Decrypt")) {
		blob = make_blob(&b, key_id);
		if (!blob)
			return 1;
		dec[1] = blob;
		b.params = dec;
	} else {
		usage(argv[0]);
	}
	t = calloc((size_t)threads, sizeof(*t));
	if (!t)
		return 1;
	t0 = now();
	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, &b);
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	elapsed = now() - t0;
	printf("%s: %lu requests in %.1f s = %.0f req/s (%d threads, keep-alive, "
	       "signed); mean latency %.2f ms, max %.2f ms; %lu errors\n",
	       b.action, b.ok, elapsed, b.ok / elapsed, threads,
	       b.ok + b.failed ? 1e3 * b.lat_sum / (b.ok + b.failed) : 0,
	       1e3 * b.lat_max, b.failed);
	free(t);
	free(blob);
	credentials_free(creds);
	return b.failed || !b.ok ? 1 : 0;
}
