// SPDX-License-Identifier: GPL-2.0
/*
 * Prints one v1-signed KMS request as an application/x-www-form-urlencoded
 * string (usable as a POST body or after "/?"), for tests that need a
 * request a SDK would not send: an old timestamp, a chosen nonce.
 *
 *   sign-request [-t SECONDS] [-n NONCE] [-m METHOD] AK SECRET NAME=VALUE...
 *
 * -t: the Timestamp is now + SECONDS (negative: in the past).
 * -n: the SignatureNonce (default: a random UUID).
 * -m: the HTTP method the signature covers (default POST).
 * Version, Format, AccessKeyId, SignatureMethod and SignatureVersion are
 * added; NAME=VALUE pairs are taken as they are (not percent-decoded).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kms_sign.h"

#define MAX_PARAMS 64

static void usage(void)
{
	fprintf(stderr, "usage: sign-request [-t SECONDS] [-n NONCE] [-m METHOD] AK SECRET NAME=VALUE...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct kms_param p[MAX_PARAMS];
	char stamp[KMS_TIMESTAMP_LEN + 1], uuid[KMS_UUID_LEN + 1];
	char sig[KMS_V1_SIG_LEN + 1], *query, *esig;
	const char *nonce = NULL, *method = "POST";
	long offset = 0;
	size_t n = 0;
	int c, i;

	while ((c = getopt(argc, argv, "t:n:m:")) != -1) {
		switch (c) {
		case 't':
			offset = strtol(optarg, NULL, 10);
			break;
		case 'n':
			nonce = optarg;
			break;
		case 'm':
			method = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2 || argc - optind - 2 > MAX_PARAMS - 8)
		usage();
	if (!nonce) {
		if (kms_uuid(uuid))
			return 1;
		nonce = uuid;
	}
	kms_format_timestamp(time(NULL) + offset, stamp);
	p[n++] = (struct kms_param){ "Version", "2016-01-20" };
	p[n++] = (struct kms_param){ "Format", "JSON" };
	p[n++] = (struct kms_param){ "AccessKeyId", argv[optind] };
	p[n++] = (struct kms_param){ "SignatureMethod", "HMAC-SHA1" };
	p[n++] = (struct kms_param){ "SignatureVersion", "1.0" };
	p[n++] = (struct kms_param){ "SignatureNonce", nonce };
	p[n++] = (struct kms_param){ "Timestamp", stamp };
	for (i = optind + 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq)
			usage();
		*eq = '\0';
		p[n++] = (struct kms_param){ argv[i], eq + 1 };
	}
	if (kms_v1_sign(argv[optind + 1], method, p, n, sig))
		return 1;
	query = kms_canonical_query(p, n);
	esig = kms_percent_encode(sig);
	if (!query || !esig)
		return 1;
	printf("%s&Signature=%s\n", query, esig);
	free(query);
	free(esig);
	return 0;
}
