// SPDX-License-Identifier: GPL-2.0
/*
 * memscan PID KEY_BASE64: look for a key in every readable mapping of a
 * running process (/proc/PID/maps and /proc/PID/mem), in each encoding
 * it travels in: raw bytes, base64, percent-encoded base64 (a form
 * body), that percent-encoded again (a v1 string to sign), hex.  Each
 * is looked for whole and by its first and last 24 bytes, so that a
 * buffer holding part of it counts too.  Prints one line per copy found
 * and then "hits N"; exit 0 when N is 0, 1 when not, 2 on error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#define FRAGMENT	24
#define MAX_FORMS	8

struct form {
	const char *name;
	char *bytes;
	size_t len;
};

static char *percent_encode(const char *s)
{
	char *out = malloc(strlen(s) * 3 + 1), *p = out;

	for (; *s; s++) {
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || strchr("-_.~", *s))
			*p++ = *s;
		else
			p += sprintf(p, "%%%02X", (unsigned char)*s);
	}
	*p = '\0';
	return out;
}

/* A JSON writer's spelling of it: json-c writes '/' as "\/". */
static char *json_escape(const char *s)
{
	char *out = malloc(strlen(s) * 2 + 1), *p = out;

	for (; *s; s++) {
		if (*s == '/')
			*p++ = '\\';
		*p++ = *s;
	}
	*p = '\0';
	return out;
}

static char *hex(const unsigned char *b, size_t n, const char *digits)
{
	char *out = malloc(2 * n + 1);

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

/* Where copies were seen: a place is counted once, whatever matched it. */
static const char *seen[4096];
static size_t n_seen;

static int seen_before(const char *start)
{
	for (size_t i = 0; i < n_seen; i++)
		if (seen[i] == start)
			return 1;
	if (n_seen < sizeof(seen) / sizeof(*seen))
		seen[n_seen++] = start;
	return 0;
}

/* Copies of @fm's head (@tail 0) or tail in @buf, whole or in part. */
static size_t scan_piece(const char *where, const char *buf, size_t len,
			 const struct form *fm, int tail, int want_whole)
{
	const char *piece = tail ? fm->bytes + fm->len - FRAGMENT : fm->bytes;
	const char *at = buf, *hit;
	size_t hits = 0;

	while ((hit = memmem(at, len - (size_t)(at - buf), piece, FRAGMENT))) {
		const char *start = tail ? hit - (fm->len - FRAGMENT) : hit;
		int whole = start >= buf && start + fm->len <= buf + len &&
			    !memcmp(start, fm->bytes, fm->len);

		at = hit + 1;
		if (whole != want_whole || seen_before(whole ? start : hit))
			continue;
		printf("hit %s %s (%s) at %s+%#zx\n", fm->name,
		       tail ? "tail" : "head", whole ? "whole" : "part",
		       where, (size_t)(hit - buf));
		hits++;
	}
	return hits;
}

/* Whole copies first, so that a copy is named by the form it is in. */
static size_t scan(const char *where, const char *buf, size_t len,
		   const struct form *forms, size_t n_forms)
{
	size_t hits = 0;

	n_seen = 0;
	for (int want_whole = 1; want_whole >= 0; want_whole--) {
		for (size_t f = 0; f < n_forms; f++) {
			const struct form *fm = &forms[f];

			for (size_t p = 0; p < 2; p++)
				hits += scan_piece(where, buf, len, fm, p, want_whole);
		}
	}
	return hits;
}

int main(int argc, char **argv)
{
	unsigned char raw[256];
	struct form forms[MAX_FORMS];
	size_t n_forms = 0, hits = 0, b64len;
	char path[64], line[512];
	FILE *maps;
	int mem, n;

	if (argc != 3) {
		fprintf(stderr, "usage: memscan PID KEY_BASE64\n");
		return 2;
	}
	b64len = strlen(argv[2]);
	n = EVP_DecodeBlock(raw, (const unsigned char *)argv[2], (int)b64len);
	while (n > 0 && b64len && argv[2][--b64len] == '=')
		n--;
	if (n < FRAGMENT) {
		fprintf(stderr, "memscan: the key is not base64 of %d bytes or more\n", FRAGMENT);
		return 2;
	}
	forms[n_forms++] = (struct form){ "raw", (char *)raw, (size_t)n };
	forms[n_forms++] = (struct form){ "base64", argv[2], strlen(argv[2]) };
	forms[n_forms].name = "percent-encoded-base64";
	forms[n_forms].bytes = percent_encode(argv[2]);
	forms[n_forms].len = strlen(forms[n_forms].bytes);
	n_forms++;
	forms[n_forms].name = "twice-percent-encoded-base64";
	forms[n_forms].bytes = percent_encode(forms[n_forms - 1].bytes);
	forms[n_forms].len = strlen(forms[n_forms].bytes);
	n_forms++;
	forms[n_forms].name = "json-escaped-base64";
	forms[n_forms].bytes = json_escape(argv[2]);
	forms[n_forms].len = strlen(forms[n_forms].bytes);
	n_forms++;
	forms[n_forms].name = "hex";
	forms[n_forms].bytes = hex(raw, (size_t)n, "0123456789abcdef");
	forms[n_forms].len = 2 * (size_t)n;
	n_forms++;
	forms[n_forms].name = "HEX";
	forms[n_forms].bytes = hex(raw, (size_t)n, "0123456789ABCDEF");
	forms[n_forms].len = 2 * (size_t)n;
	n_forms++;

	snprintf(path, sizeof(path), "/proc/%s/maps", argv[1]);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%s/mem", argv[1]);
	mem = open(path, O_RDONLY);
	if (!maps || mem < 0) {
		perror("memscan");
		return 2;
	}
	while (fgets(line, sizeof(line), maps)) {
		unsigned long start, end;
		char perms[8], name[256] = "";
		char *buf;
		ssize_t got;

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &start, &end,
			   perms, name) < 3 || perms[0] != 'r' ||
		    !strcmp(name, "[vvar]") || !strcmp(name, "[vsyscall]"))
			continue;
		buf = malloc(end - start);
		if (!buf)
			continue;
		got = pread(mem, buf, end - start, (off_t)start);
		if (got > 0) {
			char where[300];

			snprintf(where, sizeof(where), "%lx(%s)", start,
				 name[0] ? name : "anon");
			hits += scan(where, buf, (size_t)got, forms, n_forms);
		}
		free(buf);
	}
	printf("hits %zu\n", hits);
	return hits ? 1 : 0;
}
