// SPDX-License-Identifier: GPL-2.0
/*
 * disk_key STORE ENDPOINT CREDENTIALS: the plaintext data key of an
 * encrypted store, as base64 on standard output, unwrapped with KMS
 * Decrypt (its header's blob, context and region) the way the agent
 * does.  For tests that look for the key where it must not be.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "disk_header.h"
#include "kms_client.h"

int main(int argc, char **argv)
{
	char ak[128], secret[128];
	struct kms_client_config cfg = { 0 };
	struct kms_response resp;
	struct kms_client *c;
	struct disk_header h;
	const char *key;
	FILE *creds;
	int fd, repaired, r;

	if (argc != 4) {
		fprintf(stderr, "usage: disk_key STORE ENDPOINT CREDENTIALS\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || disk_header_read(fd, &h, &repaired) < 0) {
		fprintf(stderr, "disk_key: cannot read the header of %s\n", argv[1]);
		return 1;
	}
	close(fd);
	creds = fopen(argv[3], "r");
	if (!creds || fscanf(creds, "%127s %127s", ak, secret) != 2) {
		fprintf(stderr, "disk_key: cannot read %s\n", argv[3]);
		return 1;
	}
	fclose(creds);
	cfg.endpoint = argv[2];
	cfg.access_key_id = ak;
	cfg.access_key_secret = secret;
	cfg.region = h.region;
	if (kms_client_new(&cfg, &c) < 0)
		return 1;
	{
		const char *params[] = {
			"CiphertextBlob", h.wrapped_key,
			"EncryptionContext", h.encryption_context, NULL,
		};

		r = kms_client_call(c, "Decrypt", params, &resp);
	}
	key = kms_response_str(&resp, "Plaintext");
	if (r < 0 || !key) {
		fprintf(stderr, "disk_key: Decrypt: %s %s\n", resp.code, resp.message);
		return 1;
	}
	printf("%s\n", key);
	kms_response_release(&resp);
	kms_client_free(c);
	return 0;
}
