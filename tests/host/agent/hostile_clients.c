// SPDX-License-Identifier: GPL-2.0
/*
 * hostile_clients SOCKET MODE N [ARG]: N clients of the agent at once, each
 * behaving badly in one way, for testing that the agent bounds what they
 * cost.  MODE:
 *
 *   bomb     send a 1 MiB JSON array of {} (what json-c blows up ~270
 *            times), end it, read the answer.  Prints how many answers
 *            contained ARG.
 *   noread   send the request ARG, end it, and never read the answer;
 *            hold the connections until killed.
 *   silent   send nothing and do not end the request; print the answer
 *            of each (waiting at most 10 s) and the ms it took.
 *
 * Exit 0 when every client connected.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BOMB_BYTES	((1 << 20) - 16)	/* what the agent read before: < 1 MiB */
#define MAX_CLIENTS	256

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("hostile_clients: connect");
		exit(1);
	}
	return fd;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Everything the peer sends until it closes (or resets), at most 10 s. */
static size_t read_answer(int fd, char *buf, size_t cap)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long end = now_ms() + 10000;
	size_t len = 0;
	ssize_t n;

	while (len + 1 < cap && poll(&pfd, 1, (int)(end - now_ms())) > 0) {
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

static int bomb(const char *path, int n, const char *want)
{
	static int fds[MAX_CLIENTS];
	char *body = malloc(BOMB_BYTES), answer[4096];
	size_t len = 1;
	int hits = 0;

	if (!body)
		return 1;
	body[0] = '[';
	while (len + 6 <= BOMB_BYTES) {
		memcpy(body + len, "{},", 3);
		len += 3;
	}
	memcpy(body + len, "{}]", 3);
	len += 3;
	for (int i = 0; i < n; i++)
		fds[i] = connect_to(path);
	/* Every client writes its bomb before any reads: all at once. */
	for (size_t off = 0; off < len; off += 65536)
		for (int i = 0; i < n; i++)
			if (fds[i] >= 0 &&
			    send(fds[i], body + off, len - off < 65536 ? len - off : 65536,
				 MSG_NOSIGNAL) < 0) {
				shutdown(fds[i], SHUT_WR);
				fds[i] = -fds[i] - 1;	/* refused: stop writing */
			}
	for (int i = 0; i < n; i++) {
		if (fds[i] < 0)
			fds[i] = -fds[i] - 1;
		shutdown(fds[i], SHUT_WR);
	}
	for (int i = 0; i < n; i++) {
		int fd = fds[i];

		read_answer(fd, answer, sizeof(answer));
		if (strstr(answer, want))
			hits++;
		else
			fprintf(stderr, "answer: %.200s\n", answer);
		close(fd);
	}
	printf("%d\n", hits);
	free(body);
	return 0;
}

static int noread(const char *path, int n, const char *request)
{
	for (int i = 0; i < n; i++) {
		int fd = connect_to(path);

		if (send(fd, request, strlen(request), MSG_NOSIGNAL) < 0)
			perror("hostile_clients: send");
		shutdown(fd, SHUT_WR);
	}
	printf("ready\n");
	fflush(stdout);
	pause();
	return 0;
}

static int silent(const char *path, int n)
{
	char answer[4096];

	for (int i = 0; i < n; i++) {
		long t0 = now_ms();
		int fd = connect_to(path);

		read_answer(fd, answer, sizeof(answer));
		printf("%ld ms: %s\n", now_ms() - t0, answer);
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 3 ? atoi(argv[3]) : 0;

	if (argc < 4 || n < 1 || n > MAX_CLIENTS) {
		fprintf(stderr, "usage: hostile_clients SOCKET bomb|noread|silent N [ARG]\n");
		return 2;
	}
	if (!strcmp(argv[2], "bomb") && argc == 5)
		return bomb(argv[1], n, argv[4]);
	if (!strcmp(argv[2], "noread") && argc == 5)
		return noread(argv[1], n, argv[4]);
	if (!strcmp(argv[2], "silent"))
		return silent(argv[1], n);
	fprintf(stderr, "hostile_clients: bad mode\n");
	return 2;
}
