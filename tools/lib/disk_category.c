// SPDX-License-Identifier: GPL-2.0
/* ECS disk categories (disk_category.h). */
#include <stdio.h>
#include <string.h>

#include "disk_category.h"

const struct disk_category disk_categories[] = {
	{ "cloud", true, false, "basic disk" },
	{ "cloud_efficiency", true, false, "ultra disk" },
	{ "cloud_ssd", true, false, "standard SSD" },
	{ "san_ssd", true, true, "shared block storage, SSD (MultiAttach)" },
	{ "san_efficiency", true, true, "shared block storage, ultra (MultiAttach)" },
	{ "cloud_essd", false, false, "enhanced SSD (ESSD): not encryptable" },
	{ "cloud_auto", false, false, "ESSD AutoPL: not encryptable" },
	{ "ephemeral_ssd", false, false, "local SSD: not encryptable" },
	{ "local_ssd_pro", false, false, "local SSD (throughput): not encryptable" },
	{ "local_hdd_pro", false, false, "local HDD (throughput): not encryptable" },
};
const size_t n_disk_categories = sizeof(disk_categories) / sizeof(*disk_categories);

const struct disk_category *disk_category_find(const char *name)
{
	for (size_t i = 0; i < n_disk_categories; i++)
		if (!strcmp(disk_categories[i].name, name))
			return &disk_categories[i];
	return NULL;
}

void disk_category_list(char *buf, size_t len, bool encryptable_only)
{
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < n_disk_categories && used < len; i++) {
		if (encryptable_only && !disk_categories[i].encryptable)
			continue;
		used += snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
				 disk_categories[i].name);
	}
}
