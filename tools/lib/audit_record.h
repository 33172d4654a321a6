/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One record of the agent's audit trail, as a line of JSON: the fields
 * below, "Seq" first, then "PrevHash" (the Hash of the record before) and
 * last "Hash", the hex SHA-256 of the line's bytes before ",\"Hash\":"
 * followed by a closing brace.  The agent writes them (kms-agent/audit.c);
 * ecs-api checks the ones the agent ships it (tools/ecs-api/audit_records.c).
 */
#ifndef ECSENC_AUDIT_RECORD_H
#define ECSENC_AUDIT_RECORD_H

#include <stddef.h>

#define AUDIT_HASH_HEX		64
#define AUDIT_HASH_FIELD	",\"Hash\":\""
#define AUDIT_RECORD_MAX	4096	/* bytes of one line, shipped or stored */

/* The PrevHash of the first record of a chain. */
extern const char audit_genesis[AUDIT_HASH_HEX + 1];

/*
 * Split @line (no newline) into its hashed part (@body_len bytes) and the
 * Hash it carries: 0, or -EBADMSG when it does not end in a Hash field.
 */
int audit_record_split(const char *line, size_t len, size_t *body_len,
		       char hash[AUDIT_HASH_HEX + 1]);

/* The Hash a record should carry: over its body and a closing brace. */
int audit_record_hash(const char *line, size_t body_len,
		      char out[AUDIT_HASH_HEX + 1]);

/*
 * Whether @line may leave the host at all: one line of at most
 * AUDIT_RECORD_MAX bytes, a JSON object of only the fields a record has
 * (strings, Seq and RequestSeq numbers), so that nothing else (never a
 * key) travels in one.  0, or -EPERM with why in @why.
 */
int audit_record_fit(const char *line, size_t len, char *why, size_t why_len);

struct audit_record_info {
	long long seq;
	char prev[AUDIT_HASH_HEX + 1];
	char hash[AUDIT_HASH_HEX + 1];
};

/*
 * A record: fit to leave the host (above), its Hash matches its bytes,
 * Seq >= 1 and PrevHash is a hash.  0 and @out, or -EPERM (not fit) or
 * -EBADMSG with what is wrong in @why.
 */
int audit_record_check(const char *line, size_t len,
		       struct audit_record_info *out, char *why, size_t why_len);

#endif
