/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The audit trail: one JSON object a line, appended for every KMS call the
 * agent makes (each data key unwrap among them), in <state-dir>/audit.log.
 *
 * A record names the time, region, management operation, KMS action, disk
 * or snapshot, KMS key, the KMS RequestId and the result, and never a key.
 * Every call has two: "Requested" before it is sent, its result after.
 * Records are chained: each carries the SHA-256 of the one before
 * ("PrevHash") and its own ("Hash", over the record's bytes before the
 * Hash field), with a sequence number, so a removed or edited record is
 * found by audit_verify().  The head of the chain (Seq and Hash of the
 * last record) is kept in the catalog too, written after each record, so
 * a log cut short, deleted or replaced is found after a restart as well.
 */
#ifndef ECSENC_AUDIT_H
#define ECSENC_AUDIT_H

#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "agent.h"
#include "kms_client.h"

struct audit_log;

/*
 * Open (create 0600) the log at @path and check it against the head in
 * @catalog: a crash's leftovers are settled, anything else is kept as a
 * finding that audit_verify() reports.  @new_file: set the log aside and
 * go on from its head in a new file (and forget the finding).
 */
int audit_open(const char *path, struct catalog *catalog, int new_file,
	       struct audit_log **out);
void audit_close(struct audit_log *l);

/*
 * Before a KMS call of @action for @ctx on @key_id: append its
 * "Requested" record.  Its Seq (0 without a log), or -errno: the record
 * could not be written (ENOSPC, EIO) and the call must not be made.
 */
long audit_kms_request(struct op_ctx *ctx, const char *action,
		       const char *key_id);

/*
 * After it: the record of its result, @r and @resp (RequestId, error
 * code, KeyId), naming @request_seq.  0, or -errno: the record could not
 * be written and the answer must not be used.
 */
int audit_kms_result(struct op_ctx *ctx, long request_seq, const char *action,
		     const char *key_id, const struct kms_response *resp, int r);

/*
 * Check the whole chain: 0 with the record count in @records, or -EBADMSG
 * with what is wrong and where (line and Seq) in @why.
 */
int audit_verify(struct audit_log *l, long *records, char *why, size_t why_len);

/*
 * Add to @array the records whose ObjectId is @object_id (NULL: all), the
 * newest @max of them.
 */
int audit_list(struct audit_log *l, const char *object_id, size_t max,
	       struct json_object *array);

/*
 * For shipping the trail off the host: add to @lines, as strings, the
 * lines of the records after Seq @after, in the order written, as written
 * (the server checks their chain), at most @max of them and about
 * @max_bytes; only records written whole and anchored.  A line that may
 * not leave the host (audit_record_fit()) ends the batch; first in it:
 * -EPERM.  Records from
 * before --new-audit-file come from the file set aside.  @hint: where
 * the last read stopped (0 at first), so that the file is not read from
 * its start each time.  0, or -errno.
 */
int audit_read_after(struct audit_log *l, long long after, size_t max,
		     size_t max_bytes, off_t *hint, struct json_object *lines);

/* The Seq of the last record, after waiting up to @ms for one past @seq. */
long long audit_wait_after(struct audit_log *l, long long seq, long ms);

#endif
