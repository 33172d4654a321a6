/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dm-ecsenc: a device-mapper target that encrypts every bio inline with
 * AES-256-XTS, on-disk compatible with dm-crypt's aes-xts-plain64.
 *
 * Copyright (C) 2026 The ecsenc developers
 */

#ifndef DM_ECSENC_H
#define DM_ECSENC_H

#include <linux/bio.h>
#include <linux/llist.h>
#include <linux/scatterlist.h>
#include <linux/device-mapper.h>
#include <linux/mempool.h>
#include <linux/mutex.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <crypto/skcipher.h>

#include "dm-ecsenc-compat.h"

#define DM_MSG_PREFIX "ecsenc"

/* XTS with AES-256: Key1 || Key2, IEEE 1619 order. */
#define ECSENC_KEY_SIZE		64
#define ECSENC_IV_SIZE		16

/* Largest write handled in one piece; larger bios are split by dm. */
#define ECSENC_MAX_WRITE_PAGES	BIO_MAX_VECS

/* Bounce pages of a write that fit in its per-bio data: 16 KiB. */
#define ECSENC_INLINE_VECS	4

/* A cipher the table line may name. */
struct ecsenc_cipher {
	const char *name;		/* as written in the table line */
	const char *alg;		/* crypto API algorithm name */
	unsigned int key_size;		/* bytes; 0: no key, written "-" */
	bool test_only;			/* refused unless allow_test_ciphers */
};

/* Bits in ecsenc_config.flags. */
enum ecsenc_flag {
	ECSENC_KEY_VALID,	/* the transform holds the loaded data key */
	ECSENC_IV_LARGE_SECTORS,/* IVs count sector_size units, not 512 B */
	ECSENC_ALLOW_DISCARDS,	/* pass discards to the backing device */
};

/*
 * One device's bounce pages, where its writes build their ciphertext.
 * Owned by dm-ecsenc-pages.c: nothing else touches these fields.
 */
struct ecsenc_bounce {
	mempool_t page_pool;		/* one maximal write's pages in reserve */
	mempool_t vec_pool;		/* bvec tables of writes > 16 KiB */
	struct mutex wait_lock;		/* one writer at a time waits for pages */
	atomic_long_t pages;		/* pages held, @cache included */
	atomic_long_t peak;		/* most pages ever held at once */
	long limit;			/* soft cap on @pages */
	spinlock_t cache_lock;		/* protects @cache and @cache_nr */
	struct list_head cache;		/* free pages, by page->lru */
	unsigned int cache_nr;		/* pages on @cache */
	struct shrinker *shrinker;	/* empties @cache under pressure */
	struct page * __percpu *stash;	/* one free page per CPU, lock-free */
};

/* One mapped device: everything the table line and the messages set. */
struct ecsenc_config {
	const struct ecsenc_cipher *cipher; /* what the table line named */
	struct dm_dev *dev;		/* backing device (ciphertext) */
	sector_t start;			/* data offset on @dev, 512 B sectors */
	u64 iv_offset;			/* added to every IV, 512 B sectors */
	unsigned int sector_size;	/* XTS data unit, bytes (512..4096) */
	unsigned int sector_shift;	/* log2(sector_size / 512) */
	unsigned long flags;		/* enum ecsenc_flag bits */

	struct crypto_skcipher *tfm;	/* @cipher's transform, for all bios */
	/*
	 * The implementation @tfm's SIMD wrapper calls, for bios done where
	 * SIMD is usable (the wrapper's hop costs each data unit about 80
	 * instructions); NULL where @tfm is no such wrapper.  Keyed with @tfm.
	 */
	struct crypto_skcipher *simd_tfm;
	char *key_desc;			/* logon key description, or NULL */

	struct ecsenc_bounce bounce;	/* where writes build ciphertext */

	struct workqueue_struct *crypt_wq; /* workers of large bios, per CPU */
	unsigned int worker_size;	/* bytes of one crypt worker's state */
	unsigned int per_bio_data_size;	/* ti->per_io_data_size */
};

/* Bytes of a cipher request of either transform of @ec. */
static inline unsigned int ecsenc_reqsize(const struct ecsenc_config *ec)
{
	unsigned int n = crypto_skcipher_reqsize(ec->tfm);

	if (ec->simd_tfm)
		n = max(n, crypto_skcipher_reqsize(ec->simd_tfm));
	return n;
}

/* A run of consecutive data units to encrypt or decrypt. */
struct ecsenc_run {
	const struct bio_vec *src;	/* where the data comes from */
	const struct bio_vec *dst;	/* where it goes; == @src in place */
	struct bvec_iter src_iter;	/* the run's bytes in @src */
	struct bvec_iter dst_iter;	/* the same bytes' place in @dst */
	u64 iv_sector;			/* IV of the first unit, 512 B sectors */
	bool encrypt;			/* encrypt, or decrypt */
};

struct ecsenc_io;

/* Called once all of a bio's data units are encrypted or decrypted. */
typedef void (*ecsenc_done_fn)(struct ecsenc_io *io, int error);

/* Per-bio state, embedded in dm's per-bio data (ti->per_io_data_size). */
struct ecsenc_io {
	struct ecsenc_config *ec;	/* the device this bio belongs to */
	struct bio *base_bio;		/* the bio dm handed to ->map */
	struct ecsenc_run run;		/* the data units still to do */
	bio_end_io_t *orig_end_io;	/* @base_bio's end_io */
	struct bio_vec *plain_vecs;	/* writes: @base_bio's own bvecs */
	struct bio_vec *cipher_vecs;	/* writes: the bounce pages, in place */
	unsigned short nr_cipher_vecs;	/* writes: entries of @cipher_vecs */
	unsigned short plain_vcnt;	/* writes: @base_bio's own bi_vcnt */
	struct llist_node softirq_node;	/* waiting for this CPU's BH work */
	struct work_struct work;	/* handed to another CPU's worker */
	unsigned int cpu;		/* submitted there: whose load it counts in */
	unsigned int helper;		/* CPU whose queue it waits on, if handed over */
	ecsenc_done_fn crypt_done;	/* what follows the crypto */
	struct scatterlist sg[2];	/* the unit being done: in, out */
	u8 iv[ECSENC_IV_SIZE] __aligned(8); /* plain64 IV being used */
	struct bio_vec inline_vecs[ECSENC_INLINE_VECS]; /* small writes */
	/* Must stay last: followed by crypto_skcipher_reqsize() bytes. */
	struct skcipher_request req;
};

/* dm-ecsenc-key.c */
int ecsenc_set_key(struct ecsenc_config *ec, char *key_string,
		   char **error);
void ecsenc_wipe_key(struct ecsenc_config *ec);

/* dm-ecsenc-pages.c */
int ecsenc_bounce_init(struct ecsenc_bounce *b, const char *devname,
		       char **error);
void ecsenc_bounce_exit(struct ecsenc_bounce *b);
struct bio_vec *ecsenc_bounce_get(struct ecsenc_bounce *b, unsigned int size,
				  struct bio_vec *inline_vecs);
void ecsenc_bounce_put(struct ecsenc_bounce *b, struct bio_vec *vecs,
		       unsigned int nr, const struct bio_vec *inline_vecs);
long ecsenc_bounce_pages(struct ecsenc_bounce *b);
long ecsenc_bounce_peak(struct ecsenc_bounce *b);

/* dm-ecsenc-io.c */
int ecsenc_io_init(struct ecsenc_config *ec, const char *devname,
		   char **error);
void ecsenc_io_exit(struct ecsenc_config *ec);
void ecsenc_io_module_init(void);
void ecsenc_io_module_exit(void);
int ecsenc_map_read(struct ecsenc_config *ec, struct bio *bio, u64 iv_sector);
int ecsenc_map_write(struct ecsenc_config *ec, struct bio *bio,
		     u64 iv_sector);

#endif /* DM_ECSENC_H */
