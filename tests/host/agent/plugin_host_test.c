// SPDX-License-Identifier: GPL-2.0
/*
 * backend_rbd_init refuses an agent whose struct backend_host is of
 * another version (a plugin of another release) before it does anything,
 * and says so.  argv[1]: backend-rbd.so; argv[2]: a scratch directory.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "backend.h"

static void quiet_log(enum log_level level, const char *line)
{
}

int main(int argc, char **argv)
{
	const struct backend_host other = { BACKEND_HOST_VERSION + 1, quiet_log };
	const struct backend_host same = { BACKEND_HOST_VERSION, quiet_log };
	struct backend_rbd_config cfg = { .pool = "ecsenc", .instance_id = "i-test" };
	char conf[512], maps[512], err[512] = "";
	backend_rbd_init_fn init;
	struct stat st;
	void *so;

	if (argc != 3)
		return 2;
	snprintf(conf, sizeof(conf), "%s/no-such-ceph.conf", argv[2]);
	snprintf(maps, sizeof(maps), "%s/rbd-maps", argv[2]);
	cfg.conf_file = conf;
	cfg.state_dir = argv[2];
	so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!so) {
		printf("FAIL: dlopen: %s\n", dlerror());
		return 1;
	}
	init = (backend_rbd_init_fn)dlsym(so, BACKEND_RBD_INIT_SYMBOL);
	if (!init) {
		printf("FAIL: no %s\n", BACKEND_RBD_INIT_SYMBOL);
		return 1;
	}
	if (init(&other, &cfg, err, sizeof(err)) || !strstr(err, "does not fit this kms-agent")) {
		printf("FAIL: a host of another version: \"%s\"\n", err);
		return 1;
	}
	if (stat(maps, &st) == 0) {
		printf("FAIL: init went on with a host of another version\n");
		return 1;
	}
	err[0] = '\0';
	if (init(NULL, &cfg, err, sizeof(err)) || !strstr(err, "does not fit")) {
		printf("FAIL: no host: \"%s\"\n", err);
		return 1;
	}
	err[0] = '\0';
	if (init(&same, &cfg, err, sizeof(err)) ||
	    !strstr(err, "cannot read the Ceph configuration")) {
		printf("FAIL: the same version: \"%s\"\n", err);
		return 1;
	}
	printf("PASS: plugin_host_test\n");
	return 0;
}
