// SPDX-License-Identifier: GPL-2.0
/*
 * Attachments on Ceph RBD: which hosts hold a disk, read from the pool.
 *
 * A host holds a disk by an advisory lock on its image (exclusive, or
 * shared with tag "ecsenc-shared" for shared block storage) whose cookie
 * is the host's instance id; the lock is the truth.  Beside it an image
 * metadata record ecsenc.attachment.<instance id> says where the disk is
 * on that host, since when, and the address of the kernel client that
 * does its I/O, which is what fencing blocklists.  Each host also notes
 * its own mappings under <state-dir>/rbd-maps, so that it can unmap even
 * after another host fenced it and removed its record.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <rbd/librbd.h>

#include "backend.h"
#include "log.h"
#include "rbd_backend.h"
#include "rbd_cluster.h"
#include "rbd_kernel.h"

#define SHARED_TAG		"ecsenc-shared"
#define RECORD_PREFIX		"ecsenc.attachment."

struct record {
	char instance[64];
	char device[128];
	uint64_t attached;
	char rbd_dev[64];
	char client_addr[128];
};

static void record_key(const char *who, char *buf, size_t len)
{
	snprintf(buf, len, RECORD_PREFIX "%s", who);
}

static void copy_str(struct json_object *j, const char *key, char *dst,
		     size_t len)
{
	struct json_object *v;

	if (json_object_object_get_ex(j, key, &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(dst, len, "%s", json_object_get_string(v));
}

static int record_get(rbd_image_t img, const char *who, struct record *rec)
{
	char key[128], val[1024];
	size_t len = sizeof(val);
	struct json_object *j, *v;
	int r;

	memset(rec, 0, sizeof(*rec));
	snprintf(rec->instance, sizeof(rec->instance), "%s", who);
	record_key(who, key, sizeof(key));
	r = rbd_metadata_get(img, key, val, &len);
	if (r < 0)
		return r;
	j = json_tokener_parse(val);
	if (!j)
		return -EBADMSG;
	copy_str(j, "Device", rec->device, sizeof(rec->device));
	copy_str(j, "RbdDevice", rec->rbd_dev, sizeof(rec->rbd_dev));
	copy_str(j, "ClientAddr", rec->client_addr, sizeof(rec->client_addr));
	if (json_object_object_get_ex(j, "AttachedTime", &v))
		rec->attached = (uint64_t)json_object_get_int64(v);
	json_object_put(j);
	return 0;
}

static int record_put(rbd_image_t img, const struct record *rec)
{
	struct json_object *j = json_object_new_object();
	char key[128];
	int r;

	json_object_object_add(j, "InstanceId", json_object_new_string(rec->instance));
	json_object_object_add(j, "Device", json_object_new_string(rec->device));
	json_object_object_add(j, "AttachedTime",
			       json_object_new_int64((int64_t)rec->attached));
	json_object_object_add(j, "RbdDevice", json_object_new_string(rec->rbd_dev));
	json_object_object_add(j, "ClientAddr",
			       json_object_new_string(rec->client_addr));
	record_key(rec->instance, key, sizeof(key));
	r = rbd_metadata_set(img, key, json_object_to_json_string(j));
	json_object_put(j);
	return r;
}

/* This host's own note of its mapping of @name (survives the pool's). */
static void local_map_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", rbd_maps_dir, name);
}

static void local_map_put(const char *name, const char *dev)
{
	char path[900];
	FILE *f;

	local_map_path(name, path, sizeof(path));
	f = fopen(path, "we");
	if (!f) {
		log_warn("cannot note the mapping of %s in %s: %m", name, path);
		return;
	}
	fprintf(f, "%s\n", dev);
	fclose(f);
}

static int local_map_get(const char *name, char *dev, size_t len)
{
	char path[900];
	FILE *f;

	local_map_path(name, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(dev, (int)len, f))
		dev[0] = '\0';
	fclose(f);
	dev[strcspn(dev, "\n")] = '\0';
	return dev[0] ? 0 : -ENOENT;
}

static void local_map_drop(const char *name)
{
	char path[900];

	local_map_path(name, path, sizeof(path));
	unlink(path);
}

struct locker {
	char client[64];
	char cookie[64];
	char addr[128];
};

#define MAX_LOCKERS	BACKEND_MAX_ATTACHMENTS

static int list_lockers(rbd_image_t img, struct locker *out, int max)
{
	char tag[64], clients[2048], cookies[2048], addrs[4096];
	size_t tag_len = sizeof(tag), cl_len = sizeof(clients);
	size_t co_len = sizeof(cookies), ad_len = sizeof(addrs);
	const char *c = clients, *k = cookies, *a = addrs;
	int exclusive, n;
	ssize_t r;

	r = rbd_list_lockers(img, &exclusive, tag, &tag_len, clients, &cl_len,
			     cookies, &co_len, addrs, &ad_len);
	if (r < 0)
		return (int)r;
	n = (int)r < max ? (int)r : max;
	for (int i = 0; i < n; i++) {
		snprintf(out[i].client, sizeof(out[i].client), "%.*s",
			 (int)sizeof(out[i].client) - 1, c);
		snprintf(out[i].cookie, sizeof(out[i].cookie), "%.*s",
			 (int)sizeof(out[i].cookie) - 1, k);
		snprintf(out[i].addr, sizeof(out[i].addr), "%.*s",
			 (int)sizeof(out[i].addr) - 1, a);
		c += strlen(c) + 1;
		k += strlen(k) + 1;
		a += strlen(a) + 1;
	}
	return n;
}

static void describe_holder(rbd_image_t img, const struct locker *l,
			    char *why, size_t len)
{
	struct record rec;
	char when[32] = "";

	if (record_get(img, l->cookie, &rec) == 0 && rec.attached) {
		time_t t = (time_t)rec.attached;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), " since %Y-%m-%dT%H:%M:%SZ", &tm);
	}
	snprintf(why, len, "is attached on %s%s", l->cookie, when);
}

/* Fence the host holding @l and take its lock off the image. */
static int fence(rbd_image_t img, const char *name, const struct locker *l)
{
	struct record rec;
	char key[128];
	int r;

	if (record_get(img, l->cookie, &rec) == 0 && rec.client_addr[0]) {
		r = rbd_cluster_blocklist(&rbd_cl, rec.client_addr);
		if (r < 0) {
			log_err("%s: cannot blocklist %s's client %s: %s", name,
				l->cookie, rec.client_addr, strerror(-r));
			return r;
		}
		log_info("%s: fenced %s: its kernel client %s is blocklisted",
			 name, l->cookie, rec.client_addr);
	} else {
		log_warn("%s: %s holds it without a recorded client; breaking its lock only",
			 name, l->cookie);
	}
	/* librbd blocklists the holder's agent too (its librados client). */
	r = rbd_break_lock(img, l->client, l->cookie);
	if (r < 0 && r != -ENOENT)
		return r;
	record_key(l->cookie, key, sizeof(key));
	rbd_metadata_remove(img, key);
	return 0;
}

/*
 * Take this host's lock: ours from an earlier run is broken and taken
 * again; another host's refuses (-EBUSY and @att->why) unless @att->force.
 */
static int claim(rbd_image_t img, const char *name, struct backend_attach *att)
{
	struct locker lk[MAX_LOCKERS];
	int n, r, others;

	for (int attempt = 0; attempt < 3; attempt++) {
		r = att->shared ? rbd_lock_shared(img, rbd_instance, SHARED_TAG) :
				  rbd_lock_exclusive(img, rbd_instance);
		if (r == 0 || r == -EEXIST)
			return 0;
		if (r != -EBUSY)
			return r;
		n = list_lockers(img, lk, MAX_LOCKERS);
		if (n < 0)
			return n;
		others = 0;
		for (int i = 0; i < n; i++) {
			if (!strcmp(lk[i].cookie, rbd_instance)) {
				rbd_break_lock(img, lk[i].client, lk[i].cookie);
				continue;
			}
			if (!att->force) {
				describe_holder(img, &lk[i], att->why, sizeof(att->why));
				return -EBUSY;
			}
			r = fence(img, name, &lk[i]);
			if (r < 0)
				return r;
			others++;
		}
		if (others)
			log_info("%s: taken over from %d host%s (--force)", name,
				 others, others == 1 ? "" : "s");
	}
	return -EBUSY;
}

/*
 * Let go of this host's lock.  Taken by this process, it is unlocked;
 * taken by an earlier run of the agent (or an earlier librados handle of
 * this one), it is broken, which (librbd's rbd_blocklist_on_break_lock)
 * blocklists that dead client's address, never this one's.  Returns
 * 0 once this host neither holds the image nor has a record on it.
 */
static int release(rbd_image_t img)
{
	struct locker lk[MAX_LOCKERS];
	char key[128];
	int n, r;

	r = rbd_unlock(img, rbd_instance);
	if (r < 0) {
		n = list_lockers(img, lk, MAX_LOCKERS);
		r = n < 0 ? n : 0;
		for (int i = 0; r == 0 && i < n; i++)
			if (!strcmp(lk[i].cookie, rbd_instance))
				r = rbd_break_lock(img, lk[i].client, lk[i].cookie);
		if (r == -ENOENT)
			r = 0;
	}
	record_key(rbd_instance, key, sizeof(key));
	if (r == 0)
		r = rbd_metadata_remove(img, key);
	return r == -ENOENT ? 0 : r;
}

static int open_attached(const struct backend_ref *ref, struct backend_attach *att,
			 struct backend_dev *dev)
{
	struct record rec = { 0 };
	char name[300];
	rbd_image_t img;
	int r;

	r = ref_name(ref, name, sizeof(name));
	if (r == 0)
		r = open_image(name, &img);
	if (r < 0)
		return r;
	r = claim(img, name, att);
	if (r < 0)
		goto out;
	/* A mapping of ours that outlived its dm device is used again. */
	if (local_map_get(name, rec.rbd_dev, sizeof(rec.rbd_dev)) < 0 ||
	    !rbd_kernel_maps(rec.rbd_dev, rbd_cl.pool, name)) {
		r = rbd_kernel_map(&rbd_cl, name, rec.rbd_dev, sizeof(rec.rbd_dev),
				   rec.client_addr, sizeof(rec.client_addr));
		if (r < 0) {
			log_err("rbd:%s/%s: the kernel client cannot map it: %s",
				rbd_cl.pool, name, strerror(-r));
			release(img);
			goto out;
		}
		local_map_put(name, rec.rbd_dev);
	} else if (rbd_kernel_client_addr(rec.rbd_dev, rec.client_addr,
					  sizeof(rec.client_addr)) < 0) {
		/* Without it, --force elsewhere fences only by the lock. */
		rec.client_addr[0] = '\0';
	}
	snprintf(rec.instance, sizeof(rec.instance), "%s", rbd_instance);
	snprintf(rec.device, sizeof(rec.device), "%s", att->device ? att->device : "");
	rec.attached = (uint64_t)time(NULL);
	r = record_put(img, &rec);
	if (r < 0) {
		rbd_kernel_unmap(rec.rbd_dev);
		local_map_drop(name);
		release(img);
		goto out;
	}
	snprintf(dev->path, sizeof(dev->path), "%s", rec.rbd_dev);
	dev->handle = -1;
out:
	rbd_close(img);
	return r;
}

static int unmap_store(const struct backend_ref *ref)
{
	char name[300], dev[64];
	rbd_image_t img;
	int r;

	r = ref_name(ref, name, sizeof(name));
	if (r < 0)
		return r;
	if (local_map_get(name, dev, sizeof(dev)) == 0 &&
	    rbd_kernel_maps(dev, rbd_cl.pool, name)) {
		r = rbd_kernel_unmap(dev);
		if (r < 0) {
			log_err("rbd:%s/%s: cannot unmap %s: %s", rbd_cl.pool, name,
				dev, strerror(-r));
			return r;
		}
	}
	local_map_drop(name);
	r = open_image(name, &img);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = release(img);
	rbd_close(img);
	return r;
}

static int list_attachments(const struct backend_ref *ref,
			    struct backend_attachment *out, int max)
{
	struct locker lk[MAX_LOCKERS];
	struct record rec;
	rbd_image_t img;
	int n, r;

	r = open_ref(ref, &img);
	if (r < 0)
		return r;
	n = list_lockers(img, lk, max < MAX_LOCKERS ? max : MAX_LOCKERS);
	for (int i = 0; i < n; i++) {
		record_get(img, lk[i].cookie, &rec);
		memset(&out[i], 0, sizeof(out[i]));
		snprintf(out[i].instance, sizeof(out[i].instance), "%s", lk[i].cookie);
		snprintf(out[i].device, sizeof(out[i].device), "%s", rec.device);
		out[i].attached = rec.attached;
	}
	rbd_close(img);
	return n;
}

/* The attach calls of backend_ops, through RBD_RETRY (rbd_backend.h). */

int rbd_attach_open(const struct backend_ref *ref, struct backend_attach *att,
		    struct backend_dev *dev)
{
	return RBD_RETRY(open_attached(ref, att, dev));
}

void rbd_attach_close(struct backend_dev *dev)
{
	dev->handle = -1;
}

/* The mapping goes; the hold in Ceph too, or an error saying it stays. */
int rbd_attach_unmap(const struct backend_ref *ref)
{
	return RBD_RETRY(unmap_store(ref));
}

int rbd_attach_list(const struct backend_ref *ref,
		    struct backend_attachment *out, int max)
{
	return RBD_RETRY(list_attachments(ref, out, max));
}
