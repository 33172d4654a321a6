// SPDX-License-Identifier: GPL-2.0
/*
 * fake_agent SOCKET REPLY...: a stand-in for kms-agent that answers the
 * Nth connection with the Nth REPLY, exactly as given, then exits.  For
 * testing that ecsenc-ctl does not trust the shape of an answer.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	int lfd;

	if (argc < 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: fake_agent SOCKET REPLY...\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 4) < 0) {
		perror("fake_agent");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			return 1;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		if (write(fd, argv[i], strlen(argv[i])) < 0)
			perror("fake_agent: write");
		close(fd);
	}
	close(lfd);
	unlink(argv[1]);
	return 0;
}
