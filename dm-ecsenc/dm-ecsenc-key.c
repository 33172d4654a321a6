// SPDX-License-Identifier: GPL-2.0
/*
 * dm-ecsenc key handling: a 512-bit XTS key given either as 128 hex digits
 * or as a reference to a logon key in the kernel keyring.  The key bytes
 * only ever live in a stack buffer that is wiped before return, and in the
 * transform's expanded key schedule.
 *
 * Copyright (C) 2026 The ecsenc developers
 */

#include <linux/key.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <keys/user-type.h>

#include "dm-ecsenc.h"

#define AES128_XTS_KEY_SIZE	32

static char *key_size_error(unsigned int size)
{
	if (size == AES128_XTS_KEY_SIZE)
		return "AES-128 refused: the key must be 512 bits (AES-256-XTS)";
	return "Invalid key size: the key must be 512 bits (AES-256-XTS)";
}

static int read_hex_key(char *hex, u8 *key, char **error)
{
	size_t len = strlen(hex);
	int r = 0;

	if (len != 2 * ECSENC_KEY_SIZE) {
		*error = len % 2 ? "Invalid key: odd number of hex digits" :
			 key_size_error(len / 2);
		r = -EINVAL;
	} else if (hex2bin(key, hex, ECSENC_KEY_SIZE)) {
		*error = "Invalid key: not a hexadecimal string";
		r = -EINVAL;
	}
	/* The table line is kept by dm; leave no key digits in it. */
	memset(hex, '0', len);
	return r;
}

/* Split ":<size>:logon:<description>" in place. */
static int parse_key_reference(char *ref, unsigned int *size, char **desc,
			       char **error)
{
	char *size_str, *type;

	size_str = ref + 1;
	type = strchr(size_str, ':');
	if (!type)
		goto bad;
	*type++ = '\0';
	*desc = strchr(type, ':');
	if (!*desc)
		goto bad;
	*(*desc)++ = '\0';

	if (kstrtouint(size_str, 10, size)) {
		*error = "Invalid keyring key size";
		return -EINVAL;
	}
	if (strcmp(type, "logon")) {
		*error = "Invalid keyring key type: only logon keys are accepted";
		return -EINVAL;
	}
	if (!**desc) {
		*error = "Invalid keyring key: empty description";
		return -EINVAL;
	}
	if (*size != ECSENC_KEY_SIZE) {
		*error = key_size_error(*size);
		return -EINVAL;
	}
	return 0;
bad:
	*error = "Invalid keyring key: expected :64:logon:<description>";
	return -EINVAL;
}

static int read_keyring_key(const char *desc, u8 *key, char **error)
{
	const struct user_key_payload *payload;
	struct key *k;
	int r = 0;

	k = request_key(&key_type_logon, desc, NULL);
	if (IS_ERR(k)) {
		*error = "Keyring key not found or not accessible";
		return PTR_ERR(k);
	}

	down_read(&k->sem);
	payload = user_key_payload_locked(k);
	if (!payload) {
		*error = "Keyring key has been revoked";
		r = -EKEYREVOKED;
	} else if (payload->datalen != ECSENC_KEY_SIZE) {
		*error = "Keyring key payload is not 64 bytes";
		r = -EINVAL;
	} else {
		memcpy(key, payload->data, ECSENC_KEY_SIZE);
	}
	up_read(&k->sem);
	key_put(k);
	return r;
}

/*
 * Key both transforms of @ec: the wrapper and what it wraps.  They check
 * a key alike, so the second cannot refuse what the first took; were it
 * to, the two would hold different keys, and no bio may run until a key
 * is set again.
 */
static int ecsenc_setkey(struct ecsenc_config *ec, const u8 *key,
			 unsigned int size)
{
	int r = crypto_skcipher_setkey(ec->tfm, key, size);

	if (!r && ec->simd_tfm) {
		r = crypto_skcipher_setkey(ec->simd_tfm, key, size);
		if (WARN_ON_ONCE(r))
			clear_bit(ECSENC_KEY_VALID, &ec->flags);
	}
	return r;
}

/**
 * ecsenc_set_key - load a data key into the device's transform
 * @ec: the device
 * @key_string: 128 hex digits (overwritten) or ":64:logon:<description>"
 * @error: set to a description of what was wrong, on failure
 *
 * On failure the device keeps the key state it had.
 */
int ecsenc_set_key(struct ecsenc_config *ec, char *key_string,
		   char **error)
{
	u8 key[ECSENC_KEY_SIZE];
	char *new_desc = NULL;
	unsigned int size;
	char *desc;
	int r;

	if (!ec->cipher->key_size) {
		if (strcmp(key_string, "-")) {
			*error = "This test cipher takes no key: write -";
			return -EINVAL;
		}
		r = ecsenc_setkey(ec, NULL, 0);
		if (!r)
			set_bit(ECSENC_KEY_VALID, &ec->flags);
		return r;
	}

	/* What dmsetup table shows in place of a hex key. */
	if (!strcmp(key_string, "-")) {
		*error = "Key not shown: a table read back hides its key; give 128 hex digits";
		return -EINVAL;
	}

	if (key_string[0] == ':') {
		r = parse_key_reference(key_string, &size, &desc, error);
		if (r)
			return r;
		new_desc = kstrdup(desc, GFP_KERNEL);
		if (!new_desc) {
			*error = "Cannot allocate key description";
			return -ENOMEM;
		}
		r = read_keyring_key(desc, key, error);
	} else {
		r = read_hex_key(key_string, key, error);
	}
	if (r)
		goto out;

	r = ecsenc_setkey(ec, key, ECSENC_KEY_SIZE);
	if (r) {
		*error = "The cipher refused the key";
		goto out;
	}
	set_bit(ECSENC_KEY_VALID, &ec->flags);
	swap(ec->key_desc, new_desc);
out:
	memzero_explicit(key, sizeof(key));
	kfree(new_desc);
	return r;
}

/**
 * ecsenc_wipe_key - forget the data key
 * @ec: the device, suspended or being destroyed
 *
 * The transform cannot be emptied, so it is re-keyed with random bytes,
 * which overwrites the expanded key schedule of the data key.
 */
void ecsenc_wipe_key(struct ecsenc_config *ec)
{
	u8 junk[ECSENC_KEY_SIZE];

	clear_bit(ECSENC_KEY_VALID, &ec->flags);
	if (!ec->tfm || !ec->cipher->key_size)
		return;
	get_random_bytes(junk, sizeof(junk));
	/* Cannot fail for a 64-byte key with distinct halves. */
	ecsenc_setkey(ec, junk, sizeof(junk));
	memzero_explicit(junk, sizeof(junk));
}
