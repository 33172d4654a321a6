// SPDX-License-Identifier: GPL-2.0
/*
 * Connecting to Ceph (rbd_cluster.h).  The kernel client is given the
 * monitors as plain v1 addresses, which is what it parses, and the cephx
 * key by name: the key goes into this process's keyring as a "ceph" key,
 * as the rbd CLI does, never into a mapping's option string (which the
 * kernel keeps readable in /sys/bus/rbd/devices/N/config_info).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <keyutils.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "backend.h"
#include "log.h"
#include "rbd_cluster.h"

/* "client mount timeout", "client-mount-timeout": Ceph's spellings of one name. */
static int same_option(const char *a, const char *b)
{
	for (;; a++, b++) {
		char ca = *a == ' ' || *a == '-' ? '_' : *a;
		char cb = *b == ' ' || *b == '-' ? '_' : *b;

		if (ca != cb)
			return 0;
		if (!ca)
			return 1;
	}
}

/* The sections of ceph.conf that client.@id reads. */
static int client_section(const char *name, const char *id)
{
	return !strcmp(name, "global") || !strcmp(name, "client") ||
	       (!strncmp(name, "client.", 7) && !strcmp(name + 7, id));
}

/*
 * Whether @conf_file sets @opt for client.@id.  rados_conf_get cannot
 * tell: it says "300" for a client_mount_timeout nobody set.
 */
static int conf_file_sets(const char *conf_file, const char *id, const char *opt)
{
	char line[512], key[128];
	int in_section = 0, found = 0;
	FILE *f = fopen(conf_file, "re");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");
		size_t n;

		if (*p == '[') {
			n = strcspn(p + 1, "]");
			p[1 + n] = '\0';
			in_section = client_section(p + 1, id);
			continue;
		}
		n = strcspn(p, "=#;");
		if (!in_section || p[n] != '=' || n >= sizeof(key))
			continue;
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		found = same_option(key, opt);
	}
	fclose(f);
	return found;
}

/*
 * Without a limit a librados call waits for an unreachable cluster
 * forever (0), or for 300 s (client_mount_timeout's default): @value
 * unless ceph.conf sets one.
 */
static void default_timeout(rados_t r, const char *conf_file, const char *id,
			    const char *opt, const char *value)
{
	char buf[32] = "";

	if (!conf_file_sets(conf_file, id, opt) ||
	    rados_conf_get(r, opt, buf, sizeof(buf)) < 0 || !strcmp(buf, "0"))
		rados_conf_set(r, opt, value);
}

/* "v1" addresses of every monitor, from the monitor map. */
static int fetch_mons(struct rbd_cluster *cl)
{
	const char *cmd[] = { "{\"prefix\": \"mon dump\", \"format\": \"json\"}" };
	struct json_object *j = NULL, *mons, *addrs, *a, *v;
	char *out = NULL, *outs = NULL;
	size_t out_len = 0, outs_len = 0, n = 0;
	int r;

	r = rados_mon_command(cl->rados, cmd, 1, "", 0, &out, &out_len, &outs,
			      &outs_len);
	if (r < 0)
		goto out;
	j = json_tokener_parse(out);
	r = -EPROTO;
	if (!j || !json_object_object_get_ex(j, "mons", &mons) ||
	    !json_object_is_type(mons, json_type_array))
		goto out;
	cl->mons[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(mons); i++) {
		struct json_object *mon = json_object_array_get_idx(mons, i);
		struct json_object *pa;

		if (!json_object_object_get_ex(mon, "public_addrs", &pa) ||
		    !json_object_object_get_ex(pa, "addrvec", &addrs))
			continue;
		for (size_t k = 0; k < json_object_array_length(addrs); k++) {
			a = json_object_array_get_idx(addrs, k);
			if (!json_object_object_get_ex(a, "type", &v) ||
			    strcmp(json_object_get_string(v), "v1") ||
			    !json_object_object_get_ex(a, "addr", &v))
				continue;
			n += (size_t)snprintf(cl->mons + n, sizeof(cl->mons) - n,
					      "%s%s", n ? "," : "",
					      json_object_get_string(v));
		}
	}
	r = n && n < sizeof(cl->mons) ? 0 : -EPROTO;
out:
	json_object_put(j);
	rados_buffer_free(out);
	rados_buffer_free(outs);
	return r;
}

/* The "key = ..." of section [client.ID] in a keyring file. */
static int keyring_secret(const char *path, const char *entity, char *key,
			  size_t len)
{
	char line[512], section[128];
	int in_section = 0, r = -ENOENT;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	snprintf(section, sizeof(section), "[%s]", entity);
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t"), *v;

		p[strcspn(p, "\r\n")] = '\0';
		if (*p == '[') {
			in_section = !strcmp(p, section);
			continue;
		}
		if (!in_section || strncmp(p, "key", 3))
			continue;
		v = p + 3 + strspn(p + 3, " \t");
		if (*v != '=')
			continue;
		v += 1 + strspn(v + 1, " \t");
		if (strlen(v) < len) {
			snprintf(key, len, "%s", v);
			r = 0;
		}
		OPENSSL_cleanse(line, sizeof(line));
		break;
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(f);
	return r;
}

/* client.ID's cephx key into the process keyring, as a "ceph" key. */
static int kernel_key(struct rbd_cluster *cl, char *err, size_t err_len)
{
	char paths[1024] = "", entity[80], armored[128], raw[128];
	char *save = NULL, *p;
	int n, r = -ENOENT;
	size_t pad;

	snprintf(entity, sizeof(entity), "client.%s", cl->ceph_id);
	if (rados_conf_get(cl->rados, "keyring", paths, sizeof(paths)) < 0)
		paths[0] = '\0';
	for (p = strtok_r(paths, ",", &save); p && r < 0;
	     p = strtok_r(NULL, ",", &save))
		r = keyring_secret(p + strspn(p, " "), entity, armored,
				   sizeof(armored));
	if (r < 0) {
		snprintf(err, err_len, "no key for %s in the keyrings %s", entity,
			 *paths ? paths : "(none configured)");
		return r;
	}
	n = EVP_DecodeBlock((unsigned char *)raw, (unsigned char *)armored,
			    (int)strlen(armored));
	for (pad = strlen(armored); pad && armored[pad - 1] == '='; pad--)
		n--;
	if (n <= 0) {
		snprintf(err, err_len, "the key of %s is not base64", entity);
		r = -EINVAL;
		goto out;
	}
	if (add_key("ceph", entity, raw, (size_t)n, KEY_SPEC_PROCESS_KEYRING) < 0) {
		r = -errno;
		snprintf(err, err_len, "cannot give the kernel the key of %s: %s (is the rbd module loaded?)",
			 entity, strerror(errno));
		goto out;
	}
	r = 0;
out:
	OPENSSL_cleanse(armored, sizeof(armored));
	OPENSSL_cleanse(raw, sizeof(raw));
	return r;
}

/* A connected handle on @cl's cluster and pool. */
static int open_handle(const struct rbd_cluster *cl, rados_t *rados,
		       rados_ioctx_t *io, char *err, size_t err_len)
{
	int r;

	r = rados_create(rados, cl->ceph_id);
	if (r < 0) {
		snprintf(err, err_len, "rados_create: %s", strerror(-r));
		return r;
	}
	r = rados_conf_read_file(*rados, cl->conf_file);
	if (r < 0) {
		snprintf(err, err_len, "cannot read the Ceph configuration %s: %s",
			 cl->conf_file, strerror(-r));
		goto fail;
	}
	default_timeout(*rados, cl->conf_file, cl->ceph_id, "client_mount_timeout", "30");
	default_timeout(*rados, cl->conf_file, cl->ceph_id, "rados_mon_op_timeout", "30");
	default_timeout(*rados, cl->conf_file, cl->ceph_id, "rados_osd_op_timeout", "30");
	r = rados_connect(*rados);
	if (r < 0) {
		snprintf(err, err_len, "cannot reach the Ceph cluster of %s as client.%s: %s",
			 cl->conf_file, cl->ceph_id, strerror(-r));
		goto fail;
	}
	r = rados_ioctx_create(*rados, cl->pool, io);
	if (r < 0) {
		snprintf(err, err_len, r == -ENOENT ?
			 "there is no pool %s in the Ceph cluster (create it and run rbd pool init)" :
			 "cannot open pool %s: %s", cl->pool, strerror(-r));
		goto fail;
	}
	return 0;
fail:
	rados_shutdown(*rados);
	return r;
}

static void close_handle(rados_t rados, rados_ioctx_t io)
{
	rados_ioctx_destroy(io);
	rados_shutdown(rados);
}

/*
 * A swap waits for the operations that use the old handle, which may
 * each wait out a timeout on it: writer preference keeps new operations
 * from starting on that handle meanwhile, so that a steady stream of
 * requests cannot hold the swap off.  rbd_cluster_enter() never takes
 * the lock twice in one thread, which writer preference would deadlock.
 */
static void init_locks(struct rbd_cluster *cl)
{
	pthread_rwlockattr_t attr;

	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
				      PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&cl->in_use, &attr);
	pthread_rwlockattr_destroy(&attr);
	pthread_mutex_init(&cl->reconnecting, NULL);
}

int rbd_cluster_connect(struct rbd_cluster *cl, const char *conf_file,
			const char *ceph_id, const char *pool,
			char *err, size_t err_len)
{
	int r;

	memset(cl, 0, sizeof(*cl));
	snprintf(cl->ceph_id, sizeof(cl->ceph_id), "%s", ceph_id);
	snprintf(cl->pool, sizeof(cl->pool), "%s", pool);
	snprintf(cl->conf_file, sizeof(cl->conf_file), "%s", conf_file);
	r = open_handle(cl, &cl->rados, &cl->io, err, err_len);
	if (r < 0)
		goto fail;
	r = fetch_mons(cl);
	if (r < 0) {
		snprintf(err, err_len, "cannot read the monitor map: %s", strerror(-r));
		goto fail_handle;
	}
	r = kernel_key(cl, err, err_len);
	if (r < 0)
		goto fail_handle;
	init_locks(cl);
	return 0;
fail_handle:
	close_handle(cl->rados, cl->io);
fail:
	memset(cl, 0, sizeof(*cl));
	return r;
}

/*
 * Operations nest (a listing reads headers): only the outermost takes
 * the lock, and a nested one never reconnects (the swap would wait for
 * the lock its own thread holds).
 */
static __thread int enter_depth;

/* Put the new handle in place once no operation uses the old one. */
static void swap_handle(struct rbd_cluster *cl, rados_t rados, rados_ioctx_t io)
{
	rados_t old_rados;
	rados_ioctx_t old_io;

	pthread_rwlock_wrlock(&cl->in_use);
	old_rados = cl->rados;
	old_io = cl->io;
	cl->rados = rados;
	cl->io = io;
	__atomic_add_fetch(&cl->generation, 1, __ATOMIC_RELEASE);
	pthread_rwlock_unlock(&cl->in_use);
	close_handle(old_rados, old_io);
}

/*
 * A new handle from the configuration, in place of the current one; on
 * failure the cluster is down until a later attempt succeeds.  Called
 * with cl->reconnecting held.
 */
static int replace_handle(struct rbd_cluster *cl)
{
	char err[256];
	rados_ioctx_t io;
	rados_t rados;
	int r;

	if (!cl->down)
		log_warn("rbd: lost the Ceph cluster (pool %s); connecting again",
			 cl->pool);
	r = open_handle(cl, &rados, &io, err, sizeof(err));
	if (r < 0) {
		log_err("rbd: %s", err);
		cl->reconnect_error = r;
		__atomic_store_n(&cl->down, 1, __ATOMIC_RELEASE);
		__atomic_add_fetch(&cl->failed_reconnects, 1, __ATOMIC_RELEASE);
		return r;
	}
	swap_handle(cl, rados, io);
	__atomic_store_n(&cl->down, 0, __ATOMIC_RELEASE);
	log_info("rbd: connected to the Ceph cluster again (pool %s)", cl->pool);
	return 0;
}

/*
 * The cluster was down at the last attempt: try again before using the
 * handle, or share the outcome of an attempt that ended while waiting.
 */
static int reconnect_down(struct rbd_cluster *cl)
{
	unsigned long failed = __atomic_load_n(&cl->failed_reconnects,
					       __ATOMIC_ACQUIRE);
	int r = 0;

	pthread_mutex_lock(&cl->reconnecting);
	if (cl->down)
		r = cl->failed_reconnects != failed ? cl->reconnect_error :
						      replace_handle(cl);
	pthread_mutex_unlock(&cl->reconnecting);
	return r;
}

int rbd_cluster_enter(struct rbd_cluster *cl, struct rbd_session *s)
{
	int r;

	if (enter_depth == 0 && __atomic_load_n(&cl->down, __ATOMIC_ACQUIRE)) {
		r = reconnect_down(cl);
		if (r < 0)
			return r;
	}
	if (enter_depth++ == 0)
		pthread_rwlock_rdlock(&cl->in_use);
	s->generation = __atomic_load_n(&cl->generation, __ATOMIC_ACQUIRE);
	s->failed_reconnects = __atomic_load_n(&cl->failed_reconnects,
					       __ATOMIC_ACQUIRE);
	return 0;
}

void rbd_cluster_leave(struct rbd_cluster *cl)
{
	if (--enter_depth == 0)
		pthread_rwlock_unlock(&cl->in_use);
}

/*
 * Measured with Ceph 16.2.15, mon and osd killed for 70 s: rbd_open,
 * rados_cluster_stat and rados_mon_command fail with ETIMEDOUT, each at
 * its timeout (8 s there), never with another error.  ESHUTDOWN is
 * librados' EBLOCKLISTED (this client was fenced: a new one is not) and
 * ENOTCONN a handle without a cluster session.
 */
int rbd_cluster_lost(int err)
{
	return backend_unreachable(err);
}

int rbd_cluster_reconnect(struct rbd_cluster *cl, const struct rbd_session *s,
			  int failed)
{
	int r = 0;

	if (enter_depth)
		return failed;
	pthread_mutex_lock(&cl->reconnecting);
	if (cl->generation == s->generation)
		r = cl->failed_reconnects != s->failed_reconnects ?
			cl->reconnect_error : replace_handle(cl);
	pthread_mutex_unlock(&cl->reconnecting);
	return r;
}

int rbd_cluster_kernel_options(const struct rbd_cluster *cl, char *buf,
			       size_t len)
{
	/*
	 * noshare: a client of its own per mapping, so that fencing one
	 * disk's holder blocklists that mapping and nothing else.
	 */
	size_t n = (size_t)snprintf(buf, len, "name=%s,key=client.%s,noshare",
				    cl->ceph_id, cl->ceph_id);

	return n < len ? 0 : -ENAMETOOLONG;
}

int rbd_cluster_blocklist(struct rbd_cluster *cl, const char *addr)
{
	char a[128];

	snprintf(a, sizeof(a), "%s", addr);
	return rados_blocklist_add(cl->rados, a, 0);
}

int rbd_cluster_free(struct rbd_cluster *cl, unsigned long long *bytes)
{
	struct rados_cluster_stat_t st;
	int r = rados_cluster_stat(cl->rados, &st);

	if (r == 0)
		*bytes = (unsigned long long)st.kb_avail * 1024;
	return r;
}
