// SPDX-License-Identifier: GPL-2.0
/*
 * xts-speed: the kernel's own xts(aes) speed, through AF_ALG, at a given
 * data-unit size: one request (one IV) per unit, as dm-crypt and ecsenc do.
 *
 *   xts-speed [seconds-per-case] [unit ...]     (default 1 s; 512 4096 65536)
 *
 * Prints one line per unit: "<unit> <enc MiB/s> <dec MiB/s> <enc us/unit>
 * <dec us/unit>".  Every request is a system call, so small units include
 * that overhead; the 64 KiB figure is close to the cipher's raw speed.
 */
#include <linux/if_alg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int one(int op, int enc, unsigned char *buf, size_t len, uint64_t sector)
{
	char cbuf[CMSG_SPACE(sizeof(uint32_t)) +
		  CMSG_SPACE(sizeof(struct af_alg_iv) + 16)] = { 0 };
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	struct af_alg_iv *iv;

	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	*(uint32_t *)CMSG_DATA(c) = enc ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(struct af_alg_iv) + 16);
	iv = (struct af_alg_iv *)CMSG_DATA(c);
	iv->ivlen = 16;
	memset(iv->iv, 0, 16);
	memcpy(iv->iv, &sector, sizeof(sector));	/* plain64, x86: LE */

	if (sendmsg(op, &msg, 0) != (ssize_t)len)
		return -1;
	if (read(op, buf, len) != (ssize_t)len)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_alg sa = {
		.salg_family = AF_ALG,
		.salg_type = "skcipher",
		.salg_name = "xts(aes)",
	};
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	static const size_t def_units[] = { 512, 4096, 65536 };
	unsigned char key[64];
	unsigned char *buf;
	int tfm, op, i, nunits;

	for (i = 0; i < 64; i++)
		key[i] = (unsigned char)(i * 37 + 11);
	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0 || bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, sizeof(key))) {
		perror("xts-speed: AF_ALG xts(aes)");
		return 1;
	}
	op = accept(tfm, NULL, 0);
	if (op < 0) {
		perror("xts-speed: accept");
		return 1;
	}
	buf = calloc(1, 65536);
	if (!buf)
		return 1;

	nunits = argc > 2 ? argc - 2 : 3;
	for (i = 0; i < nunits; i++) {
		size_t unit = argc > 2 ? strtoul(argv[i + 2], NULL, 0) :
					 def_units[i];
		double mib[2], us[2];
		int enc;

		if (!unit || unit > 65536 || unit % 16)
			continue;
		for (enc = 1; enc >= 0; enc--) {
			double t0 = now(), t;
			uint64_t n = 0;

			do {
				if (one(op, enc, buf, unit, n)) {
					perror("xts-speed: request");
					return 1;
				}
				n++;
				t = now() - t0;
			} while (t < secs);
			mib[!enc] = n * unit / t / 1048576.0;
			us[!enc] = t / n * 1e6;
		}
		printf("%zu %.1f %.1f %.2f %.2f\n", unit, mib[0], mib[1],
		       us[0], us[1]);
	}
	return 0;
}
