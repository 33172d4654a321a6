// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "credentials.h"
#include "form.h"
#include "kms_sign.h"
#include "log.h"
#include "meter.h"
#include "nonces.h"
#include "rootkey.h"
#include "store.h"
#include "support.h"

static char state_dir[256];
static struct emulator emu;

int fuzz_memfd(const void *data, size_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	return fd;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	return remove(path);
}

static void remove_state(void)
{
	store_close(&emu);
	nonce_store_close(emu.nonces);
	nftw(state_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

struct emulator *fuzz_emulator(void)
{
	char path[512];
	const char *tmp = getenv("TMPDIR");
	FILE *f;

	if (emu.db)
		return &emu;
	snprintf(state_dir, sizeof(state_dir), "%s/ecsenc-fuzz-XXXXXX",
		 access("/dev/shm", W_OK) ? (tmp ? tmp : "/tmp") : "/dev/shm");
	if (!mkdtemp(state_dir))
		abort();
	atexit(remove_state);
	snprintf(path, sizeof(path), "%s/creds", state_dir);
	f = fopen(path, "w");
	if (!f)
		abort();
	fprintf(f, "%s %s\n%s %s\n", FUZZ_AK, FUZZ_SECRET, FUZZ_ADMIN_AK,
		FUZZ_ADMIN_SECRET);
	fclose(f);
	emu.lock_fd = -1;
	emu.opt.data_dir = state_dir;
	emu.opt.default_region = "cn-hangzhou";
	emu.opt.admin_key = FUZZ_ADMIN_AK;
	emu.opt.max_keys = 100;
	pthread_mutex_init(&emu.db_lock, NULL);
	if (credentials_load(path, &emu.creds) || store_open(&emu) ||
	    store_exec(&emu, "PRAGMA synchronous = OFF") || meter_init(&emu) ||
	    rootkey_load(&emu) ||
	    nonce_store_open(state_dir, 0, emu.creds->count, &emu.nonces))
		abort();
	return &emu;
}

void fuzz_headers_parse(struct fuzz_headers *h, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	memset(h, 0, sizeof(*h));
	while (p < end && h->n < sizeof(h->name) / sizeof(h->name[0])) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		const char *colon = memchr(p, ':', (size_t)(stop - p));

		if (colon) {
			const char *v = colon + 1;

			while (v < stop && *v == ' ')
				v++;
			h->name[h->n] = strndup(p, (size_t)(colon - p));
			h->value[h->n] = strndup(v, (size_t)(stop - v));
			h->n++;
		}
		p = stop + 1;
	}
}

void fuzz_headers_free(struct fuzz_headers *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->name[i]);
		free(h->value[i]);
	}
	h->n = 0;
}

const char *fuzz_header(void *conn, const char *name)
{
	const struct fuzz_headers *h = conn;
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->name[i] && !strcasecmp(h->name[i], name))
			return h->value[i];
	return NULL;
}

void fuzz_set_param(struct kms_request *req, const char *name,
		    const char *value)
{
	size_t i;

	for (i = 0; i < req->nparams; i++) {
		if (!strcmp(req->params[i].name, name)) {
			free(req->params[i].value);
			req->params[i].value = strdup(value);
			if (!req->params[i].value)
				abort();
			return;
		}
	}
	req_add_param(req, strdup(name), strdup(value), 0);
}

void fuzz_sign_v1(struct kms_request *req, const char *ak, const char *secret)
{
	struct kms_param p[KMS_MAX_PARAMS];
	char sig[KMS_V1_SIG_LEN + 1], stamp[KMS_TIMESTAMP_LEN + 1];
	size_t i;

	kms_format_timestamp(time(NULL), stamp);
	fuzz_set_param(req, "AccessKeyId", ak);
	fuzz_set_param(req, "Timestamp", stamp);
	fuzz_set_param(req, "SignatureNonce", fuzz_fresh_nonce());
	fuzz_set_param(req, "Signature", "");
	for (i = 0; i < req->nparams; i++) {
		p[i].name = req->params[i].name;
		p[i].value = req->params[i].value;
	}
	if (kms_v1_sign(secret, req->method, p, req->nparams, sig))
		abort();
	fuzz_set_param(req, "Signature", sig);
}

const char *fuzz_fresh_nonce(void)
{
	static char nonce[64];
	static unsigned long n;

	snprintf(nonce, sizeof(nonce), "fuzz-%ld-%lu", (long)getpid(), ++n);
	return nonce;
}
