/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A disk's attachments: the set of instances that hold it (one row each
 * in the store), where a disk may attach (its storage decides), and what
 * an agent's attach or detach report does to the set.
 *
 * A disk on the local backend is a file on its host: it attaches there
 * only, as an ECS local disk.  A disk on Ceph RBD attaches on any Running
 * instance of its account in its region whose agent uses the rbd backend
 * too (each AgentPoll says which, Backend=), as an ECS cloud disk.
 */
#ifndef ECS_API_ATTACHMENTS_H
#define ECS_API_ATTACHMENTS_H

#include "ecs_api.h"

struct disk_attachments {
	size_t n;
	struct ecs_attachment a[ECS_MAX_ATTACHMENTS];
};

/* The rows of @disk_id into @out: 0 or -errno. */
int attachments_read(struct ecs_api *api, const char *disk_id,
		     struct disk_attachments *out);

/* @instance's row in @set, or NULL. */
const struct ecs_attachment *attachment_of(const struct disk_attachments *set,
					   const char *instance);

/* Whether the row is one DescribeDisks shows (the instance has the device). */
bool attachment_shown(const struct ecs_attachment *a);

/*
 * The disk's status from its rows when no other work is under way:
 * Attaching or Detaching while a row is, else In_use or Available.
 * A disk being created, reset, re-initialised or deleted keeps its status.
 */
int attachments_settle(struct ecs_api *api, struct ecs_disk *d);

/* Whether @d lives on storage that several hosts reach (Ceph RBD). */
bool disk_on_shared_storage(struct ecs_api *api, const struct ecs_disk *d);

/*
 * The instance whose agent does @d's work other than attach and detach:
 * its host, or, when the host is Stopped and the disk on shared storage,
 * another Running instance of the account in the region on that storage.
 */
void disk_worker(struct api_call *call, const struct ecs_disk *d,
		 char out[ECS_ID_MAX]);

/* The agent's report of an attach or a detach, applied to @d's rows. */
int attachments_apply_report(struct api_call *call, const struct ecs_task *t,
			     bool ok, const char *code,
			     struct json_object *result, struct ecs_disk *d);

#endif
