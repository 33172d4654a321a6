// SPDX-License-Identifier: GPL-2.0
/*
 * kms-agent: the one process that holds KMS credentials and, for a moment,
 * plaintext data keys.  Serves ecsenc-ctl on a unix socket; see
 * Documentation/operations.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"
#include "agent_proto.h"
#include "audit.h"
#include "backend.h"
#include "core.h"
#include "catalog.h"
#include "credentials.h"
#include "agent_kms.h"
#include "ecs_link.h"
#include "agent_regions.h"
#include "log.h"
#include "secmem.h"
#include "server.h"

static volatile int stop_requested;

/* The one place that declares the agent's options. */
static const struct agent_option {
	struct option opt;
	const char *arg;
	const char *help;
} options[] = {
	{ { "kms-endpoint", required_argument, NULL, 'e' }, "URL", "KMS of every region: https://HOST, or a template https://kms.{region}.aliyuncs.com; http only to loopback" },
	{ { "credentials", required_argument, NULL, 'c' }, "FILE", "\"<AccessKeyId> <AccessKeySecret>\" file (required)" },
	{ { "state-dir", required_argument, NULL, 'd' }, "DIR", "backing stores and catalog.db (required)" },
	{ { "socket", required_argument, NULL, 's' }, "PATH", "control socket (default " AGENT_DEFAULT_SOCKET ")" },
	{ { "region", required_argument, NULL, 'r' }, "REGION", "default region, served (default " AGENT_DEFAULT_REGION ")" },
	{ { "regions", required_argument, NULL, 'G' }, "R1,R2,...", "other regions served (repeatable); requests naming any other are refused" },
	{ { "region-endpoint", required_argument, NULL, 'E' }, "R=URL", "region R is served, by the KMS at URL (repeatable)" },
	{ { "kms-allow-http", no_argument, NULL, 'H' }, NULL, "allow plain http to a KMS that is not on loopback (labs only)" },
	{ { "kms-deadline", required_argument, NULL, 't' }, "SECONDS", "retry transient KMS errors this long (default 20)" },
	{ { "no-reattach", no_argument, NULL, 'n' }, NULL, "do not re-attach the disks that were attached at the last stop" },
	{ { "rebuild-catalog", no_argument, NULL, 'R' }, NULL, "rebuild the catalog from the disk headers at start" },
	{ { "new-audit-file", no_argument, NULL, 'A' }, NULL, "set audit.log aside and go on in a new file" },
	{ { "backend", required_argument, NULL, 'b' }, "NAME", "where disks live: local (default: files under --state-dir) or rbd" },
	{ { "ceph-conf", required_argument, NULL, 'C' }, "FILE", "rbd: the Ceph configuration (monitors, keyring)" },
	{ { "rbd-pool", required_argument, NULL, 'P' }, "POOL", "rbd: the pool the disks live in" },
	{ { "ceph-id", required_argument, NULL, 'I' }, "NAME", "rbd: the Ceph user, client.NAME (default admin)" },
	{ { "instance-id", required_argument, NULL, 'i' }, "ID", "this host in attachments (default: the hostname)" },
	{ { "dm-prefix", required_argument, NULL, 'D' }, "PREFIX", "name dm devices PREFIX-<disk id> (default ecsenc)" },
	{ { "backend-dir", required_argument, NULL, 'B' }, "DIR", "where backend plugins are (default " AGENT_BACKEND_DIR ")" },
	{ { "ecs-api", required_argument, NULL, 'U' }, "URL", "take work from this ECS API server as --instance-id; several (repeated or URL,URL): the next when one does not answer" },
	{ { "ecs-api-allow-http", no_argument, NULL, 'W' }, NULL, "allow plain http to an --ecs-api that is not on loopback (labs only)" },
	{ { "ecs-api-credentials", required_argument, NULL, 'a' }, "FILE", "\"<AccessKeyId> <AccessKeySecret>\": this instance's key for --ecs-api" },
	{ { "ecs-api-workers", required_argument, NULL, 'w' }, "N", "run up to N tasks of --ecs-api at once, one disk's in order (1..64, default 8)" },
	{ { "verbose", no_argument, NULL, 'v' }, NULL, "log debug messages" },
	{ { "help", no_argument, NULL, 'h' }, NULL, "this help" },
};
#define N_OPTIONS (sizeof(options) / sizeof(*options))

static void usage(FILE *f)
{
	fprintf(f, "usage: kms-agent --kms-endpoint URL|--region-endpoint R=URL --credentials FILE --state-dir DIR [options]\n\n");
	for (size_t i = 0; i < N_OPTIONS; i++) {
		char left[48];

		snprintf(left, sizeof(left), "--%s%s%s", options[i].opt.name,
			 options[i].arg ? " " : "", options[i].arg ? options[i].arg : "");
		fprintf(f, "  %-26s %s\n", left, options[i].help);
	}
}

static void on_signal(int sig)
{
	stop_requested = 1;
}

/* sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET. */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, path);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	close(fd);
}

/*
 * One agent owns a state dir: a second one would share its catalog and
 * race it for the same stores.  The lock lives as long as the process.
 */
static int lock_state_dir(const char *dir)
{
	char path[1024], pid[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/agent.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_err("lock file %s: %m", path);
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;

		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (err == EWOULDBLOCK)
			log_err("another kms-agent (pid %s) owns the state dir %s; stop it first, or give this one its own --state-dir",
				*pid ? pid : "unknown", dir);
		else
			log_err("lock file %s: %s", path, strerror(err));
		close(fd);
		return -(err == EWOULDBLOCK ? EBUSY : err);
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		log_warn("cannot record the pid in %s", path);
	return fd;	/* kept open: the lock goes with the process */
}

int main(int argc, char **argv)
{
	struct option longopts[N_OPTIONS + 1];
	struct agent a = {
		.kms_lock = PTHREAD_MUTEX_INITIALIZER,
		.socket_path = AGENT_DEFAULT_SOCKET,
		.default_region = AGENT_DEFAULT_REGION,
		.kms_deadline_ms = 20000,
		.dm_prefix = "ecsenc",
	};
	struct agent_regions_config regions = { 0 };
	struct backend_rbd_config rbd = { .ceph_id = "admin" };
	const char *creds_path = NULL, *backend_name = "local";
	const char *backend_dir = AGENT_BACKEND_DIR;
	const char *ecs_api_url = NULL, *ecs_api_creds = NULL;
	char *ecs_api_urls = NULL;	/* --ecs-api given several times */
	struct ecs_link *link = NULL;
	bool ecs_api_allow_http = false;
	unsigned long ecs_api_workers = ECS_LINK_WORKERS_DEFAULT;
	char *end;
	char hostname[64] = "", why[512];
	int reattach = 1, rebuild = 0, new_audit_file = 0, verbose = 0;
	int fd = -1, lock_fd = -1, r, c, count;
	int too_many = 0;
	char db[1024];
	struct sigaction sa = { .sa_handler = on_signal };

	for (size_t i = 0; i < N_OPTIONS; i++)
		longopts[i] = options[i].opt;
	memset(&longopts[N_OPTIONS], 0, sizeof(longopts[0]));
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'e': regions.kms_endpoint = optarg; break;
		case 'c': creds_path = optarg; break;
		case 'd': a.state_dir = optarg; break;
		case 's': a.socket_path = optarg; break;
		case 'r': a.default_region = optarg; break;
		case 'G':
			if (regions.n_lists < AGENT_MAX_REGIONS)
				regions.lists[regions.n_lists++] = optarg;
			else
				too_many = 1;
			break;
		case 'E':
			if (regions.n_endpoints < AGENT_MAX_REGIONS)
				regions.endpoints[regions.n_endpoints++] = optarg;
			else
				too_many = 1;
			break;
		case 'H': regions.allow_http = true; break;
		case 't': a.kms_deadline_ms = atol(optarg) * 1000; break;
		case 'n': reattach = 0; break;
		case 'R': rebuild = 1; break;
		case 'A': new_audit_file = 1; break;
		case 'v': verbose = 1; break;
		case 'b': backend_name = optarg; break;
		case 'C': rbd.conf_file = optarg; break;
		case 'P': rbd.pool = optarg; break;
		case 'I': rbd.ceph_id = optarg; break;
		case 'i': a.instance_id = optarg; break;
		case 'D': a.dm_prefix = optarg; break;
		case 'B': backend_dir = optarg; break;
		case 'U':
			/* Given again: one more server, as in "URL,URL". */
			if (ecs_api_url) {
				size_t n = strlen(ecs_api_url) + strlen(optarg) + 2;
				char *both = malloc(n);

				if (!both) {
					fprintf(stderr, "kms-agent: out of memory\n");
					return 1;
				}
				snprintf(both, n, "%s,%s", ecs_api_url, optarg);
				free(ecs_api_urls);
				ecs_api_urls = both;
			}
			ecs_api_url = ecs_api_urls ? ecs_api_urls : optarg;
			break;
		case 'a': ecs_api_creds = optarg; break;
		case 'W': ecs_api_allow_http = true; break;
		case 'w':
			errno = 0;
			ecs_api_workers = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || !ecs_api_workers ||
			    ecs_api_workers > ECS_LINK_WORKERS_MAX) {
				fprintf(stderr, "kms-agent: --ecs-api-workers %s: give a number from 1 to %d\n",
					optarg, ECS_LINK_WORKERS_MAX);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	log_init(argv[0], verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (optind != argc || !creds_path || !a.state_dir ||
	    !ecs_api_url != !ecs_api_creds) {
		usage(stderr);
		return 2;
	}
	/* Every region and its KMS, checked before anything is touched. */
	regions.default_region = a.default_region;
	if (too_many) {
		log_err("more than %d --regions or --region-endpoint options",
			AGENT_MAX_REGIONS);
		return 2;
	}
	if (agent_regions_configure(&a, &regions, why, sizeof(why)) < 0) {
		log_err("%s", why);
		return 2;
	}
	if (regions.allow_http)
		log_warn("--kms-allow-http: KMS requests may go over plain http, readable on the network");

	if (!a.instance_id) {
		if (gethostname(hostname, sizeof(hostname) - 1) < 0 || !*hostname)
			snprintf(hostname, sizeof(hostname), "localhost");
		a.instance_id = hostname;
	}

	umask(0077);
	/* Before any secret is in memory: no swap, no core, no ptrace. */
	r = secmem_harden_process();
	if (r < 0) {
		log_err("cannot lock memory and forbid core dumps: %s", strerror(-r));
		return 1;
	}
	r = credentials_load(creds_path, &a.creds);
	if (r < 0 || !a.creds->count) {
		log_err("credentials %s: %s", creds_path, r < 0 ? strerror(-r) : "no key");
		return 1;
	}
	if (mkdir(a.state_dir, 0700) < 0 && errno != EEXIST) {
		log_err("state dir %s: %m", a.state_dir);
		goto out;
	}
	lock_fd = lock_state_dir(a.state_dir);
	if (lock_fd < 0)
		goto out;
	snprintf(db, sizeof(db), "%s/catalog.db", a.state_dir);
	r = catalog_open(db, &a.catalog);
	if (r < 0)
		goto out;
	/* A lost or damaged catalog comes back from the headers. */
	if (catalog_is_new(a.catalog))
		rebuild = 1;
	rbd.instance_id = a.instance_id;
	rbd.state_dir = a.state_dir;
	a.backend = backend_load(backend_name, backend_dir, &rbd, why, sizeof(why));
	if (!a.backend) {
		log_err("%s", why);
		goto out;
	}
	snprintf(db, sizeof(db), "%s/audit.log", a.state_dir);
	r = audit_open(db, a.catalog, new_audit_file, &a.audit);
	if (r < 0)
		goto out;
	if (rebuild && core_rebuild_catalog(&a, &count) < 0)
		log_warn("catalog rebuild failed");
	/* Before anything is served: what a crash left is settled. */
	core_reconcile(&a);

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* The socket first: a second agent on it is refused before it acts. */
	fd = server_listen(a.socket_path);
	if (fd < 0)
		goto out;
	/*
	 * Before READY=1, so that a unit ordered after us finds its disks;
	 * bounded (one KMS retry budget and a little), so that an unreachable
	 * KMS cannot hold the start past systemd's timeout.
	 */
	if (reattach)
		core_reattach_all(&a, a.kms_deadline_ms + 5000);
	agent_regions_log(&a);
	log_info("serving %s (default region %s, %zu regions)", a.socket_path,
		 a.default_region, a.n_regions);
	/* ecs-api's tasks only once the disks are back: as the socket's. */
	if (ecs_api_url) {
		r = ecs_link_start(&a, ecs_api_url, ecs_api_creds,
				   ecs_api_allow_http, ecs_api_workers, &link);
		if (r < 0)
			goto out;
	}
	notify_ready();
	server_run(&a, fd, &stop_requested);
	ecs_link_stop(link);
	log_info("stopping; attached disks stay attached");
	r = 0;
	if (server_drain(5000) > 0) {
		/* A request still runs (a KMS retry): leave its state be. */
		log_warn("requests still under way at exit");
		close(fd);
		unlink(a.socket_path);
		_exit(0);
	}
out:
	if (fd >= 0) {
		close(fd);
		unlink(a.socket_path);
	}
	agent_kms_free_clients(&a);
	catalog_close(a.catalog);
	audit_close(a.audit);
	credentials_free(a.creds);
	if (lock_fd >= 0)
		close(lock_fd);
	return r < 0 || fd < 0 ? 1 : 0;
}
