// SPDX-License-Identifier: GPL-2.0
/*
 * dm-ecsenc target: table line, messages, status and the map function.
 *
 *   <start> <len> ecsenc <cipher> <key> <iv_offset> <device> <offset>
 *                        [<#opt_params> <opt_params>]
 *
 * See Documentation/admin-guide/dm-ecsenc.rst.
 *
 * Copyright (C) 2026 The ecsenc developers
 */

#include <linux/blkdev.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dm-ecsenc.h"

static bool allow_test_ciphers;
module_param(allow_test_ciphers, bool, 0644);
MODULE_PARM_DESC(allow_test_ciphers,
		 "Accept test-only ciphers in new tables (the null one stores plaintext!)");

static const struct ecsenc_cipher ecsenc_ciphers[] = {
	{ "aes-xts-plain64", "xts(aes)", ECSENC_KEY_SIZE, false },
	{ "capi:xts(aes)-plain64", "xts(aes)", ECSENC_KEY_SIZE, false },
	/* Measures what the target itself costs; stores plaintext. */
	{ "capi:ecb(cipher_null)-plain64", "ecb(cipher_null)", 0, true },
	/*
	 * AES-XTS that always completes asynchronously, through cryptd:
	 * what tests use to exercise the paths for asynchronous ciphers.
	 * A cryptd instance keeps its child's algorithm name, so it can
	 * only be asked for by driver name.
	 */
	{ "capi:cryptd(xts(ecb(aes-generic)))-plain64",
	  "cryptd(xts(ecb(aes-generic)))", ECSENC_KEY_SIZE, true },
};

static void ecsenc_dtr(struct dm_target *ti)
{
	struct ecsenc_config *ec = ti->private;

	if (!ec)
		return;
	ecsenc_wipe_key(ec);
	ecsenc_io_exit(ec);
	if (ec->simd_tfm)
		crypto_free_skcipher(ec->simd_tfm);
	if (ec->tfm)
		crypto_free_skcipher(ec->tfm);
	kfree(ec->key_desc);
	if (ec->dev)
		dm_put_device(ti, ec->dev);
	kfree(ec);
}

static int ecsenc_parse_sector_size(struct dm_target *ti,
				    struct ecsenc_config *ec, const char *arg)
{
	unsigned int size;

	if (kstrtouint(arg, 10, &size) || size < SECTOR_SIZE || size > 4096 ||
	    !is_power_of_2(size)) {
		ti->error = "Invalid sector_size: a power of 2 from 512 to 4096";
		return -EINVAL;
	}
	ec->sector_size = size;
	ec->sector_shift = __ffs(size) - SECTOR_SHIFT;
	return 0;
}

static int ecsenc_parse_options(struct dm_target *ti, struct ecsenc_config *ec,
				struct dm_arg_set *as)
{
	static const struct dm_arg _args[] = {
		{0, 3, "Invalid number of optional parameters"},
	};
	bool sector_size_seen = false;
	unsigned int argc;
	const char *arg;
	int r;

	if (!as->argc)
		return 0;
	r = dm_read_arg_group(_args, as, &argc, &ti->error);
	if (r)
		return r;

	while (argc--) {
		arg = dm_shift_arg(as);
		if (!strcmp(arg, "allow_discards")) {
			if (test_and_set_bit(ECSENC_ALLOW_DISCARDS, &ec->flags))
				goto duplicate;
		} else if (!strcmp(arg, "iv_large_sectors")) {
			if (test_and_set_bit(ECSENC_IV_LARGE_SECTORS, &ec->flags))
				goto duplicate;
		} else if (!strncmp(arg, "sector_size:", 12)) {
			if (sector_size_seen)
				goto duplicate;
			sector_size_seen = true;
			r = ecsenc_parse_sector_size(ti, ec, arg + 12);
			if (r)
				return r;
		} else {
			ti->error = "Unknown optional parameter";
			return -EINVAL;
		}
	}
	if (as->argc) {
		ti->error = "Too many arguments";
		return -EINVAL;
	}

	if (test_bit(ECSENC_IV_LARGE_SECTORS, &ec->flags) &&
	    ec->sector_size == SECTOR_SIZE) {
		ti->error = "iv_large_sectors needs a sector_size above 512";
		return -EINVAL;
	}
	return 0;

duplicate:
	/* dm-flakey's rule: a repeated option is a mistake, not an override. */
	ti->error = "Duplicate optional parameter";
	return -EINVAL;
}

static int ecsenc_find_cipher(struct dm_target *ti, struct ecsenc_config *ec,
			      const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ecsenc_ciphers); i++) {
		if (strcmp(name, ecsenc_ciphers[i].name))
			continue;
		if (ecsenc_ciphers[i].test_only && !allow_test_ciphers) {
			ti->error = "Test-only cipher: needs dm-ecsenc allow_test_ciphers=1";
			return -EINVAL;
		}
		ec->cipher = &ecsenc_ciphers[i];
		return 0;
	}
	ti->error = "Unsupported cipher: aes-xts-plain64 (or capi:xts(aes)-plain64) only";
	return -EINVAL;
}

/*
 * Where @ec->tfm is a SIMD wrapper ("xts-aes-aesni" around the internal
 * "__xts-aes-aesni", as crypto/simd.c registers them), the implementation
 * it calls whenever SIMD is usable, for ecsenc to call itself in that
 * case: the wrapper copies every request into a sub-request and checks
 * the context before passing it on, once per data unit.  Only that exact
 * implementation is taken (the driver name with "__" in front); anything
 * else leaves @ec->simd_tfm NULL and every request to the wrapper.
 */
static void ecsenc_alloc_simd_tfm(struct ecsenc_config *ec)
{
	const char *driver = crypto_skcipher_driver_name(ec->tfm);
	char name[CRYPTO_MAX_ALG_NAME];
	struct crypto_skcipher *tfm;

	/*
	 * The wrapper is asynchronous; a synchronous tfm (no SIMD, or not
	 * x86) has nothing in front of it.  Test ciphers are left as they
	 * are: a failed lookup would ask for a module.
	 */
	if (ec->cipher->test_only ||
	    !(crypto_skcipher_alg(ec->tfm)->base.cra_flags & CRYPTO_ALG_ASYNC))
		return;
	if (snprintf(name, sizeof(name), "__%s", ec->cipher->alg) >= sizeof(name))
		return;
	tfm = crypto_alloc_skcipher(name, CRYPTO_ALG_INTERNAL,
				    CRYPTO_ALG_INTERNAL | CRYPTO_ALG_ASYNC |
				    CRYPTO_ALG_ALLOCATES_MEMORY | CRYPTO_NOLOAD);
	if (IS_ERR(tfm))
		return;
	if (strncmp(crypto_skcipher_driver_name(tfm), "__", 2) ||
	    strcmp(crypto_skcipher_driver_name(tfm) + 2, driver)) {
		crypto_free_skcipher(tfm);
		return;
	}
	ec->simd_tfm = tfm;
}

static int ecsenc_alloc_tfm(struct dm_target *ti, struct ecsenc_config *ec)
{
	/* Refuse implementations that would allocate memory per request. */
	ec->tfm = crypto_alloc_skcipher(ec->cipher->alg, 0,
					CRYPTO_ALG_ALLOCATES_MEMORY);
	if (IS_ERR(ec->tfm)) {
		int r = PTR_ERR(ec->tfm);

		ec->tfm = NULL;
		ti->error = "Cannot allocate the cipher transform";
		return r;
	}
	ecsenc_alloc_simd_tfm(ec);
	if (ec->simd_tfm)
		DMINFO("%s: using %s (%s where SIMD is usable)",
		       dm_table_device_name(ti->table),
		       crypto_skcipher_driver_name(ec->tfm),
		       crypto_skcipher_driver_name(ec->simd_tfm));
	else
		DMINFO("%s: using %s", dm_table_device_name(ti->table),
		       crypto_skcipher_driver_name(ec->tfm));
	return 0;
}

/*
 * Construct an encrypted mapping:
 * <cipher> <key> <iv_offset> <device path> <offset> [<#opts> <opts>...]
 */
static int ecsenc_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct ecsenc_config *ec;
	unsigned long long tmp;
	struct dm_arg_set as;
	unsigned int unit_sectors;
	int r;

	if (argc < 5) {
		ti->error = "Not enough arguments";
		return -EINVAL;
	}

	ec = kzalloc(sizeof(*ec), GFP_KERNEL);
	if (!ec) {
		ti->error = "Cannot allocate ecsenc context";
		return -ENOMEM;
	}
	ti->private = ec;
	ec->sector_size = SECTOR_SIZE;

	r = ecsenc_find_cipher(ti, ec, argv[0]);
	if (r)
		goto bad;

	as.argc = argc - 5;
	as.argv = argv + 5;
	r = ecsenc_parse_options(ti, ec, &as);
	if (r)
		goto bad;
	unit_sectors = ec->sector_size >> SECTOR_SHIFT;

	/* kstrtoull, not sscanf: "%llu" wraps values above 2^64 - 1. */
	r = -EINVAL;
	if (kstrtoull(argv[2], 10, &tmp)) {
		ti->error = "Invalid iv_offset";
		goto bad;
	}
	if (tmp & (unit_sectors - 1)) {
		ti->error = "iv_offset is not a multiple of sector_size";
		goto bad;
	}
	ec->iv_offset = tmp;

	if (kstrtoull(argv[4], 10, &tmp) || tmp != (sector_t)tmp) {
		ti->error = "Invalid device offset";
		goto bad;
	}
	if (tmp & (unit_sectors - 1)) {
		ti->error = "Device offset is not a multiple of sector_size";
		goto bad;
	}
	ec->start = tmp;

	if (ti->len & (unit_sectors - 1)) {
		ti->error = "Mapping length is not a multiple of sector_size";
		goto bad;
	}

	r = dm_get_device(ti, argv[3], dm_table_get_mode(ti->table), &ec->dev);
	if (r) {
		ti->error = "Device lookup failed";
		goto bad;
	}

	r = ecsenc_alloc_tfm(ti, ec);
	if (r)
		goto bad;

	r = ecsenc_set_key(ec, argv[1], &ti->error);
	if (r)
		goto bad;

	r = ecsenc_io_init(ec, dm_table_device_name(ti->table), &ti->error);
	if (r)
		goto bad;

	ec->per_bio_data_size = sizeof(struct ecsenc_io) + ecsenc_reqsize(ec);
	ti->per_io_data_size = ec->per_bio_data_size;
	ti->num_flush_bios = 1;
	if (test_bit(ECSENC_ALLOW_DISCARDS, &ec->flags))
		ti->num_discard_bios = 1;
	return 0;

bad:
	ecsenc_dtr(ti);
	ti->private = NULL;
	return r;
}

static int ecsenc_map(struct dm_target *ti, struct bio *bio)
{
	struct ecsenc_config *ec = ti->private;
	sector_t offset = dm_target_offset(ti, bio->bi_iter.bi_sector);
	unsigned int unit_mask = (ec->sector_size >> SECTOR_SHIFT) - 1;

	bio_set_dev(bio, ec->dev->bdev);
	bio->bi_iter.bi_sector = ec->start + offset;

	/* Flushes and discards carry no data: pass them on as they are. */
	if (unlikely(!bio_has_data(bio)))
		return DM_MAPIO_REMAPPED;

	/* Misaligned I/O is refused, never encrypted with the wrong IV. */
	if (unlikely((offset | bio_sectors(bio)) & unit_mask))
		return DM_MAPIO_KILL;

	if (bio_data_dir(bio) == WRITE)
		return ecsenc_map_write(ec, bio, offset + ec->iv_offset);
	return ecsenc_map_read(ec, bio, offset + ec->iv_offset);
}

static unsigned int ecsenc_nr_options(struct ecsenc_config *ec)
{
	return test_bit(ECSENC_ALLOW_DISCARDS, &ec->flags) +
	       test_bit(ECSENC_IV_LARGE_SECTORS, &ec->flags) +
	       (ec->sector_size != SECTOR_SIZE);
}

static void ecsenc_status(struct dm_target *ti, status_type_t type,
			  unsigned int status_flags, char *result,
			  unsigned int maxlen)
{
	struct ecsenc_config *ec = ti->private;
	unsigned int sz = 0;
	unsigned int nr_opts;

	switch (type) {
	case STATUSTYPE_INFO:
		DMEMIT("%s %s %ld %ld",
		       test_bit(ECSENC_KEY_VALID, &ec->flags) ? "key" : "nokey",
		       crypto_skcipher_driver_name(ec->tfm),
		       ecsenc_bounce_pages(&ec->bounce),
		       ecsenc_bounce_peak(&ec->bounce));
		break;

	case STATUSTYPE_TABLE:
		/* Never the key itself: the keyring reference, or "-". */
		DMEMIT("%s ", ec->cipher->name);
		if (ec->key_desc)
			DMEMIT(":%u:logon:%s", ec->cipher->key_size,
			       ec->key_desc);
		else
			DMEMIT("-");
		DMEMIT(" %llu %s %llu", ec->iv_offset, ec->dev->name,
		       (unsigned long long)ec->start);

		nr_opts = ecsenc_nr_options(ec);
		if (nr_opts)
			DMEMIT(" %u", nr_opts);
		if (test_bit(ECSENC_ALLOW_DISCARDS, &ec->flags))
			DMEMIT(" allow_discards");
		if (ec->sector_size != SECTOR_SIZE)
			DMEMIT(" sector_size:%u", ec->sector_size);
		if (test_bit(ECSENC_IV_LARGE_SECTORS, &ec->flags))
			DMEMIT(" iv_large_sectors");
		break;

	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",cipher=%s,key_type=%s,allow_discards=%c",
		       ec->cipher->name, ec->key_desc ? "logon" : "hex",
		       test_bit(ECSENC_ALLOW_DISCARDS, &ec->flags) ? 'y' : 'n');
		DMEMIT(",sector_size=%u,iv_large_sectors=%c;", ec->sector_size,
		       test_bit(ECSENC_IV_LARGE_SECTORS, &ec->flags) ? 'y' : 'n');
		break;
	}
}

/*
 * Messages, accepted only while the device is suspended:
 *   key wipe
 *   key set <128 hex digits | :64:logon:<description>>
 */
static int ecsenc_message(struct dm_target *ti, unsigned int argc,
			  char **argv, char *result, unsigned int maxlen)
{
	struct ecsenc_config *ec = ti->private;
	char *error = NULL;
	int r;

	if (argc < 2 || strcasecmp(argv[0], "key"))
		goto invalid;

	if (!dm_suspended(ti)) {
		DMWARN("%s: key messages are accepted only while suspended",
		       dm_table_device_name(ti->table));
		return -EINVAL;
	}

	if (argc == 2 && !strcasecmp(argv[1], "wipe")) {
		ecsenc_wipe_key(ec);
		return 0;
	}
	if (argc == 3 && !strcasecmp(argv[1], "set")) {
		r = ecsenc_set_key(ec, argv[2], &error);
		if (r)
			DMWARN("%s: key set: %s", dm_table_device_name(ti->table),
			       error);
		return r;
	}
invalid:
	DMWARN("%s: unrecognised message", dm_table_device_name(ti->table));
	return -EINVAL;
}

static int ecsenc_preresume(struct dm_target *ti)
{
	struct ecsenc_config *ec = ti->private;

	if (!test_bit(ECSENC_KEY_VALID, &ec->flags)) {
		DMERR("%s: resume refused: no key is loaded",
		      dm_table_device_name(ti->table));
		return -EAGAIN;
	}
	return 0;
}

static int ecsenc_iterate_devices(struct dm_target *ti,
				  iterate_devices_callout_fn fn, void *data)
{
	struct ecsenc_config *ec = ti->private;

	return fn(ti, ec->dev, ec->start, ti->len, data);
}

static void ecsenc_io_hints(struct dm_target *ti, struct queue_limits *limits)
{
	struct ecsenc_config *ec = ti->private;

	limits->logical_block_size = max_t(unsigned int,
					   limits->logical_block_size,
					   ec->sector_size);
	limits->physical_block_size = max_t(unsigned int,
					    limits->physical_block_size,
					    ec->sector_size);
	limits->io_min = max_t(unsigned int, limits->io_min, ec->sector_size);
	limits->dma_alignment = limits->logical_block_size - 1;
}

static struct target_type ecsenc_target = {
	.name		= "ecsenc",
	.version	= {1, 0, 0},
	.module		= THIS_MODULE,
	.ctr		= ecsenc_ctr,
	.dtr		= ecsenc_dtr,
	.map		= ecsenc_map,
	.status		= ecsenc_status,
	.message	= ecsenc_message,
	.preresume	= ecsenc_preresume,
	.iterate_devices = ecsenc_iterate_devices,
	.io_hints	= ecsenc_io_hints,
};

static int __init dm_ecsenc_init(void)
{
	ecsenc_io_module_init();
	return dm_register_target(&ecsenc_target);
}

static void __exit dm_ecsenc_exit(void)
{
	dm_unregister_target(&ecsenc_target);
	ecsenc_io_module_exit();
}

module_init(dm_ecsenc_init);
module_exit(dm_ecsenc_exit);

MODULE_AUTHOR("The ecsenc developers");
MODULE_DESCRIPTION(DM_NAME " target for inline AES-256-XTS disk encryption");
MODULE_LICENSE("GPL");
