// SPDX-License-Identifier: GPL-2.0
/*
 * HTTP for ecs-api: every parameter from the URL (and a form body), the
 * headers ACS3 signs, one answer per request.  An AgentPoll with nothing
 * to take is suspended (MHD_suspend_connection) and resumed by link.c.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "conn_guard_mhd.h"
#include "console.h"
#include "http.h"
#include "kms_sign.h"
#include "link.h"
#include "log.h"

#define BODY_MAX (2 << 20)
#define PARAMS_MAX 256
#define CONNECTION_LIMIT 2048

struct http_conn {
	struct MHD_Connection *conn;
	struct signed_param params[PARAMS_MAX];
	size_t nparams;
	bool bad_params;
	char *body;
	size_t body_len;
	bool too_big;
	bool parked;
	struct api_call call;
	struct signed_request req;
};

static int add_param(struct http_conn *h, char *name, char *value, bool in_query)
{
	if (!name || !value || h->nparams == PARAMS_MAX) {
		free(name);
		free(value);
		h->bad_params = true;
		return -EINVAL;
	}
	h->params[h->nparams++] = (struct signed_param){ name, value, in_query };
	return 0;
}

static enum MHD_Result on_query_arg(void *cls, enum MHD_ValueKind kind,
				    const char *key, size_t key_size,
				    const char *value, size_t value_size)
{
	struct http_conn *h = cls;

	if (strlen(key) != key_size || (value && strlen(value) != value_size)) {
		h->bad_params = true;
		return MHD_NO;
	}
	add_param(h, strdup(key), strdup(value ? value : ""), true);
	return MHD_YES;
}

/* a=b&c=d of a form body (the agent's kms_client sends one). */
static void parse_form(struct http_conn *h)
{
	const char *p = h->body, *end = h->body + h->body_len;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));

		if (!eq) {
			h->bad_params = true;
			return;
		}
		add_param(h, kms_percent_decode(p, (size_t)(eq - p), 1),
			  kms_percent_decode(eq + 1, (size_t)(stop - eq - 1), 1),
			  false);
		p = stop + 1;
	}
}

/* Every connection is counted against its client and watched. */
static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct ecs_api *api = cls;

	conn_guard_mhd_notify(api->guard, conn, socket_context, toe);
}

static const char *get_header(void *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result reply(struct MHD_Connection *conn, int status,
			     struct json_object *answer)
{
	const char *text = json_object_to_json_string_ext(answer, JSON_C_TO_STRING_PLAIN);
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(text), (void *)text,
					       MHD_RESPMEM_MUST_COPY);
	json_object_put(answer);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "application/json;charset=utf-8");
	ret = MHD_queue_response(conn, (unsigned int)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result refuse(struct http_conn *h, enum ecs_err e, const char *why)
{
	struct json_object *o = json_object_new_object();
	const struct ecs_error *x = ecs_error_get(e);

	json_object_object_add(o, "RequestId", json_object_new_string(""));
	json_object_object_add(o, "HostId", json_object_new_string("ecs-api"));
	json_object_object_add(o, "Code", json_object_new_string(x->code));
	json_object_object_add(o, "Message", json_object_new_string(why));
	json_object_object_add(o, "Recommend", json_object_new_string(""));
	return reply(h->conn, x->http_status, o);
}

void http_resume(void *cookie)
{
	struct http_conn *h = cookie;

	MHD_resume_connection(h->conn);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct ecs_api *api = cls;
	struct http_conn *h = *con_cls;
	struct json_object *answer = NULL;
	const char *ctype;
	int status;

	if (!h) {
		h = calloc(1, sizeof(*h));
		if (!h)
			return MHD_NO;
		h->conn = conn;
		*con_cls = h;
		return MHD_YES;
	}
	if (h->parked) {
		/* Resumed: by new work, a newer poll or the deadline. */
		enum MHD_Result ret;

		h->parked = false;
		link_forget(api->link, h);
		status = dispatch_again(&h->call, &answer);
		ret = reply(conn, status, answer);
		link_answered(api->link);
		return ret;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (h->too_big || h->body_len + n > BODY_MAX) {
			h->too_big = true;
			return MHD_YES;
		}
		char *grown = realloc(h->body, h->body_len + n + 1);

		if (!grown)
			return MHD_NO;
		h->body = grown;
		memcpy(h->body + h->body_len, upload_data, n);
		h->body_len += n;
		h->body[h->body_len] = '\0';
		return MHD_YES;
	}
	conn_guard_request_in(conn_guard_mhd_slot(conn));
	if (strcmp(method, "POST") && strcmp(method, "GET"))
		return refuse(h, ECS_ERR_INVALID_PARAMETER, "Only POST and GET are served.");
	if (h->too_big)
		return refuse(h, ECS_ERR_INVALID_PARAMETER, "The request is too large.");
	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, on_query_arg, h);
	ctype = get_header(conn, "Content-Type");
	if (h->body_len && ctype &&
	    !strncasecmp(ctype, "application/x-www-form-urlencoded", 33))
		parse_form(h);
	if (h->bad_params)
		return refuse(h, ECS_ERR_INVALID_PARAMETER, "A parameter is malformed.");
	h->req = (struct signed_request){
		.method = method, .path = url, .params = h->params,
		.nparams = h->nparams, .body = h->body, .body_len = h->body_len,
		.header = get_header, .conn = conn,
	};
	if (console_url(url))
		return console_answer(api, conn, url, method, &h->req, &h->call);
	status = dispatch(api, &h->req, &h->call, &answer);
	if (h->call.park) {
		int r = link_park(api->link, h->call.instance,
				  h->call.link_generation, h);

		if (r == 0) {
			h->parked = true;
			MHD_suspend_connection(conn);
			return MHD_YES;
		}
		status = dispatch_again(&h->call, &answer);
	}
	return reply(conn, status, answer);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct ecs_api *api = cls;
	struct http_conn *h = *con_cls;

	conn_guard_request_done(conn_guard_mhd_slot(conn));
	if (!h)
		return;
	link_forget(api->link, h);
	for (size_t i = 0; i < h->nparams; i++) {
		free((char *)h->params[i].name);
		free((char *)h->params[i].value);
	}
	json_object_put(h->call.reply);
	json_object_put(h->call.scratch);
	free(h->body);
	free(h);
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("libmicrohttpd: %s", line);
}

static char *read_pem(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	buf = malloc(1 << 16);
	if (buf) {
		len = fread(buf, 1, (1 << 16) - 1, f);
		buf[len] = '\0';
	}
	fclose(f);
	return buf;
}

int http_start(struct ecs_api *api, struct MHD_Daemon **out)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	char *cert = NULL, *key = NULL;
	struct MHD_Daemon *d;

	sa.sin_port = htons(api->opt.listen_port);
	if (inet_pton(AF_INET, api->opt.listen_host, &sa.sin_addr) != 1) {
		log_err("--listen: %s is not an IPv4 address", api->opt.listen_host);
		return -EINVAL;
	}
	/* Off loopback, secrets and signatures travel only inside TLS. */
	if ((ntohl(sa.sin_addr.s_addr) >> 24) != 127 &&
	    (!api->opt.tls_cert || !api->opt.tls_key)) {
		log_err("--listen %s is not a loopback address: --tls-cert and --tls-key are required",
			api->opt.listen_host);
		return -EINVAL;
	}
	if (api->opt.tls_cert) {
		cert = read_pem(api->opt.tls_cert);
		key = read_pem(api->opt.tls_key);
		if (!cert || !key) {
			log_err("cannot read --tls-cert or --tls-key");
			free(cert);
			free(key);
			return -EINVAL;
		}
		flags |= MHD_USE_TLS;
	}
	if (conn_guard_start(api->opt.max_client_connections,
			     api->opt.request_deadline_s, &api->guard) < 0) {
		free(cert);
		free(key);
		return -ENOMEM;
	}
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, api,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_THREAD_POOL_SIZE, api->opt.threads,
			     MHD_OPTION_CONNECTION_TIMEOUT, 120u,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONNECTION_LIMIT,
			     MHD_OPTION_NOTIFY_CONNECTION, on_connection, api,
			     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, api,
			     cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
			     MHD_OPTION_HTTPS_MEM_KEY, key,
			     MHD_OPTION_END);
	if (!d) {
		log_err("cannot listen on %s:%u", api->opt.listen_host,
			api->opt.listen_port);
		conn_guard_stop(api->guard);
		api->guard = NULL;
		free(cert);
		free(key);
		return -EADDRINUSE;
	}
	*out = d;
	return 0;
}

void http_stop(struct ecs_api *api, struct MHD_Daemon *d)
{
	if (d)
		MHD_stop_daemon(d);
	conn_guard_stop(api->guard);
	api->guard = NULL;
}
