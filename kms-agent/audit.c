// SPDX-License-Identifier: GPL-2.0
/* The hash-chained audit trail of the agent's KMS calls (audit.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "audit_record.h"
#include "catalog.h"
#include "kms_sign.h"
#include "log.h"
#include "sync_dir.h"

#define HASH_HEX	AUDIT_HASH_HEX
#define HASH_FIELD	AUDIT_HASH_FIELD

/*
 * Every append is: the record (one write of a whole line) and fdatasync,
 * then the head in the catalog.  So at a start the log may be one record
 * ahead of the head (a crash between the two), or end in part of a line
 * (a crash, or a full file system, during the write); anything else that
 * differs from the head was done to the log from outside.
 */
struct audit_log {
	pthread_mutex_t lock;		/* appends, and reads of the file */
	pthread_cond_t appended;	/* a record was anchored */
	char path[600];
	int fd;				/* O_APPEND */
	struct catalog *catalog;	/* holds @head */
	struct catalog_audit_head head;	/* base and last record; finding */
	int head_unsaved;		/* @head differs from the catalog's */
	int need_newline;		/* the file ends inside a line */
	int torn;			/* a failed append could not be cut back */
	off_t size;			/* bytes of whole records in the file */
};

/* One line of the log as a reader sees it. */
struct log_line {
	long no;			/* from 1 */
	const char *text;		/* without its newline */
	size_t len;
	int newline;			/* it ends in one (the last may not) */
	off_t start;			/* offset of its first byte */
};

typedef int (*line_fn)(const struct log_line *line, void *arg);

/* Each line from offset @start on (a line's start); @fn > 0 stops early. */
static int each_line_at(const char *path, off_t start, line_fn fn, void *arg)
{
	FILE *f = fopen(path, "re");
	struct log_line ll = { .start = start };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int r = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	if (start && fseeko(f, start, SEEK_SET) < 0) {
		r = -errno;
		fclose(f);
		return r;
	}
	while (r == 0 && (n = getline(&line, &cap, f)) >= 0) {
		ll.no++;
		ll.newline = n && line[n - 1] == '\n';
		if (ll.newline)
			line[--n] = '\0';
		ll.text = line;
		ll.len = (size_t)n;
		r = fn(&ll, arg);
		ll.start += n + ll.newline;
	}
	free(line);
	fclose(f);
	return r;
}

static int each_line(const char *path, line_fn fn, void *arg)
{
	return each_line_at(path, 0, fn, arg);
}

/* A record read back: well-formed, and its Hash matches its bytes. */
struct record {
	long seq;
	char prev[HASH_HEX + 1];
	char hash[HASH_HEX + 1];
};

/* 0, -EBADMSG with what is wrong in @why, or -EIO. */
static int parse_record(const struct log_line *ll, struct record *rec,
			char *why, size_t why_len)
{
	struct json_object *o = NULL, *v;
	char want[HASH_HEX + 1];
	const char *prev = NULL;
	size_t body_len;
	int r = -EBADMSG;

	rec->seq = -1;
	if (audit_record_split(ll->text, ll->len, &body_len, rec->hash) < 0) {
		snprintf(why, why_len, "line %ld is not an audit record (no Hash at its end): edited", ll->no);
		return -EBADMSG;
	}
	o = json_tokener_parse(ll->text);
	if (o && json_object_object_get_ex(o, "Seq", &v) &&
	    json_object_is_type(v, json_type_int))
		rec->seq = (long)json_object_get_int64(v);
	if (o && json_object_object_get_ex(o, "PrevHash", &v))
		prev = json_object_get_string(v);
	if (audit_record_hash(ll->text, body_len, want) < 0) {
		snprintf(why, why_len, "cannot hash line %ld", ll->no);
		r = -EIO;
		goto out;
	}
	if (!o || rec->seq < 0 || !prev || strlen(prev) != HASH_HEX) {
		snprintf(why, why_len, "line %ld is not a well-formed audit record: edited", ll->no);
		goto out;
	}
	if (strcmp(want, rec->hash)) {
		snprintf(why, why_len, "record Seq %ld (line %ld) was edited: its hash does not match its content",
			 rec->seq, ll->no);
		goto out;
	}
	memcpy(rec->prev, prev, sizeof(rec->prev));
	r = 0;
out:
	json_object_put(o);
	return r;
}

/*
 * The chain from the start of the file, and its last line whatever the
 * chain: the check at start settles a crash by the last line alone.
 */
struct chain {
	long records;
	long seq;			/* of the last record that chains */
	char prev[HASH_HEX + 1];	/* its Hash */
	int err;			/* 0, or the first break: @why says */
	char *why;
	size_t why_len;
	/* the last line */
	int last_ok;			/* it is a well-formed record */
	struct record last;
	int last_newline;
	off_t last_start;
	off_t end;			/* bytes read */
};

static int check_line(const struct log_line *ll, void *arg)
{
	struct chain *c = arg;
	char scratch[256];
	struct record rec;
	int r;

	/* A line is judged for the chain only until its first break. */
	r = parse_record(ll, &rec, c->err ? scratch : c->why,
			 c->err ? sizeof(scratch) : c->why_len);
	c->last_ok = r == 0;
	c->last = rec;
	c->last_newline = ll->newline;
	c->last_start = ll->start;
	c->end = ll->start + (off_t)ll->len + ll->newline;
	if (r == -EIO)
		return r;
	if (c->err)
		return 0;
	if (r < 0)
		goto broken;
	if (rec.seq != c->seq + 1) {
		if (rec.seq == c->seq + 2)
			snprintf(c->why, c->why_len, "record Seq %ld is missing (removed): line %ld holds Seq %ld",
				 c->seq + 1, ll->no, rec.seq);
		else if (rec.seq > c->seq + 2)
			snprintf(c->why, c->why_len, "records Seq %ld to %ld are missing (removed): line %ld holds Seq %ld",
				 c->seq + 1, rec.seq - 1, ll->no, rec.seq);
		else
			snprintf(c->why, c->why_len, "record Seq %ld (line %ld) is out of order after Seq %ld",
				 rec.seq, ll->no, c->seq);
		goto broken;
	}
	if (strcmp(rec.prev, c->prev)) {
		snprintf(c->why, c->why_len, "record Seq %ld (line %ld) does not follow the record before it (PrevHash differs): a record was replaced",
			 rec.seq, ll->no);
		goto broken;
	}
	c->records++;
	c->seq = rec.seq;
	memcpy(c->prev, rec.hash, sizeof(c->prev));
	return 0;
broken:
	c->err = -EBADMSG;
	return 0;
}

/* Read the chain of @l's file from its base. */
static int read_chain(struct audit_log *l, struct chain *c, char *why,
		      size_t why_len)
{
	memset(c, 0, sizeof(*c));
	c->why = why;
	c->why_len = why_len;
	c->seq = (long)l->head.base_seq;
	memcpy(c->prev, l->head.base_hash, sizeof(c->prev));
	return each_line(l->path, check_line, c);
}

static int save_head(struct audit_log *l)
{
	int r = catalog_put_audit_head(l->catalog, &l->head);

	l->head_unsaved = r < 0;
	return r;
}

static int write_all(int fd, const char *s, size_t len)
{
	ssize_t n = write(fd, s, len);

	if (n == (ssize_t)len)
		return 0;
	/* A short write is a full file system (or a size limit). */
	return n < 0 ? -errno : -ENOSPC;
}

/*
 * Keep the first thing found wrong; verification reports it until a new
 * file is begun.
 */
static void found(struct audit_log *l, const char *what)
{
	log_err("audit log %s: %s", l->path, what);
	if (!l->head.finding[0]) {
		snprintf(l->head.finding, sizeof(l->head.finding), "%s", what);
		l->head_unsaved = 1;
	}
}

static void adopt(struct audit_log *l, const struct record *rec)
{
	l->head.seq = rec->seq;
	memcpy(l->head.hash, rec->hash, sizeof(l->head.hash));
	l->head_unsaved = 1;
}

/*
 * Compare the log with the head in the catalog.  A crash leaves the log
 * one record ahead (adopted) or a line cut short (cut off, it was never
 * acknowledged).  A record is never dropped, and whatever else differs is
 * a finding.
 */
static int settle(struct audit_log *l, int have_head)
{
	char why[256] = "", what[sizeof(l->head.finding)];
	struct chain c;
	int r;

	r = read_chain(l, &c, why, sizeof(why));
	if (r < 0)
		return r;
	l->size = c.end;
	if (c.end && !c.last_ok && !c.last_newline) {
		if (ftruncate(l->fd, c.last_start) < 0 || fdatasync(l->fd) < 0)
			return -errno;
		log_warn("audit log %s: removed a last record cut short by a crash or a full file system (%lld bytes)",
			 l->path, (long long)(c.end - c.last_start));
		r = read_chain(l, &c, why, sizeof(why));
		if (r < 0)
			return r;
		l->size = c.end;
	}
	if (!have_head) {
		/* A new state dir, a lost catalog, or an older agent's log. */
		if (c.end)
			log_warn("audit log %s: no head in the catalog, so the log is taken as it is (%ld records)",
				 l->path, c.records);
		if (c.err)
			found(l, why);
		if (c.records) {
			l->head.seq = c.seq;
			memcpy(l->head.hash, c.prev, sizeof(l->head.hash));
		}
		l->head_unsaved = 1;
	} else if (c.last_ok && c.last.seq == l->head.seq + 1 &&
		   !strcmp(c.last.prev, l->head.hash)) {
		log_warn("audit log %s: took on record Seq %ld, written but not yet in the catalog at a crash",
			 l->path, c.last.seq);
		adopt(l, &c.last);
	} else if (c.end && c.last_ok && c.last.seq == l->head.seq &&
		   !strcmp(c.last.hash, l->head.hash)) {
		if (!c.last_newline) {
			snprintf(what, sizeof(what), "the last record (Seq %ld) had lost its final newline: the log was edited",
				 c.last.seq);
			found(l, what);
		}
	} else if (l->head.seq > l->head.base_seq && !c.end) {
		snprintf(what, sizeof(what), "the log is empty or gone, but the agent had written up to Seq %lld: it was deleted or emptied",
			 (long long)l->head.seq);
		found(l, what);
	} else if (c.end && c.last_ok && c.last.seq < l->head.seq) {
		snprintf(what, sizeof(what), "the log ends at Seq %ld, but the agent had written up to Seq %lld: records were removed",
			 c.last.seq, (long long)l->head.seq);
		found(l, what);
	} else if (c.end && c.last_ok) {
		snprintf(what, sizeof(what), "the last record of the log (Seq %ld, Hash %.12s...) is not the one the agent wrote last (Seq %lld, Hash %.12s...): the log was replaced or added to",
			 c.last.seq, c.last.hash, (long long)l->head.seq,
			 l->head.hash);
		found(l, what);
	} else if (c.end) {
		snprintf(what, sizeof(what), "the last line of the log is not a record (the agent wrote up to Seq %lld): the log was edited",
			 (long long)l->head.seq);
		found(l, what);
	}
	/* The next record must start a line of its own. */
	if (c.end && !c.last_newline) {
		l->need_newline = 1;
		if (write_all(l->fd, "\n", 1) == 0 && fdatasync(l->fd) == 0) {
			l->need_newline = 0;
			l->size++;
		}
	}
	if (l->head_unsaved)
		save_head(l);	/* or with the next record */
	return 0;
}

/*
 * Set the log aside (as <log>.<first Seq>-<unix time>) and go on from its
 * head in a new file: the new file's first record names the old file's
 * last Hash as its PrevHash, and what the agent found is forgotten.
 */
static int begin_new_file(struct audit_log *l)
{
	char aside[700];

	snprintf(aside, sizeof(aside), "%s.%lld-%lld", l->path,
		 (long long)l->head.base_seq + 1, (long long)time(NULL));
	if (rename(l->path, aside) == 0) {
		log_warn("audit log %s: set aside as %s; the new file goes on from Seq %lld",
			 l->path, aside, (long long)l->head.seq + 1);
		if (sync_dir_of(l->path) < 0)
			return -EIO;
	} else if (errno != ENOENT) {
		return -errno;
	}
	if (l->head.finding[0])
		log_warn("audit log %s: forgetting what the agent found: %s",
			 l->path, l->head.finding);
	l->head.base_seq = l->head.seq;
	memcpy(l->head.base_hash, l->head.hash, sizeof(l->head.base_hash));
	l->head.finding[0] = '\0';
	l->head_unsaved = 1;
	return 0;
}

int audit_open(const char *path, struct catalog *catalog, int new_file,
	       struct audit_log **out)
{
	struct audit_log *l = calloc(1, sizeof(*l));
	int have_head, r;

	if (!l)
		return -ENOMEM;
	l->fd = -1;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->appended, NULL);
	snprintf(l->path, sizeof(l->path), "%s", path);
	l->catalog = catalog;
	r = catalog_get_audit_head(catalog, &l->head);
	if (r < 0 && r != -ENOENT)
		goto fail;
	have_head = r == 0;
	if (!have_head) {
		memcpy(l->head.base_hash, audit_genesis, sizeof(l->head.base_hash));
		memcpy(l->head.hash, audit_genesis, sizeof(l->head.hash));
	}
	if (new_file) {
		/* Without a head the new file starts a chain of its own. */
		r = begin_new_file(l);
		if (r < 0)
			goto fail;
		have_head = 1;
	}
	l->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (l->fd < 0) {
		r = -errno;
		goto fail;
	}
	r = settle(l, have_head);
	if (r < 0)
		goto fail;
	*out = l;
	return 0;
fail:
	log_err("audit log %s: %s", path, strerror(-r));
	if (l->fd >= 0)
		close(l->fd);
	pthread_cond_destroy(&l->appended);
	pthread_mutex_destroy(&l->lock);
	free(l);
	return r;
}

void audit_close(struct audit_log *l)
{
	if (!l)
		return;
	close(l->fd);
	pthread_cond_destroy(&l->appended);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

/* Take the file back to its last whole record. */
static int cut_back(struct audit_log *l)
{
	if (ftruncate(l->fd, l->size) < 0 || fdatasync(l->fd) < 0)
		return -errno;
	return 0;
}

/*
 * The file as the agent left it?  Changed from outside while it ran, it
 * is a finding, and the next record still starts a line of its own.
 */
static int check_end(struct audit_log *l)
{
	off_t end = lseek(l->fd, 0, SEEK_END);
	char what[sizeof(l->head.finding)], c;

	if (end < 0)
		return -errno;
	if (end != l->size) {
		snprintf(what, sizeof(what), "the log changed from %lld to %lld bytes while the agent ran: it was edited",
			 (long long)l->size, (long long)end);
		found(l, what);
		l->size = end;
	}
	if (end > 0 && !l->need_newline) {
		if (pread(l->fd, &c, 1, end - 1) != 1)
			return -EIO;
		l->need_newline = c != '\n';
	}
	return 0;
}

/*
 * Append @o, completed with Seq and PrevHash, as the next record: the
 * line and fdatasync, then the head in the catalog.  On failure the file
 * is cut back to its last whole record and the head is unchanged.
 */
static long append_locked(struct audit_log *l, struct json_object *o)
{
	struct catalog_audit_head before;
	char hash[HASH_HEX + 1], *line = NULL;
	const char *body;
	size_t n;
	long seq = (long)l->head.seq + 1;
	int r;

	if (l->torn) {
		r = cut_back(l);
		if (r < 0)
			return r;
		l->torn = 0;
	}
	r = check_end(l);
	if (r < 0)
		return r;
	if (l->need_newline) {
		r = write_all(l->fd, "\n", 1);
		if (r < 0)
			return r;
		l->need_newline = 0;
		l->size++;
	}
	if (l->head_unsaved) {
		r = save_head(l);
		if (r < 0)
			return r;
	}
	before = l->head;
	json_object_object_add(o, "Seq", json_object_new_int64(seq));
	json_object_object_add(o, "PrevHash",
			       json_object_new_string(l->head.hash));
	body = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	n = strlen(body);
	kms_sha256_hex(body, n, hash);
	if (asprintf(&line, "%.*s" HASH_FIELD "%s\"}\n", (int)(n - 1), body,
		     hash) < 0)
		return -ENOMEM;
	n = strlen(line);
	r = write_all(l->fd, line, n);
	if (r == 0 && fdatasync(l->fd) < 0)
		r = -errno;
	if (r == 0) {
		l->head.seq = seq;
		memcpy(l->head.hash, hash, sizeof(l->head.hash));
		r = save_head(l);
		if (r < 0) {
			l->head = before;
			l->head_unsaved = 0;
		}
	}
	if (r < 0) {
		l->torn = cut_back(l) < 0;	/* else the next append cuts it */
	} else {
		l->size += (off_t)n;
		pthread_cond_broadcast(&l->appended);
	}
	free(line);
	return r < 0 ? r : seq;
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

/* A record's fields up to Result, Seq first (its value set on append). */
static struct json_object *new_record(const struct op_ctx *ctx,
				      const char *action, const char *key_id,
				      const char *request_id, const char *result)
{
	struct json_object *o = json_object_new_object();
	char when[32];
	struct tm tm;
	time_t now = time(NULL);

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(o, "Seq", json_object_new_int64(0));
	add_str(o, "Time", when);
	add_str(o, "Region", ctx->region);
	add_str(o, "Operation", ctx->op);
	add_str(o, "Action", action);
	add_str(o, "ObjectId", ctx->object_id);
	add_str(o, "KMSKeyId", key_id);
	add_str(o, "RequestId", request_id);
	add_str(o, "Result", result);
	return o;
}

static long append(struct audit_log *l, struct json_object *o,
		   const struct op_ctx *ctx, const char *action)
{
	long r;

	pthread_mutex_lock(&l->lock);
	r = append_locked(l, o);
	pthread_mutex_unlock(&l->lock);
	json_object_put(o);
	if (r < 0)
		log_err("audit log %s: cannot append the record of %s %s: %s",
			l->path, ctx->op ? ctx->op : "-", action,
			strerror((int)-r));
	return r;
}

long audit_kms_request(struct op_ctx *ctx, const char *action,
		       const char *key_id)
{
	struct audit_log *l = ctx->agent->audit;

	if (!l)
		return 0;
	return append(l, new_record(ctx, action, key_id, "", "Requested"),
		      ctx, action);
}

int audit_kms_result(struct op_ctx *ctx, long request_seq, const char *action,
		     const char *key_id, const struct kms_response *resp, int r)
{
	struct audit_log *l = ctx->agent->audit;
	const char *answered_key;
	struct json_object *o;
	char result[160];
	long a;

	if (!l)
		return 0;
	if (r == 0)
		snprintf(result, sizeof(result), "Success");
	else if (resp->code[0])
		snprintf(result, sizeof(result), "%s", resp->code);
	else
		snprintf(result, sizeof(result), "NoAnswer: %s", strerror(-r));
	answered_key = r == 0 ? kms_response_str(resp, "KeyId") : NULL;
	o = new_record(ctx, action, answered_key ? answered_key : key_id,
		       resp->request_id, result);
	json_object_object_add(o, "RequestSeq",
			       json_object_new_int64(request_seq));
	a = append(l, o, ctx, action);
	return a < 0 ? (int)a : 0;
}

int audit_verify(struct audit_log *l, long *records, char *why, size_t why_len)
{
	struct chain c;
	int r;

	pthread_mutex_lock(&l->lock);
	r = read_chain(l, &c, why, why_len);
	if (r < 0)
		goto out;
	if (l->head.finding[0]) {
		snprintf(why, why_len, "%s (kept until kms-agent --new-audit-file)",
			 l->head.finding);
		r = -EBADMSG;
	} else if (c.err) {
		r = c.err;
	} else if (c.seq != l->head.seq || strcmp(c.prev, l->head.hash)) {
		if (c.seq < l->head.seq)
			snprintf(why, why_len, "records after Seq %ld were removed: the agent wrote up to Seq %lld",
				 c.seq, (long long)l->head.seq);
		else
			snprintf(why, why_len, "the last record (Seq %ld) is not the one the agent wrote (Seq %lld)",
				 c.seq, (long long)l->head.seq);
		r = -EBADMSG;
	} else if (c.end && !c.last_newline && !l->need_newline) {
		snprintf(why, why_len, "the last record (Seq %ld) has lost its final newline: the log was edited",
			 c.seq);
		r = -EBADMSG;
	}
out:
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

static int list_line(const struct log_line *ll, void *arg)
{
	struct listing *w = arg;
	struct json_object *o = json_tokener_parse(ll->text), *v;

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

/* Shipping the records off the host (audit_ship.c). */

struct shipping {
	long long after;		/* records after this Seq */
	long long last;			/* the last record anchored */
	size_t max, max_bytes, bytes;
	struct json_object *lines;
	int started;			/* a record after @after was met */
	char unfit[160];		/* why a line may not leave the host */
	int from_hint;			/* reading from a previous batch's end */
	off_t end;			/* after the last line taken */
};

static long long line_seq(const struct log_line *ll)
{
	struct json_object *o = json_tokener_parse(ll->text), *v;
	long long seq = -1;

	if (o && json_object_object_get_ex(o, "Seq", &v) &&
	    json_object_is_type(v, json_type_int))
		seq = json_object_get_int64(v);
	json_object_put(o);
	return seq;
}

/*
 * Skip to the first record after @after, then take every whole line as it
 * is, up to the last anchored record: a record edited or out of order
 * goes too (the server judges the chain), a line not fit to leave the
 * host ends the batch.
 */
static int ship_line(const struct log_line *ll, void *arg)
{
	struct shipping *w = arg;
	long long seq = line_seq(ll);

	if (!ll->newline || seq > w->last)
		return 1;			/* not written whole, or not ours */
	if (!w->started) {
		if (w->from_hint && seq != w->after + 1)
			return 2;		/* the hint is stale: from the top */
		if (seq <= w->after)
			return 0;
		w->started = 1;
	}
	if (json_object_array_length(w->lines) >= w->max ||
	    (w->bytes + ll->len > w->max_bytes && w->bytes))
		return 1;
	/* Written by someone else: stays here, and shipping stops at it. */
	if (audit_record_fit(ll->text, ll->len, w->unfit, sizeof(w->unfit)) < 0) {
		if (!json_object_array_length(w->lines))
			return -EPERM;
		return 1;
	}
	json_object_array_add(w->lines, json_object_new_string_len(ll->text, (int)ll->len));
	w->bytes += ll->len;
	w->end = ll->start + (off_t)ll->len + 1;
	return 0;
}

/*
 * The file set aside by --new-audit-file that holds Seq @seq: the one
 * whose first Seq (in its name, <log>.<first Seq>-<time>) is the highest
 * at most @seq.
 */
static int aside_file_of(const struct audit_log *l, long long seq,
			 char *out, size_t out_len)
{
	const char *base = strrchr(l->path, '/');
	char dir[sizeof(l->path)];
	long long best = -1, best_time = -1;
	struct dirent *e;
	size_t blen;
	DIR *d;

	base = base ? base + 1 : l->path;
	blen = strlen(base);
	snprintf(dir, sizeof(dir), "%.*s", base == l->path ? 1 : (int)(base - l->path),
		 base == l->path ? "." : l->path);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		long long first, when;
		int used = 0;

		if (strncmp(e->d_name, base, blen) || e->d_name[blen] != '.' ||
		    sscanf(e->d_name + blen + 1, "%lld-%lld%n", &first, &when, &used) != 2 ||
		    e->d_name[blen + 1 + used] || first > seq ||
		    first < best || (first == best && when < best_time))
			continue;
		best = first;
		best_time = when;
		snprintf(out, out_len, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	return best < 0 ? -ENOENT : 0;
}

int audit_read_after(struct audit_log *l, long long after, size_t max,
		     size_t max_bytes, off_t *hint, struct json_object *lines)
{
	struct shipping w = { .after = after, .max = max,
			      .max_bytes = max_bytes, .lines = lines };
	char aside[sizeof(l->path) + 300];
	int r;

	pthread_mutex_lock(&l->lock);
	w.last = l->head.seq;
	if (after < l->head.base_seq) {
		/* Records from before --new-audit-file: in the file set aside. */
		r = aside_file_of(l, after + 1, aside, sizeof(aside));
		if (r == 0) {
			w.last = l->head.base_seq;
			r = each_line(aside, ship_line, &w);
			*hint = 0;
			goto out;
		}
		log_warn("audit log %s: no file set aside holds Seq %lld; shipping goes on from Seq %lld",
			 l->path, after + 1, (long long)l->head.base_seq + 1);
	}
	w.from_hint = *hint > 0 && *hint <= l->size;
	r = each_line_at(l->path, w.from_hint ? *hint : 0, ship_line, &w);
	if (r == 2) {
		w.from_hint = 0;
		r = each_line(l->path, ship_line, &w);
	}
	if (w.started)
		*hint = w.end;
out:
	if (r == -EPERM)
		log_err("audit log %s: the line after Seq %lld is not shipped, and none after it: %s",
			l->path, after, w.unfit);
	pthread_mutex_unlock(&l->lock);
	return r < 0 ? r : 0;
}

long long audit_wait_after(struct audit_log *l, long long seq, long ms)
{
	struct timespec ts;
	long long head;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&l->lock);
	while ((long long)l->head.seq <= seq &&
	       pthread_cond_timedwait(&l->appended, &l->lock, &ts) == 0)
		;
	head = (long long)l->head.seq;
	pthread_mutex_unlock(&l->lock);
	return head;
}
