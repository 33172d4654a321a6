/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The connection guard (conn_guard.h) in a libmicrohttpd server: the one
 * glue that the KMS emulator and ecs-api share.
 */
#ifndef ECSENC_CONN_GUARD_MHD_H
#define ECSENC_CONN_GUARD_MHD_H

#include <microhttpd.h>

#include "conn_guard.h"

/*
 * For MHD_OPTION_NOTIFY_CONNECTION: every connection is counted against
 * its client and watched; one over its client's share is shut down, and
 * libmicrohttpd reads end-of-stream and closes it.
 */
void conn_guard_mhd_notify(struct conn_guard *g, struct MHD_Connection *conn,
			   void **socket_context,
			   enum MHD_ConnectionNotificationCode toe);
/* The guard's slot of @conn (NULL for one it did not count). */
struct conn_slot *conn_guard_mhd_slot(struct MHD_Connection *conn);

#endif
