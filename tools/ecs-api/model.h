/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The resources of the ECS API server, as typed values: disks, snapshots,
 * instances and the tasks handed to instances' agents.  States are enums
 * with ECS's spelling in one table each (model.c); nothing else spells
 * them.
 */
#ifndef ECS_API_MODEL_H
#define ECS_API_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "agent_ops.h"

#define ECS_ID_MAX	64	/* d-…, s-…, i-…, account ids, key ids */
#define ECS_KEY_ID_MAX	128	/* KMSKeyId: an id, an alias or an ARN */
#define ECS_NAME_MAX	128	/* DiskName, SnapshotName */
#define ECS_DESC_MAX	256	/* Description */
#define ECS_TOKEN_MAX	64	/* ClientToken */

enum disk_status {
	DISK_CREATING,		/* the agent is creating its store */
	DISK_AVAILABLE,
	DISK_ATTACHING,
	DISK_IN_USE,
	DISK_DETACHING,
	DISK_REINITING,
	DISK_RESETTING,		/* ResetDisk under way (ECS shows no state) */
	DISK_DELETING,		/* DeleteDisk under way */
	DISK_STATUS_COUNT
};

enum snapshot_status {
	SNAPSHOT_PROGRESSING,
	SNAPSHOT_ACCOMPLISHED,
	SNAPSHOT_FAILED,
	SNAPSHOT_DELETING,
	SNAPSHOT_STATUS_COUNT
};

enum task_state {
	TASK_QUEUED,		/* accepted, not yet handed to the agent */
	TASK_SENT,		/* handed over; sent again until reported */
	TASK_DONE,		/* the agent reported its result */
	TASK_STATE_COUNT
};

enum instance_status {
	INSTANCE_RUNNING,	/* its agent keeps in touch */
	INSTANCE_STOPPED,	/* its agent went quiet, or never came */
	INSTANCE_STATUS_COUNT
};

struct ecs_disk {
	char id[ECS_ID_MAX];
	char account[ECS_ID_MAX];
	char region[ECS_ID_MAX];
	char zone[ECS_ID_MAX];
	char host[ECS_ID_MAX];		/* the instance whose agent holds the store */
	char instance[ECS_ID_MAX];	/* unused: attachments are their own rows */
	char category[32];
	char kms_key_id[ECS_KEY_ID_MAX];
	char snapshot_id[ECS_ID_MAX];	/* made from; "" when empty */
	char name[ECS_NAME_MAX + 1];
	char description[ECS_DESC_MAX + 1];
	char device[128];		/* unused: see struct ecs_attachment */
	int64_t size_gib;
	bool encrypted;
	bool multi_attach;
	enum disk_status status;
	int64_t created;		/* seconds since the epoch */
	int64_t attached_at;
};

struct ecs_snapshot {
	char id[ECS_ID_MAX];
	char account[ECS_ID_MAX];
	char region[ECS_ID_MAX];
	char host[ECS_ID_MAX];		/* the instance whose agent holds it */
	char source_disk[ECS_ID_MAX];
	char category[32];
	char kms_key_id[ECS_KEY_ID_MAX];
	char name[ECS_NAME_MAX + 1];
	char description[ECS_DESC_MAX + 1];
	int64_t source_size_gib;
	bool encrypted;
	enum snapshot_status status;
	int progress;			/* percent */
	int64_t created;
};

struct ecs_instance {
	char id[ECS_ID_MAX];
	char account[ECS_ID_MAX];
	char region[ECS_ID_MAX];	/* the agent's, from its first poll */
	int64_t last_seen_ms;		/* its agent's last poll; 0: never */
	char backend[ECS_ID_MAX];	/* its agent's store backend: "local", "rbd"; "": not said */
};

enum attachment_state {
	ATTACHMENT_ATTACHING,		/* the instance's agent is attaching */
	ATTACHMENT_IN_USE,
	ATTACHMENT_DETACHING,
	ATTACHMENT_STATE_COUNT
};

#define ECS_MAX_ATTACHMENTS 16	/* ECS: a MultiAttach disk on up to 16 instances */

/* One instance's hold of a disk; a disk has a set of them (one unless MultiAttach). */
struct ecs_attachment {
	char disk_id[ECS_ID_MAX];
	char instance[ECS_ID_MAX];
	char device[128];		/* on the instance, once attached */
	int64_t attached_at;		/* seconds since the epoch */
	enum attachment_state state;
};

struct ecs_task {
	int64_t id;
	char instance[ECS_ID_MAX];	/* whose agent does it */
	char request_id[REQUEST_ID_MAX + 1]; /* the API request it serves */
	char resource[ECS_ID_MAX];	/* the disk or snapshot it changes */
	enum agent_op_id op;
	char *request;			/* the agent request, JSON (malloc) */
	enum task_state state;
	int64_t created_ms;
};

/* Per account and region: encryption by default. */
struct ecs_default_encryption {
	bool enabled;
	char kms_key_id[ECS_KEY_ID_MAX]; /* "": the service key */
};

#define ECS_AUDIT_HASH_MAX 64	/* hex SHA-256 of an audit record */

/* A record of an instance's audit trail, as its agent shipped it. */
struct ecs_audit_record {
	char instance[ECS_ID_MAX];
	char account[ECS_ID_MAX];
	int64_t seq;
	char hash[ECS_AUDIT_HASH_MAX + 1];
	char prev_hash[ECS_AUDIT_HASH_MAX + 1];
	const char *line;		/* the record as the agent wrote it */
	int64_t received_ms;
};

/* A record refused: it does not continue the instance's stored chain. */
struct ecs_audit_finding {
	char instance[ECS_ID_MAX];
	char account[ECS_ID_MAX];
	int64_t seq;			/* 0: not a record at all */
	char hash[ECS_AUDIT_HASH_MAX + 1];
	char reason[256];
	const char *line;		/* "" when not a record */
	int64_t found_ms;
};

/*
 * An asynchronous action as DescribeTasks shows it once its agent
 * reported: done, or failed with the agent's code and message.
 */
struct ecs_task_outcome {
	int64_t task_id;		/* of struct ecs_task */
	char account[ECS_ID_MAX];
	char region[ECS_ID_MAX];
	char action[32];		/* the ECS action: "CreateDisk" */
	char resource[ECS_ID_MAX];
	bool failed;
	char code[96];			/* failed: the agent's error code */
	char message[256];		/* failed: and its message */
	int64_t created_ms;
	int64_t finished_ms;
};

const char *disk_status_name(enum disk_status s);
const char *snapshot_status_name(enum snapshot_status s);
const char *instance_status_name(enum instance_status s);
/* The status named @name, or -1. */
int disk_status_parse(const char *name);
int snapshot_status_parse(const char *name);

int64_t now_ms(void);

#endif
