// SPDX-License-Identifier: GPL-2.0
/*
 * ceph-mon-command: send one command to the Ceph monitors through librados
 * and print the answer.  The ceph CLI is Python, which the test guest does
 * not have; this is the part of it the tests need.
 *
 *   ceph-mon-command [-c CONF] [-n NAME] JSON
 *
 * JSON is the command as the monitors take it, e.g.
 *   {"prefix": "osd pool create", "pool": "rbd", "pg_num": 8}
 * The answer's data goes to stdout, its status text to stderr; the exit
 * status is 0 on success, 1 when the monitors refused (with the error).
 * CONF defaults to librados' own search (CEPH_CONF, /etc/ceph/ceph.conf),
 * NAME to client.admin.
 */
#include <rados/librados.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *conf = NULL, *name = "client.admin";
	char *outbuf = NULL, *outs = NULL;
	size_t outbuf_len = 0, outs_len = 0;
	const char *cmd[1];
	rados_t cluster;
	int opt, ret;

	while ((opt = getopt(argc, argv, "c:n:")) != -1) {
		switch (opt) {
		case 'c': conf = optarg; break;
		case 'n': name = optarg; break;
		default: goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
	cmd[0] = argv[optind];

	ret = rados_create2(&cluster, "ceph", name, 0);
	if (ret < 0) {
		fprintf(stderr, "ceph-mon-command: rados_create2: %s\n", strerror(-ret));
		return 1;
	}
	ret = rados_conf_read_file(cluster, conf);
	if (ret < 0) {
		fprintf(stderr, "ceph-mon-command: reading %s: %s\n",
			conf ? conf : "the ceph config", strerror(-ret));
		return 1;
	}
	rados_conf_parse_env(cluster, NULL);
	ret = rados_connect(cluster);
	if (ret < 0) {
		fprintf(stderr, "ceph-mon-command: connect as %s: %s\n", name, strerror(-ret));
		rados_shutdown(cluster);
		return 1;
	}
	ret = rados_mon_command(cluster, cmd, 1, "", 0, &outbuf, &outbuf_len,
				&outs, &outs_len);
	if (outbuf_len)
		fwrite(outbuf, 1, outbuf_len, stdout);
	if (outs_len)
		fprintf(stderr, "%.*s\n", (int)outs_len, outs);
	if (ret < 0)
		fprintf(stderr, "ceph-mon-command: %s: %s\n", cmd[0], strerror(-ret));
	rados_buffer_free(outbuf);
	rados_buffer_free(outs);
	rados_shutdown(cluster);
	return ret < 0 ? 1 : 0;

usage:
	fprintf(stderr, "usage: ceph-mon-command [-c CONF] [-n NAME] JSON\n");
	return 2;
}
