// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "emulator.h"
#include "log.h"
#include "rootkey.h"
#include "secmem.h"
#include "store.h"

#define ROOTKEY_ID_META "root_key_id"

/* Rows of kms.db that only the root key opens: key material, import keys. */
static int sealed_rows(struct emulator *emu, long *count)
{
	sqlite3_stmt *st = store_prepare(emu,
		"SELECT (SELECT COUNT(*) FROM versions WHERE material IS NOT NULL)"
		" + (SELECT COUNT(*) FROM import_tokens)");
	int rc;

	if (!st)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -EIO;
}

/* A public name of the root key (62 bits of an HMAC), kept in kms.db. */
static long root_key_id(const unsigned char *key)
{
	static const char label[] = "ecsenc kms-emulator root key id";
	unsigned char mac[32];
	unsigned int len = sizeof(mac);
	unsigned long long id = 0;
	int i;

	HMAC(EVP_sha256(), key, KMS_ROOT_KEY_LEN, (const unsigned char *)label,
	     sizeof(label) - 1, mac, &len);
	for (i = 0; i < 8; i++)
		id = id << 8 | mac[i];
	return (long)(id >> 2);
}

/*
 * kms.db names the root key that sealed it: a root key of another data
 * dir (or a new one made while the real one was missing) is refused
 * instead of failing every key later.  A kms.db of an older emulator names
 * none: it takes the name of the key it opens with.
 */
static int check_root_key_id(struct emulator *emu, const char *path)
{
	long want = 0, have = root_key_id(emu->root_key), sealed = 0;
	int ret = store_get_meta(emu, ROOTKEY_ID_META, &want);

	if (ret && ret != -ENOENT)
		return ret;
	if (!ret && want != have) {
		ret = sealed_rows(emu, &sealed);
		if (ret)
			return ret;
	}
	if (sealed) {
		log_err("%s is not the root key that sealed %s/kms.db: restore the right root.key; refusing to start",
			path, emu->opt.data_dir);
		return -EKEYREJECTED;
	}
	return want == have ? 0 : store_set_meta(emu, ROOTKEY_ID_META, have);
}

static int read_all(int fd, unsigned char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EINVAL;
		done += (size_t)n;
	}
	return 0;
}

static int create_root_key(const char *path, unsigned char *key)
{
	char tmp[4096 + 8];
	int fd, ret = 0;

	if (RAND_priv_bytes(key, KMS_ROOT_KEY_LEN) != 1)
		return -EIO;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, key, KMS_ROOT_KEY_LEN) != KMS_ROOT_KEY_LEN ||
	    fsync(fd) < 0)
		ret = -EIO;
	close(fd);
	/* link() fails if another start won the race: use its key. */
	if (!ret && link(tmp, path) < 0)
		ret = -errno;
	unlink(tmp);
	return ret;
}

int rootkey_load(struct emulator *emu)
{
	char path[4096];
	struct stat st;
	int fd, ret;

	emu->root_key = secmem_alloc(KMS_ROOT_KEY_LEN);
	if (!emu->root_key)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/root.key", emu->opt.data_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		long sealed = 0;

		/* A new root key would make every stored key unreadable. */
		ret = sealed_rows(emu, &sealed);
		if (!ret && sealed) {
			log_err("%s is missing, but %s/kms.db holds %ld items sealed with it (key material, import keys): restore root.key (or move kms.db away to start with no keys); refusing to start",
				path, emu->opt.data_dir, sealed);
			ret = -ENOKEY;
			goto out_quiet;
		}
		if (!ret)
			ret = create_root_key(path, emu->root_key);
		if (ret != -EEXIST) {
			if (!ret)
				log_info("created root key %s", path);
			goto out;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (fstat(fd, &st) < 0 || st.st_size != KMS_ROOT_KEY_LEN) {
		ret = -EINVAL;
	} else {
		if (st.st_mode & 0077)
			log_warn("%s is accessible by group or others", path);
		ret = read_all(fd, emu->root_key, KMS_ROOT_KEY_LEN);
	}
	close(fd);
out:
	if (!ret)
		ret = check_root_key_id(emu, path);
	if (ret && ret != -EKEYREJECTED)
		log_err("root key %s: %s", path, strerror(-ret));
out_quiet:
	return ret;
}

void rootkey_free(struct emulator *emu)
{
	secmem_free(emu->root_key);
	emu->root_key = NULL;
}

int rootkey_wrap(const struct emulator *emu, const char *aad,
		 const void *in, size_t len, unsigned char *out)
{
	if (RAND_bytes(out, AEAD_NONCE_LEN) != 1)
		return -EIO;
	return aead_seal(emu->root_key, out, aad, strlen(aad), in, len,
			 out + AEAD_NONCE_LEN);
}

int rootkey_unwrap(const struct emulator *emu, const char *aad,
		   const unsigned char *in, size_t len, void *out)
{
	if (len < ROOTKEY_OVERHEAD)
		return -EBADMSG;
	return aead_open(emu->root_key, in, aad, strlen(aad),
			 in + AEAD_NONCE_LEN, len - AEAD_NONCE_LEN, out);
}
