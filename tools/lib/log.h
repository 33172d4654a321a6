/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one logging helper of the ecsenc userspace programs: one line per
 * message on stderr, prefixed with the program name and the level.
 * Never pass a secret to it.
 */
#ifndef ECSENC_LOG_H
#define ECSENC_LOG_H

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_init(const char *progname, enum log_level max_level);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
