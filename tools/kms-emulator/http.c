// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "conn_guard_mhd.h"
#include "emulator.h"
#include "form.h"
#include "http.h"
#include "json_wipe.h"
#include "log.h"
#include "router.h"

#define BODY_MAX (64 * 1024)
#define CONNECTION_LIMIT 1024

/* Per-connection request state (MHD's con_cls). */
struct http_req {
	struct kms_request req;
	size_t body_cap;
	int too_big;
	int bad_params;		/* too many, or a malformed escape */
};

static void free_wiped(void *p)
{
	if (p) {
		OPENSSL_cleanse(p, strlen(p));
		free(p);
	}
}

/* The one reply helper: serializes, wipes and frees @answer. */
static enum MHD_Result reply(struct MHD_Connection *conn, int status,
			     struct json_object *answer)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len = 0;
	const char *text;
	char *copy;

	text = json_object_to_json_string_length(answer, JSON_C_TO_STRING_PLAIN,
						 &len);
	copy = text ? strndup(text, len) : NULL;
	if (text)
		OPENSSL_cleanse((char *)text, len);
	json_wipe_put(answer);
	if (!copy)
		return MHD_NO;
	resp = MHD_create_response_from_buffer_with_free_callback(len, copy,
								  free_wiped);
	if (!resp) {
		free_wiped(copy);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
				"application/json;charset=utf-8");
	ret = MHD_queue_response(conn, (unsigned int)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *conn,
				   struct emulator *emu, enum kms_err e)
{
	struct json_object *answer;
	int status = router_error(emu, e, &answer);

	return reply(conn, status, answer);
}

/*
 * MHD has already decoded the URL's %XX escapes, so a name or value may
 * hold a NUL: refuse it, as the form parser does, rather than cut it.
 */
static enum MHD_Result on_query_arg(void *cls, enum MHD_ValueKind kind,
				    const char *key, size_t key_size,
				    const char *value, size_t value_size)
{
	struct http_req *r = cls;

	if (strlen(key) != key_size || (value && strlen(value) != value_size)) {
		r->bad_params = 1;
		return MHD_NO;
	}
	if (req_add_param(&r->req, strdup(key), strdup(value ? value : ""), 1))
		r->bad_params = 1;
	return MHD_YES;
}

/* Every connection is counted against its client and watched. */
static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct emulator *emu = cls;

	conn_guard_mhd_notify(emu->guard, conn, socket_context, toe);
}

static const char *get_header(void *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static int append_body(struct http_req *r, const char *data, size_t len)
{
	struct kms_request *req = &r->req;
	char *p;

	if (r->too_big || req->body_len + len > BODY_MAX) {
		r->too_big = 1;
		return 0;
	}
	if (req->body_len + len + 1 > r->body_cap) {
		size_t cap = r->body_cap ? r->body_cap : 1024;

		while (cap < req->body_len + len + 1)
			cap *= 2;
		p = malloc(cap);
		if (!p)
			return -ENOMEM;
		if (req->body)
			memcpy(p, req->body, req->body_len);
		if (req->body) {
			OPENSSL_cleanse(req->body, r->body_cap);
			free(req->body);
		}
		req->body = p;
		r->body_cap = cap;
	}
	memcpy(req->body + req->body_len, data, len);
	req->body_len += len;
	req->body[req->body_len] = '\0';
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct emulator *emu = cls;
	struct http_req *r = *con_cls;
	struct json_object *answer;
	const char *ctype;
	int status;

	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (append_body(r, upload_data, *upload_data_size))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	conn_guard_request_in(conn_guard_mhd_slot(conn));
	if (strcmp(method, "GET") && strcmp(method, "POST"))
		return reply_error(conn, emu, E_UNSUPPORTED_METHOD);
	if (r->too_big)
		return reply_error(conn, emu, E_INVALID_PARAMETER);
	r->req.method = method;
	r->req.path = url;
	r->req.header = get_header;
	r->req.conn = conn;
	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, on_query_arg, r);
	ctype = get_header(conn, "Content-Type");
	if (r->req.body_len && ctype &&
	    !strncasecmp(ctype, "application/x-www-form-urlencoded", 33) &&
	    req_parse_form(&r->req, r->req.body, r->req.body_len))
		r->bad_params = 1;
	if (r->bad_params)
		return reply_error(conn, emu, E_INVALID_PARAMETER);
	if (emu->opt.delay_ms)	/* a slow KMS, for the agent's tests */
		usleep((useconds_t)emu->opt.delay_ms * 1000);
	status = router_handle(emu, &r->req, &answer);
	return reply(conn, status, answer);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct http_req *r = *con_cls;

	conn_guard_request_done(conn_guard_mhd_slot(conn));
	if (!r)
		return;
	req_free_params(&r->req);
	if (r->req.body) {
		OPENSSL_cleanse(r->req.body, r->body_cap);
		free(r->req.body);
	}
	free(r);
	*con_cls = NULL;
}

/*
 * MHD's own messages go through the one logging helper, at debug level:
 * it reports every connection a client drops or the guard cuts, and a
 * client must not be able to fill the log.
 */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t len;

	vsnprintf(line, sizeof(line), fmt, ap);
	len = strcspn(line, "\n");
	line[len] = '\0';
	log_debug("libmicrohttpd: %s", line);
}

/* Each connection takes two descriptors: MHD's and the guard's dup(). */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	rlim_t want = 2 * CONNECTION_LIMIT + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < want)
		log_warn("only %lu file descriptors: fewer than %u connections will fit",
			 (unsigned long)rl.rlim_cur, CONNECTION_LIMIT);
}

int http_start(struct emulator *emu, struct MHD_Daemon **out)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct MHD_Daemon *d;
	int ret;

	sa.sin_port = htons(emu->opt.listen_port);
	if (inet_pton(AF_INET, emu->opt.listen_host, &sa.sin_addr) != 1) {
		log_err("--listen: %s is not an IPv4 address",
			emu->opt.listen_host);
		return -EINVAL;
	}
	raise_fd_limit();
	ret = conn_guard_start(emu->opt.max_client_connections,
			       emu->opt.request_deadline, &emu->guard);
	if (ret)
		return ret;
	/*
	 * The idle timeout only backs up the guard's deadline, which a
	 * trickling client cannot reset; MHD's per-IP limit is not used, as
	 * every local client has the address 127.0.0.1.
	 */
	/*
	 * --delay sleeps in the thread that serves the request: in a pool,
	 * connections sharing a worker would wait for each other's delay, so
	 * with --delay each connection has a thread of its own.
	 */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
			     (emu->opt.delay_ms ? MHD_USE_THREAD_PER_CONNECTION |
						  MHD_USE_POLL : MHD_USE_EPOLL),
			     0, NULL, NULL, on_request, emu,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_THREAD_POOL_SIZE,
			     emu->opt.delay_ms ? 0u : (unsigned int)emu->opt.threads,
			     MHD_OPTION_CONNECTION_TIMEOUT,
			     emu->opt.request_deadline,
			     MHD_OPTION_CONNECTION_LIMIT,
			     (unsigned int)CONNECTION_LIMIT,
			     MHD_OPTION_NOTIFY_CONNECTION, on_connection, emu,
			     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			     MHD_OPTION_END);
	if (!d) {
		log_err("cannot listen on %s:%u", emu->opt.listen_host,
			emu->opt.listen_port);
		conn_guard_stop(emu->guard);
		emu->guard = NULL;
		return -EADDRINUSE;
	}
	*out = d;
	return 0;
}

void http_stop(struct emulator *emu, struct MHD_Daemon *d)
{
	if (d)
		MHD_stop_daemon(d);
	conn_guard_stop(emu->guard);
	emu->guard = NULL;
}
