// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing the storage backend.  The local backend is built in; the Ceph
 * RBD backend is a plugin (backend-rbd.so, built from rbd/), so that an
 * agent on local storage needs neither librbd nor librados installed.
 * The plugin reaches the agent only through struct backend_host (its log);
 * the agent exports nothing to it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "log.h"

static void host_log(enum log_level level, const char *line)
{
	log_msg(level, "%s", line);
}

static const struct backend_host plugin_host = {
	.version = BACKEND_HOST_VERSION,
	.log = host_log,
};

static const struct backend_ops *load_rbd(const char *plugin_dir,
					  const struct backend_rbd_config *cfg,
					  char *err, size_t err_len)
{
	backend_rbd_init_fn init;
	char path[512];
	void *so;

	snprintf(path, sizeof(path), "%s/backend-rbd.so", plugin_dir);
	so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!so) {
		snprintf(err, err_len, "cannot load the rbd backend: %s (is the ecsenc-rbd package installed?)",
			 dlerror());
		return NULL;
	}
	init = (backend_rbd_init_fn)dlsym(so, BACKEND_RBD_INIT_SYMBOL);
	if (!init) {
		snprintf(err, err_len, "%s has no %s", path, BACKEND_RBD_INIT_SYMBOL);
		dlclose(so);
		return NULL;
	}
	/* Kept loaded for the life of the agent. */
	return init(&plugin_host, cfg, err, err_len);
}

const struct backend_ops *backend_load(const char *name, const char *plugin_dir,
				       const struct backend_rbd_config *cfg,
				       char *err, size_t err_len)
{
	if (!strcmp(name, "local"))
		return backend_local_init(cfg->state_dir);
	if (!strcmp(name, "rbd")) {
		if (!cfg->conf_file || !cfg->pool) {
			snprintf(err, err_len, "--backend rbd needs --ceph-conf and --rbd-pool");
			return NULL;
		}
		return load_rbd(plugin_dir, cfg, err, err_len);
	}
	snprintf(err, err_len, "unknown backend %s (local, rbd)", name);
	return NULL;
}
