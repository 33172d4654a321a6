// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpora of tests/fuzz/corpus/ (run by hand, output
 * committed):
 *
 *   make-seeds CORPUS_DIR
 *
 * Real inputs made by the real code: disk headers written by
 * disk_header_write(), blobs sealed by blob_seal() with the blob
 * harness's key, v1 requests signed by kms_v1_sign(), an ACS3 request
 * signed by kms_acs3_sign().
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "blob.h"
#include "context.h"
#include "disk_header.h"
#include "form.h"
#include "kms_sign.h"

static const char *dir;

static void put(const char *harness, const char *name, const void *data,
		size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, harness, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void put_str(const char *harness, const char *name, const char *s)
{
	put(harness, name, s, strlen(s));
}

/* One mode byte (it may be 0), then @s. */
static void put_flagged(const char *harness, const char *name, char flag,
			const char *s)
{
	char *buf = malloc(strlen(s) + 1);

	if (!buf)
		exit(1);
	buf[0] = flag;
	memcpy(buf + 1, s, strlen(s));
	put(harness, name, buf, strlen(s) + 1);
	free(buf);
}

/* A form body of @kv (NULL-terminated name, value list), signed. */
static char *signed_body(const char *ak, const char *secret,
			 const char *const *kv)
{
	struct kms_param p[64];
	char stamp[KMS_TIMESTAMP_LEN + 1], nonce[KMS_UUID_LEN + 1];
	char sig[KMS_V1_SIG_LEN + 1], *q, *esig, *out;
	size_t n = 0;

	kms_format_timestamp(time(NULL), stamp);
	kms_uuid(nonce);
	p[n++] = (struct kms_param){ "Version", "2016-01-20" };
	p[n++] = (struct kms_param){ "Format", "JSON" };
	p[n++] = (struct kms_param){ "AccessKeyId", ak };
	p[n++] = (struct kms_param){ "SignatureMethod", "HMAC-SHA1" };
	p[n++] = (struct kms_param){ "SignatureVersion", "1.0" };
	p[n++] = (struct kms_param){ "SignatureNonce", nonce };
	p[n++] = (struct kms_param){ "Timestamp", stamp };
	for (; kv[0]; kv += 2)
		p[n++] = (struct kms_param){ kv[0], kv[1] };
	if (kms_v1_sign(secret, "POST", p, n, sig))
		exit(1);
	q = kms_canonical_query(p, n);
	esig = kms_percent_encode(sig);
	if (!q || !esig || asprintf(&out, "%s&Signature=%s", q, esig) < 0)
		exit(1);
	free(q);
	free(esig);
	return out;
}

static void disk_headers(void)
{
	struct disk_header h = {
		.flags = DISK_HEADER_F_ENCRYPTED, .sector_size = 4096,
		.data_offset = DISK_HEADER_DATA_OFFSET,
		.data_size = 64ull << 20, .created = 1764547200,
		.object_id = "d-0123456789abcdef", .lineage_id = "l-0123456789abcdef",
		.region = "cn-hangzhou", .category = "cloud_ssd",
		.cipher = "aes-xts-plain64",
		.kms_key_id = "3f2b7c1e-8a4d-4e6f-9b0a-1c2d3e4f5a6b",
		.encryption_context = "{\"lineage\":\"l-0123456789abcdef\"}",
		.wrapped_key = "RUsBC2NuLWhhbmd6aG91JDNmMmI3YzFlLThhNGQtNGU2Zi05YjBhLTFjMmQzZTRmNWE2Yg==",
	};
	unsigned char img[2 * DISK_HEADER_SIZE];
	int fd = memfd_create("seed", 0);

	if (fd < 0 || ftruncate(fd, sizeof(img)) || disk_header_write(fd, &h) ||
	    pread(fd, img, sizeof(img), 0) != (ssize_t)sizeof(img))
		exit(1);
	put("disk_header", "encrypted-disk", img, sizeof(img));
	/* A torn primary: the secondary repairs it. */
	memset(img + 100, 0xff, 64);
	put("disk_header", "damaged-primary", img, sizeof(img));
	/* The same bytes with a correct checksum: the field checks refuse it. */
	{
		unsigned char fixed[sizeof(img) + 1];

		memcpy(fixed, img, sizeof(img));
		fixed[sizeof(img)] = 1;
		put("disk_header", "bad-fields-good-checksum", fixed, sizeof(fixed));
	}
	/* A rewrite that reached only the primary: the secondary is stale. */
	strcpy(h.source_id, "s-fedcba9876543210");
	if (disk_header_write(fd, &h) ||
	    pread(fd, img, DISK_HEADER_SIZE, 0) != DISK_HEADER_SIZE)
		exit(1);
	h.seqno--;
	put("disk_header", "stale-secondary", img, sizeof(img));
	memset(&h, 0, sizeof(h));
	h = (struct disk_header){ .flags = DISK_HEADER_F_SNAPSHOT, .sector_size = 512,
		.data_offset = DISK_HEADER_DATA_OFFSET, .data_size = 1 << 20,
		.object_id = "s-0000000000000001", .source_id = "d-0000000000000001",
		.cipher = "none", .region = "cn-shanghai", .category = "cloud" };
	if (disk_header_write(fd, &h) ||
	    pread(fd, img, sizeof(img), 0) != (ssize_t)sizeof(img))
		exit(1);
	put("disk_header", "plain-snapshot", img, sizeof(img));
	close(fd);
}

static void credentials(void)
{
	put_str("credentials", "two-keys", "testid testsecret\nadminid adminsecret\n");
	put_str("credentials", "comments-crlf",
		"# KMS access keys\r\n\r\nLTAI5tExample0001 \tSecretWithTabs0001\r\n  # indented comment\n");
	put_str("credentials", "no-newline", "onlyid onlysecret");
	put_str("credentials", "three-fields", "id secret extra\n");
}

static void kms_responses(void)
{
	put_flagged("kms_response", "decrypt-200", 0,
		"{\"KeyId\":\"3f2b7c1e-8a4d-4e6f-9b0a-1c2d3e4f5a6b\",\"KeyVersionId\":\"a1b2c3d4-0000-4000-8000-000000000001\","
		"\"Plaintext\":\"cGxhaW50ZXh0LWRhdGEta2V5LTMyLWJ5dGVzLWxvbmch\",\"RequestId\":\"7c1a9f2e-1111-4222-8333-944455556666\"}");
	put_str("kms_response", "key-not-found-404",
		"\x02{\"RequestId\":\"7c1a9f2e-1111-4222-8333-944455556666\",\"HostId\":\"kms.cn-hangzhou.aliyuncs.com\","
		"\"Code\":\"Forbidden.KeyNotFound\",\"Message\":\"The specified Key is not found.\","
		"\"Recommend\":\"https://api.aliyun.com/troubleshoot?q=Forbidden.KeyNotFound&product=Kms\"}");
	put_str("kms_response", "throttling-503",
		"\x05{\"Code\":\"Throttling.User\",\"Message\":\"Request was denied due to user flow control.\"}");
	put_str("kms_response", "html-500", "\x04<html><body>Internal Server Error</body></html>");
}

static void requests(void)
{
	static const char *const gdk[] = { "Action", "GenerateDataKey",
		"KeyId", "alias/acs/ecs", "EncryptionContext.disk", "d-1", NULL };
	static const char *const dec[] = { "Action", "Decrypt", "CiphertextBlob",
		"RUsBC2NuLWhhbmd6aG91JDNmMmI3YzFlLThhNGQtNGU2Zi05YjBhLTFjMmQzZTRmNWE2Yg==",
		"EncryptionContext", "{\"lineage\":\"l-1\",\"disk\":\"d-1\"}", NULL };
	static const char *const reenc[] = { "Action", "ReEncrypt", "CiphertextBlob", "RUsB",
		"DestinationKeyId", "alias/acs/ecs",
		"SourceEncryptionContext", "{\"a\":\"1\"}",
		"DestinationEncryptionContext.b", "2", NULL };
	char *b;

	b = signed_body("fuzzid", "fuzzsecret", gdk);
	put_str("form", "generate-data-key", b);
	put_str("context", "flattened", b);
	free(b);
	b = signed_body("fuzzid", "fuzzsecret", dec);
	put_str("form", "decrypt-json-context", b);
	put_str("context", "json", b);
	free(b);
	b = signed_body("fuzzid", "fuzzsecret", reenc);
	put_str("context", "source-and-destination", b);
	free(b);
	put_str("context", "nul-in-value",
		"EncryptionContext=%7B%22disk%22%3A%22d-1%5Cu0000x%22%7D&EncryptionContext.disk=d-1");
	put_str("context", "mixed", "EncryptionContext=%7B%22b%22%3A2%2C%22a%22%3Atrue%7D&EncryptionContext.c=3");
	put_str("form", "plus-and-escapes", "Action=Encrypt&Plaintext=a+b%2Bc%7E&Empty=&NoValue&&=x");
}

static void sign_inputs(void)
{
	static const char *const desc[] = { "Action", "DescribeKey", "KeyId", "alias/acs/ecs", NULL };
	char stamp[KMS_TIMESTAMP_LEN + 1], hash[KMS_SHA256_HEX_LEN + 1];
	char sig[KMS_SHA256_HEX_LEN + 1], *b, *in, *creq;
	const char *body = "KeyId=alias%2Facs%2Fecs";

	b = signed_body("fuzzid", "fuzzsecret", desc);
	/* 2|4: fresh time, signed again by the harness; 0: as it is. */
	put_flagged("sign", "v1-resigned", 6, b);
	put_flagged("sign", "v1-as-sent", 0, b);
	free(b);

	kms_format_timestamp(time(NULL), stamp);
	kms_sha256_hex(body, strlen(body), hash);
	if (asprintf(&creq, "POST\n/\n\nhost:127.0.0.1:8080\nx-acs-action:DescribeKey\n"
		     "x-acs-content-sha256:%s\nx-acs-date:%s\nx-acs-signature-nonce:seed-nonce-1\n"
		     "x-acs-version:2016-01-20\n"
		     "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n%s",
		     hash, stamp, hash) < 0 || kms_acs3_sign("fuzzsecret", creq, sig))
		exit(1);
	if (asprintf(&in, "\n\nhost: 127.0.0.1:8080\nx-acs-action: DescribeKey\n"
		     "x-acs-content-sha256: %s\nx-acs-date: %s\nx-acs-signature-nonce: seed-nonce-1\n"
		     "x-acs-version: 2016-01-20\n"
		     "Authorization: ACS3-HMAC-SHA256 Credential=fuzzid,SignedHeaders=host;x-acs-action;"
		     "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=%s\n\n%s",
		     hash, stamp, sig, body) < 0)
		exit(1);
	put_flagged("sign", "acs3", 0, in);
	put_flagged("sign", "acs3-fresh-date", 2, in);
	free(in);
	free(creq);
}

static void blobs(void)
{
	static const unsigned char key[32] = "fuzz-key-0123456789abcdef-fuzz!";
	static const char *const kv[] = { "EncryptionContext.disk", "d-1", NULL };
	unsigned char raw[1024];
	struct kms_request req;
	struct enc_context c;
	char *b64;
	long n;

	memset(&req, 0, sizeof(req));
	req_add_param(&req, strdup(kv[0]), strdup(kv[1]), 0);
	if (enc_context_parse(&req, "EncryptionContext", &c))
		exit(1);
	if (blob_seal("cn-hangzhou", "3f2b7c1e-8a4d-4e6f-9b0a-1c2d3e4f5a6b",
		      "a1b2c3d4-0000-4000-8000-000000000001", key, NULL,
		      "cGxhaW50ZXh0LWRhdGEta2V5LTMyLWJ5dGVzLWxvbmch", 44, &b64))
		exit(1);
	n = kms_base64_decode(b64, raw + 1, sizeof(raw) - 1);
	raw[0] = 1;
	put("blob", "data-key-raw", raw, (size_t)n + 1);
	put_flagged("blob", "data-key-b64", 0, b64);
	free(b64);
	if (blob_seal("ap-southeast-1", "k", "v", key, &c, "x", 1, &b64))
		exit(1);
	n = kms_base64_decode(b64, raw + 1, sizeof(raw) - 1);
	raw[0] = 1;
	put("blob", "with-context-raw", raw, (size_t)n + 1);
	free(b64);
	put_str("blob", "seal-round-trip", "\x02plaintext to seal");
	enc_context_free(&c);
	req_free_params(&req);
}

/*
 * No GetParametersForImport: its RSA-2048 key generation takes the
 * harness from about 2 700 to under 300 executions per second.
 */
static void router_inputs(void)
{
	static const char *const bodies[][2] = {
		{ "create-key", "Action=CreateKey&Description=fuzz" },
		{ "create-key-external", "Action=CreateKey&Origin=EXTERNAL" },
		{ "describe-service-key", "Action=DescribeKey&KeyId=alias%2Facs%2Fecs" },
		{ "list-keys", "Action=ListKeys&PageNumber=1&PageSize=5" },
		{ "generate-data-key", "Action=GenerateDataKey&KeyId=alias%2Facs%2Fecs&EncryptionContext.disk=d-1&NumberOfBytes=64" },
		{ "generate-without-plaintext", "Action=GenerateDataKeyWithoutPlaintext&KeyId=alias%2Facs%2Fecs&KeySpec=AES_128" },
		{ "encrypt", "Action=Encrypt&KeyId=alias%2Facs%2Fecs&Plaintext=aGVsbG8%3D&EncryptionContext=%7B%22a%22%3A%22b%22%7D" },
		{ "decrypt", "Action=Decrypt&CiphertextBlob=RUsBC2NuLWhhbmd6aG91JDNmMmI3YzFlLThhNGQtNGU2Zi05YjBhLTFjMmQzZTRmNWE2Yg%3D%3D" },
		{ "re-encrypt", "Action=ReEncrypt&CiphertextBlob=RUsB&DestinationKeyId=alias%2Facs%2Fecs" },
		{ "create-alias", "Action=CreateAlias&AliasName=alias%2Ffuzz&KeyId=alias%2Facs%2Fecs" },
		{ "update-alias", "Action=UpdateAlias&AliasName=alias%2Ffuzz&KeyId=alias%2Facs%2Fecs" },
		{ "delete-alias", "Action=DeleteAlias&AliasName=alias%2Ffuzz" },
		{ "list-aliases", "Action=ListAliases" },
		{ "list-aliases-by-key", "Action=ListAliasesByKeyId&KeyId=alias%2Facs%2Fecs" },
		{ "disable-key", "Action=DisableKey&KeyId=alias%2Facs%2Fecs" },
		{ "schedule-deletion", "Action=ScheduleKeyDeletion&KeyId=alias%2Facs%2Fecs&PendingWindowInDays=7" },
		{ "cancel-deletion", "Action=CancelKeyDeletion&KeyId=alias%2Ffuzz" },
		{ "update-description", "Action=UpdateKeyDescription&KeyId=alias%2Ffuzz&Description=d" },
		{ "create-key-version", "Action=CreateKeyVersion&KeyId=alias%2Ffuzz" },
		{ "list-key-versions", "Action=ListKeyVersions&KeyId=alias%2Ffuzz" },
		{ "describe-key-version", "Action=DescribeKeyVersion&KeyId=alias%2Ffuzz&KeyVersionId=v" },
		{ "rotation-policy", "Action=UpdateRotationPolicy&KeyId=alias%2Ffuzz&EnableAutomaticRotation=true&RotationInterval=7d" },
		{ "import-material", "Action=ImportKeyMaterial&KeyId=alias%2Ffuzz&EncryptedKeyMaterial=AAAA&ImportToken=t" },
		{ "delete-material", "Action=DeleteKeyMaterial&KeyId=alias%2Ffuzz" },
		{ "describe-regions", "Action=DescribeRegions&RegionId=cn-shanghai" },
		{ "advance-clock", "!Action=AdvanceClock&Seconds=691200" },
		{ "describe-metering", "!Action=DescribeMetering" },
	};
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		put_str("router", bodies[i][0], bodies[i][1]);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make-seeds CORPUS_DIR\n");
		return 2;
	}
	dir = argv[1];
	disk_headers();
	credentials();
	kms_responses();
	requests();
	sign_inputs();
	blobs();
	router_inputs();
	return 0;
}
