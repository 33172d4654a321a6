/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ecs-api: the ECS OpenAPI (2014-05-26) in front of the agents.  A request
 * travels http.c (parse) -> signed_request (verify, tools/lib) ->
 * dispatch.c (the action table, typed parameters) -> a handler
 * (disks.c, snapshots.c, ...) inside one store transaction -> http.c
 * (reply).  Work for an agent becomes a task (tasks.c) that its
 * AgentPoll (link.c) takes as soon as it is committed.
 */
#ifndef ECS_API_H
#define ECS_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "ecs_format.h"

#include "credentials.h"
#include "ecs_error.h"
#include "model.h"
#include "request_id.h"
#include "signed_request.h"
#include "store.h"

#define ECS_API_VERSION		"2014-05-26"
#define ECS_API_MAX_REGIONS	16
#define ECS_API_MAX_IDS		100	/* DiskIds, SnapshotIds, InstanceIds */

struct agent_link;
struct conn_guard;
struct kms_keys;
struct kms_usage;
struct nonce_store;
struct session_table;

struct api_options {
	const char *listen_host;
	unsigned short listen_port;
	const char *data_dir;
	const char *database;		/* postgresql://...: the shared store */
	const char *credentials_path;		/* users */
	const char *instance_credentials_path;	/* agents */
	const char *kms_endpoint;
	const char *kms_credentials_path;
	const char *tls_cert;
	const char *tls_key;
	const char *regions[ECS_API_MAX_REGIONS];
	size_t n_regions;
	unsigned int agent_silence_s;	/* quiet this long: Stopped */
	unsigned int threads;
	unsigned int max_client_connections;
	unsigned int request_deadline_s;	/* a whole request within this */
	long max_nonces_per_key;	/* 0: an equal share of the store */
	int verbose;
	const char *console_dir;		/* the console's files */
	unsigned int console_idle_s;	/* a console session unused this long ends */
};

struct ecs_api {
	struct api_options opt;
	struct credentials *users;	/* extra[0]: AccountId */
	struct credentials *instances;	/* extra[0]: InstanceId, [1]: AccountId */
	const struct ecs_store_ops *ops;
	struct ecs_store *store;
	struct agent_link *link;
	struct kms_keys *kms;		/* NULL without --kms-endpoint */
	struct nonce_store *nonces;	/* DIR/nonces.db, a quota per key (NULL: the store's) */
	long nonce_quota;		/* the store's nonces: of one key */
	struct conn_guard *guard;	/* connections per client, deadlines */
	struct session_table *sessions;	/* the console's signed-in users */
	struct kms_usage *usage;	/* the agents' KMS calls, for the console */
};

enum caller_kind {
	CALLER_USER,		/* an account's AccessKey */
	CALLER_INSTANCE,	/* an instance's agent */
};

/* Every parameter of every action; an action's policy says which it takes. */
struct api_args {
	const char *region_id;
	const char *zone_id;
	const char *disk_id;
	const char *instance_id;
	const char *snapshot_id;
	const char *kms_key_id;
	const char *category;		/* DiskCategory, or Category */
	const char *name;		/* DiskName, SnapshotName, DestinationSnapshotName */
	const char *description;
	const char *client_token;
	const char *status;
	const char *next_token;
	const char *destination_region;
	const char *result;		/* AgentReport: the agent's reply */
	const char *records;		/* AgentAuditShip: audit records, JSON */
	const char *task_ids;		/* DescribeTasks: "t-1,t-2" */
	const char *task_ref;		/* DescribeTaskAttribute: "t-1" */
	const char *task_action;
	const char *task_status;
	const char *backend;		/* AgentPoll: the agent's store backend */
	int64_t size;
	int64_t task_id;
	int64_t page_number;
	int64_t page_size;
	int64_t max_results;
	bool encrypted;
	bool multi_attach;
	bool force;
	size_t n_disk_ids;
	const char *disk_ids[ECS_API_MAX_IDS];
	size_t n_snapshot_ids;
	const char *snapshot_ids[ECS_API_MAX_IDS];
	size_t n_instance_ids;
	const char *instance_ids[ECS_API_MAX_IDS];
	uint64_t given;			/* bit per policy entry given */
};

struct api_action;

/* One request, as a handler sees it. */
struct api_call {
	struct ecs_api *api;
	const struct api_action *action;
	enum caller_kind caller;
	const char *account;
	const char *instance;		/* CALLER_INSTANCE: its InstanceId */
	char request_id[REQUEST_ID_LEN + 1];
	const struct signed_request *req;
	struct api_args args;
	char message[512];		/* the error's Message */
	struct json_object *reply;	/* fields besides RequestId */
	struct json_object *scratch;	/* decoded lists the args point into */
	char wake[ECS_ID_MAX];		/* an instance to wake after commit */
	bool park;			/* AgentPoll: nothing yet, wait */
	uint64_t link_generation;	/* AgentPoll: of the instance's queue */
	bool link_generation_read;
	bool resumed;			/* AgentPoll: answer now, even empty */
};

typedef enum ecs_err (*api_handler)(struct api_call *call);

/* Whether parameter @name of the action was given. */
bool api_given(const struct api_call *call, const char *name);

/* Set call->message (printf style) and return @e. */
enum ecs_err api_fail(struct api_call *call, enum ecs_err e, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));

/* Whether @region is one the server serves. */
bool api_region_known(const struct ecs_api *api, const char *region);


/*
 * Verify, decode and run a request; the HTTP status and the answer
 * (RequestId included).  call->park set: answer nothing yet (AgentPoll).
 */
int dispatch(struct ecs_api *api, const struct signed_request *req,
	     struct api_call *call, struct json_object **answer);
/*
 * A console call: @action for @account, whose session vouched for it, and
 * the parameters of @req; the same decoding, handlers and answer.
 */
int dispatch_session(struct ecs_api *api, const struct signed_request *req,
		     const char *account, const char *action,
		     struct api_call *call, struct json_object **answer);
/* The AgentPoll of a parked call, again (after a wake or its deadline). */
int dispatch_again(struct api_call *call, struct json_object **answer);

#endif
