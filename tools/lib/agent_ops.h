/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The operations of the ecsenc-ctl <-> kms-agent protocol, declared once.
 *
 * Each operation has its protocol name, the ECS operation it is billed as,
 * and a policy for each argument it takes (in the spirit of netlink's
 * nla_policy).  A request is checked against that policy and decoded into
 * struct agent_request before any handler sees it: an unknown operation, an
 * argument the operation does not take, a missing one or one of the wrong
 * type or range is refused with a message that names it.  ecsenc-ctl
 * encodes its requests from the same table.
 *
 * Framing (one JSON object each way) is agent_proto.h's.
 */
#ifndef ECSENC_AGENT_OPS_H
#define ECSENC_AGENT_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "region_id.h"
#include "request_id.h"

enum agent_op_id {
	AGENT_OP_CREATE_DISK,
	AGENT_OP_ATTACH_DISK,
	AGENT_OP_DETACH_DISK,
	AGENT_OP_CREATE_SNAPSHOT,
	AGENT_OP_RESET_DISK,
	AGENT_OP_REINIT_DISK,
	AGENT_OP_DELETE_DISK,
	AGENT_OP_DELETE_SNAPSHOT,
	AGENT_OP_DESCRIBE_DISKS,
	AGENT_OP_DESCRIBE_SNAPSHOTS,
	AGENT_OP_DESCRIBE_KMS_USAGE,
	AGENT_OP_KMS,
	AGENT_OP_REBUILD_CATALOG,
	AGENT_OP_REWRAP_DISK,
	AGENT_OP_REWRAP_SNAPSHOT,
	AGENT_OP_COPY_SNAPSHOT,
	AGENT_OP_ENABLE_ENCRYPTION_BY_DEFAULT,
	AGENT_OP_DISABLE_ENCRYPTION_BY_DEFAULT,
	AGENT_OP_DESCRIBE_ENCRYPTION_BY_DEFAULT,
	AGENT_OP_DESCRIBE_DEFAULT_KMS_KEY,
	AGENT_OP_MODIFY_DEFAULT_KMS_KEY,
	AGENT_OP_RESET_DEFAULT_KMS_KEY,
	AGENT_OP_DESCRIBE_AUDIT_EVENTS,
	AGENT_OP_VERIFY_AUDIT_LOG,
	AGENT_OP_COUNT
};

/* ECS limits a request is held to. */
#define AGENT_DISK_SIZE_MIN	(1ull << 20)	/* 1 MiB */
#define AGENT_DISK_SIZE_MAX	(32ull << 40)	/* ECS: 32 TiB for a data disk */
#define AGENT_DISK_SIZE_ALIGN	4096ull
#define AGENT_MAX_IDS		100	/* ECS DescribeDisks: 100 DiskIds */
#define AGENT_MAX_KMS_PARAMS	32
#define AGENT_ID_MAX		127	/* bytes of a disk, snapshot or key id */

/*
 * The most a request may hold, checked on its bytes before anything is
 * parsed (agent_proto.h): requests are objects holding "args" holding a
 * list, and the largest the table admits (AGENT_MAX_IDS ids, or
 * AGENT_MAX_KMS_PARAMS parameters, and a few arguments) fits twice over,
 * so that the decoder still names what is too long.  So a request
 * costs the agent at most a few hundred small objects, whatever its
 * shape.
 */
#define AGENT_REQUEST_MAX_BYTES	(64 * 1024)
#define AGENT_REQUEST_MAX_DEPTH	3
#define AGENT_REQUEST_MAX_ITEMS	(2 * (AGENT_MAX_IDS + AGENT_MAX_KMS_PARAMS) + 16)

struct agent_kms_param {
	const char *name;
	const char *value;
};

/*
 * Every argument of every operation; an operation's policy says which it
 * takes.  Strings point into the request object they were decoded from.
 */
struct agent_args {
	const char *disk_id;
	const char *snapshot_id;
	const char *category;
	const char *kms_key_id;
	uint64_t size;				/* bytes; 0 when not given */
	bool encrypted;
	bool force;				/* attach: take it from its holder;
						 * delete-snapshot: though disks were made of it */
	bool unencrypted;			/* create-disk: refuse encryption */
	bool copy_source;			/* create-disk: source of an encrypting copy */
	const char *destination_region;		/* copy-snapshot */
	/*
	 * create-disk, create-snapshot, copy-snapshot: the id the caller
	 * chose for the new object (ecs-api does), so that a request sent
	 * again finds the object it made instead of making another.
	 */
	const char *new_id;
	size_t n_disk_ids;
	const char *disk_ids[AGENT_MAX_IDS];
	const char *action;			/* kms: the KMS action */
	size_t n_params;
	struct agent_kms_param params[AGENT_MAX_KMS_PARAMS];
};

enum agent_arg_type {
	AGENT_ARG_ID,		/* [A-Za-z0-9._:/-], 1..AGENT_ID_MAX bytes */
	AGENT_ARG_NAME,		/* like an id, for categories and actions */
	AGENT_ARG_REGION,	/* a token without / or a leading ., 1..REGION_ID_MAX */
	AGENT_ARG_SIZE,		/* integer bytes within the disk size limits */
	AGENT_ARG_BOOL,		/* JSON true or false */
	AGENT_ARG_ID_LIST,	/* array of ids, at most AGENT_MAX_IDS */
	AGENT_ARG_KMS_PARAMS,	/* object of string values */
};

struct agent_arg_policy {
	const char *name;		/* key in "args" */
	enum agent_arg_type type;
	bool required;
	size_t offset;			/* of the field in struct agent_args */
};

struct agent_op {
	enum agent_op_id id;
	const char *name;		/* protocol name: "attach-disk" */
	const char *billing;		/* ECS operation: "AttachDisk" */
	const struct agent_arg_policy *args;	/* ends with a NULL name */
};

struct agent_request {
	const struct agent_op *op;
	const char *region;		/* NULL: the agent's default */
	const char *request_id;		/* the caller's, NULL: the agent makes one */
	bool progress;			/* send progress messages before the reply */
	struct agent_args args;
};

const struct agent_op *agent_op_get(enum agent_op_id id);
const struct agent_op *agent_op_find(const char *name);

/* A region id a request may name: the agent's --region is held to it too. */
bool agent_region_valid(const char *region);

/*
 * Check @req against the table and decode it into @out.  0, or -EINVAL
 * (or -E2BIG, -ERANGE) with a message naming the culprit in @err.  @out's
 * strings live as long as @req.
 */
int agent_request_decode(struct json_object *req, struct agent_request *out,
			 char *err, size_t err_len);

/*
 * The request object for @op with the arguments set in @args; @region and
 * @request_id may be NULL.
 */
struct json_object *agent_request_encode(enum agent_op_id op,
					 const char *region,
					 const char *request_id,
					 const struct agent_args *args);

#endif
