// SPDX-License-Identifier: GPL-2.0
/* The connection guard in a libmicrohttpd server (conn_guard_mhd.h). */
#include <netinet/in.h>
#include <sys/socket.h>

#include "conn_guard_mhd.h"

struct conn_slot *conn_guard_mhd_slot(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn,
		MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

void conn_guard_mhd_notify(struct conn_guard *g, struct MHD_Connection *conn,
			   void **socket_context,
			   enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *fd, *addr;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		conn_guard_close(*socket_context);
		*socket_context = NULL;
		return;
	}
	fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	addr = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!fd || !addr || addr->client_addr->sa_family != AF_INET) {
		*socket_context = NULL;
		return;
	}
	*socket_context = conn_guard_accept(g, fd->connect_fd,
		(const struct sockaddr_in *)addr->client_addr);
	if (!*socket_context)
		shutdown(fd->connect_fd, SHUT_RDWR);
}
