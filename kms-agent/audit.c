// SPDX-License-Identifier: GPL-2.0
/* The hash-chained audit trail of the agent's KMS calls (audit.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "audit.h"
#include "log.h"

#define HASH_HEX	(2 * 32)
#define HASH_FIELD	",\"Hash\":\""

struct audit_log {
	pthread_mutex_t lock;		/* appends, and reads of the file */
	char path[600];
	int fd;				/* O_APPEND */
	long seq;			/* of the last record written */
	char last[HASH_HEX + 1];	/* its Hash; zeros before the first */
};

static const char genesis[HASH_HEX + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

static int sha256_hex(const char *s, size_t len, char out[HASH_HEX + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(s, len, md, &n, EVP_sha256(), NULL) || n != 32)
		return -EIO;
	for (unsigned int i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/*
 * Split @line (no newline) into the hashed part and its Hash: the hashed
 * part is everything before ",\"Hash\":" with the closing brace.
 */
static int split_line(const char *line, size_t len, size_t *body_len,
		      char hash[HASH_HEX + 1])
{
	const char *p = NULL, *q = line;

	while ((q = memmem(q, len - (size_t)(q - line), HASH_FIELD,
			   sizeof(HASH_FIELD) - 1))) {
		p = q;
		q++;
	}
	if (!p || (size_t)(line + len - p) != sizeof(HASH_FIELD) - 1 + HASH_HEX + 2 ||
	    memcmp(line + len - 2, "\"}", 2))
		return -EBADMSG;
	memcpy(hash, p + sizeof(HASH_FIELD) - 1, HASH_HEX);
	hash[HASH_HEX] = '\0';
	*body_len = (size_t)(p - line);
	return 0;
}

/* The hash a record should carry: over its body and a closing brace. */
static int record_hash(const char *line, size_t body_len,
		       char out[HASH_HEX + 1])
{
	char *buf = malloc(body_len + 1);
	int r;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, line, body_len);
	buf[body_len] = '}';
	r = sha256_hex(buf, body_len + 1, out);
	free(buf);
	return r;
}

typedef int (*line_fn)(long lineno, const char *line, size_t len, void *arg);

static int each_line(const char *path, line_fn fn, void *arg)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int r = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (r == 0 && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		r = fn(lineno, line, (size_t)n, arg);
	}
	free(line);
	fclose(f);
	return r;
}

struct chain {
	long records;
	long seq;
	char prev[HASH_HEX + 1];
	char *why;
	size_t why_len;
};

static int check_line(long lineno, const char *line, size_t len, void *arg)
{
	struct chain *c = arg;
	char stored[HASH_HEX + 1], want[HASH_HEX + 1];
	struct json_object *o = NULL, *v;
	const char *prev = NULL;
	size_t body_len;
	long seq = -1;
	int r = -EBADMSG;

	if (split_line(line, len, &body_len, stored) < 0) {
		snprintf(c->why, c->why_len, "line %ld is not an audit record (no Hash at its end): edited", lineno);
		return -EBADMSG;
	}
	o = json_tokener_parse(line);
	if (o && json_object_object_get_ex(o, "Seq", &v) &&
	    json_object_is_type(v, json_type_int))
		seq = (long)json_object_get_int64(v);
	if (o && json_object_object_get_ex(o, "PrevHash", &v))
		prev = json_object_get_string(v);
	if (record_hash(line, body_len, want) < 0) {
		snprintf(c->why, c->why_len, "cannot hash line %ld", lineno);
		r = -EIO;
		goto out;
	}
	if (!o || seq < 0 || !prev) {
		snprintf(c->why, c->why_len, "line %ld is not a well-formed audit record: edited", lineno);
		goto out;
	}
	if (strcmp(want, stored)) {
		snprintf(c->why, c->why_len, "record Seq %ld (line %ld) was edited: its hash does not match its content",
			 seq, lineno);
		goto out;
	}
	if (seq != c->seq + 1) {
		if (seq == c->seq + 2)
			snprintf(c->why, c->why_len, "record Seq %ld is missing (removed): line %ld holds Seq %ld",
				 c->seq + 1, lineno, seq);
		else if (seq > c->seq + 2)
			snprintf(c->why, c->why_len, "records Seq %ld to %ld are missing (removed): line %ld holds Seq %ld",
				 c->seq + 1, seq - 1, lineno, seq);
		else
			snprintf(c->why, c->why_len, "record Seq %ld (line %ld) is out of order after Seq %ld",
				 seq, lineno, c->seq);
		goto out;
	}
	if (strcmp(prev, c->prev)) {
		snprintf(c->why, c->why_len, "record Seq %ld (line %ld) does not follow the record before it (PrevHash differs): a record was replaced",
			 seq, lineno);
		goto out;
	}
	c->records++;
	c->seq = seq;
	memcpy(c->prev, stored, sizeof(c->prev));
	r = 0;
out:
	json_object_put(o);
	return r;
}

/* At open: carry the chain on from the last line, whatever precedes it. */
static int last_line(long lineno, const char *line, size_t len, void *arg)
{
	struct audit_log *l = arg;
	struct json_object *o, *v;
	char stored[HASH_HEX + 1];
	size_t body_len;

	(void)lineno;
	if (split_line(line, len, &body_len, stored) < 0)
		return 0;
	o = json_tokener_parse(line);
	if (o && json_object_object_get_ex(o, "Seq", &v)) {
		l->seq = (long)json_object_get_int64(v);
		memcpy(l->last, stored, sizeof(l->last));
	}
	json_object_put(o);
	return 0;
}

/*
 * A record is one write(2) of a whole line, so only a crash of the machine
 * can leave a line cut short: cut it off (and say so), or the next record
 * would be glued to it.
 */
static int drop_torn_tail(int fd, const char *path)
{
	off_t end = lseek(fd, 0, SEEK_END), pos;
	char c;

	if (end <= 0)
		return end < 0 ? -errno : 0;
	if (pread(fd, &c, 1, end - 1) != 1)
		return -EIO;
	if (c == '\n')
		return 0;
	for (pos = end - 1; pos > 0; pos--) {
		if (pread(fd, &c, 1, pos - 1) != 1)
			return -EIO;
		if (c == '\n')
			break;
	}
	if (ftruncate(fd, pos) < 0)
		return -errno;
	log_warn("audit log %s: removed a last record cut short by a crash (%lld bytes)",
		 path, (long long)(end - pos));
	return 0;
}

int audit_open(const char *path, struct audit_log **out)
{
	struct audit_log *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return -ENOMEM;
	pthread_mutex_init(&l->lock, NULL);
	snprintf(l->path, sizeof(l->path), "%s", path);
	memcpy(l->last, genesis, sizeof(l->last));
	l->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (l->fd < 0) {
		r = -errno;
		log_err("audit log %s: %s", path, strerror(errno));
		goto fail;
	}
	r = drop_torn_tail(l->fd, path);
	if (r < 0) {
		log_err("audit log %s: %s", path, strerror(-r));
		goto fail;
	}
	r = each_line(path, last_line, l);
	if (r < 0) {
		log_err("audit log %s: %s", path, strerror(-r));
		goto fail;
	}
	*out = l;
	return 0;
fail:
	if (l->fd >= 0)
		close(l->fd);
	pthread_mutex_destroy(&l->lock);
	free(l);
	return r;
}

void audit_close(struct audit_log *l)
{
	if (!l)
		return;
	close(l->fd);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

void audit_kms_call(struct op_ctx *ctx, const char *action, const char *key_id,
		    const struct kms_response *resp, int r)
{
	struct audit_log *l = ctx->agent->audit;
	struct json_object *o;
	char when[32], hash[HASH_HEX + 1], result[160], *line = NULL;
	const char *body, *answered_key;
	struct tm tm;
	time_t now = time(NULL);
	size_t n;

	if (!l)
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (r == 0)
		snprintf(result, sizeof(result), "Success");
	else if (resp->code[0])
		snprintf(result, sizeof(result), "%s", resp->code);
	else
		snprintf(result, sizeof(result), "NoAnswer: %s", strerror(-r));
	answered_key = r == 0 ? kms_response_str(resp, "KeyId") : NULL;

	pthread_mutex_lock(&l->lock);
	o = json_object_new_object();
	json_object_object_add(o, "Seq", json_object_new_int64(l->seq + 1));
	add_str(o, "Time", when);
	add_str(o, "Region", ctx->region);
	add_str(o, "Operation", ctx->op);
	add_str(o, "Action", action);
	add_str(o, "ObjectId", ctx->object_id);
	add_str(o, "KmsKeyId", answered_key ? answered_key : key_id);
	add_str(o, "RequestId", resp->request_id);
	add_str(o, "Result", result);
	add_str(o, "PrevHash", l->last);
	body = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	n = strlen(body);
	if (sha256_hex(body, n, hash) < 0 ||
	    asprintf(&line, "%.*s" HASH_FIELD "%s\"}\n", (int)(n - 1), body,
		     hash) < 0) {
		line = NULL;
		goto fail;
	}
	if (write(l->fd, line, strlen(line)) != (ssize_t)strlen(line) ||
	    fdatasync(l->fd) < 0)
		goto fail;
	l->seq++;
	memcpy(l->last, hash, sizeof(l->last));
	goto out;
fail:
	log_err("audit log %s: cannot append the record of %s %s: %m",
		l->path, ctx->op ? ctx->op : "-", action);
out:
	pthread_mutex_unlock(&l->lock);
	json_object_put(o);
	free(line);
}

int audit_verify(struct audit_log *l, long *records, char *why, size_t why_len)
{
	struct chain c = { .why = why, .why_len = why_len };
	int r;

	memcpy(c.prev, genesis, sizeof(c.prev));
	pthread_mutex_lock(&l->lock);
	r = each_line(l->path, check_line, &c);
	if (r == 0 && (c.seq != l->seq || strcmp(c.prev, l->last))) {
		if (c.seq < l->seq)
			snprintf(why, why_len, "records after Seq %ld were removed: the agent wrote up to Seq %ld",
				 c.seq, l->seq);
		else
			snprintf(why, why_len, "the last record (Seq %ld) is not the one the agent wrote (Seq %ld)",
				 c.seq, l->seq);
		r = -EBADMSG;
	}
	pthread_mutex_unlock(&l->lock);
	*records = c.records;
	return r;
}

struct listing {
	const char *object_id;
	size_t max;
	struct json_object *array;
	size_t first;			/* index in @array where ours start */
};

static int list_line(long lineno, const char *line, size_t len, void *arg)
{
	struct listing *w = arg;
	struct json_object *o = json_tokener_parse(line), *v;

	(void)lineno;
	(void)len;
	if (!o)
		return 0;
	if (w->object_id && (!json_object_object_get_ex(o, "ObjectId", &v) ||
			     strcmp(json_object_get_string(v), w->object_id))) {
		json_object_put(o);
		return 0;
	}
	json_object_array_add(w->array, o);
	if (json_object_array_length(w->array) - w->first > w->max)
		json_object_array_del_idx(w->array, w->first, 1);
	return 0;
}

int audit_list(struct audit_log *l, const char *object_id, size_t max,
	       struct json_object *array)
{
	struct listing w = { object_id, max, array,
			     json_object_array_length(array) };
	int r;

	pthread_mutex_lock(&l->lock);
	r = each_line(l->path, list_line, &w);
	pthread_mutex_unlock(&l->lock);
	return r;
}
