// SPDX-License-Identifier: GPL-2.0
/*
 * kms-emulator: an Alibaba Cloud KMS (API 2016-01-20) server for tests.
 *
 *   kms-emulator --listen 127.0.0.1:PORT --data-dir DIR --credentials FILE
 *                [--region REGION] [--admin-key AK] [--max-keys N] ...
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "datadir.h"
#include "emulator.h"
#include "http.h"
#include "log.h"
#include "meter.h"
#include "nonces.h"
#include "rootkey.h"
#include "store.h"

/* The one place that declares the options: getopt table and help text. */
static const struct option_help {
	struct option opt;
	const char *arg;
	const char *help;
} options[] = {
	{ { "listen", required_argument, NULL, 'l' }, "ADDR:PORT",
	  "listen on this IPv4 address and port (required)" },
	{ { "data-dir", required_argument, NULL, 'd' }, "DIR",
	  "SQLite database and root key live here (required)" },
	{ { "credentials", required_argument, NULL, 'c' }, "FILE",
	  "access keys, one \"<AccessKeyId> <AccessKeySecret>\" per line (required)" },
	{ { "region", required_argument, NULL, 'r' }, "REGION",
	  "region of requests without RegionId (default cn-hangzhou)" },
	{ { "admin-key", required_argument, NULL, 'a' }, "ACCESSKEYID",
	  "this access key may call AdvanceClock and DescribeMetering" },
	{ { "max-keys", required_argument, NULL, 'm' }, "N",
	  "customer keys per region (default 100)" },
	{ { "threads", required_argument, NULL, 't' }, "N",
	  "HTTP worker threads (default 2 x CPUs, at least 4)" },
	{ { "request-deadline", required_argument, NULL, 'D' }, "SECONDS",
	  "a request's headers and body must arrive within this time of the accept (default 10)" },
	{ { "max-client-connections", required_argument, NULL, 'C' }, "N",
	  "connections one local user (or one remote address) may hold (default 64)" },
	{ { "max-nonces-per-key", required_argument, NULL, 'N' }, "N",
	  "unexpired signature nonces one access key may hold (default: 2000000 shared equally by the access keys)" },
	{ { "legacy-external-blobs", no_argument, NULL, 'X' }, NULL,
	  "open format 1 ciphertexts of EXTERNAL keys (unsafe: for a migration)" },
	{ { "clock-offset", required_argument, NULL, 'o' }, "SECONDS",
	  "move the emulator clock forward by this much, persistently" },
	{ { "delay", required_argument, NULL, 'L' }, "MS",
	  "answer every request this many milliseconds late (tests of slow KMSs)" },
	{ { "print-metering", no_argument, NULL, 'p' }, NULL,
	  "print the stored call counts of --data-dir as JSON and exit" },
	{ { "verbose", no_argument, NULL, 'v' }, NULL, "debug logging" },
	{ { "quiet", no_argument, NULL, 'q' }, NULL,
	  "no per-request log lines" },
	{ { "help", no_argument, NULL, 'h' }, NULL, "this help" },
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

static void usage(FILE *f, const char *prog)
{
	size_t i;

	fprintf(f, "usage: %s --listen ADDR:PORT --data-dir DIR --credentials FILE [options]\n",
		prog);
	for (i = 0; i < N_OPTIONS; i++) {
		char flag[64];

		snprintf(flag, sizeof(flag), "--%s%s%s", options[i].opt.name,
			 options[i].arg ? " " : "",
			 options[i].arg ? options[i].arg : "");
		fprintf(f, "  %-26s %s\n", flag, options[i].help);
	}
}

static int parse_listen(const char *s, struct emu_options *o)
{
	static char host[64];
	const char *colon = strrchr(s, ':');
	long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host) ||
	    parse_long(colon + 1, 1, 65535, &port))
		return -EINVAL;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	o->listen_host = host;
	o->listen_port = (unsigned short)port;
	return 0;
}

static int parse_uint(const char *s, long min, long max, unsigned int *out)
{
	long v;

	if (parse_long(s, min, max, &v))
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct emu_options *o)
{
	struct option longopts[N_OPTIONS + 1];
	long v;
	size_t i;
	int c;

	for (i = 0; i < N_OPTIONS; i++)
		longopts[i] = options[i].opt;
	memset(&longopts[N_OPTIONS], 0, sizeof(longopts[0]));
	o->default_region = "cn-hangzhou";
	o->max_keys = 100;
	o->request_deadline = 10;
	o->max_client_connections = 64;
	v = sysconf(_SC_NPROCESSORS_ONLN);
	o->threads = v > 2 ? (unsigned int)(2 * v) : 4;

	while ((c = getopt_long(argc, argv, "l:d:c:r:a:m:t:D:C:N:Xo:L:pvqh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'l':
			if (parse_listen(optarg, o))
				goto bad;
			break;
		case 'd':
			o->data_dir = optarg;
			break;
		case 'c':
			o->credentials_path = optarg;
			break;
		case 'r':
			if (!*optarg || strlen(optarg) > KMS_REGION_MAX)
				goto bad;
			o->default_region = optarg;
			break;
		case 'a':
			o->admin_key = optarg;
			break;
		case 'm':
			if (parse_uint(optarg, 0, 1000000, &o->max_keys))
				goto bad;
			break;
		case 't':
			if (parse_uint(optarg, 1, 1024, &o->threads))
				goto bad;
			break;
		case 'D':
			if (parse_uint(optarg, 1, 3600, &o->request_deadline))
				goto bad;
			break;
		case 'C':
			if (parse_uint(optarg, 1, 1024, &o->max_client_connections))
				goto bad;
			break;
		case 'N':
			if (parse_long(optarg, 1, NONCE_MAX_ENTRIES,
				       &o->max_nonces_per_key))
				goto bad;
			break;
		case 'o':
			if (parse_long(optarg, 0, 100L * 366 * 86400, &v))
				goto bad;
			o->clock_offset = v;
			break;
		case 'L':
			if (parse_long(optarg, 0, 600000, &v))
				goto bad;
			o->delay_ms = v;
			break;
		case 'X':
			o->legacy_external_blobs = 1;
			break;
		case 'p':
			o->print_metering = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'q':
			o->verbose = -1;
			break;
		case 'h':
			usage(stdout, argv[0]);
			exit(0);
		default:
			goto bad;
		}
	}
	if (optind != argc || !o->data_dir)
		goto bad;
	if (!o->print_metering && (!o->listen_host || !o->credentials_path))
		goto bad;
	return 0;
bad:
	usage(stderr, argv[0]);
	return -EINVAL;
}

/* No core dumps of a process that holds key material. */
static void no_dumps(void)
{
	struct rlimit none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) < 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		log_warn("cannot disable core dumps: %s", strerror(errno));
}

/* Writes the in-memory counts; used at shutdown. */
static void flush_meter(struct emulator *emu)
{
	pthread_mutex_lock(&emu->db_lock);
	if (!store_exec(emu, "BEGIN IMMEDIATE")) {
		if (meter_flush(emu) || store_exec(emu, "COMMIT"))
			store_exec(emu, "ROLLBACK");
	}
	pthread_mutex_unlock(&emu->db_lock);
}

static int print_metering(struct emulator *emu)
{
	struct json_object *m = meter_json(emu);

	printf("%s\n", json_object_to_json_string_ext(m, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(m);
	return 0;
}

static int apply_clock_offset(struct emulator *emu)
{
	if (!emu->opt.clock_offset)
		return 0;
	if ((long long)time(NULL) + emu->clock_offset + emu->opt.clock_offset >
	    KMS_CLOCK_MAX) {
		log_err("--clock-offset %ld would move the clock past %s",
			emu->opt.clock_offset, KMS_CLOCK_MAX_TEXT);
		return -EINVAL;
	}
	emu->clock_offset += emu->opt.clock_offset;
	if (store_set_meta(emu, "clock_offset", emu->clock_offset))
		return -EIO;
	log_info("emulator clock moved forward by %ld s (offset now %ld s)",
		 emu->opt.clock_offset, emu->clock_offset);
	return 0;
}

static int serve(struct emulator *emu)
{
	struct MHD_Daemon *d = NULL;
	sigset_t set;
	int sig = 0, ret;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = http_start(emu, &d);
	if (ret)
		return ret;
	if (emu->opt.legacy_external_blobs)
		log_warn("--legacy-external-blobs: format 1 ciphertexts of EXTERNAL keys are accepted, though whoever imported their material could have forged them");
	log_info("listening on %s:%u, region %s, data %s, %u threads, %ld nonces per access key",
		 emu->opt.listen_host, emu->opt.listen_port,
		 emu->opt.default_region, emu->opt.data_dir, emu->opt.threads,
		 nonce_store_quota(emu->nonces));
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		;
	log_info("signal %d: stopping", sig);
	http_stop(emu, d);
	flush_meter(emu);
	return 0;
}

int main(int argc, char **argv)
{
	struct emulator emu;
	int ret;

	memset(&emu, 0, sizeof(emu));
	emu.lock_fd = -1;
	/* SQLite, the root key, the lock: every file made here is private. */
	umask(0077);
	log_init(argv[0], LOG_LEVEL_INFO);
	if (parse_args(argc, argv, &emu.opt))
		return 2;
	log_init(argv[0], emu.opt.verbose > 0 ? LOG_LEVEL_DEBUG :
		 emu.opt.verbose < 0 ? LOG_LEVEL_WARN : LOG_LEVEL_INFO);
	no_dumps();
	pthread_mutex_init(&emu.db_lock, NULL);

	ret = datadir_open(&emu, emu.opt.print_metering);
	if (!ret)
		ret = store_open(&emu);
	if (!ret)
		ret = meter_init(&emu);
	if (ret)
		goto out;
	if (emu.opt.print_metering) {
		ret = print_metering(&emu);
		goto out;
	}
	ret = credentials_load(emu.opt.credentials_path, &emu.creds);
	if (!ret)
		ret = rootkey_load(&emu);
	if (!ret)
		ret = nonce_store_open(emu.opt.data_dir,
				       emu.opt.max_nonces_per_key,
				       emu.creds->count, &emu.nonces);
	if (!ret)
		ret = apply_clock_offset(&emu);
	if (!ret)
		ret = serve(&emu);
out:
	nonce_store_close(emu.nonces);
	rootkey_free(&emu);
	credentials_free(emu.creds);
	meter_free(&emu);
	store_close(&emu);
	datadir_close(&emu);
	pthread_mutex_destroy(&emu.db_lock);
	return ret ? 1 : 0;
}
