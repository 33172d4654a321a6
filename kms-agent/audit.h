/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The audit trail: one JSON object a line, appended for every KMS call the
 * agent makes (each data key unwrap among them), in <state-dir>/audit.log.
 *
 * A record names the time, region, management operation, KMS action, disk
 * or snapshot, KMS key, the KMS RequestId and the result, and never a key.
 * Records are chained: each carries the SHA-256 of the one before
 * ("PrevHash") and its own ("Hash", over the record's bytes before the
 * Hash field), with a sequence number, so a removed or edited record is
 * found by audit_verify().  The agent also remembers the last record it
 * wrote, so a cut-off tail is found while it runs.
 */
#ifndef ECSENC_AUDIT_H
#define ECSENC_AUDIT_H

#include <stddef.h>

#include <json-c/json.h>

#include "agent.h"
#include "kms_client.h"

struct audit_log;

/* Open (create 0600) the log at @path and find its last record. */
int audit_open(const char *path, struct audit_log **out);
void audit_close(struct audit_log *l);

/*
 * Append the record of one KMS call of @action for @ctx; @r its result,
 * @resp its answer (RequestId, error code, KeyId), @key_id the CMK asked
 * for.  Failure to write is logged, never fatal to the operation.
 */
void audit_kms_call(struct op_ctx *ctx, const char *action, const char *key_id,
		    const struct kms_response *resp, int r);

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

#endif
