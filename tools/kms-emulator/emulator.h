/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kms-emulator: the objects every part of the server shares.  A request
 * travels http.c (parse) -> auth.c (verify) -> router.c (dispatch inside
 * one SQLite transaction) -> an action handler -> http.c (reply).
 */
#ifndef KMS_EMU_H
#define KMS_EMU_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "credentials.h"
#include "errors.h"
#include "kms_api.h"
#include "kms_sign.h"

#define KMS_ACCOUNT_ID "1234567890123456"
#define KMS_MAX_PARAMS 128
#define KMS_REGION_MAX 32
#define KMS_ID_MAX 64
#define KMS_ROOT_KEY_LEN 32
#define KMS_MATERIAL_LEN 32
#define KMS_TIME_SKEW (15 * 60)
#define KMS_DAY (24 * 3600L)		/* seconds of the emulator clock */
/*
 * The clock stops short of 9999-12-31T23:59:59Z by the longest deadline it
 * computes (a 366-day deletion window, a 24-hour import token), so that
 * every time an answer carries has a four-digit year.
 */
#define KMS_CLOCK_MAX (KMS_TIMESTAMP_MAX - 367 * KMS_DAY)
#define KMS_CLOCK_MAX_TEXT "9998-12-29T23:59:59Z"

struct nonce_store;
struct conn_guard;
struct meter;

/* Settings from the command line. */
struct emu_options {
	const char *listen_host;	/* numeric IPv4 address */
	unsigned short listen_port;
	const char *data_dir;
	const char *credentials_path;
	const char *default_region;
	const char *admin_key;		/* AccessKeyId allowed admin actions */
	unsigned int max_keys;		/* customer keys per region */
	unsigned int threads;		/* HTTP thread pool size */
	unsigned int request_deadline;	/* s from accept to a whole request */
	unsigned int max_client_connections; /* per local user or address */
	long max_nonces_per_key;	/* 0: an equal share of the nonce store */
	int legacy_external_blobs;	/* open format 1 blobs of EXTERNAL keys */
	long delay_ms;			/* test knob: answer this much later */
	long clock_offset;		/* added to the stored clock offset */
	int print_metering;		/* print counts and exit */
	int verbose;
};

/* The server: created by main.c, read-only after start except as noted. */
struct emulator {
	struct emu_options opt;
	int lock_fd;			/* flock()ed DIR/lock, -1 if none */
	struct credentials *creds;
	unsigned char *root_key;	/* secmem, KMS_ROOT_KEY_LEN bytes */

	pthread_mutex_t db_lock;	/* guards db and clock_offset */
	sqlite3 *db;
	long clock_offset;		/* seconds added to the real time */

	struct nonce_store *nonces;	/* has its own lock and database */
	struct conn_guard *guard;	/* has its own lock; set by http.c */
	struct meter *meter;		/* has its own lock */
};

/* One request parameter (decoded); @in_query: it came in the URL. */
struct req_param {
	char *name;
	char *value;
	int in_query;
};

/* One HTTP request, filled by http.c. */
struct kms_request {
	const char *method;		/* "GET" or "POST" */
	const char *path;		/* URL path, "/" */
	struct req_param params[KMS_MAX_PARAMS];
	size_t nparams;
	char *body;			/* raw body, NUL-terminated */
	size_t body_len;
	/* Headers used by ACS3 verification; NULL when absent. */
	const char *(*header)(void *conn, const char *name);
	void *conn;
};

/* What an action handler sees. */
struct kms_ctx {
	struct emulator *emu;
	struct kms_request *req;
	const char *action;
	const char *access_key_id;
	char region[KMS_REGION_MAX + 1];
	time_t now;			/* the emulator's clock */
	char log_key[KMS_ID_MAX + 1];	/* key id for the request log */
	char message[512];		/* error Message override */
	void *scratch;			/* from a route's prepare step, or NULL */
	void (*scratch_free)(void *);	/* frees @scratch after the reply */
};

/* Look up a parameter; NULL when absent. */
const char *req_param(const struct kms_request *req, const char *name);

/* Set ctx->message (printf style) and return @e, for "return kms_fail()". */
enum kms_err kms_fail(struct kms_ctx *ctx, enum kms_err e, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));
/* The Message for a missing/invalid parameter. */
enum kms_err kms_missing(struct kms_ctx *ctx, const char *name);
enum kms_err kms_invalid(struct kms_ctx *ctx, const char *name);

/* Action handlers: add their answer fields to @out. */
typedef enum kms_err (*kms_action_fn)(struct kms_ctx *ctx,
				      struct json_object *out);

/* "2016-03-28T03:13:08Z" as a json string. */
struct json_object *json_time(time_t t);



/* Note the key a request is about, for the request log line. */
void kms_log_key(struct kms_ctx *ctx, const char *ref);

/* Strict decimal integer in [min, max]; -EINVAL. */
int parse_long(const char *s, long min, long max, long *out);
/* Optional parameter @name as an integer in [min, max], else @def. */
enum kms_err param_long(struct kms_ctx *ctx, const char *name, long min,
			long max, long def, long *out);
/* PageNumber (>= 1, default 1) and PageSize (1-100, default 10). */
enum kms_err page_params(struct kms_ctx *ctx, long *number, long *size);
/* Adds "<outer>": {"<inner>": @arr}, TotalCount, PageNumber, PageSize. */
void list_answer(struct json_object *out, const char *outer,
		 const char *inner, struct json_object *arr, long total,
		 long number, long size);

#endif
