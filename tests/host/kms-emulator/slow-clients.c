// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded slow-client attack on 127.0.0.1, for tests only:
 *
 *   slow-clients PORT COUNT INTERVAL_MS SECONDS
 *
 * Keeps COUNT connections to 127.0.0.1:PORT open, each sending the start
 * of a request and then one more header line every INTERVAL_MS, never the
 * end of the headers.  A connection the server closes is opened again,
 * half a second later.
 * Stops by itself after SECONDS (and is killed by SIGALRM a little later
 * if it is stuck), then prints one line:
 *
 *   opened N closed_by_server M longest_held_ms L
 *
 * longest_held_ms is the longest time the server kept one connection
 * open, however busily it trickled.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT 4096

#define REOPEN_MS 500

struct slow_conn {
	int fd;
	long opened_ms;
	long reopen_ms;		/* when a closed slot may connect again */
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int open_one(unsigned short port)
{
	static const char start[] = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = 1 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    send(fd, start, sizeof(start) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* True when the server has closed or reset @fd. */
static int closed_by_server(int fd)
{
	char buf[512];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

int main(int argc, char **argv)
{
	static struct slow_conn conns[MAX_COUNT];
	static struct pollfd pfd[MAX_COUNT];
	long opened = 0, closed = 0, longest = 0, end, next_line;
	struct rlimit rl;
	unsigned short port;
	int count, interval, seconds, i;

	if (argc != 5)
		goto usage;
	port = (unsigned short)atoi(argv[1]);
	count = atoi(argv[2]);
	interval = atoi(argv[3]);
	seconds = atoi(argv[4]);
	if (!port || count < 1 || count > MAX_COUNT || interval < 10 ||
	    seconds < 1 || seconds > 120)
		goto usage;
	alarm((unsigned int)seconds + 10);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	end = now_ms() + seconds * 1000L;
	next_line = now_ms() + interval;
	for (i = 0; i < count; i++) {
		conns[i].fd = -1;
		conns[i].reopen_ms = 0;
	}
	while (now_ms() < end) {
		long t = now_ms();

		for (i = 0; i < count; i++) {
			if (conns[i].fd >= 0 || now_ms() >= end ||
			    now_ms() < conns[i].reopen_ms)
				continue;
			conns[i].fd = open_one(port);
			conns[i].opened_ms = now_ms();
			conns[i].reopen_ms = now_ms() + REOPEN_MS;
			opened += conns[i].fd >= 0;
		}
		for (i = 0; i < count; i++) {
			pfd[i].fd = conns[i].fd;
			pfd[i].events = POLLIN;
		}
		poll(pfd, (nfds_t)count, 100);
		t = now_ms();
		for (i = 0; i < count; i++) {
			if (conns[i].fd < 0 || !pfd[i].revents ||
			    !closed_by_server(conns[i].fd))
				continue;
			if (t - conns[i].opened_ms > longest)
				longest = t - conns[i].opened_ms;
			closed++;
			close(conns[i].fd);
			conns[i].fd = -1;
			conns[i].reopen_ms = t + REOPEN_MS;
		}
		if (t >= next_line) {
			for (i = 0; i < count; i++)
				if (conns[i].fd >= 0)
					send(conns[i].fd, "X-Slow: 1\r\n", 11,
					     MSG_NOSIGNAL | MSG_DONTWAIT);
			next_line = t + interval;
		}
	}
	/* Connections still open at the end count as held that long. */
	for (i = 0; i < count; i++) {
		if (conns[i].fd < 0)
			continue;
		if (end - conns[i].opened_ms > longest)
			longest = end - conns[i].opened_ms;
		close(conns[i].fd);
	}
	printf("opened %ld closed_by_server %ld longest_held_ms %ld\n", opened,
	       closed, longest);
	return 0;
usage:
	fprintf(stderr, "usage: slow-clients PORT COUNT INTERVAL_MS SECONDS\n");
	return 2;
}
