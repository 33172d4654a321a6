// SPDX-License-Identifier: GPL-2.0
/*
 * What the agent lends the plugin (struct backend_host, backend.h).  The
 * plugin's files log with log.h like every ecsenc program; log_msg() here
 * is the plugin's own (hidden) and hands each line to the agent's log, so
 * that it carries the agent's name, time stamp and level filter.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "backend.h"
#include "log.h"
#include "rbd_backend.h"

#define HOST_LINE_MAX	1024

static const struct backend_host *rbd_host;

int rbd_host_set(const struct backend_host *host, char *err, size_t err_len)
{
	if (!host || host->version != BACKEND_HOST_VERSION || !host->log) {
		snprintf(err, err_len,
			 "the rbd backend (interface %u) does not fit this kms-agent (interface %u): install the ecsenc-rbd of the agent's release",
			 BACKEND_HOST_VERSION, host ? host->version : 0);
		return -EPROTO;
	}
	rbd_host = host;
	return 0;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[HOST_LINE_MAX];
	va_list ap;

	if (!rbd_host)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	rbd_host->log(level, line);
}
