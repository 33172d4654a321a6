// SPDX-License-Identifier: GPL-2.0
/*
 * ecs-api: the ECS OpenAPI (2014-05-26) of one or several regions, in
 * front of the instances' agents.  See Documentation/ecs-api.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "console.h"
#include "ecs_api.h"
#include "http.h"
#include "kms_keys.h"
#include "link.h"
#include "log.h"
#include "nonces.h"
#include "secmem.h"
#include "session.h"

#define DEFAULT_REGION "cn-hangzhou"

static volatile sig_atomic_t stop_requested;

static const struct api_option {
	struct option opt;
	const char *arg;
	const char *help;
} options[] = {
	{ { "listen", required_argument, NULL, 'l' }, "HOST:PORT", "address to serve (required; not loopback: TLS required)" },
	{ { "data-dir", required_argument, NULL, 'd' }, "DIR", "where ecs-api.db lives (required without --database)" },
	{ { "credentials", required_argument, NULL, 'c' }, "FILE", "users: \"<AccessKeyId> <AccessKeySecret> <AccountId>\" lines (required)" },
	{ { "instance-credentials", required_argument, NULL, 'i' }, "FILE", "agents: \"<AccessKeyId> <AccessKeySecret> <InstanceId> <AccountId>\" lines (required)" },
	{ { "kms-endpoint", required_argument, NULL, 'e' }, "URL", "KMS for KMSKeyId checks (DescribeKey only)" },
	{ { "kms-credentials", required_argument, NULL, 'k' }, "FILE", "\"<AccessKeyId> <AccessKeySecret>\" for --kms-endpoint" },
	{ { "region", required_argument, NULL, 'r' }, "REGION", "a region served; repeat for several (default " DEFAULT_REGION ")" },
	{ { "tls-cert", required_argument, NULL, 'C' }, "FILE", "PEM certificate: serve HTTPS" },
	{ { "tls-key", required_argument, NULL, 'K' }, "FILE", "PEM key of --tls-cert" },
	{ { "agent-silence", required_argument, NULL, 's' }, "SECONDS", "an instance whose agent is quiet this long is Stopped (default 45)" },
	{ { "threads", required_argument, NULL, 't' }, "N", "HTTP threads (default 4)" },
	{ { "max-client-connections", required_argument, NULL, 'm' }, "N", "connections one local user or remote address may hold (default 512)" },
	{ { "request-deadline", required_argument, NULL, 'D' }, "SECONDS", "a request's headers and body must arrive within this (default 10)" },
	{ { "max-nonces-per-key", required_argument, NULL, 'N' }, "N", "unexpired signature nonces one access key may hold (default: an equal share of 2000000)" },
	{ { "console-dir", required_argument, NULL, 'W' }, "DIR", "the console's files (default: console/ beside the program, else " ECS_API_CONSOLE_DIR ")" },
	{ { "console-idle-timeout", required_argument, NULL, 'I' }, "SECONDS", "a console session unused this long ends (default 900)" },
	{ { "database", required_argument, NULL, 'B' }, "URL", "postgresql://...: the state (nonces too) in PostgreSQL, shared with other servers" },
	{ { "verbose", no_argument, NULL, 'v' }, NULL, "log debug messages" },
	{ { "help", no_argument, NULL, 'h' }, NULL, "this help" },
};
#define N_OPTIONS (sizeof(options) / sizeof(*options))

static void usage(FILE *f)
{
	fprintf(f, "usage: ecs-api --listen HOST:PORT {--data-dir DIR | --database URL} --credentials FILE\n"
		   "               --instance-credentials FILE [--kms-endpoint URL --kms-credentials FILE]\n"
		   "               [--region R]... [options]\n\n");
	for (size_t i = 0; i < N_OPTIONS; i++) {
		char left[48];

		snprintf(left, sizeof(left), "--%s%s%s", options[i].opt.name,
			 options[i].arg ? " " : "", options[i].arg ? options[i].arg : "");
		fprintf(f, "  %-30s %s\n", left, options[i].help);
	}
}

static void on_signal(int sig)
{
	stop_requested = 1;
}

static int parse_listen(struct api_options *o, char *arg)
{
	char *colon = strrchr(arg, ':');
	long port;

	if (!colon)
		return -EINVAL;
	*colon = '\0';
	port = strtol(colon + 1, NULL, 10);
	if (port <= 0 || port > 65535)
		return -EINVAL;
	o->listen_host = arg;
	o->listen_port = (unsigned short)port;
	return 0;
}

/* Every instance of --instance-credentials exists from the start, Stopped. */
static int register_instances(struct ecs_api *api)
{
	int r = api->ops->begin(api->store);

	for (size_t k = 0; r == 0 && k < api->instances->count; k++) {
		const struct credential *c = &api->instances->keys[k];
		struct ecs_instance i;

		if (api->ops->instance_get(api->store, c->extra[0], &i) == 0 &&
		    !strcmp(i.account, c->extra[1]))
			continue;
		memset(&i, 0, sizeof(i));
		snprintf(i.id, sizeof(i.id), "%s", c->extra[0]);
		snprintf(i.account, sizeof(i.account), "%s", c->extra[1]);
		r = api->ops->instance_put(api->store, &i);
	}
	if (r == 0)
		return api->ops->commit(api->store);
	api->ops->rollback(api->store);
	return r;
}

/*
 * A password in --database would be in argv, which every user reads: it
 * belongs in libpq's password file (PGPASSFILE, ~/.pgpass) or a
 * certificate.
 */
static bool url_has_password(const char *url)
{
	const char *auth = strstr(url, "://");
	size_t n;

	if (strcasestr(url, "password="))
		return true;
	if (!auth)
		return false;
	auth += 3;
	n = strcspn(auth, "/?");
	for (const char *at = auth + n; at > auth; at--)
		if (*(at - 1) == '@')
			return memchr(auth, ':', (size_t)(at - 1 - auth)) != NULL;
	return false;
}

/* A task committed by any server of the database (NULL: maybe several). */
static void wake_for_other_server(const char *instance, void *arg)
{
	struct ecs_api *api = arg;

	if (instance) {
		link_wake(api->link, instance);
		return;
	}
	for (size_t k = 0; k < api->instances->count; k++)
		link_wake(api->link, api->instances->keys[k].extra[0]);
}

int main(int argc, char **argv)
{
	struct option longopts[N_OPTIONS + 1];
	struct ecs_api api = {
		.opt = { .agent_silence_s = 45, .threads = 4,
			 .max_client_connections = 512, .request_deadline_s = 10,
			 .console_idle_s = CONSOLE_IDLE_DEFAULT_S },
		.ops = &store_sqlite_ops,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct MHD_Daemon *daemon = NULL;
	int c, r = 1;

	for (size_t i = 0; i < N_OPTIONS; i++)
		longopts[i] = options[i].opt;
	memset(&longopts[N_OPTIONS], 0, sizeof(longopts[0]));
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (parse_listen(&api.opt, optarg)) {
				fprintf(stderr, "ecs-api: --listen wants HOST:PORT\n");
				return 2;
			}
			break;
		case 'd': api.opt.data_dir = optarg; break;
		case 'c': api.opt.credentials_path = optarg; break;
		case 'i': api.opt.instance_credentials_path = optarg; break;
		case 'e': api.opt.kms_endpoint = optarg; break;
		case 'k': api.opt.kms_credentials_path = optarg; break;
		case 'r':
			if (api.opt.n_regions == ECS_API_MAX_REGIONS) {
				fprintf(stderr, "ecs-api: at most %d regions\n", ECS_API_MAX_REGIONS);
				return 2;
			}
			api.opt.regions[api.opt.n_regions++] = optarg;
			break;
		case 'C': api.opt.tls_cert = optarg; break;
		case 'K': api.opt.tls_key = optarg; break;
		case 's': api.opt.agent_silence_s = (unsigned int)atoi(optarg); break;
		case 't': api.opt.threads = (unsigned int)atoi(optarg); break;
		case 'm': api.opt.max_client_connections = (unsigned int)atoi(optarg); break;
		case 'D': api.opt.request_deadline_s = (unsigned int)atoi(optarg); break;
		case 'N': api.opt.max_nonces_per_key = atol(optarg); break;
		case 'W': api.opt.console_dir = optarg; break;
		case 'I': api.opt.console_idle_s = (unsigned int)atoi(optarg); break;
		case 'B': api.opt.database = optarg; break;
		case 'v': api.opt.verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	log_init("ecs-api", api.opt.verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (optind != argc || !api.opt.listen_host ||
	    (!api.opt.data_dir && !api.opt.database) ||
	    !api.opt.credentials_path || !api.opt.instance_credentials_path ||
	    !api.opt.kms_endpoint != !api.opt.kms_credentials_path ||
	    !api.opt.agent_silence_s || !api.opt.threads ||
	    !api.opt.max_client_connections || !api.opt.request_deadline_s ||
	    !api.opt.console_idle_s ||
	    api.opt.max_nonces_per_key < 0) {
		usage(stderr);
		return 2;
	}
	if (!api.opt.n_regions)
		api.opt.regions[api.opt.n_regions++] = DEFAULT_REGION;
	umask(0077);
	if (secmem_harden_process() < 0)
		log_warn("cannot lock memory or forbid core dumps");
	if (credentials_load_fields(api.opt.credentials_path, 1,
				    "<AccessKeyId> <AccessKeySecret> <AccountId>",
				    &api.users) < 0 ||
	    credentials_load_fields(api.opt.instance_credentials_path, 2,
				    "<AccessKeyId> <AccessKeySecret> <InstanceId> <AccountId>",
				    &api.instances) < 0)
		goto out;
	if (api.opt.kms_endpoint &&
	    kms_keys_open(api.opt.kms_endpoint, api.opt.kms_credentials_path,
			  &api.kms) < 0)
		goto out;
	if (console_open(&api) < 0)
		goto out;
	if (api.opt.database) {
		if (strncmp(api.opt.database, "postgresql://", 13) &&
		    strncmp(api.opt.database, "postgres://", 11)) {
			log_err("--database wants postgresql://...");
			r = 2;
			goto out;
		}
		if (url_has_password(api.opt.database)) {
			log_err("--database: no password in the URL (every user reads the command line); put it in PGPASSFILE");
			r = 2;
			goto out;
		}
		api.ops = &store_pg_ops;
		if (api.ops->open(api.opt.database, &api.store) < 0)
			goto out;
	} else {
		if (mkdir(api.opt.data_dir, 0700) < 0 && errno != EEXIST) {
			log_err("--data-dir %s: %m", api.opt.data_dir);
			goto out;
		}
		if (api.ops->open(api.opt.data_dir, &api.store) < 0)
			goto out;
	}
	/* Console sessions: the store's, when it is shared (PostgreSQL). */
	session_table_share(api.sessions, api.ops, api.store);
	if (api.ops->nonce_use)
		api.nonce_quota = nonce_quota(api.opt.max_nonces_per_key,
					      api.users->count + api.instances->count);
	if ((!api.ops->nonce_use &&
	     nonce_store_open(api.opt.data_dir, api.opt.max_nonces_per_key,
			      api.users->count + api.instances->count, &api.nonces) < 0) ||
	    register_instances(&api) < 0)
		goto out;
	/* A poll waits at most a third of the silence that makes it Stopped. */
	if (link_start(api.opt.agent_silence_s * 1000 / 3, http_resume, &api.link) < 0)
		goto out;
	if (api.ops->watch_tasks &&
	    api.ops->watch_tasks(api.store, wake_for_other_server, &api) < 0)
		goto out;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (http_start(&api, &daemon) < 0)
		goto out;
	log_info("serving %s:%u (%zu region(s), store %s, %s)", api.opt.listen_host,
		 api.opt.listen_port, api.opt.n_regions, api.ops->name,
		 api.opt.tls_cert ? "HTTPS" : "HTTP");
	while (!stop_requested)
		pause();
	log_info("stopping");
	r = 0;
out:
	if (api.link)
		link_unpark_all(api.link, 2000);
	http_stop(&api, daemon);
	/* The store's listener wakes through the link: it ends first. */
	if (api.store)
		api.ops->close(api.store);
	link_stop(api.link);
	nonce_store_close(api.nonces);
	kms_keys_close(api.kms);
	console_close(&api);
	credentials_free(api.users);
	credentials_free(api.instances);
	return r;
}
