// SPDX-License-Identifier: GPL-2.0
/* The link to ecs-api (ecs_link.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "audit_ship.h"
#include "backend.h"
#include "credentials.h"
#include "ecs_keepalive.h"
#include "ecs_link.h"
#include "ecs_servers.h"
#include "json_wipe.h"
#include "kms_client.h"
#include "log.h"
#include "server.h"

#define ECS_LINK_VERSION	"2014-05-26"
#define ECS_LINK_TIMEOUT_MS	120000	/* longer than the server parks a poll */
#define ECS_LINK_RETRY_MS	500

struct ecs_link {
	struct agent *agent;
	struct credentials *creds;
	struct ecs_servers servers;	/* of the polls and reports */
	char *urls;			/* the servers, comma-separated */
	const char *url[ECS_SERVERS_MAX];
	size_t n_servers;
	pthread_t thread;
	volatile int stop;
	int busy;			/* tasks being run (atomic) */
	size_t workers;			/* tasks run at once */
	struct audit_ship *ship;	/* the audit trail to the server */
	struct ecs_keepalive *keepalive;	/* while a task runs */
};

static void pause_ms(struct ecs_link *l, long ms)
{
	for (long waited = 0; waited < ms && !l->stop; waited += 50)
		usleep(50 * 1000);
}

/* The agent follows the servers that are up (ecs_servers.h). */
static int call(struct ecs_link *l, const char *action,
		const char *const *params, struct kms_response *resp)
{
	return ecs_servers_call(&l->servers, action, params, resp);
}

/* Report until the server has it: a lost report would redo the task. */
static void report(struct ecs_link *l, int64_t id, const char *request_id,
		   struct json_object *reply)
{
	const char *text = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
	char task[24];

	snprintf(task, sizeof(task), "%lld", (long long)id);
	while (!l->stop) {
		const char *const params[] = { "TaskId", task, "Result", text, NULL };
		struct kms_response resp = { 0 };
		int r = call(l, "AgentReport", params, &resp);

		kms_response_release(&resp);
		if (r == 0)
			return;
		log_warn("RequestId %s: reporting task %s failed (%s); again",
			 request_id, task, strerror(-r));
		pause_ms(l, ECS_LINK_RETRY_MS);
	}
}

/* One task of a poll, as the workers see it. */
struct job {
	struct json_object *req;	/* NULL: not a request, skipped */
	struct json_object *reply;
	int64_t id;
	const char *rid;
	const char *object;		/* its disk (or snapshot): one at a time */
	enum { JOB_WAITING, JOB_RUNNING, JOB_DONE, JOB_REPORTED } state;
};

/* The tasks of one poll: workers run them, the link thread reports them. */
struct batch {
	struct ecs_link *l;
	struct job *jobs;
	size_t n;
	pthread_mutex_t mu;
	pthread_cond_t changed;
};

static const char *job_object(struct json_object *req)
{
	static const char *const keys[] = { "disk_id", "new_id", "snapshot_id" };
	struct json_object *args, *v;

	if (!json_object_object_get_ex(req, "args", &args))
		return "";
	/* The disk or snapshot it works on, or makes (create-disk's new_id). */
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (json_object_object_get_ex(args, keys[i], &v) &&
		    json_object_is_type(v, json_type_string))
			return json_object_get_string(v);
	return "";	/* no object: in order with the others that have none */
}

static void job_parse(struct job *j, struct json_object *task)
{
	struct json_object *v;

	j->rid = "-";
	j->state = JOB_DONE;	/* nothing to run, nothing to report */
	if (!json_object_object_get_ex(task, "TaskId", &v))
		return;
	j->id = json_object_get_int64(v);
	if (json_object_object_get_ex(task, "RequestId", &v))
		j->rid = json_object_get_string(v);
	if (!json_object_object_get_ex(task, "Request", &v))
		return;
	j->req = json_tokener_parse(json_object_get_string(v));
	if (!j->req) {
		log_err("RequestId %s: task %lld is not a request", j->rid, (long long)j->id);
		return;
	}
	j->object = job_object(j->req);
	j->state = JOB_WAITING;
}

/* The first waiting job no earlier unfinished job of its object holds back. */
static struct job *next_job(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		size_t k;

		if (b->jobs[i].state != JOB_WAITING)
			continue;
		for (k = 0; k < i; k++)
			if (b->jobs[k].req && b->jobs[k].state < JOB_DONE &&
			    !strcmp(b->jobs[k].object, b->jobs[i].object))
				break;
		if (k == i)
			return &b->jobs[i];
	}
	return NULL;
}

static bool jobs_waiting(const struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->jobs[i].state == JOB_WAITING)
			return true;
	return false;
}

static void run_job(struct ecs_link *l, struct job *j)
{
	struct timespec t0, t1;

	__atomic_add_fetch(&l->busy, 1, __ATOMIC_SEQ_CST);
	log_info("RequestId %s: task %lld from ecs-api", j->rid, (long long)j->id);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	j->reply = server_dispatch(l->agent, j->req);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("RequestId %s: task %lld done in %ld ms", j->rid, (long long)j->id,
		 (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	__atomic_sub_fetch(&l->busy, 1, __ATOMIC_SEQ_CST);
}

static void *worker_main(void *arg)
{
	struct batch *b = arg;
	struct job *j;

	pthread_mutex_lock(&b->mu);
	while (jobs_waiting(b)) {
		j = next_job(b);
		if (!j) {
			pthread_cond_wait(&b->changed, &b->mu);
			continue;
		}
		j->state = JOB_RUNNING;
		pthread_mutex_unlock(&b->mu);
		/* A stopping agent starts nothing new: the server sends it again. */
		if (!b->l->stop)
			run_job(b->l, j);
		pthread_mutex_lock(&b->mu);
		j->state = JOB_DONE;
		pthread_cond_broadcast(&b->changed);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/*
 * Up to l->workers tasks at once, those of one disk one after the other
 * in the order given; each reported as soon as it ends.
 */
static void run_tasks(struct ecs_link *l, struct json_object *list)
{
	struct batch b = { .l = l, .n = json_object_array_length(list),
			   .mu = PTHREAD_MUTEX_INITIALIZER,
			   .changed = PTHREAD_COND_INITIALIZER };
	pthread_t worker[ECS_LINK_WORKERS_MAX];
	size_t n_workers = 0;

	b.jobs = calloc(b.n, sizeof(*b.jobs));
	if (!b.jobs) {
		log_err("ecs-api: no memory for %zu tasks; the server sends them again", b.n);
		return;
	}
	for (size_t i = 0; i < b.n; i++)
		job_parse(&b.jobs[i], json_object_array_get_idx(list, i));
	while (n_workers < l->workers && n_workers < b.n &&
	       !pthread_create(&worker[n_workers], NULL, worker_main, &b))
		n_workers++;
	if (!n_workers)
		worker_main(&b);	/* no thread to be had: one at a time here */
	pthread_mutex_lock(&b.mu);
	for (;;) {
		struct job *done = NULL;
		size_t left = 0;

		for (size_t i = 0; i < b.n; i++) {
			if (!b.jobs[i].req || b.jobs[i].state == JOB_REPORTED)
				continue;
			left++;
			if (!done && b.jobs[i].state == JOB_DONE)
				done = &b.jobs[i];
		}
		if (!left)
			break;
		if (!done) {
			pthread_cond_wait(&b.changed, &b.mu);
			continue;
		}
		done->state = JOB_REPORTED;
		pthread_mutex_unlock(&b.mu);
		if (done->reply)
			report(l, done->id, done->rid, done->reply);
		pthread_mutex_lock(&b.mu);
	}
	pthread_mutex_unlock(&b.mu);
	for (size_t i = 0; i < n_workers; i++)
		pthread_join(worker[i], NULL);
	for (size_t i = 0; i < b.n; i++) {
		json_wipe_put(b.jobs[i].reply);
		json_object_put(b.jobs[i].req);
	}
	free(b.jobs);
}

static void *link_main(void *arg)
{
	struct ecs_link *l = arg;
	/* Backend: where its disks live tells the server who else reaches them. */
	const char *const params[] = { "RegionId", l->agent->default_region,
				       "Backend", l->agent->backend->name, NULL };

	while (!l->stop) {
		struct kms_response resp = { 0 };
		struct json_object *tasks, *list, *every;
		int r = call(l, "AgentPoll", params, &resp);

		if (r < 0) {
			log_warn("ecs-api: AgentPoll failed: %s%s%s", strerror(-r),
				 resp.code[0] ? ": " : "", resp.code);
			kms_response_release(&resp);
			pause_ms(l, ECS_LINK_RETRY_MS * 2);
			continue;
		}
		if (json_object_object_get_ex(resp.body, "KeepAliveMs", &every))
			ecs_keepalive_interval(l->keepalive,
					       (long)json_object_get_int64(every));
		if (json_object_object_get_ex(resp.body, "Tasks", &tasks) &&
		    json_object_object_get_ex(tasks, "Task", &list) &&
		    json_object_is_type(list, json_type_array) &&
		    json_object_array_length(list)) {
			/* Not polling until they are reported: alive meanwhile. */
			ecs_keepalive_busy(l->keepalive, true);
			run_tasks(l, list);
			ecs_keepalive_busy(l->keepalive, false);
		}
		kms_response_release(&resp);
	}
	return NULL;
}

/*
 * The tasks that come back are what the agent does to disks: they travel
 * inside TLS, or over loopback (anywhere with @allow_http, for labs).
 */
static int url_allowed(const char *url, bool allow_http)
{
	const char *host;

	if (!strncasecmp(url, "https://", 8))
		return 0;
	if (strncasecmp(url, "http://", 7))
		return -EINVAL;
	host = url + 7;
	if (allow_http || !strncmp(host, "127.", 4) ||
	    !strncmp(host, "localhost", 9) || !strncmp(host, "[::1]", 5))
		return 0;
	return -EPERM;
}

/* @urls: "URL[,URL]..." into l->url[]. */
static int split_urls(struct ecs_link *l, const char *urls, bool allow_http)
{
	char *save = NULL;
	int r;

	l->urls = strdup(urls);
	if (!l->urls)
		return -ENOMEM;
	for (char *u = strtok_r(l->urls, ",", &save); u; u = strtok_r(NULL, ",", &save)) {
		if (l->n_servers == ECS_SERVERS_MAX) {
			log_err("--ecs-api: at most %d servers", ECS_SERVERS_MAX);
			return -E2BIG;
		}
		r = url_allowed(u, allow_http);
		if (r < 0) {
			log_err(r == -EPERM ?
				"--ecs-api %s is plain http to a host that is not loopback: the tasks it sends would cross the network forgeable; use https (or, in a lab, --ecs-api-allow-http)" :
				"--ecs-api %s: give https://HOST[:PORT] (http:// only to loopback)",
				u);
			return r;
		}
		l->url[l->n_servers++] = u;
	}
	return l->n_servers ? 0 : -EINVAL;
}

int ecs_link_start(struct agent *a, const char *urls,
		   const char *credentials_path, bool allow_http,
		   unsigned int workers, struct ecs_link **out)
{
	struct ecs_link *l = calloc(1, sizeof(*l));
	struct kms_client_config cfg = {
		.version = ECS_LINK_VERSION,
		.timeout_ms = ECS_LINK_TIMEOUT_MS,
	};
	int r;

	if (!l)
		return -ENOMEM;
	l->agent = a;
	l->workers = workers;
	r = split_urls(l, urls, allow_http);
	if (r < 0)
		goto fail;
	r = credentials_load(credentials_path, &l->creds);
	if (r < 0)
		goto fail;
	cfg.access_key_id = l->creds->keys[0].id;
	cfg.access_key_secret = l->creds->keys[0].secret;
	r = ecs_servers_init(&l->servers, &cfg, l->url, l->n_servers);
	if (r < 0)
		goto fail;
	r = audit_ship_start(a, &cfg, l->url, l->n_servers, &l->ship);
	if (r < 0)
		goto fail;
	r = ecs_keepalive_start(&cfg, l->url, l->n_servers, &l->keepalive);
	if (r < 0)
		goto fail;
	if (pthread_create(&l->thread, NULL, link_main, l)) {
		r = -EAGAIN;
		goto fail;
	}
	log_info("instance %s takes its work from ecs-api at %s", a->instance_id, urls);
	*out = l;
	return 0;
fail:
	ecs_keepalive_stop(l->keepalive);
	ecs_keepalive_free(l->keepalive);
	audit_ship_stop(l->ship);
	ecs_servers_release(&l->servers);
	credentials_free(l->creds);
	free(l->urls);
	free(l);
	return r;
}

void ecs_link_stop(struct ecs_link *l)
{
	if (!l)
		return;
	l->stop = 1;
	/*
	 * A task under way finishes (the agent's state stays whole; its report
	 * is lost, and the server sends the task again).  A parked poll ends
	 * at the server's deadline: that is not waited for.
	 */
	for (int waited = 0; __atomic_load_n(&l->busy, __ATOMIC_SEQ_CST) && waited < 5000;
	     waited += 50)
		usleep(50 * 1000);
	pthread_detach(l->thread);
	ecs_keepalive_stop(l->keepalive);	/* kept, as @l, for the thread */
	/* Records not yet shipped wait in the log for the next start. */
	audit_ship_stop(l->ship);
}
