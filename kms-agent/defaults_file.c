// SPDX-License-Identifier: GPL-2.0
/*
 * defaults_file.h: the encryption-by-default settings on their own.
 *
 *   ecsenc-encryption-by-default 1
 *   lost 0
 *   region cn-hangzhou 1 -
 *   region cn-beijing 0 key-id
 *   sha256 <hex of every byte above this line>
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_ops.h"
#include "defaults_file.h"
#include "kms_sign.h"
#include "sync_dir.h"

#define MAGIC		"ecsenc-encryption-by-default 1\n"
#define FILE_MAX	(1 << 20)

int defaults_set_put(struct defaults_set *s, const char *region,
		     const struct catalog_defaults *d)
{
	struct defaults_region *p;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->regions[i].region, region))
			break;
	if (i == s->n) {
		p = realloc(s->regions, (s->n + 1) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		s->regions = p;
		s->n++;
		snprintf(p[i].region, sizeof(p[i].region), "%s", region);
	}
	s->regions[i].d = *d;
	return 0;
}

void defaults_set_free(struct defaults_set *s)
{
	free(s->regions);
	memset(s, 0, sizeof(*s));
}

/* One "region R ON KEY" line into @s; -EBADMSG if it is not one. */
static int parse_region(char *line, struct defaults_set *s)
{
	char *region, *on, *key, *save = NULL;
	struct catalog_defaults d = { 0 };

	region = strtok_r(line + strlen("region "), " ", &save);
	on = strtok_r(NULL, " ", &save);
	key = strtok_r(NULL, " ", &save);
	if (!region || !on || !key || strtok_r(NULL, " ", &save) ||
	    !agent_region_valid(region) || (strcmp(on, "0") && strcmp(on, "1")) ||
	    strlen(key) >= sizeof(d.kms_key_id))
		return -EBADMSG;
	d.encrypt_by_default = on[0] == '1';
	if (strcmp(key, "-"))
		snprintf(d.kms_key_id, sizeof(d.kms_key_id), "%s", key);
	return defaults_set_put(s, region, &d);
}

static int parse(char *text, struct defaults_set *s)
{
	char *line, *save = NULL;
	int r = 0;

	if (strncmp(text, MAGIC, strlen(MAGIC)))
		return -EBADMSG;
	for (line = strtok_r(text + strlen(MAGIC), "\n", &save); line && !r;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "lost 0") || !strcmp(line, "lost 1"))
			s->lost = line[5] == '1';
		else if (!strncmp(line, "region ", 7))
			r = parse_region(line, s);
		else
			r = -EBADMSG;
	}
	return r;
}

int defaults_file_read(const char *path, struct defaults_set *s)
{
	char *text = NULL, *sum, want[KMS_SHA256_HEX_LEN + 1];
	size_t len = 0;
	ssize_t n;
	int fd, r;

	memset(s, 0, sizeof(*s));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	text = malloc(FILE_MAX + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while ((n = read(fd, text + len, FILE_MAX - len)) > 0)
		len += (size_t)n;
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		goto out;
	text[len] = '\0';
	/* The last line is the checksum of everything before it. */
	r = -EBADMSG;
	sum = len ? strstr(text, "\nsha256 ") : NULL;
	if (!sum || strlen(text) != len)
		goto out;
	sum++;
	kms_sha256_hex(text, (size_t)(sum - text), want);
	if (strlen(sum + 7) != KMS_SHA256_HEX_LEN + 1 ||
	    strncmp(sum + 7, want, KMS_SHA256_HEX_LEN) ||
	    sum[7 + KMS_SHA256_HEX_LEN] != '\n')
		goto out;
	*sum = '\0';
	r = parse(text, s);
out:
	free(text);
	if (r < 0)
		defaults_set_free(s);
	return r;
}

int defaults_file_write(const char *path, const struct defaults_set *s)
{
	char tmp[1100], sum[KMS_SHA256_HEX_LEN + 1];
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	int fd, r = 0;

	m = open_memstream(&text, &len);
	if (!m)
		return -ENOMEM;
	fputs(MAGIC, m);
	fprintf(m, "lost %d\n", s->lost ? 1 : 0);
	for (size_t i = 0; i < s->n; i++)
		fprintf(m, "region %s %d %s\n", s->regions[i].region,
			s->regions[i].d.encrypt_by_default ? 1 : 0,
			s->regions[i].d.kms_key_id[0] ? s->regions[i].d.kms_key_id : "-");
	fflush(m);
	kms_sha256_hex(text, len, sum);
	fprintf(m, "sha256 %s\n", sum);
	if (fclose(m)) {
		free(text);
		return -ENOMEM;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	else
		r = sync_dir_of(path);
out:
	free(text);
	return r;
}
