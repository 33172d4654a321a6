// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include <openssl/evp.h>

#include "aead.h"

static int aead_run(int enc, const unsigned char *key,
		    const unsigned char *nonce, const void *aad,
		    size_t aad_len, const unsigned char *in, size_t len,
		    unsigned char *out, unsigned char *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, ret = -EIO;

	if (!c)
		return -ENOMEM;
	if (EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce, enc) != 1)
		goto out;
	if (aad_len && EVP_CipherUpdate(c, NULL, &n, aad, (int)aad_len) != 1)
		goto out;
	if (len && EVP_CipherUpdate(c, out, &n, in, (int)len) != 1)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, AEAD_TAG_LEN,
					tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(c, out + len, &n) != 1) {
		ret = enc ? -EIO : -EBADMSG;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, AEAD_TAG_LEN,
				       tag) != 1)
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return ret;
}

int aead_seal(const unsigned char *key, const unsigned char *nonce,
	      const void *aad, size_t aad_len, const void *in, size_t len,
	      unsigned char *out)
{
	return aead_run(1, key, nonce, aad, aad_len, in, len, out, out + len);
}

int aead_open(const unsigned char *key, const unsigned char *nonce,
	      const void *aad, size_t aad_len, const unsigned char *in,
	      size_t len, unsigned char *out)
{
	unsigned char tag[AEAD_TAG_LEN];
	size_t i;

	if (len < AEAD_TAG_LEN)
		return -EBADMSG;
	len -= AEAD_TAG_LEN;
	for (i = 0; i < AEAD_TAG_LEN; i++)
		tag[i] = in[len + i];
	return aead_run(0, key, nonce, aad, aad_len, in, len, out, tag);
}
