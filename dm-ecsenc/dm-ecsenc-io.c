// SPDX-License-Identifier: GPL-2.0
/*
 * dm-ecsenc bio path.
 *
 * Writes are encrypted in ->map, in the submitter's context, from the
 * caller's pages into bounce pages of a bounded mempool, and the clone
 * carrying them goes straight to the backing device (dm-ecsenc-pages.c
 * keeps the bounce pages).  Reads are remapped
 * as they are and decrypted in place when they complete: inline when the
 * completion runs in a context that may sleep (brd, loop, any driver that
 * completes in the submitter), otherwise on a workqueue.  No tasklets, no
 * dedicated threads, and no queue hop at all for small I/O.  A large bio
 * is cut into shares that the per-CPU workers of every online CPU do at
 * once, and the last share to finish passes the bio on: one 1 MiB write
 * is encrypted by every CPU rather than by its submitter's alone, and the
 * submitter is free to submit more.
 *
 * Copyright (C) 2026 The ecsenc developers
 */

#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/scatterlist.h>
#include <crypto/skcipher.h>

#include "dm-ecsenc.h"

/* A run of consecutive data units to encrypt or decrypt. */
struct ecsenc_run {
	struct bio *src;		/* where the data comes from */
	struct bio *dst;		/* where it goes; == @src in place */
	struct bvec_iter src_iter;	/* the run's bytes in @src */
	struct bvec_iter dst_iter;	/* the same bytes' place in @dst */
	u64 iv_sector;			/* IV of the first unit, 512 B sectors */
	bool encrypt;			/* encrypt, or decrypt */
};

/* A share of a large bio's data units, done by a worker on some CPU. */
struct ecsenc_part {
	struct work_struct work;	/* on crypt_wq, on its CPU */
	struct ecsenc_io *io;		/* the bio this is a share of */
	struct ecsenc_run run;		/* the share */
	u8 iv[ECSENC_IV_SIZE] __aligned(8); /* plain64 IV being used */
	/* Must stay last: followed by crypto_skcipher_reqsize() bytes. */
	struct skcipher_request req;
};

/* Bios this large or larger are shared out among the online CPUs. */
#define ECSENC_PART_MIN_BYTES	(32 * 1024)
#define ECSENC_MAX_PARTS	8

/*
 * Encrypt or decrypt @run one XTS data unit per request, with @req and
 * the IV buffer @iv.
 */
static int ecsenc_crypt_run(struct ecsenc_config *ec,
			    struct skcipher_request *req, u8 *iv,
			    const struct ecsenc_run *run)
{
	unsigned int unit = ec->sector_size;
	struct bvec_iter src_iter = run->src_iter;
	struct bvec_iter dst_iter = run->dst_iter;
	bool large = test_bit(ECSENC_IV_LARGE_SECTORS, &ec->flags);
	u64 iv_sector = large ? run->iv_sector >> ec->sector_shift :
				run->iv_sector;
	u64 iv_step = large ? 1 : unit >> SECTOR_SHIFT;
	struct scatterlist sg_in, sg_out;
	DECLARE_CRYPTO_WAIT(wait);
	int r;

	skcipher_request_set_tfm(req, ec->tfm);
	skcipher_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				      CRYPTO_TFM_REQ_MAY_SLEEP,
				      crypto_req_done, &wait);
	sg_init_table(&sg_in, 1);
	sg_init_table(&sg_out, 1);

	while (src_iter.bi_size) {
		struct bio_vec in = bio_iter_iovec(run->src, src_iter);
		struct bio_vec out = bio_iter_iovec(run->dst, dst_iter);

		/* A data unit must not straddle pages: reject, never guess. */
		if (unlikely((in.bv_len | in.bv_offset |
			      out.bv_len | out.bv_offset) & (unit - 1)))
			return -EIO;

		sg_set_page(&sg_in, in.bv_page, unit, in.bv_offset);
		sg_set_page(&sg_out, out.bv_page, unit, out.bv_offset);

		memset(iv, 0, ECSENC_IV_SIZE);
		*(__le64 *)iv = cpu_to_le64(iv_sector);
		skcipher_request_set_crypt(req, &sg_in, &sg_out, unit, iv);

		r = crypto_wait_req(run->encrypt ?
				    crypto_skcipher_encrypt(req) :
				    crypto_skcipher_decrypt(req), &wait);
		if (unlikely(r))
			return r;

		bio_advance_iter_single(run->src, &src_iter, unit);
		bio_advance_iter_single(run->dst, &dst_iter, unit);
		iv_sector += iv_step;
	}
	return 0;
}

static void ecsenc_part_work(struct work_struct *work)
{
	struct ecsenc_part *part = container_of(work, struct ecsenc_part, work);
	struct ecsenc_io *io = part->io;
	int r;

	r = ecsenc_crypt_run(io->ec, &part->req, part->iv, &part->run);
	kfree(part);
	if (unlikely(r))
		cmpxchg(&io->error, 0, r);
	if (atomic_dec_and_test(&io->shares_left))
		io->crypt_done(io, READ_ONCE(io->error));
}

/* Cut the first @bytes off @rest into @head. */
static void ecsenc_run_split(struct ecsenc_run *rest, unsigned int bytes,
			     struct ecsenc_run *head)
{
	*head = *rest;
	head->src_iter.bi_size = bytes;
	head->dst_iter.bi_size = bytes;
	bio_advance_iter(rest->src, &rest->src_iter, bytes);
	bio_advance_iter(rest->dst, &rest->dst_iter, bytes);
	rest->iv_sector += bytes >> SECTOR_SHIFT;
}

/*
 * Encrypt or decrypt @run, then call @done.  A small run is done right
 * here, in the caller's context, with no queue hop.  A large one is cut
 * into one share per online CPU and handed to those CPUs' workers; the
 * caller returns at once and the last share to finish calls @done.  When
 * the shares' memory is not at hand without waiting, the caller does the
 * whole run itself.
 */
static void ecsenc_crypt(struct ecsenc_io *io, struct ecsenc_run *run,
			 ecsenc_done_fn done)
{
	struct ecsenc_config *ec = io->ec;
	struct ecsenc_part *parts[ECSENC_MAX_PARTS];
	unsigned int size = run->src_iter.bi_size;
	unsigned int nr, share, i;
	int cpu;

	nr = min3(num_online_cpus(), size / ECSENC_PART_MIN_BYTES,
		  (unsigned int)ECSENC_MAX_PARTS);
	if (nr < 2)
		goto inline_run;
	share = round_up(DIV_ROUND_UP(size, nr), ec->sector_size);
	nr = DIV_ROUND_UP(size, share);

	for (i = 0; i < nr; i++) {
		parts[i] = kmalloc(ec->part_size, GFP_NOWAIT | __GFP_NOWARN);
		if (!parts[i])
			goto free_parts;
	}

	io->crypt_done = done;
	io->error = 0;
	atomic_set(&io->shares_left, nr);
	cpu = raw_smp_processor_id();
	for (i = 0; i < nr; i++) {
		parts[i]->io = io;
		ecsenc_run_split(run, min(share, run->src_iter.bi_size),
				 &parts[i]->run);
		INIT_WORK(&parts[i]->work, ecsenc_part_work);
		queue_work_on(cpu, ec->crypt_wq, &parts[i]->work);
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}
	return;

free_parts:
	while (i--)
		kfree(parts[i]);
inline_run:
	done(io, ecsenc_crypt_run(ec, &io->req, io->iv, run));
}

/* ---- reads ---- */

static void ecsenc_read_done(struct ecsenc_io *io, blk_status_t status)
{
	struct bio *bio = io->base_bio;

	bio->bi_end_io = io->orig_end_io;
	bio->bi_status = status;
	bio_endio(bio);
}

static void ecsenc_read_decrypted(struct ecsenc_io *io, int error)
{
	ecsenc_read_done(io, errno_to_blk_status(error));
}

static void ecsenc_decrypt_read(struct ecsenc_io *io)
{
	struct bio *bio = io->base_bio;
	struct ecsenc_run run = {
		.src = bio, .src_iter = io->iter,
		.dst = bio, .dst_iter = io->iter,
		.iv_sector = io->iv_sector, .encrypt = false,
	};

	ecsenc_crypt(io, &run, ecsenc_read_decrypted);
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
	unsigned int nr_pages = DIV_ROUND_UP(bio->bi_iter.bi_size, PAGE_SIZE);
	gfp_t gfp = GFP_NOWAIT | __GFP_NOWARN;
	unsigned int size, i;
	struct bio *clone;

retry:
	size = bio->bi_iter.bi_size;
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

static void ecsenc_write_encrypted(struct ecsenc_io *io, int error)
{
	struct bio *clone = io->clone;
	struct bio *bio = io->base_bio;

	if (unlikely(error)) {
		ecsenc_free_clone(io->ec, clone);
		bio->bi_status = errno_to_blk_status(error);
		bio_endio(bio);
		return;
	}
	clone->bi_private = io;
	clone->bi_end_io = ecsenc_write_end_io;
	submit_bio_noacct(clone);
}

int ecsenc_map_write(struct ecsenc_config *ec, struct bio *bio,
		     u64 iv_sector)
{
	struct ecsenc_io *io = dm_per_bio_data(bio, ec->per_bio_data_size);
	struct ecsenc_run run;

	if (bio_sectors(bio) > ECSENC_MAX_WRITE_PAGES << (PAGE_SHIFT - SECTOR_SHIFT))
		dm_accept_partial_bio(bio, ECSENC_MAX_WRITE_PAGES <<
					   (PAGE_SHIFT - SECTOR_SHIFT));

	io->ec = ec;
	io->base_bio = bio;
	io->iv_sector = iv_sector;

	io->clone = ecsenc_alloc_clone(ec, bio);
	run = (struct ecsenc_run) {
		.src = bio, .src_iter = bio->bi_iter,
		.dst = io->clone, .dst_iter = io->clone->bi_iter,
		.iv_sector = iv_sector, .encrypt = true,
	};
	ecsenc_crypt(io, &run, ecsenc_write_encrypted);
	return DM_MAPIO_SUBMITTED;
}

/* ---- setup ---- */

int ecsenc_io_init(struct ecsenc_config *ec, const char *devname)
{
	int r;

	r = ecsenc_bounce_init(ec, devname);
	if (r)
		return r;

	r = bioset_init(&ec->bs, BIO_POOL_SIZE, 0, BIOSET_NEED_BVECS);
	if (r)
		return r;

	ec->read_wq = alloc_workqueue("ecsenc_read/%s",
				      WQ_HIGHPRI | WQ_MEM_RECLAIM, 0, devname);
	if (!ec->read_wq)
		return -ENOMEM;

	ec->part_size = sizeof(struct ecsenc_part) +
			crypto_skcipher_reqsize(ec->tfm);
	ec->crypt_wq = alloc_workqueue("ecsenc_crypt/%s",
				       WQ_HIGHPRI | WQ_MEM_RECLAIM, 0, devname);
	if (!ec->crypt_wq)
		return -ENOMEM;
	return 0;
}

/* Tolerates a half-initialised @ec. */
void ecsenc_io_exit(struct ecsenc_config *ec)
{
	if (ec->crypt_wq)
		destroy_workqueue(ec->crypt_wq);
	if (ec->read_wq)
		destroy_workqueue(ec->read_wq);
	bioset_exit(&ec->bs);
	ecsenc_bounce_exit(ec);
}
