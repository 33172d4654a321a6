/* SPDX-License-Identifier: GPL-2.0 */
/* ecsenc-ctl: what the verbs share. */
#ifndef ECSENC_CTL_H
#define ECSENC_CTL_H

#include <stdint.h>

#include <json-c/json.h>

#include "agent_ops.h"
#include "ecs_error.h"

/* Every option of every verb; Documentation/operations.md lists them. */
struct ctl_opts {
	const char *verb;		/* the verb being run */
	const char *socket;
	const char *region;
	int json;
	uint64_t size;			/* --size, bytes */
	const char *category;		/* --category */
	int encrypted;			/* --encrypted */
	int force;			/* --force */
	const char *kms_key_id;		/* --kms-key-id */
	const char *snapshot_id;	/* --snapshot-id */
	int no_progress;		/* --no-progress */
	int unencrypted;		/* --unencrypted */
	const char *destination_region;	/* --destination-region */
	const char *disk_id;		/* --disk-id */
};

/*
 * Send one request (encoded from the protocol table) to the agent.  0 with
 * *result set to a JSON object (caller puts it), or non-zero after
 * printing the agent's error.  On a terminal (and without --json or
 * --no-progress) the agent's progress of a long operation is shown.
 */
int ctl_call(const struct ctl_opts *o, enum agent_op_id op,
	     const struct agent_args *args, struct json_object **result);
/* ctl_call, then print @field of the result (all of it with --json). */
int ctl_call_print(const struct ctl_opts *o, enum agent_op_id op,
		   const struct agent_args *args, const char *field);

/*
 * One line of progress on stderr, drawn over the last: "@stage [####  ]
 * NN% @tail"; @last ends the line.
 */
void ctl_progress_bar(const char *stage, int64_t done, int64_t total,
		      const char *tail, int last);

/* Print @result as JSON (for --json and for kms). */
void ctl_print_json(struct json_object *result);

/*
 * Errors: one line on stderr, or with --json (ctl_output_json) a JSON
 * object {"RequestId", "Code", "Message", "HttpStatus"} on stdout.  The
 * last error's identity decides the exit status (ctl_exit_status); an
 * error without one (ctl_error) is a usage error.
 */
void ctl_output_json(int on);
void ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ctl_error_code(enum ecs_err code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ctl_exit_status(void);
/* The id this run sends with its requests, printed with every answer. */
void ctl_set_request_id(const char *id);
const char *ctl_request_id(void);

/*
 * Fields of the agent's answers, checked by type: a missing field or one
 * of another type reads as "", 0, false or NULL.
 */
const char *reply_str(struct json_object *o, const char *key);
int64_t reply_int(struct json_object *o, const char *key);
int reply_bool(struct json_object *o, const char *key);
struct json_object *reply_array(struct json_object *o, const char *key);
struct json_object *reply_object(struct json_object *o, const char *key);

typedef int (*verb_fn)(const struct ctl_opts *o, int argc, char **argv);

int verb_create_disk(const struct ctl_opts *o, int argc, char **argv);
int verb_attach_disk(const struct ctl_opts *o, int argc, char **argv);
int verb_detach_disk(const struct ctl_opts *o, int argc, char **argv);
int verb_create_snapshot(const struct ctl_opts *o, int argc, char **argv);
int verb_delete_snapshot(const struct ctl_opts *o, int argc, char **argv);
int verb_reset_disk(const struct ctl_opts *o, int argc, char **argv);
int verb_reinit_disk(const struct ctl_opts *o, int argc, char **argv);
int verb_copy_disk(const struct ctl_opts *o, int argc, char **argv);
int verb_delete_disk(const struct ctl_opts *o, int argc, char **argv);
int verb_describe_disks(const struct ctl_opts *o, int argc, char **argv);
int verb_describe_snapshots(const struct ctl_opts *o, int argc, char **argv);
int verb_describe_kms_usage(const struct ctl_opts *o, int argc, char **argv);
int verb_kms(const struct ctl_opts *o, int argc, char **argv);
int verb_encrypt_in_place(const struct ctl_opts *o, int argc, char **argv);
int verb_rebuild_catalog(const struct ctl_opts *o, int argc, char **argv);
/* copy.c: copy-snapshot --encrypted of an unencrypted snapshot */
int ctl_copy_snapshot_encrypting(const struct ctl_opts *o, const char *snap,
				 const char *category);
/* lifecycle.c */
int verb_rewrap(const struct ctl_opts *o, int argc, char **argv);
int verb_copy_snapshot(const struct ctl_opts *o, int argc, char **argv);
int verb_default_encryption(const struct ctl_opts *o, int argc, char **argv);
int verb_describe_audit_events(const struct ctl_opts *o, int argc, char **argv);
int verb_verify_audit_log(const struct ctl_opts *o, int argc, char **argv);

#endif
