// SPDX-License-Identifier: GPL-2.0
/* Values as ECS spells them (ecs_format.h). */
#include <errno.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

#include "ecs_format.h"

int ecs_new_id(const char *prefix, char *buf, size_t len)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[20];
	size_t p;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -EIO;
	p = (size_t)snprintf(buf, len, "%s-", prefix);
	if (p + sizeof(rnd) + 1 > len)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < sizeof(rnd); i++)
		buf[p++] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	buf[p] = '\0';
	return 0;
}

struct json_object *ecs_time_json(int64_t t)
{
	time_t s = (time_t)t;
	char buf[32] = "";
	struct tm tm;

	if (t && gmtime_r(&s, &tm))
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_object_new_string(buf);
}
