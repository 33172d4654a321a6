// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
/*
 * The KMS RPC client of kms_client.h.  Every call goes out as
 * "POST /" with all parameters, the v1 signature included, in an
 * application/x-www-form-urlencoded body, so that secrets (Encrypt's
 * Plaintext) never sit in a URL.  Bodies in both directions live in secmem,
 * and what libcurl makes of them is wiped (curl_init_once()).
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/printbuf.h>

#include "json_wipe.h"
#include "kms_api.h"
#include "kms_client.h"
#include "kms_sign.h"
#include "log.h"
#include "secmem.h"

#define KMS_MAX_ANSWER (1 << 20)
#define CLIENT_MAX_PARAMS 64	/* in one request this client signs */
#define KMS_IDLE_HANDLES 4	/* kept for connection reuse */

struct kms_client {
	char *endpoint;		/* "<endpoint>/" */
	char *access_key_id;
	char *secret;		/* secmem */
	char *region;		/* NULL: no RegionId sent */
	char *version;		/* Version sent */
	long timeout_ms;
	pthread_mutex_t lock;	/* protects @idle and @n_idle only */
	CURL *idle[KMS_IDLE_HANDLES];	/* handles no call is using */
	size_t n_idle;
};

/* One answer body, NUL terminated, in secmem that grows as it arrives. */
struct answer_buf {
	char *data;		/* secmem_size() is its capacity */
	size_t len;
	int too_big;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

/*
 * libcurl copies what it sends and receives into buffers of its own (the
 * request it sends in one go, headers and body; its receive buffer) and
 * frees them as they are: everything it allocates is wiped when freed.
 */
static void curl_wiping_free(void *p)
{
	if (!p)
		return;
	secmem_wipe(p, malloc_usable_size(p));
	free(p);
}

static void *curl_wiping_realloc(void *p, size_t len)
{
	size_t old;
	void *q;

	if (!p)
		return malloc(len);
	old = malloc_usable_size(p);
	q = malloc(len ? len : 1);
	if (!q)
		return NULL;
	memcpy(q, p, old < len ? old : len);
	curl_wiping_free(p);
	return q;
}

static void curl_init_once(void)
{
	curl_init_rc = curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc,
					    curl_wiping_free,
					    curl_wiping_realloc, strdup,
					    calloc);
}

/*
 * Calls whose request or answer holds a plaintext key: their handle is
 * not kept for another call, since it holds what it last sent and
 * received until it is freed (and wiped).
 */
static int carries_key(const char *action)
{
	return !strcmp(action, "Encrypt") || !strcmp(action, "Decrypt") ||
	       !strcmp(action, "GenerateDataKey");
}

int kms_client_new(const struct kms_client_config *cfg,
		   struct kms_client **out)
{
	struct kms_client *c;
	size_t elen;

	if (!cfg->endpoint || !cfg->access_key_id || !cfg->access_key_secret)
		return -EINVAL;
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK)
		return -EIO;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	elen = strlen(cfg->endpoint);
	while (elen && cfg->endpoint[elen - 1] == '/')
		elen--;
	c->endpoint = malloc(elen + 2);
	c->access_key_id = strdup(cfg->access_key_id);
	c->secret = secmem_strdup(cfg->access_key_secret);
	c->region = cfg->region ? strdup(cfg->region) : NULL;
	c->version = strdup(cfg->version ? cfg->version : KMS_API_VERSION);
	c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 10000;
	if (!c->endpoint || !c->access_key_id || !c->secret || !c->version ||
	    (cfg->region && !c->region)) {
		kms_client_free(c);
		return -ENOMEM;
	}
	memcpy(c->endpoint, cfg->endpoint, elen);
	strcpy(c->endpoint + elen, "/");
	*out = c;
	return 0;
}

void kms_client_free(struct kms_client *c)
{
	if (!c)
		return;
	while (c->n_idle)
		curl_easy_cleanup(c->idle[--c->n_idle]);
	secmem_free(c->secret);
	free(c->endpoint);
	free(c->access_key_id);
	free(c->region);
	free(c->version);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct answer_buf *b = userdata;
	size_t n = size * nmemb;

	if (b->len + n + 1 > KMS_MAX_ANSWER) {
		b->too_big = 1;
		return 0;
	}
	if (b->len + n + 1 > secmem_size(b->data)) {
		size_t cap = b->data ? secmem_size(b->data) : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = secmem_realloc(b->data, cap);
		if (!p)
			return 0;
		b->data = p;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

/* Collects the name, value list of one call: common params first. */
static int build_params(struct kms_client *c, const char *action,
			const char *const *params, struct kms_param *p,
			size_t *n, char *stamp, char *nonce)
{
	size_t i = 0;

	if (kms_uuid(nonce))
		return -EIO;
	kms_format_timestamp(time(NULL), stamp);
	p[i++] = (struct kms_param){ "Action", action };
	p[i++] = (struct kms_param){ "Version", c->version };
	p[i++] = (struct kms_param){ "Format", "JSON" };
	p[i++] = (struct kms_param){ "Timestamp", stamp };
	p[i++] = (struct kms_param){ "SignatureNonce", nonce };
	p[i++] = (struct kms_param){ "AccessKeyId", c->access_key_id };
	p[i++] = (struct kms_param){ "SignatureMethod", "HMAC-SHA1" };
	p[i++] = (struct kms_param){ "SignatureVersion", "1.0" };
	if (c->region)
		p[i++] = (struct kms_param){ "RegionId", c->region };
	for (; params && params[0]; params += 2) {
		if (!params[1] || i + 2 > CLIENT_MAX_PARAMS)
			return -EINVAL;
		p[i++] = (struct kms_param){ params[0], params[1] };
	}
	*n = i;
	return 0;
}

/* The form body: canonical query plus "&Signature=…", in secmem. */
static char *build_body(struct kms_client *c, const struct kms_param *p,
			size_t n)
{
	char sig[KMS_V1_SIG_LEN + 1], *canon = NULL, *esig = NULL, *body = NULL;
	size_t clen, slen;

	if (kms_v1_sign(c->secret, "POST", p, n, sig))
		return NULL;
	canon = kms_canonical_query(p, n);
	esig = kms_percent_encode(sig);
	if (!canon || !esig)
		goto out;
	clen = strlen(canon);
	slen = strlen(esig);
	body = secmem_alloc(clen + slen + sizeof("&Signature="));
	if (!body)
		goto out;
	memcpy(body, canon, clen);
	memcpy(body + clen, "&Signature=", 11);
	memcpy(body + clen + 11, esig, slen + 1);
out:
	if (canon) {
		secmem_wipe(canon, strlen(canon));
		free(canon);
	}
	free(esig);
	return body;
}

static void copy_field(struct json_object *obj, const char *name, char *dst,
		       size_t cap)
{
	struct json_object *v;

	if (json_object_object_get_ex(obj, name, &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(dst, cap, "%s", json_object_get_string(v));
}

static struct json_object *parse_answer(const char *data, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;

	if (!tok)
		return NULL;
	obj = json_tokener_parse_ex(tok, data, (int)len);
	if (obj && json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(obj);
		obj = NULL;
	}
	if (obj && !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
	}
	/* The tokener's scratch buffer held every string of the answer. */
	if (tok->pb && tok->pb->buf)
		secmem_wipe(tok->pb->buf, (size_t)tok->pb->size);
	json_tokener_free(tok);
	return obj;
}

int kms_response_parse(const char *data, size_t len, struct kms_response *resp)
{
	resp->body = data ? parse_answer(data, len) : NULL;
	if (resp->body) {
		copy_field(resp->body, "RequestId", resp->request_id,
			   sizeof(resp->request_id));
		copy_field(resp->body, "Code", resp->code, sizeof(resp->code));
		copy_field(resp->body, "Message", resp->message,
			   sizeof(resp->message));
	}
	if (resp->http_status == 200 && resp->body)
		return 0;
	return resp->code[0] ? -EPROTO : -EIO;
}

static int curl_errno(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	default:
		return -EIO;
	}
}

/*
 * Calls run concurrently, each on a handle of its own: an idle one (its
 * connection may be reused) or a new one.
 */
static CURL *handle_get(struct kms_client *c)
{
	CURL *h = NULL;

	pthread_mutex_lock(&c->lock);
	if (c->n_idle)
		h = c->idle[--c->n_idle];
	pthread_mutex_unlock(&c->lock);
	return h ? h : curl_easy_init();
}

static void handle_put(struct kms_client *c, CURL *h)
{
	pthread_mutex_lock(&c->lock);
	if (c->n_idle < KMS_IDLE_HANDLES) {
		c->idle[c->n_idle++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&c->lock);
	if (h)
		curl_easy_cleanup(h);
}

int kms_client_call(struct kms_client *c, const char *action,
		    const char *const *params, struct kms_response *resp)
{
	struct kms_param p[CLIENT_MAX_PARAMS];
	char stamp[KMS_TIMESTAMP_LEN + 1], nonce[KMS_UUID_LEN + 1];
	struct answer_buf ans = { 0 };
	struct curl_slist *hdrs = NULL;
	char *body = NULL;
	size_t n = 0;
	CURL *h;
	CURLcode rc;
	int ret;

	memset(resp, 0, sizeof(*resp));
	ret = build_params(c, action, params, p, &n, stamp, nonce);
	if (ret)
		return ret;
	body = build_body(c, p, n);
	if (!body)
		return -ENOMEM;
	hdrs = curl_slist_append(hdrs, "Content-Type: application/x-www-form-urlencoded");
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	hdrs = curl_slist_append(hdrs, "Expect:");

	h = handle_get(c);
	if (!h) {
		ret = -ENOMEM;
		goto out;
	}
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, c->endpoint);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &ans);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE,
				  &resp->http_status);
	if (carries_key(action))
		curl_easy_cleanup(h);
	else
		handle_put(c, h);

	if (rc != CURLE_OK) {
		ret = ans.too_big ? -EIO : curl_errno(rc);
		log_debug("KMS %s: %s", action, curl_easy_strerror(rc));
		goto out;
	}
	ret = kms_response_parse(ans.data, ans.len, resp);
out:
	curl_slist_free_all(hdrs);
	secmem_free(body);
	secmem_free(ans.data);
	return ret;
}

const char *kms_response_str(const struct kms_response *resp, const char *name)
{
	struct json_object *v;

	if (!resp->body || !json_object_object_get_ex(resp->body, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void kms_response_release(struct kms_response *resp)
{
	if (!resp)
		return;
	json_wipe_put(resp->body);
	secmem_wipe(resp, sizeof(*resp));
}

int kms_error_is_transient(int err, const struct kms_response *resp)
{
	if (err == -ETIMEDOUT || err == -ECONNREFUSED || err == -EIO)
		return 1;
	if (!resp)
		return 0;
	if (resp->http_status >= 500)
		return 1;
	return !strncmp(resp->code, "Throttling", 10) ||
	       !strcmp(resp->code, "Rejected.Throttling") ||
	       !strcmp(resp->code, "ServiceUnavailable");
}
