// SPDX-License-Identifier: GPL-2.0
/*
 * header_edit STORE FIELD VALUE: rewrite one field of a store's ecsenc
 * header (both copies, with valid checksums), as a hostile or buggy
 * writer could.  FIELD: cipher, object_id, category, data_offset,
 * wrapped_key.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk_header.h"

#define SET_STR(f) snprintf(h.f, sizeof(h.f), "%s", value)

int main(int argc, char **argv)
{
	struct disk_header h;
	const char *field, *value;
	int fd, repaired, r;

	if (argc != 4) {
		fprintf(stderr, "usage: header_edit STORE FIELD VALUE\n");
		return 2;
	}
	field = argv[2];
	value = argv[3];
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || disk_header_read(fd, &h, &repaired) < 0) {
		fprintf(stderr, "header_edit: cannot read the header of %s\n", argv[1]);
		return 1;
	}
	if (!strcmp(field, "cipher"))
		SET_STR(cipher);
	else if (!strcmp(field, "object_id"))
		SET_STR(object_id);
	else if (!strcmp(field, "category"))
		SET_STR(category);
	else if (!strcmp(field, "wrapped_key"))
		SET_STR(wrapped_key);
	else if (!strcmp(field, "data_offset"))
		h.data_offset = strtoull(value, NULL, 0);
	else {
		fprintf(stderr, "header_edit: unknown field %s\n", field);
		return 2;
	}
	r = disk_header_write(fd, &h);
	close(fd);
	return r < 0 ? 1 : 0;
}
