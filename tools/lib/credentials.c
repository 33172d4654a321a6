// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credentials.h"
#include "log.h"
#include "secmem.h"

#define CREDENTIALS_MAX_SIZE (1 << 20)

static int read_file_secure(const char *path, char **out)
{
	struct stat st;
	size_t done = 0;
	char *buf = NULL;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CREDENTIALS_MAX_SIZE) {
		ret = -EINVAL;
		goto out;
	}
	if (st.st_mode & 0077)
		log_warn("credentials file %s is readable by group or others",
			 path);
	buf = secmem_alloc((size_t)st.st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			goto out;
		}
		done += (size_t)n;
	}
	buf[done] = '\0';
	*out = buf;
	buf = NULL;
	ret = 0;
out:
	secmem_free(buf);
	close(fd);
	return ret;
}

static char *next_field(char **p)
{
	char *s = *p, *start;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	start = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return start;
}

int credentials_load(const char *path, struct credentials **out)
{
	return credentials_load_fields(path, 0,
				       "<AccessKeyId> <AccessKeySecret>", out);
}

int credentials_load_fields(const char *path, size_t n_extra,
			    const char *format, struct credentials **out)
{
	struct credentials *c;
	char *line;
	size_t cap = 0, lineno = 0;
	int ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	ret = read_file_secure(path, &c->buf);
	if (ret) {
		log_err("cannot read credentials file %s: %s", path,
			strerror(-ret));
		goto bad;
	}
	for (line = c->buf; line; ) {
		char *nl = strchr(line, '\n'), *p = line, *id, *secret;
		char *extra[CREDENTIAL_MAX_EXTRA] = { NULL };
		size_t f;

		if (nl)
			*nl = '\0';
		lineno++;
		if (nl > line && nl[-1] == '\r')
			nl[-1] = '\0';
		id = next_field(&p);
		if (id && *id != '#') {
			secret = next_field(&p);
			for (f = 0; f < n_extra && f < CREDENTIAL_MAX_EXTRA; f++)
				extra[f] = next_field(&p);
			if (!secret || (n_extra && !extra[n_extra - 1]) ||
			    n_extra > CREDENTIAL_MAX_EXTRA || next_field(&p)) {
				log_err("%s:%zu: expected \"%s\"", path, lineno,
					format);
				ret = -EINVAL;
				goto bad;
			}
			if (c->count == cap) {
				struct credential *k;

				cap = cap ? cap * 2 : 8;
				k = realloc(c->keys, cap * sizeof(*k));
				if (!k) {
					ret = -ENOMEM;
					goto bad;
				}
				c->keys = k;
			}
			c->keys[c->count].id = id;
			c->keys[c->count].secret = secret;
			for (f = 0; f < CREDENTIAL_MAX_EXTRA; f++)
				c->keys[c->count].extra[f] = extra[f];
			c->count++;
		}
		line = nl ? nl + 1 : NULL;
	}
	if (!c->count) {
		log_err("%s: no access key", path);
		ret = -EINVAL;
		goto bad;
	}
	*out = c;
	return 0;
bad:
	credentials_free(c);
	return ret;
}

void credentials_free(struct credentials *c)
{
	if (!c)
		return;
	secmem_free(c->buf);
	free(c->keys);
	free(c);
}

const struct credential *credentials_find(const struct credentials *c,
					  const char *id)
{
	size_t i;

	for (i = 0; i < c->count; i++)
		if (!strcmp(c->keys[i].id, id))
			return &c->keys[i];
	return NULL;
}
