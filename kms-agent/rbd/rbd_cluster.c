// SPDX-License-Identifier: GPL-2.0
/*
 * Connecting to Ceph (rbd_cluster.h).  The kernel client is given the
 * monitors as plain v1 addresses, which is what it parses, and the cephx
 * key by name: the key goes into this process's keyring as a "ceph" key,
 * as the rbd CLI does, never into a mapping's option string (which the
 * kernel keeps readable in /sys/bus/rbd/devices/N/config_info).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <keyutils.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

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

int rbd_cluster_connect(struct rbd_cluster *cl, const char *conf_file,
			const char *ceph_id, const char *pool,
			char *err, size_t err_len)
{
	int r;

	memset(cl, 0, sizeof(*cl));
	snprintf(cl->ceph_id, sizeof(cl->ceph_id), "%s", ceph_id);
	snprintf(cl->pool, sizeof(cl->pool), "%s", pool);
	r = rados_create(&cl->rados, ceph_id);
	if (r < 0) {
		snprintf(err, err_len, "rados_create: %s", strerror(-r));
		return r;
	}
	r = rados_conf_read_file(cl->rados, conf_file);
	if (r < 0) {
		snprintf(err, err_len, "cannot read the Ceph configuration %s: %s",
			 conf_file, strerror(-r));
		goto fail;
	}
	default_timeout(cl->rados, conf_file, ceph_id, "client_mount_timeout", "30");
	default_timeout(cl->rados, conf_file, ceph_id, "rados_mon_op_timeout", "30");
	default_timeout(cl->rados, conf_file, ceph_id, "rados_osd_op_timeout", "30");
	r = rados_connect(cl->rados);
	if (r < 0) {
		snprintf(err, err_len, "cannot reach the Ceph cluster of %s as client.%s: %s",
			 conf_file, ceph_id, strerror(-r));
		goto fail;
	}
	r = rados_ioctx_create(cl->rados, pool, &cl->io);
	if (r < 0) {
		snprintf(err, err_len, r == -ENOENT ?
			 "there is no pool %s in the Ceph cluster (create it and run rbd pool init)" :
			 "cannot open pool %s: %s", pool, strerror(-r));
		goto fail;
	}
	r = fetch_mons(cl);
	if (r < 0) {
		snprintf(err, err_len, "cannot read the monitor map: %s", strerror(-r));
		goto fail_io;
	}
	r = kernel_key(cl, err, err_len);
	if (r < 0)
		goto fail_io;
	return 0;
fail_io:
	rados_ioctx_destroy(cl->io);
fail:
	rados_shutdown(cl->rados);
	memset(cl, 0, sizeof(*cl));
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

unsigned long long rbd_cluster_free(struct rbd_cluster *cl)
{
	struct rados_cluster_stat_t st;

	if (rados_cluster_stat(cl->rados, &st) < 0)
		return UINT64_MAX;
	return (unsigned long long)st.kb_avail * 1024;
}
