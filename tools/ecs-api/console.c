// SPDX-License-Identifier: GPL-2.0
/* The console: files, sessions and actions over HTTP (console.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "kms_keys.h"
#include "kms_usage.h"
#include "log.h"
#include "session.h"

#ifndef ECS_API_CONSOLE_DIR
#define ECS_API_CONSOLE_DIR "/usr/share/ecsenc/console"
#endif

#define PREFIX		"/console"
#define API_PREFIX	PREFIX "/api/"
#define COOKIE		"ecs_console"
#define CSRF_HEADER	"X-CSRF-Token"
#define FILE_MAX	(1 << 20)

static char console_dir[PATH_MAX];

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * --console-dir; else console/ beside the program (the build tree); else
 * the installed ECS_API_CONSOLE_DIR.
 */
static int find_dir(const char *given)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (given) {
		if (!is_dir(given)) {
			log_err("--console-dir %s is not a directory", given);
			return -ENOENT;
		}
		snprintf(console_dir, sizeof(console_dir), "%s", given);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash && (size_t)(slash - exe) + sizeof("/console") < sizeof(exe)) {
			strcpy(slash, "/console");
			if (is_dir(exe)) {
				snprintf(console_dir, sizeof(console_dir), "%s", exe);
				return 0;
			}
		}
	}
	snprintf(console_dir, sizeof(console_dir), "%s", ECS_API_CONSOLE_DIR);
	if (!is_dir(console_dir))
		log_warn("no console files in %s: /console/ answers 404", console_dir);
	return 0;
}

int console_open(struct ecs_api *api)
{
	int r = find_dir(api->opt.console_dir);

	if (r < 0)
		return r;
	api->opt.console_dir = console_dir;
	r = session_table_new(api->opt.console_idle_s, &api->sessions);
	if (r == 0)
		r = kms_usage_new(&api->usage);
	return r;
}

void console_close(struct ecs_api *api)
{
	session_table_free(api->sessions);
	api->sessions = NULL;
	kms_usage_free(api->usage);
	api->usage = NULL;
}

bool console_url(const char *url)
{
	return !strcmp(url, PREFIX) || !strncmp(url, PREFIX "/", strlen(PREFIX) + 1);
}

/* Headers every console answer carries: nothing from elsewhere, no framing. */
static void add_common_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy",
		"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
		"base-uri 'none'; form-action 'self'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
}

static enum MHD_Result send_json(struct MHD_Connection *conn, int status,
				 struct json_object *o, const char *cookie)
{
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(text), (void *)text,
					       MHD_RESPMEM_MUST_COPY);
	json_object_put(o);
	if (!resp)
		return MHD_NO;
	add_common_headers(resp);
	MHD_add_response_header(resp, "Content-Type", "application/json;charset=utf-8");
	if (cookie)
		MHD_add_response_header(resp, "Set-Cookie", cookie);
	ret = MHD_queue_response(conn, (unsigned int)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* An ECS-style refusal: {RequestId, HostId, Code, Message, Recommend}. */
static enum MHD_Result refuse(struct MHD_Connection *conn, enum ecs_err e,
			      const char *why, const char *cookie)
{
	const struct ecs_error *x = ecs_error_get(e);
	struct json_object *o = json_object_new_object();
	char rid[REQUEST_ID_LEN + 1] = "-";

	request_id_new(rid, sizeof(rid));
	json_object_object_add(o, "RequestId", json_object_new_string(rid));
	json_object_object_add(o, "HostId", json_object_new_string("ecs-api"));
	json_object_object_add(o, "Code", json_object_new_string(x->code));
	json_object_object_add(o, "Message", json_object_new_string(why ? why : x->meaning));
	json_object_object_add(o, "Recommend", json_object_new_string(""));
	return send_json(conn, x->http_status, o, cookie);
}

static const char *content_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html;charset=utf-8" },
		{ ".css", "text/css;charset=utf-8" },
		{ ".js", "text/javascript;charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(*types); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return NULL;
}

/* A file name of the console: [a-z0-9-]+ and a known extension, no path. */
static bool file_name_ok(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-");

	return n > 0 && name[n] == '.' && !strchr(name + n + 1, '/') &&
	       content_type(name);
}

static enum MHD_Result send_file(struct MHD_Connection *conn, const char *name)
{
	char path[PATH_MAX];
	struct MHD_Response *resp;
	enum MHD_Result ret;
	struct stat st;
	int fd;

	if (!file_name_ok(name) ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", console_dir, name) >= sizeof(path))
		return refuse(conn, ECS_ERR_UNKNOWN_ACTION, "No such console page.", NULL);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		if (fd >= 0)
			close(fd);
		return refuse(conn, ECS_ERR_UNKNOWN_ACTION, "No such console page.", NULL);
	}
	resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	add_common_headers(resp);
	MHD_add_response_header(resp, "Content-Type", content_type(name));
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/*
 * A browser names the page that sent a POST in Origin: it must be this
 * server's (Host).  No Origin: not a browser's cross-site request.
 */
static bool same_origin(struct MHD_Connection *conn)
{
	const char *origin = header(conn, "Origin");
	const char *host = header(conn, "Host");
	const char *rest;

	if (!origin)
		return true;
	rest = strstr(origin, "://");
	return rest && host && !strcmp(rest + 3, host);
}

static void cookie_of(const struct ecs_api *api, const char *id, char *out,
		      size_t len)
{
	/* Over TLS (required off loopback) the cookie is Secure. */
	snprintf(out, len, COOKIE "=%s; Path=" PREFIX "; HttpOnly; SameSite=Strict%s%s",
		 id, id[0] ? "" : "; Max-Age=0", api->opt.tls_cert ? "; Secure" : "");
}

static struct json_object *session_json(const struct session_view *v,
					unsigned int idle_s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "AccessKeyId", json_object_new_string(v->access_key_id));
	json_object_object_add(o, "AccountId", json_object_new_string(v->account));
	json_object_object_add(o, "CsrfToken", json_object_new_string(v->csrf));
	json_object_object_add(o, "IdleTimeout", json_object_new_int64(idle_s));
	return o;
}

/* Wipe what the request carried of a secret: its parameter and the body. */
static void wipe_secret(const struct signed_request *req)
{
	for (size_t i = 0; i < req->nparams; i++)
		if (!strcmp(req->params[i].name, "AccessKeySecret"))
			explicit_bzero((char *)req->params[i].value,
				       strlen(req->params[i].value));
	if (req->body)
		explicit_bzero((char *)req->body, req->body_len);
}

static enum MHD_Result sign_in(struct ecs_api *api, struct MHD_Connection *conn,
			       const struct signed_request *req, const char *old_id)
{
	const char *ak = signed_request_param(req, "AccessKeyId");
	const char *secret = signed_request_param(req, "AccessKeySecret");
	char id[SESSION_ID_LEN + 1], cookie[256];
	struct session_view v;
	int r;

	if (!ak || !secret || !*ak || !*secret) {
		wipe_secret(req);
		return refuse(conn, ECS_ERR_MISSING_PARAMETER,
			      "AccessKeyId and AccessKeySecret are required.", NULL);
	}
	r = session_open(api->sessions, api->users, ak, secret, id, &v);
	wipe_secret(req);
	if (r == -EAGAIN) {
		log_warn("console: sign-in refused for AccessKeyId %.64s: too many wrong secrets", ak);
		return refuse(conn, ECS_ERR_THROTTLING,
			      "Too many wrong secrets for this AccessKey: try again in a minute.",
			      NULL);
	}
	if (r == -EACCES) {
		log_info("console: sign-in refused for AccessKeyId %.64s", ak);
		return refuse(conn, ECS_ERR_ACCESS_KEY_NOT_FOUND,
			      "The AccessKey pair is not valid.", NULL);
	}
	if (r < 0)
		return refuse(conn, ECS_ERR_SERVICE_UNAVAILABLE,
			      "No console session can be opened now.", NULL);
	/* A session this browser held before ends: one at a time. */
	if (old_id)
		session_close(api->sessions, old_id);
	log_info("console: %s signed in (account %s)", v.access_key_id, v.account);
	cookie_of(api, id, cookie, sizeof(cookie));
	explicit_bzero(id, sizeof(id));
	return send_json(conn, MHD_HTTP_OK,
			 session_json(&v, session_idle_timeout(api->sessions)), cookie);
}

/* The KMS keys of a region, as the Create disk page lists them. */
static enum MHD_Result list_kms_keys(struct ecs_api *api, struct MHD_Connection *conn,
				     const struct signed_request *req)
{
	const char *region = signed_request_param(req, "RegionId");
	struct json_object *keys = NULL, *o;
	char why[256];
	enum ecs_err e;

	if (!region || !api_region_known(api, region))
		return refuse(conn, ECS_ERR_REGION_NOT_FOUND,
			      "The specified RegionId does not exist.", NULL);
	e = kms_keys_list(api->kms, region, &keys, why, sizeof(why));
	if (e)
		return refuse(conn, e, why, NULL);
	o = json_object_new_object();
	json_object_object_add(o, "RegionId", json_object_new_string(region));
	json_object_object_add(o, "Keys", keys);
	return send_json(conn, MHD_HTTP_OK, o, NULL);
}

/* The agents' KMS calls by ECS operation (kms_usage.h). */
static enum MHD_Result describe_kms_usage(struct ecs_api *api,
					  struct MHD_Connection *conn,
					  const struct signed_request *req,
					  const char *account, struct api_call *call)
{
	const char *region = signed_request_param(req, "RegionId");
	enum MHD_Result ret;
	enum ecs_err e;

	if (!region || !api_region_known(api, region))
		return refuse(conn, ECS_ERR_REGION_NOT_FOUND,
			      "The specified RegionId does not exist.", NULL);
	call->api = api;
	call->req = req;
	call->caller = CALLER_USER;
	call->account = account;
	call->args.region_id = region;
	if (request_id_new(call->request_id, sizeof(call->request_id)) < 0)
		snprintf(call->request_id, sizeof(call->request_id), "-");
	e = kms_usage_describe(call);
	if (e)
		return refuse(conn, e, call->message, NULL);
	json_object_object_add(call->reply, "RequestId",
			       json_object_new_string(call->request_id));
	ret = send_json(conn, MHD_HTTP_OK, call->reply, NULL);
	call->reply = NULL;
	return ret;
}

enum MHD_Result console_answer(struct ecs_api *api, struct MHD_Connection *conn,
			       const char *url, const char *method,
			       const struct signed_request *req,
			       struct api_call *call)
{
	const char *sid = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, COOKIE);
	bool post = !strcmp(method, "POST");
	struct session_view v;
	char cookie[256];
	struct json_object *answer = NULL;
	int status, r;

	if (!post) {
		if (!strcmp(url, PREFIX) || !strcmp(url, PREFIX "/"))
			return send_file(conn, "index.html");
		if (strncmp(url, API_PREFIX, strlen(API_PREFIX)))
			return send_file(conn, url + strlen(PREFIX "/"));
		return refuse(conn, ECS_ERR_INVALID_PARAMETER,
			      "Console actions are POST requests.", NULL);
	}
	if (!same_origin(conn)) {
		wipe_secret(req);
		return refuse(conn, ECS_ERR_CSRF_TOKEN_INVALID,
			      "The request comes from another site.", NULL);
	}
	if (!strcmp(url, PREFIX "/session/signin"))
		return sign_in(api, conn, req, sid);
	r = sid ? session_touch(api->sessions, sid, time(NULL), &v) : -ENOENT;
	if (r == -EIO)
		return refuse(conn, ECS_ERR_SERVICE_UNAVAILABLE,
			      "The session cannot be read now.", NULL);
	if (r < 0) {
		cookie_of(api, "", cookie, sizeof(cookie));
		return refuse(conn, ECS_ERR_SESSION_INVALID, NULL, cookie);
	}
	/* Reading the session hands out its token: only same-site can read it. */
	if (!strcmp(url, PREFIX "/session"))
		return send_json(conn, MHD_HTTP_OK,
				 session_json(&v, session_idle_timeout(api->sessions)), NULL);
	if (!session_csrf_ok(&v, header(conn, CSRF_HEADER)))
		return refuse(conn, ECS_ERR_CSRF_TOKEN_INVALID, NULL, NULL);
	if (!strcmp(url, PREFIX "/session/signout")) {
		session_close(api->sessions, sid);
		log_info("console: %s signed out", v.access_key_id);
		cookie_of(api, "", cookie, sizeof(cookie));
		return send_json(conn, MHD_HTTP_OK, json_object_new_object(), cookie);
	}
	if (strncmp(url, API_PREFIX, strlen(API_PREFIX)))
		return refuse(conn, ECS_ERR_UNKNOWN_ACTION, "No such console call.", NULL);
	url += strlen(API_PREFIX);
	if (!strcmp(url, "ListKmsKeys"))
		return list_kms_keys(api, conn, req);
	if (!strcmp(url, "DescribeKmsUsage"))
		return describe_kms_usage(api, conn, req, v.account, call);
	status = dispatch_session(api, req, v.account, url, call, &answer);
	return send_json(conn, status, answer, NULL);
}
