// SPDX-License-Identifier: GPL-2.0
/*
 * agent_send SOCKET: send standard input to the agent as one request,
 * exactly as read (malformed or not), and print the reply.  Exit 0 when
 * a reply arrived, 1 when none did.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[65536];
	ssize_t n;
	int fd, got = 0;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: agent_send SOCKET <request\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	signal(SIGPIPE, SIG_IGN);	/* an agent that refuses stops reading */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("agent_send: connect");
		return 1;
	}
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			break;	/* the agent may stop reading: read its answer */
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		fwrite(buf, 1, (size_t)n, stdout);
		got = 1;
	}
	putchar('\n');
	close(fd);
	return got ? 0 : 1;
}
