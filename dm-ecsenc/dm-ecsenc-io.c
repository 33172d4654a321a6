// SPDX-License-Identifier: GPL-2.0
/*
 * dm-ecsenc bio path.
 *
 * Writes are encrypted in ->map, in the submitter's context, from the
 * caller's pages into bounce pages of a bounded mempool, and the clone
 * carrying them goes straight to the backing device.  Reads are remapped
 * as they are and decrypted in place when they complete: inline when the
 * completion runs in a context that may sleep (brd, loop, any driver that
 * completes in the submitter), otherwise on a workqueue.  No tasklets, no
 * dedicated threads, and no queue hop at all on the common path.
 *
 * Copyright (C) 2026 The ecsenc developers
 */

#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/scatterlist.h>
#include <crypto/skcipher.h>

#include "dm-ecsenc.h"

/* Bounce pages reserved for forward progress: one maximal write. */
#define ECSENC_POOL_MIN_PAGES	ECSENC_MAX_WRITE_PAGES

static void *ecsenc_page_alloc(gfp_t gfp, void *pool_data)
{
	struct ecsenc_config *ec = pool_data;
	struct page *page;
	long n, peak;

	/*
	 * mempool_alloc() asks with __GFP_NORETRY first: past the cap,
	 * fall back to the reserve and wait for writes to complete.
	 */
	if (atomic_long_read(&ec->bounce_pages) >= ec->bounce_limit &&
	    (gfp & __GFP_NORETRY))
		return NULL;

	page = alloc_page(gfp);
	if (!page)
		return NULL;

	n = atomic_long_inc_return(&ec->bounce_pages);
	peak = atomic_long_read(&ec->bounce_peak);
	while (n > peak && !atomic_long_try_cmpxchg(&ec->bounce_peak, &peak, n))
		;
	return page;
}

static void ecsenc_page_free(void *page, void *pool_data)
{
	struct ecsenc_config *ec = pool_data;

	__free_page(page);
	atomic_long_dec(&ec->bounce_pages);
}

/*
 * Encrypt or decrypt the data of @src_iter in @src into @dst at @dst_iter
 * (@dst == @src, same iterator, for in-place decryption), one XTS data unit
 * per request, starting at IV io->iv_sector.
 */
static int ecsenc_crypt(struct ecsenc_io *io, struct bio *src,
			struct bvec_iter src_iter, struct bio *dst,
			struct bvec_iter dst_iter, bool encrypt)
{
	struct ecsenc_config *ec = io->ec;
	struct skcipher_request *req = &io->req;
	unsigned int unit = ec->sector_size;
	u64 iv_sector = io->iv_sector;
	u64 iv_step = test_bit(ECSENC_IV_LARGE_SECTORS, &ec->flags) ?
		      1 : unit >> SECTOR_SHIFT;
	struct scatterlist sg_in, sg_out;
	DECLARE_CRYPTO_WAIT(wait);
	int r;

	if (test_bit(ECSENC_IV_LARGE_SECTORS, &ec->flags))
		iv_sector >>= ec->sector_shift;

	skcipher_request_set_tfm(req, ec->tfm);
	skcipher_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				      CRYPTO_TFM_REQ_MAY_SLEEP,
				      crypto_req_done, &wait);
	sg_init_table(&sg_in, 1);
	sg_init_table(&sg_out, 1);

	while (src_iter.bi_size) {
		struct bio_vec in = bio_iter_iovec(src, src_iter);
		struct bio_vec out = bio_iter_iovec(dst, dst_iter);

		/* A data unit must not straddle pages: reject, never guess. */
		if (unlikely((in.bv_len | in.bv_offset |
			      out.bv_len | out.bv_offset) & (unit - 1)))
			return -EIO;

		sg_set_page(&sg_in, in.bv_page, unit, in.bv_offset);
		sg_set_page(&sg_out, out.bv_page, unit, out.bv_offset);

		memset(io->iv, 0, sizeof(io->iv));
		*(__le64 *)io->iv = cpu_to_le64(iv_sector);
		skcipher_request_set_crypt(req, &sg_in, &sg_out, unit, io->iv);

		r = crypto_wait_req(encrypt ? crypto_skcipher_encrypt(req) :
					      crypto_skcipher_decrypt(req),
				    &wait);
		if (unlikely(r))
			return r;

		bio_advance_iter_single(src, &src_iter, unit);
		bio_advance_iter_single(dst, &dst_iter, unit);
		iv_sector += iv_step;
	}
	return 0;
}

/* ---- reads ---- */

static void ecsenc_read_done(struct ecsenc_io *io, blk_status_t status)
{
	struct bio *bio = io->base_bio;

	bio->bi_end_io = io->orig_end_io;
	bio->bi_status = status;
	bio_endio(bio);
}

static void ecsenc_decrypt_read(struct ecsenc_io *io)
{
	struct bio *bio = io->base_bio;
	int r;

	r = ecsenc_crypt(io, bio, io->iter, bio, io->iter, false);
	ecsenc_read_done(io, errno_to_blk_status(r));
}

static void ecsenc_read_work(struct work_struct *work)
{
	ecsenc_decrypt_read(container_of(work, struct ecsenc_io, work));
}

static void ecsenc_read_end_io(struct bio *bio)
{
	struct ecsenc_io *io = bio->bi_private;

	if (unlikely(bio->bi_status)) {
		ecsenc_read_done(io, bio->bi_status);
		return;
	}
	/*
	 * Completions that arrive where sleeping is allowed are decrypted
	 * right here; hard and soft interrupt completions go to a worker.
	 */
	if (preemptible()) {
		ecsenc_decrypt_read(io);
		return;
	}
	INIT_WORK(&io->work, ecsenc_read_work);
	queue_work(io->ec->read_wq, &io->work);
}

int ecsenc_map_read(struct ecsenc_config *ec, struct bio *bio, u64 iv_sector)
{
	struct ecsenc_io *io = dm_per_bio_data(bio, ec->per_bio_data_size);

	io->ec = ec;
	io->base_bio = bio;
	io->iter = bio->bi_iter;
	io->iv_sector = iv_sector;
	io->orig_end_io = bio->bi_end_io;

	bio->bi_end_io = ecsenc_read_end_io;
	bio->bi_private = io;
	submit_bio_noacct(bio);
	return DM_MAPIO_SUBMITTED;
}

/* ---- writes ---- */

static void ecsenc_free_clone(struct ecsenc_config *ec, struct bio *clone)
{
	struct bvec_iter_all iter_all;
	struct bio_vec *bv;

	bio_for_each_segment_all(bv, clone, iter_all)
		mempool_free(bv->bv_page, &ec->page_pool);
	bio_put(clone);
}

static struct bio *ecsenc_alloc_clone(struct ecsenc_config *ec,
				      struct bio *bio)
{
	unsigned int size = bio->bi_iter.bi_size;
	unsigned int nr_pages = DIV_ROUND_UP(size, PAGE_SIZE);
	gfp_t gfp = GFP_NOWAIT | __GFP_NOWARN;
	struct bio *clone;
	unsigned int i;

retry:
	/*
	 * Only one writer at a time may wait for pages: the pool holds a
	 * full write's worth, so the one that waits is sure to get them.
	 */
	if (gfp & __GFP_DIRECT_RECLAIM)
		mutex_lock(&ec->bounce_lock);

	clone = bio_alloc_bioset(ec->dev->bdev, nr_pages, bio->bi_opf,
				 GFP_NOIO, &ec->bs);
	clone->bi_iter.bi_sector = bio->bi_iter.bi_sector;
	clone->bi_ioprio = bio->bi_ioprio;

	for (i = 0; i < nr_pages; i++) {
		unsigned int len = min_t(unsigned int, size, PAGE_SIZE);
		struct page *page = mempool_alloc(&ec->page_pool, gfp);

		if (!page) {
			ecsenc_free_clone(ec, clone);
			gfp = GFP_NOIO;
			goto retry;
		}
		__bio_add_page(clone, page, len, 0);
		size -= len;
	}

	if (gfp & __GFP_DIRECT_RECLAIM)
		mutex_unlock(&ec->bounce_lock);
	return clone;
}

static void ecsenc_write_end_io(struct bio *clone)
{
	struct ecsenc_io *io = clone->bi_private;
	struct bio *bio = io->base_bio;

	bio->bi_status = clone->bi_status;
	ecsenc_free_clone(io->ec, clone);
	bio_endio(bio);
}

int ecsenc_map_write(struct ecsenc_config *ec, struct bio *bio,
		     u64 iv_sector)
{
	struct ecsenc_io *io = dm_per_bio_data(bio, ec->per_bio_data_size);
	struct bio *clone;
	int r;

	if (bio_sectors(bio) > ECSENC_MAX_WRITE_PAGES << (PAGE_SHIFT - SECTOR_SHIFT))
		dm_accept_partial_bio(bio, ECSENC_MAX_WRITE_PAGES <<
					   (PAGE_SHIFT - SECTOR_SHIFT));

	io->ec = ec;
	io->base_bio = bio;
	io->iv_sector = iv_sector;

	clone = ecsenc_alloc_clone(ec, bio);
	r = ecsenc_crypt(io, bio, bio->bi_iter, clone, clone->bi_iter, true);
	if (unlikely(r)) {
		ecsenc_free_clone(ec, clone);
		bio->bi_status = errno_to_blk_status(r);
		bio_endio(bio);
		return DM_MAPIO_SUBMITTED;
	}

	clone->bi_private = io;
	clone->bi_end_io = ecsenc_write_end_io;
	submit_bio_noacct(clone);
	return DM_MAPIO_SUBMITTED;
}

/* ---- setup ---- */

int ecsenc_io_init(struct ecsenc_config *ec, const char *devname)
{
	int r;

	atomic_long_set(&ec->bounce_pages, 0);
	atomic_long_set(&ec->bounce_peak, 0);
	ec->bounce_limit = max_t(long, totalram_pages() / 16,
				 2 * ECSENC_POOL_MIN_PAGES);
	mutex_init(&ec->bounce_lock);

	r = mempool_init(&ec->page_pool, ECSENC_POOL_MIN_PAGES,
			 ecsenc_page_alloc, ecsenc_page_free, ec);
	if (r)
		return r;

	r = bioset_init(&ec->bs, BIO_POOL_SIZE, 0, BIOSET_NEED_BVECS);
	if (r)
		return r;

	ec->read_wq = alloc_workqueue("ecsenc_read/%s",
				      WQ_HIGHPRI | WQ_MEM_RECLAIM, 0, devname);
	if (!ec->read_wq)
		return -ENOMEM;
	return 0;
}

/* Tolerates a half-initialised @ec. */
void ecsenc_io_exit(struct ecsenc_config *ec)
{
	if (ec->read_wq)
		destroy_workqueue(ec->read_wq);
	bioset_exit(&ec->bs);
	mempool_exit(&ec->page_pool);
}
