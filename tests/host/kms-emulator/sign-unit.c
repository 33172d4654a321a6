// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tools/lib/kms_sign.c and credentials.c: the published KMS
 * signature example, percent-encoding, base64, timestamps, ACS3, and the
 * credentials file parser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credentials.h"
#include "kms_sign.h"
#include "log.h"
#include "unit.h"

/* Alibaba KMS "signature mechanism" document, CreateKey example. */
static void test_published_example(void)
{
	static const struct kms_param p[] = {
		{ "Action", "CreateKey" }, { "SignatureVersion", "1.0" },
		{ "Format", "json" }, { "Version", "2016-01-20" },
		{ "AccessKeyId", "testid" }, { "SignatureMethod", "HMAC-SHA1" },
		{ "Timestamp", "2016-03-28T03:13:08Z" },
		{ "Signature", "ignored" },
	};
	/* The document prints its StringToSign with the '&'s left raw. */
	static const char doc_sts[] =
		"GET&%2F&AccessKeyId%3Dtestid&Action%3DCreateKey&Format%3Djson"
		"&SignatureMethod%3DHMAC-SHA1&SignatureVersion%3D1.0"
		"&Timestamp%3D2016-03-28T03%253A13%253A08Z&Version%3D2016-01-20";
	char sig[KMS_V1_SIG_LEN + 1];
	char *s;

	s = kms_canonical_query(p, 8);
	CHECK_STR("canonical query", s,
		  "AccessKeyId=testid&Action=CreateKey&Format=json&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&Timestamp=2016-03-28T03%3A13%3A08Z&Version=2016-01-20");
	free(s);
	CHECK(kms_v1_hmac("testsecret", doc_sts, sig) == 0);
	CHECK_STR("published signature", sig, "s/OdVWMTmNGagvWlljdAJ7Itsew=");

	s = kms_v1_string_to_sign("GET", p, 8);
	CHECK_STR("string to sign", s,
		  "GET&%2F&AccessKeyId%3Dtestid%26Action%3DCreateKey%26Format%3Djson%26SignatureMethod%3DHMAC-SHA1%26SignatureVersion%3D1.0%26Timestamp%3D2016-03-28T03%253A13%253A08Z%26Version%3D2016-01-20");
	free(s);
	/* The signature in the document's signed URL. */
	CHECK(kms_v1_sign("testsecret", "GET", p, 8, sig) == 0);
	CHECK_STR("signed URL signature", sig, "41wk2SSX1GJh7fwnc5eqOfiJPFg=");
}

/* ECS "signature" document, DescribeRegions example. */
static void test_ecs_example(void)
{
	static const struct kms_param p[] = {
		{ "Timestamp", "2016-02-23T12:46:24Z" }, { "Format", "XML" },
		{ "AccessKeyId", "testid" }, { "Action", "DescribeRegions" },
		{ "SignatureMethod", "HMAC-SHA1" },
		{ "SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" },
		{ "Version", "2014-05-26" }, { "SignatureVersion", "1.0" },
	};
	char sig[KMS_V1_SIG_LEN + 1];

	CHECK(kms_v1_sign("testsecret", "GET", p, 8, sig) == 0);
	CHECK_STR("ECS example", sig, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
	CHECK(kms_v1_sign("testsecret", "POST", p, 8, sig) == 0);
	CHECK(strcmp(sig, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=") != 0);
}

static void test_percent(void)
{
	char *s;

	s = kms_percent_encode("a b*c~d/e+f=g&h\xc3\xa9");
	CHECK_STR("percent-encode", s, "a%20b%2Ac~d%2Fe%2Bf%3Dg%26h%C3%A9");
	free(s);
	s = kms_percent_decode("a%20b+c%2a", 10, 1);
	CHECK_STR("percent-decode form", s, "a b c*");
	free(s);
	s = kms_percent_decode("a+b", 3, 0);
	CHECK_STR("percent-decode query", s, "a+b");
	free(s);
	CHECK(kms_percent_decode("a%2", 3, 0) == NULL);
	CHECK(kms_percent_decode("a%zz", 4, 0) == NULL);
	CHECK(kms_percent_decode("a%00", 4, 0) == NULL);
}

static void test_base64(void)
{
	unsigned char buf[8];
	char *s = kms_base64_encode("hello!?", 7);

	CHECK_STR("base64", s, "aGVsbG8hPw==");
	free(s);
	CHECK(kms_base64_decode("aGVsbG8hPw==", buf, sizeof(buf)) == 7);
	CHECK(memcmp(buf, "hello!?", 7) == 0);
	CHECK(kms_base64_decode("aGVsbG8hPw=", buf, sizeof(buf)) < 0);
	CHECK(kms_base64_decode("aGV*bG8hPw==", buf, sizeof(buf)) < 0);
	CHECK(kms_base64_decode("aGVsbG8hPw==", buf, 4) < 0);
	CHECK(kms_base64_decode("", buf, sizeof(buf)) == 0);
}

static void test_time(void)
{
	char s[KMS_TIMESTAMP_LEN + 1];
	time_t t;

	kms_format_timestamp(1459134788, s);
	CHECK_STR("timestamp", s, "2016-03-28T03:13:08Z");
	CHECK(kms_parse_timestamp("2016-03-28T03:13:08Z", &t) == 0 &&
	      t == 1459134788);
	CHECK(kms_parse_timestamp("2016-03-28T03:13:08.123Z", &t) == 0 &&
	      t == 1459134788);
	CHECK(kms_parse_timestamp("2016-03-28 03:13:08", &t) < 0);
	CHECK(kms_parse_timestamp("2016-03-28T03:13:08+01:00", &t) < 0);
	/* Past year 9999 and before year 1000: 20 characters, no more. */
	memset(s, 'x', sizeof(s));
	kms_format_timestamp((time_t)KMS_TIMESTAMP_MAX, s);
	CHECK_STR("last timestamp", s, "9999-12-31T23:59:59Z");
	memset(s, 'x', sizeof(s));
	kms_format_timestamp((time_t)KMS_TIMESTAMP_MAX + 1, s);
	CHECK_STR("timestamp past 9999", s, "9999-12-31T23:59:59Z");
	memset(s, 'x', sizeof(s));
	kms_format_timestamp((time_t)KMS_TIMESTAMP_MAX * 1000, s);
	CHECK_STR("timestamp far past 9999", s, "9999-12-31T23:59:59Z");
	memset(s, 'x', sizeof(s));
	kms_format_timestamp(-62135596800LL, s);
	CHECK_STR("year 1", s, "0001-01-01T00:00:00Z");
	memset(s, 'x', sizeof(s));
	kms_format_timestamp(-(time_t)KMS_TIMESTAMP_MAX * 1000, s);
	CHECK_STR("timestamp before year 0", s, "0000-01-01T00:00:00Z");
}

/* Expected value computed independently (Python hmac/hashlib). */
static void test_acs3(void)
{
	static const char creq[] =
		"POST\n/\nKeyId=abc&NumberOfBytes=32\nhost:127.0.0.1:8080\n"
		"x-acs-action:GenerateDataKey\n"
		"x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
		"x-acs-date:2026-01-01T00:00:00Z\nx-acs-signature-nonce:n1\n"
		"x-acs-version:2016-01-20\n\n"
		"host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n"
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	char sig[KMS_SHA256_HEX_LEN + 1];

	kms_sha256_hex("", 0, sig);
	CHECK_STR("sha256", sig,
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK(kms_acs3_sign("testsecret", creq, sig) == 0);
	CHECK_STR("acs3", sig,
		  "c7fd10aa944761bf266b129a1fe5f1636c47dcff27ae8a452f4bb614cc84fd8c");
	CHECK(kms_str_equal_ct("abc", "abc"));
	CHECK(!kms_str_equal_ct("abc", "abd"));
	CHECK(!kms_str_equal_ct("abc", "ab"));
}

static void test_uuid(void)
{
	char a[KMS_UUID_LEN + 1], b[KMS_UUID_LEN + 1];

	CHECK(kms_uuid(a) == 0 && kms_uuid(b) == 0);
	CHECK(strlen(a) == 36 && a[14] == '4' && strcmp(a, b));
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void test_credentials(const char *dir)
{
	char path[4096];
	struct credentials *c = NULL;

	snprintf(path, sizeof(path), "%s/creds", dir);
	CHECK(write_file(path, "# comment\n\nAK1 secret1\r\n  AK2\tsec ret\n") == 0);
	CHECK(credentials_load(path, &c) == -22);
	CHECK(write_file(path, "# comment\n\nAK1 secret1\r\n  AK2\tsecret2  \nAK3 s3") == 0);
	CHECK(credentials_load(path, &c) == 0);
	if (c) {
		CHECK(c->count == 3);
		CHECK(credentials_find(c, "AK2") &&
		      !strcmp(credentials_find(c, "AK2")->secret, "secret2"));
		CHECK(credentials_find(c, "AK1") &&
		      !strcmp(credentials_find(c, "AK1")->secret, "secret1"));
		CHECK(credentials_find(c, "AK3") &&
		      !strcmp(credentials_find(c, "AK3")->secret, "s3"));
		CHECK(!credentials_find(c, "AK4"));
		credentials_free(c);
	}
	CHECK(write_file(path, "# nothing\n") == 0);
	CHECK(credentials_load(path, &c) < 0);
	snprintf(path, sizeof(path), "%s/missing", dir);
	CHECK(credentials_load(path, &c) < 0);
}

int main(int argc, char **argv)
{
	log_init(argv[0], LOG_LEVEL_ERR);
	test_published_example();
	test_ecs_example();
	test_percent();
	test_base64();
	test_time();
	test_acs3();
	test_uuid();
	if (argc > 1)
		test_credentials(argv[1]);
	return unit_summary("all signing tests passed");
}
