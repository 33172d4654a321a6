// SPDX-License-Identifier: GPL-2.0
/*
 * ecsenc-ctl: the operator CLI.  One table of verbs, one table of options;
 * every verb but copy-disk is one request to kms-agent.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_proto.h"
#include "ctl.h"
#include "disk_category.h"
#include "ecs_error.h"
#include "kms_api.h"
#include "log.h"

enum opt_id {
	OPT_SOCKET = 1 << 0, OPT_REGION = 1 << 1, OPT_JSON = 1 << 2,
	OPT_SIZE = 1 << 3, OPT_CATEGORY = 1 << 4, OPT_ENCRYPTED = 1 << 5,
	OPT_KMS_KEY_ID = 1 << 6, OPT_SNAPSHOT_ID = 1 << 7,
	OPT_NO_PROGRESS = 1 << 8, OPT_HELP = 1 << 9, OPT_VERSION = 1 << 13,
	OPT_UNENCRYPTED = 1 << 10, OPT_DEST_REGION = 1 << 11, OPT_DISK_ID = 1 << 12,
	OPT_FORCE = 1 << 20,
};
#define GLOBAL_OPTS (OPT_SOCKET | OPT_REGION | OPT_JSON | OPT_HELP | OPT_VERSION | \
		     OPT_NO_PROGRESS)

/* The one place that declares options. */
static const struct ctl_option {
	const char *name;
	const char *arg;
	enum opt_id id;
	const char *help;
} ctl_options[] = {
	{ "socket", "PATH", OPT_SOCKET, "agent socket (default " AGENT_DEFAULT_SOCKET ")" },
	{ "region", "REGION", OPT_REGION, "region (default: the agent's)" },
	{ "json", NULL, OPT_JSON, "print the answer, or the error, as one JSON object with its RequestId" },
	{ "size", "SIZE", OPT_SIZE, "disk size: bytes or with K, M, G, T (binary)" },
	{ "category", "CAT", OPT_CATEGORY, "disk category (listed below)" },
	{ "encrypted", NULL, OPT_ENCRYPTED, "encrypt the new disk" },
	{ "kms-key-id", "KEY", OPT_KMS_KEY_ID, "CMK for the data key (default " KMS_SERVICE_KEY_ALIAS ")" },
	{ "snapshot-id", "SNAP", OPT_SNAPSHOT_ID, "snapshot to start from" },
	{ "no-progress", NULL, OPT_NO_PROGRESS, "no progress of long operations on a terminal" },
	{ "unencrypted", NULL, OPT_UNENCRYPTED, "an unencrypted disk, refused while encryption by default is on" },
	{ "destination-region", "REGION", OPT_DEST_REGION, "region of the copy (default: the snapshot's)" },
	{ "disk-id", "DISK", OPT_DISK_ID, "only the events of this disk or snapshot" },
	{ "force", NULL, OPT_FORCE, "take the disk from a host that holds it (fences that host)" },
	{ "help", NULL, OPT_HELP, "this help" },
	{ "version", NULL, OPT_VERSION, "print the version and exit" },
};
#define N_OPTIONS (sizeof(ctl_options) / sizeof(*ctl_options))

/* The one table of verbs. */
static const struct ctl_verb {
	const char *name;
	verb_fn fn;
	int min_args, max_args;		/* positional; -1: no limit */
	unsigned int opts;		/* options besides the global ones */
	const char *synopsis;
	const char *help;
} ctl_verbs[] = {
	{ "create-disk", verb_create_disk, 0, 0,
	  OPT_SIZE | OPT_CATEGORY | OPT_ENCRYPTED | OPT_KMS_KEY_ID | OPT_SNAPSHOT_ID |
	  OPT_UNENCRYPTED,
	  "--size SIZE --category CAT [--encrypted | --unencrypted] [--kms-key-id KEY] [--snapshot-id SNAP]",
	  "create a disk; prints its id" },
	{ "attach-disk", verb_attach_disk, 1, 1, OPT_FORCE, "DISK [--force]",
	  "attach a disk; prints the plaintext device" },
	{ "detach-disk", verb_detach_disk, 1, 1, 0, "DISK", "detach a disk" },
	{ "create-snapshot", verb_create_snapshot, 1, 1, 0, "DISK",
	  "snapshot a disk; prints the snapshot id" },
	{ "delete-snapshot", verb_delete_snapshot, 1, 1, 0, "SNAP", "delete a snapshot" },
	{ "reset-disk", verb_reset_disk, 1, 1, OPT_SNAPSHOT_ID, "DISK --snapshot-id SNAP",
	  "roll a detached disk back to one of its snapshots" },
	{ "reinit-disk", verb_reinit_disk, 1, 1, 0, "DISK",
	  "return a detached disk to its initial state" },
	{ "copy-disk", verb_copy_disk, 2, 2, OPT_NO_PROGRESS, "SRC DST",
	  "copy a disk block for block onto another (how to encrypt or decrypt data)" },
	{ "delete-disk", verb_delete_disk, 1, 1, 0, "DISK", "delete a detached disk" },
	{ "describe-disks", verb_describe_disks, 0, -1, 0, "[DISK...]", "list disks" },
	{ "describe-snapshots", verb_describe_snapshots, 0, 0, 0, "", "list snapshots" },
	{ "describe-kms-usage", verb_describe_kms_usage, 0, 0, 0, "",
	  "KMS API calls by region and management operation" },
	{ "kms", verb_kms, 1, -1, 0, "ACTION [Name=Value...]",
	  "one signed KMS call through the agent; JSON out" },
	{ "encrypt-disk", verb_encrypt_in_place, 1, 1, 0, "DISK",
	  "(refused: explains how to encrypt an existing disk's data)" },
	{ "decrypt-disk", verb_encrypt_in_place, 1, 1, 0, "DISK",
	  "(refused: explains how to decrypt an existing disk's data)" },
	{ "rebuild-catalog", verb_rebuild_catalog, 0, 0, 0, "",
	  "rebuild the agent's catalog from the disk headers" },
	{ "rewrap-disk", verb_rewrap, 1, 1, OPT_KMS_KEY_ID, "DISK [--kms-key-id KEY]",
	  "re-wrap a disk's data key under its CMK's current version (KMS ReEncrypt), or under another CMK; prints the key version" },
	{ "rewrap-snapshot", verb_rewrap, 1, 1, OPT_KMS_KEY_ID, "SNAP [--kms-key-id KEY]",
	  "the same for a snapshot" },
	{ "copy-snapshot", verb_copy_snapshot, 1, 1,
	  OPT_KMS_KEY_ID | OPT_DEST_REGION | OPT_ENCRYPTED | OPT_NO_PROGRESS,
	  "SNAP [--kms-key-id KEY] [--destination-region REGION] [--encrypted [--no-progress]]",
	  "copy a snapshot into a new lineage, re-encrypted under KEY or into another region; prints the copy's id" },
	{ "enable-disk-encryption-by-default", verb_default_encryption, 0, 0, 0, "",
	  "encrypt every new disk of the region" },
	{ "disable-disk-encryption-by-default", verb_default_encryption, 0, 0, 0, "",
	  "stop encrypting new disks by default" },
	{ "describe-disk-encryption-by-default-status", verb_default_encryption, 0, 0, 0, "",
	  "whether new disks of the region are encrypted by default: prints true or false" },
	{ "describe-disk-default-kms-key-id", verb_default_encryption, 0, 0, 0, "",
	  "the CMK that encrypts new disks by default" },
	{ "modify-disk-default-kms-key-id", verb_default_encryption, 1, 1, 0, "KEY",
	  "encrypt new disks by default under KEY" },
	{ "reset-disk-default-kms-key-id", verb_default_encryption, 0, 0, 0, "",
	  "encrypt new disks by default under the service key again" },
	{ "describe-audit-events", verb_describe_audit_events, 0, 0, OPT_DISK_ID,
	  "[--disk-id DISK]", "the audit trail of the agent's KMS calls" },
	{ "verify-audit-log", verb_verify_audit_log, 0, 0, 0, "",
	  "check the audit trail's hash chain; names a removed or edited record" },
};
#define N_VERBS (sizeof(ctl_verbs) / sizeof(*ctl_verbs))

static void option_help(FILE *f, const struct ctl_option *opt)
{
	char left[40];

	snprintf(left, sizeof(left), "--%s%s%s", opt->name, opt->arg ? " " : "",
		 opt->arg ? opt->arg : "");
	fprintf(f, "  %-22s %s\n", left, opt->help);
}

static void categories_help(FILE *f)
{
	fprintf(f, "\ndisk categories:\n");
	for (size_t i = 0; i < n_disk_categories; i++)
		fprintf(f, "  %-22s %s\n", disk_categories[i].name,
			disk_categories[i].what);
}

/* ecsenc-ctl VERB --help: what the verb does and the options it takes. */
static void verb_usage(FILE *f, const struct ctl_verb *v)
{
	fprintf(f, "usage: ecsenc-ctl [--socket PATH] [--region REGION] [--json] %s %s\n\n%s\n",
		v->name, v->synopsis, v->help);
	if (v->opts) {
		fprintf(f, "\noptions:\n");
		for (size_t i = 0; i < N_OPTIONS; i++)
			if (ctl_options[i].id & v->opts)
				option_help(f, &ctl_options[i]);
	}
	fprintf(f, "\nglobal options:\n");
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (ctl_options[i].id & GLOBAL_OPTS)
			option_help(f, &ctl_options[i]);
	if (v->opts & OPT_CATEGORY)
		categories_help(f);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ecsenc-ctl [--socket PATH] [--region REGION] [--json] VERB [ARGS]\n\nverbs:\n");
	for (size_t i = 0; i < N_VERBS; i++)
		fprintf(f, "  %s %s\n      %s\n", ctl_verbs[i].name,
			ctl_verbs[i].synopsis, ctl_verbs[i].help);
	fprintf(f, "\noptions:\n");
	for (size_t i = 0; i < N_OPTIONS; i++)
		option_help(f, &ctl_options[i]);
	categories_help(f);
	fprintf(f, "\necsenc-ctl VERB --help describes one verb.\n");
}

/* Bytes, or a number with K, M, G, T (binary; "G", "GB" and "GiB" alike). */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	int shift = 0;
	char *end;

	if (!isdigit((unsigned char)s[0]))	/* strtoull takes "-1" and " 1" */
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (shift && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end)
		return -EINVAL;
	if (v > (AGENT_DISK_SIZE_MAX >> shift) ||
	    ((uint64_t)v << shift) < AGENT_DISK_SIZE_MIN)
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

static int set_option(struct ctl_opts *o, enum opt_id id, const char *arg)
{
	switch (id) {
	case OPT_SOCKET: o->socket = arg; break;
	case OPT_REGION: o->region = arg; break;
	case OPT_JSON: o->json = 1; break;
	case OPT_SIZE:
		switch (parse_size(arg, &o->size)) {
		case 0:
			break;
		case -ERANGE:
			ctl_error("--size %s: a disk is 1 MiB to 32 TiB", arg);
			return -ERANGE;
		default:
			ctl_error("bad --size %s (examples: 64M, 20G, 1073741824)", arg);
			return -EINVAL;
		}
		if (o->size % AGENT_DISK_SIZE_ALIGN) {
			ctl_error("--size %s: a disk size is a multiple of 4096 bytes", arg);
			return -EINVAL;
		}
		break;
	case OPT_CATEGORY: o->category = arg; break;
	case OPT_ENCRYPTED: o->encrypted = 1; break;
	case OPT_FORCE: o->force = 1; break;
	case OPT_KMS_KEY_ID: o->kms_key_id = arg; break;
	case OPT_SNAPSHOT_ID: o->snapshot_id = arg; break;
	case OPT_NO_PROGRESS: o->no_progress = 1; break;
	case OPT_UNENCRYPTED: o->unencrypted = 1; break;
	case OPT_DEST_REGION: o->destination_region = arg; break;
	case OPT_DISK_ID: o->disk_id = arg; break;
	case OPT_HELP: case OPT_VERSION: break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct option longopts[N_OPTIONS + 1];
	struct ctl_opts o = { .socket = AGENT_DEFAULT_SOCKET };
	const struct ctl_verb *verb = NULL;
	unsigned int seen = 0;
	int c, idx;

	char request_id[REQUEST_ID_LEN + 1];

	log_init(argv[0], LOG_LEVEL_WARN);
	log_plain();
	/* How errors are printed is settled first: parse errors are errors too. */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			ctl_output_json(1);
	if (request_id_new(request_id, sizeof(request_id)) == 0)
		ctl_set_request_id(request_id);
	opterr = 0;
	for (size_t i = 0; i < N_OPTIONS; i++)
		longopts[i] = (struct option){ ctl_options[i].name,
			ctl_options[i].arg ? required_argument : no_argument,
			NULL, (int)i + 256 };
	memset(&longopts[N_OPTIONS], 0, sizeof(longopts[0]));
	while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
		if (c == 'h') {
			seen |= OPT_HELP;
			continue;
		}
		if (c < 256) {
			ctl_error("%s: unknown option or missing value (ecsenc-ctl --help lists them)",
				  argv[optind - 1]);
			return CTL_EXIT_USAGE;
		}
		seen |= ctl_options[c - 256].id;
		if (set_option(&o, ctl_options[c - 256].id, optarg) < 0)
			return CTL_EXIT_USAGE;
	}
	if (seen & OPT_VERSION) {
		printf("ecsenc-ctl %s\n", ECSENC_VERSION);
		return CTL_EXIT_OK;
	}
	if (optind >= argc) {
		usage(seen & OPT_HELP ? stdout : stderr);
		return seen & OPT_HELP ? CTL_EXIT_OK : CTL_EXIT_USAGE;
	}
	for (size_t i = 0; i < N_VERBS; i++)
		if (!strcmp(ctl_verbs[i].name, argv[optind]))
			verb = &ctl_verbs[i];
	if (verb && (seen & OPT_HELP)) {
		verb_usage(stdout, verb);
		return CTL_EXIT_OK;
	}
	if (!verb) {
		ctl_error("unknown verb %s (ecsenc-ctl --help lists them)", argv[optind]);
		return CTL_EXIT_USAGE;
	}
	o.verb = verb->name;
	argc -= optind + 1;
	argv += optind + 1;
	if (seen & ~(GLOBAL_OPTS | verb->opts)) {
		for (size_t i = 0; i < N_OPTIONS; i++)
			if (seen & ctl_options[i].id & ~(GLOBAL_OPTS | verb->opts)) {
				ctl_error("%s does not take --%s", verb->name, ctl_options[i].name);
				break;
			}
		return CTL_EXIT_USAGE;
	}
	if (argc < verb->min_args || (verb->max_args >= 0 && argc > verb->max_args)) {
		ctl_error("usage: ecsenc-ctl %s %s", verb->name, verb->synopsis);
		return CTL_EXIT_USAGE;
	}
	return verb->fn(&o, argc, argv) ? ctl_exit_status() : CTL_EXIT_OK;
}
