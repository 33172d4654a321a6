// SPDX-License-Identifier: GPL-2.0
/* ECS's names of the states of model.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "model.h"

static const char *const disk_names[DISK_STATUS_COUNT] = {
	[DISK_CREATING] = "Creating",
	[DISK_AVAILABLE] = "Available",
	[DISK_ATTACHING] = "Attaching",
	[DISK_IN_USE] = "In_use",
	[DISK_DETACHING] = "Detaching",
	[DISK_REINITING] = "ReIniting",
	[DISK_RESETTING] = "Resetting",
	[DISK_DELETING] = "Deleting",
};

static const char *const snapshot_names[SNAPSHOT_STATUS_COUNT] = {
	[SNAPSHOT_PROGRESSING] = "progressing",
	[SNAPSHOT_ACCOMPLISHED] = "accomplished",
	[SNAPSHOT_FAILED] = "failed",
	[SNAPSHOT_DELETING] = "deleting",
};

static const char *const instance_names[INSTANCE_STATUS_COUNT] = {
	[INSTANCE_RUNNING] = "Running",
	[INSTANCE_STOPPED] = "Stopped",
};

const char *disk_status_name(enum disk_status s)
{
	return (unsigned int)s < DISK_STATUS_COUNT ? disk_names[s] : "Unknown";
}

const char *snapshot_status_name(enum snapshot_status s)
{
	return (unsigned int)s < SNAPSHOT_STATUS_COUNT ? snapshot_names[s] :
							 "unknown";
}

const char *instance_status_name(enum instance_status s)
{
	return (unsigned int)s < INSTANCE_STATUS_COUNT ? instance_names[s] :
							 "Unknown";
}

static int find(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

int disk_status_parse(const char *name)
{
	return find(disk_names, DISK_STATUS_COUNT, name);
}

int snapshot_status_parse(const char *name)
{
	return find(snapshot_names, SNAPSHOT_STATUS_COUNT, name);
}

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
