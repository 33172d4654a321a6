/* SPDX-License-Identifier: GPL-2.0 */
/* ecsenc-ctl: what the verbs share. */
#ifndef ECSENC_CTL_H
#define ECSENC_CTL_H

#include <stdint.h>

#include <json-c/json.h>

/* Every option of every verb; Documentation/operations.md lists them. */
struct ctl_opts {
	const char *verb;		/* the verb being run */
	const char *socket;
	const char *region;
	int json;
	uint64_t size;			/* --size, bytes */
	const char *category;		/* --category */
	int encrypted;			/* --encrypted */
	const char *kms_key_id;		/* --kms-key-id */
	const char *snapshot_id;	/* --snapshot-id */
	int no_progress;		/* --no-progress */
};

/*
 * Send one request to the agent.  0 with *result set (caller puts it), or
 * non-zero after printing the agent's error on stderr.
 */
int ctl_call(const struct ctl_opts *o, const char *op, struct json_object *args,
	     struct json_object **result);

/* Print @result as JSON (for --json and for kms). */
void ctl_print_json(struct json_object *result);

/* One-line error on stderr. */
void ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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

#endif
