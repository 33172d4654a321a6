/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one logging helper of the ecsenc userspace programs: one line per
 * message on stderr, prefixed with the program name and the level.
 * Never pass a secret to it.
 */
#ifndef ECSENC_LOG_H
#define ECSENC_LOG_H

/* Prefixed: <syslog.h> has LOG_ERR, LOG_WARNING and LOG_INFO of its own. */
enum log_level {
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

void log_init(const char *progname, enum log_level max_level);
/*
 * For a command a person runs: "prog: message", without the time and the
 * level that a daemon's log wants.
 */
void log_plain(void);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
