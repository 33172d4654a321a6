// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "emulator.h"
#include "log.h"
#include "rootkey.h"
#include "secmem.h"

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
	if (ret)
		log_err("root key %s: %s", path, strerror(-ret));
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
