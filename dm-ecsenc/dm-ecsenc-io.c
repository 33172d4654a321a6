// SPDX-License-Identifier: GPL-2.0
/*
 * dm-ecsenc bio path.
 *
 * Writes are encrypted in ->map, in the submitter's context, from the
 * caller's pages into bounce pages (dm-ecsenc-pages.c), and dm's own clone
 * carries the bounce pages to the backing device in place of the caller's:
 * no second bio is allocated, submitted or freed.  Reads are remapped
 * as they are and decrypted in place where they complete: inline when
 * that context may sleep (brd, loop, any driver that completes in the
 * submitter), inline without sleeping in soft interrupt context, and in
 * bottom-half context on the same CPU right after the interrupt (a BH
 * workqueue item, or a tasklet before 6.9) when they complete in hard
 * interrupt context.  No dedicated threads, and no context switch at all
 * for small I/O.  A large bio is shared out: the
 * per-CPU workers of every online CPU take 32 KiB chunks of it until none
 * are left, and the one that finishes the last chunk passes the bio on.
 * One 1 MiB write is encrypted by every CPU rather than by its
 * submitter's alone, a CPU busy with other work takes fewer chunks, and
 * the submitter is free to submit more.
 *
 * A small bio is done inline as long as its submitter waits for it (QD1,
 * or one job per CPU): a hand-over would only add a context switch.
 * When a CPU's submitters keep several bios in flight at once (libaio at
 * QD32), its small bios are handed, a few at a time, to the worker of
 * another CPU, and the submitter does the rest itself: both CPUs decrypt
 * and encrypt, as dm-crypt's kcryptd spreads them, without its hop at QD1.
 * That a CPU's submitters queue up is learnt from the bios themselves:
 * one that arrives while another from the same CPU is still in flight.
 * On a device that completes in the submitter's context (brd) that never
 * happens unless a bio is handed over, so one small bio in 64 is, as a
 * probe, and fewer (down to one in 1024) while probes find no queue.
 *
 * Copyright (C) 2026 The ecsenc developers
 */

#include <linux/interrupt.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/scatterlist.h>
#include <asm/simd.h>
#include <crypto/internal/simd.h>
#include <crypto/skcipher.h>

#include "dm-ecsenc.h"

/*
 * A large bio's run, shared out: one worker per online CPU takes chunks
 * of it until none are left, so a CPU that is busy with something else
 * simply takes fewer, and whichever worker finishes the last chunk passes
 * the bio on.  The job lives until its last worker is done with it.
 */
struct ecsenc_job {
	struct ecsenc_io *io;		/* the bio being shared out */
	struct ecsenc_run run;		/* all of it, as it was handed over */
	atomic_t next;			/* offset of the next chunk to take */
	atomic_t bytes_left;		/* not yet encrypted or decrypted */
	refcount_t users;		/* workers still running */
	int error;			/* first error of any chunk */
	unsigned int worker_size;	/* bytes of each of @workers */
	/* Followed by the workers, each worker_size bytes. */
};

/* One CPU's worker of a job. */
struct ecsenc_worker {
	struct work_struct work;	/* on crypt_wq, on its CPU */
	struct ecsenc_job *job;		/* what it takes chunks of */
	struct scatterlist sg[2];	/* the unit being done: in, out */
	u8 iv[ECSENC_IV_SIZE] __aligned(8); /* plain64 IV being used */
	/* Must stay last: followed by crypto_skcipher_reqsize() bytes. */
	struct skcipher_request req;
};

/* Bios of two chunks or more are shared out among the online CPUs. */
#define ECSENC_CHUNK_BYTES	(32 * 1024)
#define ECSENC_MAX_WORKERS	8

#define ECSENC_JOB_HEAD_SIZE	ALIGN(sizeof(struct ecsenc_job), \
				      __alignof__(struct ecsenc_worker))

static struct ecsenc_worker *ecsenc_job_worker(struct ecsenc_job *job,
					       unsigned int i)
{
	return (void *)job + ECSENC_JOB_HEAD_SIZE + i * job->worker_size;
}

/* Reads that completed in hard interrupt context, for this CPU's BH work. */
struct ecsenc_softirq {
	struct llist_head ios;		/* by ecsenc_io.softirq_node */
	struct ecsenc_bh bh;		/* decrypts them */
};

static DEFINE_PER_CPU(struct ecsenc_softirq, ecsenc_softirq);

static bool share_small = true;
module_param(share_small, bool, 0644);
MODULE_PARM_DESC(share_small,
		 "Hand small bios to other CPUs while the submitter keeps several in flight");

/* The load of one CPU, over every device: what the hand-over decides by. */
struct ecsenc_load {
	atomic_t inflight;		/* bios submitted here, not yet ended */
	atomic_t queued;		/* bios waiting for this CPU's worker */
	unsigned int deep;		/* > 0: submitters here queue bios up */
	unsigned int probe;		/* small bios since the last probe */
	unsigned int probe_every;	/* bios between probes; 0: the least */
};

static DEFINE_PER_CPU(struct ecsenc_load, ecsenc_load);

/* A queue seen this many bios ago still counts. */
#define ECSENC_DEEP_BIOS	16
/*
 * Bios that may wait for one CPU's worker, beyond which the submitter's
 * CPU does them itself: half of what that CPU has in flight, within
 * these bounds.  Reads from a virtio disk at a depth of 32 then go mostly
 * to the helper, while the CPU that runs the submitter also takes the
 * interrupts; at a depth of 4, and on a device that completes in the
 * submitter's context (where only the bios handed over stay in flight),
 * both CPUs keep a share.
 */
#define ECSENC_QUEUE_MIN	2
#define ECSENC_QUEUE_MAX	8
/*
 * Every that many small bios of a shallow CPU, one is handed over; twice
 * as many after each probe that found no queue, up to the most: on a
 * shared host a hand-over may wait for the other vCPU to run at all.
 */
#define ECSENC_PROBE_LEAST	64
#define ECSENC_PROBE_MOST	1024

static void ecsenc_unit_done(ecsenc_crypto_done_arg *arg, int error);

/* Step @run past @bytes of data units, all within its current page. */
static void ecsenc_run_skip(struct ecsenc_run *run, unsigned int bytes)
{
	bvec_iter_advance_single(run->src, &run->src_iter, bytes);
	bvec_iter_advance_single(run->dst, &run->dst_iter, bytes);
	run->iv_sector += bytes >> SECTOR_SHIFT;
}

/*
 * Encrypt or decrypt @run one XTS data unit per request, with @req, the
 * scatterlist pair @sg and the IV buffer @iv, advancing @run as units are
 * done.  Without @async_io the caller sleeps while an asynchronous cipher
 * works.  With it the caller may not sleep: a unit the cipher takes
 * asynchronously makes this return -EINPROGRESS, with @run at that unit,
 * and ecsenc_unit_done() carries on with the rest of @async_io->run when
 * that unit is done.
 *
 * The request is set up once per run and the scatterlists once per page:
 * between the units of a page only the offsets and the IV move.  In
 * place (a read) both sides are one scatterlist.
 */
static int ecsenc_crypt_run(struct ecsenc_config *ec,
			    struct skcipher_request *req,
			    struct scatterlist *sg, u8 *iv,
			    struct ecsenc_run *run,
			    struct ecsenc_io *async_io)
{
	unsigned int unit = ec->sector_size;
	unsigned int iv_shift = test_bit(ECSENC_IV_LARGE_SECTORS, &ec->flags) ?
				ec->sector_shift : 0;
	bool in_place = run->src == run->dst;
	struct scatterlist *out = in_place ? &sg[0] : &sg[1];
	__le64 *iv64 = (__le64 *)iv;
	DECLARE_CRYPTO_WAIT(wait);
	int r;

	/* Where SIMD is usable the wrapper would call simd_tfm: so do we. */
	skcipher_request_set_tfm(req, ec->simd_tfm && crypto_simd_usable() ?
				 ec->simd_tfm : ec->tfm);
	if (async_io)
		skcipher_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
					      ecsenc_unit_done, async_io);
	else
		skcipher_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
					      CRYPTO_TFM_REQ_MAY_SLEEP,
					      crypto_req_done, &wait);
	sg_init_table(&sg[0], 1);
	if (!in_place)
		sg_init_table(&sg[1], 1);
	skcipher_request_set_crypt(req, &sg[0], out, unit, iv);

	while (run->src_iter.bi_size) {
		struct bio_vec in = bvec_iter_bvec(run->src, run->src_iter);
		struct bio_vec to = bvec_iter_bvec(run->dst, run->dst_iter);
		unsigned int len = min(in.bv_len, to.bv_len);
		unsigned int done;

		/* A data unit must not straddle pages: reject, never guess. */
		if (unlikely((in.bv_len | in.bv_offset |
			      to.bv_len | to.bv_offset) & (unit - 1)))
			return -EIO;

		sg_set_page(&sg[0], in.bv_page, unit, in.bv_offset);
		if (!in_place)
			sg_set_page(&sg[1], to.bv_page, unit, to.bv_offset);

		for (done = 0; done < len; done += unit) {
			iv64[0] = cpu_to_le64((run->iv_sector +
					       (done >> SECTOR_SHIFT)) >> iv_shift);
			iv64[1] = 0;

			r = run->encrypt ? crypto_skcipher_encrypt(req) :
					   crypto_skcipher_decrypt(req);
			if (async_io) {
				if (r == -EINPROGRESS || r == -EBUSY) {
					ecsenc_run_skip(run, done);
					return -EINPROGRESS;
				}
			} else {
				r = crypto_wait_req(r, &wait);
			}
			if (unlikely(r))
				return r;

			sg[0].offset += unit;
			if (!in_place)
				sg[1].offset += unit;
		}
		ecsenc_run_skip(run, len);
	}
	return 0;
}

/* An asynchronous cipher finished a unit of an io that may not sleep. */
static void ecsenc_unit_done(ecsenc_crypto_done_arg *arg, int error)
{
	struct ecsenc_io *io = ecsenc_crypto_done_data(arg);

	if (error == -EINPROGRESS)	/* left the backlog; the end follows */
		return;
	if (!error) {
		ecsenc_run_skip(&io->run, io->ec->sector_size);
		error = ecsenc_crypt_run(io->ec, &io->req, io->sg, io->iv,
					 &io->run, io);
		if (error == -EINPROGRESS)
			return;
	}
	io->crypt_done(io, error);
}

/* The chunk of @job->run at byte @offset, @bytes long. */
static void ecsenc_job_chunk(struct ecsenc_job *job, unsigned int offset,
			     unsigned int bytes, struct ecsenc_run *chunk)
{
	*chunk = job->run;
	bvec_iter_advance(chunk->src, &chunk->src_iter, offset);
	bvec_iter_advance(chunk->dst, &chunk->dst_iter, offset);
	chunk->src_iter.bi_size = bytes;
	chunk->dst_iter.bi_size = bytes;
	chunk->iv_sector += offset >> SECTOR_SHIFT;
}

static void ecsenc_worker_fn(struct work_struct *work)
{
	struct ecsenc_worker *w = container_of(work, struct ecsenc_worker, work);
	struct ecsenc_job *job = w->job;
	unsigned int size = job->run.src_iter.bi_size;
	struct ecsenc_io *io = job->io;
	unsigned int offset, bytes;
	struct ecsenc_run chunk;
	int r;

	while ((offset = atomic_fetch_add(ECSENC_CHUNK_BYTES, &job->next)) <
	       size) {
		bytes = min_t(unsigned int, ECSENC_CHUNK_BYTES, size - offset);
		ecsenc_job_chunk(job, offset, bytes, &chunk);
		r = ecsenc_crypt_run(io->ec, &w->req, w->sg, w->iv, &chunk,
				     NULL);
		if (unlikely(r))
			cmpxchg(&job->error, 0, r);
		/* @io may be gone once this is the last chunk. */
		if (atomic_sub_and_test(bytes, &job->bytes_left))
			io->crypt_done(io, READ_ONCE(job->error));
	}
	if (refcount_dec_and_test(&job->users))
		kfree(job);
}

/*
 * Hand a large @io->run to a worker on every online CPU; the one that
 * finishes the last chunk calls @io->crypt_done.  False, with @io->run
 * untouched, when the run is too small to share or the job's memory is
 * not at hand without waiting.
 */
static bool ecsenc_share_out(struct ecsenc_io *io)
{
	struct ecsenc_config *ec = io->ec;
	unsigned int size = io->run.src_iter.bi_size;
	struct ecsenc_job *job;
	unsigned int nr, i;
	int cpu;

	nr = min3(num_online_cpus(), size / ECSENC_CHUNK_BYTES,
		  (unsigned int)ECSENC_MAX_WORKERS);
	if (nr < 2)
		return false;

	job = kmalloc(ECSENC_JOB_HEAD_SIZE + nr * ec->worker_size,
		      GFP_NOWAIT | __GFP_NOWARN);
	if (!job)
		return false;
	job->io = io;
	job->run = io->run;
	atomic_set(&job->next, 0);
	atomic_set(&job->bytes_left, size);
	refcount_set(&job->users, nr);
	job->error = 0;
	job->worker_size = ec->worker_size;

	cpu = raw_smp_processor_id();
	for (i = 0; i < nr; i++) {
		struct ecsenc_worker *w = ecsenc_job_worker(job, i);

		w->job = job;
		INIT_WORK(&w->work, ecsenc_worker_fn);
		queue_work_on(cpu, ec->crypt_wq, &w->work);
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}
	return true;
}

/*
 * Do @io->run here, then call @io->crypt_done.  @may_sleep: the caller's
 * context may sleep (a worker, ->map), so an asynchronous cipher is
 * waited for; otherwise (BH work, a driver's completion) its callback
 * carries on with the run.
 */
static void ecsenc_crypt_here(struct ecsenc_io *io, bool may_sleep)
{
	int r;

	r = ecsenc_crypt_run(io->ec, &io->req, io->sg, io->iv, &io->run,
			     may_sleep ? NULL : io);
	if (r == -EINPROGRESS)
		return;
	io->crypt_done(io, r);
}

/* A bio enters the target on this CPU. */
static void ecsenc_load_enter(struct ecsenc_io *io)
{
	struct ecsenc_load *l;

	io->cpu = raw_smp_processor_id();
	l = per_cpu_ptr(&ecsenc_load, io->cpu);
	if (atomic_inc_return(&l->inflight) > 1) {
		WRITE_ONCE(l->deep, ECSENC_DEEP_BIOS);
		WRITE_ONCE(l->probe_every, 0);
	} else if (READ_ONCE(l->deep)) {
		WRITE_ONCE(l->deep, READ_ONCE(l->deep) - 1);
	}
}

/* ... and leaves it, just before its end_io. */
static void ecsenc_load_leave(struct ecsenc_io *io)
{
	atomic_dec(&per_cpu_ptr(&ecsenc_load, io->cpu)->inflight);
}

static void ecsenc_helper_fn(struct work_struct *work)
{
	struct ecsenc_io *io = container_of(work, struct ecsenc_io, work);

	atomic_dec(&per_cpu_ptr(&ecsenc_load, io->helper)->queued);
	ecsenc_crypt_here(io, true);
}

/*
 * Hand a small @io to the worker of another CPU, when its submitter's CPU
 * has bios queued up (or to probe whether it would), and that CPU has no
 * bios of its own submitters in flight (two jobs, one on each CPU, keep
 * their bios) and fewer than its share waiting for its worker.
 * False: do it here.
 */
static bool ecsenc_hand_over(struct ecsenc_io *io)
{
	struct ecsenc_load *l = per_cpu_ptr(&ecsenc_load, io->cpu);
	int here = raw_smp_processor_id();
	unsigned int max_queued;
	struct ecsenc_load *t;
	int cpu;

	if (!READ_ONCE(share_small) || num_online_cpus() < 2)
		return false;
	if (!READ_ONCE(l->deep)) {
		unsigned int every = READ_ONCE(l->probe_every) ?: ECSENC_PROBE_LEAST;
		unsigned int n = READ_ONCE(l->probe) + 1;

		WRITE_ONCE(l->probe, n < every ? n : 0);
		if (n < every)
			return false;
		WRITE_ONCE(l->probe_every, min(2 * every, ECSENC_PROBE_MOST));
	}

	max_queued = clamp_t(unsigned int, atomic_read(&l->inflight) / 2,
			     ECSENC_QUEUE_MIN, ECSENC_QUEUE_MAX);
	cpu = here;
	do {
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		if (cpu == here)
			return false;
		t = per_cpu_ptr(&ecsenc_load, cpu);
		/* A CPU with submitters of its own is busy with their bios. */
		if (atomic_read(&t->inflight))
			continue;
		if (atomic_inc_return(&t->queued) <= max_queued)
			break;
		atomic_dec(&t->queued);
	} while (true);
	io->helper = cpu;
	INIT_WORK(&io->work, ecsenc_helper_fn);
	queue_work_on(cpu, io->ec->crypt_wq, &io->work);
	return true;
}

static void ecsenc_softirq_fn(struct ecsenc_bh *bh)
{
	struct ecsenc_softirq *q = container_of(bh, struct ecsenc_softirq, bh);
	struct llist_node *list = llist_del_all(&q->ios);
	struct ecsenc_io *io, *next;

	llist_for_each_entry_safe(io, next, llist_reverse_order(list),
				  softirq_node)
		if (!ecsenc_hand_over(io))
			ecsenc_crypt_here(io, false);
}

/* Leave @io to this CPU's BH work, which runs when the interrupt returns. */
static void ecsenc_defer_to_bh(struct ecsenc_io *io)
{
	struct ecsenc_softirq *q = this_cpu_ptr(&ecsenc_softirq);

	if (llist_add(&io->softirq_node, &q->ios))
		ecsenc_bh_schedule(&q->bh);
}

/*
 * Encrypt or decrypt @io->run, then call @io->crypt_done, from process
 * context or from a soft interrupt (@may_sleep says which).  A large run
 * is shared out among the CPUs, a small one handed over or done here.
 */
static void ecsenc_crypt(struct ecsenc_io *io, bool may_sleep)
{
	if (ecsenc_share_out(io))
		return;
	if (!ecsenc_hand_over(io))
		ecsenc_crypt_here(io, may_sleep);
}

/* Hand @io->base_bio back to dm with @status: the end of every bio here. */
static void ecsenc_bio_done(struct ecsenc_io *io, blk_status_t status)
{
	struct bio *bio = io->base_bio;

	bio->bi_end_io = io->orig_end_io;
	bio->bi_status = status;
	ecsenc_load_leave(io);
	bio_endio(bio);
}

/* ---- reads ---- */

static void ecsenc_read_decrypted(struct ecsenc_io *io, int error)
{
	ecsenc_bio_done(io, errno_to_blk_status(error));
}

/*
 * A driver ends a read in whatever context it completes in: the one place
 * here that has to ask.  From hard interrupt context, a small read is
 * left to this CPU's BH work, which runs as soon as the interrupt
 * returns: no context switch, and the data is still in this CPU's cache.
 * Whether it is handed over is decided there, bio by bio: a driver ends a
 * whole batch of bios in one interrupt, and deciding for all of them here
 * would give another CPU only the first few of the batch.  preemptible()
 * is false on a kernel that does not count preemption, which only costs
 * an asynchronous cipher its wait.
 */
static void ecsenc_read_end_io(struct bio *bio)
{
	struct ecsenc_io *io = bio->bi_private;

	if (unlikely(bio->bi_status)) {
		ecsenc_bio_done(io, bio->bi_status);
		return;
	}
	io->crypt_done = ecsenc_read_decrypted;
	if (in_hardirq() || irqs_disabled()) {
		if (!ecsenc_share_out(io))
			ecsenc_defer_to_bh(io);
		return;
	}
	ecsenc_crypt(io, preemptible());
}

int ecsenc_map_read(struct ecsenc_config *ec, struct bio *bio, u64 iv_sector)
{
	struct ecsenc_io *io = dm_per_bio_data(bio, ec->per_bio_data_size);

	io->ec = ec;
	io->base_bio = bio;
	ecsenc_load_enter(io);
	/* The driver consumes bi_iter: keep where the data is. */
	io->run = (struct ecsenc_run) {
		.src = bio->bi_io_vec, .src_iter = bio->bi_iter,
		.dst = bio->bi_io_vec, .dst_iter = bio->bi_iter,
		.iv_sector = iv_sector, .encrypt = false,
	};
	io->orig_end_io = bio->bi_end_io;

	bio->bi_end_io = ecsenc_read_end_io;
	bio->bi_private = io;
	submit_bio_noacct(bio);
	return DM_MAPIO_SUBMITTED;
}

/* ---- writes ---- */

/*
 * A write's ciphertext goes into bounce pages, and dm's clone of the
 * caller's bio carries them: its bvec table, which it shares with the
 * caller's bio, is swapped for one that lists the bounce pages (in the
 * per-bio data up to 16 KiB, from the device's pool above that), as
 * bio_iov_bvec_set() lends a bio a table it does not own, and swapped
 * back before the clone ends.
 */

/* Give the bio its own table back and the bounce pages to the pool. */
static void ecsenc_write_done(struct ecsenc_io *io, blk_status_t status)
{
	struct bio *bio = io->base_bio;

	bio->bi_io_vec = io->plain_vecs;
	bio->bi_vcnt = io->plain_vcnt;
	ecsenc_bounce_put(&io->ec->bounce, io->cipher_vecs,
			  io->nr_cipher_vecs, io->inline_vecs);
	ecsenc_bio_done(io, status);
}

static void ecsenc_write_end_io(struct bio *bio)
{
	struct ecsenc_io *io = bio->bi_private;

	ecsenc_write_done(io, bio->bi_status);
}

static void ecsenc_write_encrypted(struct ecsenc_io *io, int error)
{
	if (unlikely(error)) {
		ecsenc_write_done(io, errno_to_blk_status(error));
		return;
	}
	submit_bio_noacct(io->base_bio);
}

int ecsenc_map_write(struct ecsenc_config *ec, struct bio *bio,
		     u64 iv_sector)
{
	struct ecsenc_io *io = dm_per_bio_data(bio, ec->per_bio_data_size);

	if (bio_sectors(bio) > ECSENC_MAX_WRITE_PAGES << (PAGE_SHIFT - SECTOR_SHIFT))
		dm_accept_partial_bio(bio, ECSENC_MAX_WRITE_PAGES <<
					   (PAGE_SHIFT - SECTOR_SHIFT));

	io->ec = ec;
	io->base_bio = bio;
	ecsenc_load_enter(io);
	io->cipher_vecs = ecsenc_bounce_get(&ec->bounce, bio->bi_iter.bi_size,
					    io->inline_vecs);
	io->nr_cipher_vecs = DIV_ROUND_UP(bio->bi_iter.bi_size, PAGE_SIZE);
	io->run = (struct ecsenc_run) {
		.src = bio->bi_io_vec, .src_iter = bio->bi_iter,
		.dst = io->cipher_vecs,
		.dst_iter = { .bi_size = bio->bi_iter.bi_size },
		.iv_sector = iv_sector, .encrypt = true,
	};

	/* From here on the bio carries the bounce pages. */
	io->plain_vecs = bio->bi_io_vec;
	io->plain_vcnt = bio->bi_vcnt;
	bio->bi_io_vec = io->cipher_vecs;
	bio->bi_vcnt = io->nr_cipher_vecs;
	bio->bi_iter.bi_idx = 0;
	bio->bi_iter.bi_bvec_done = 0;
	io->orig_end_io = bio->bi_end_io;
	bio->bi_end_io = ecsenc_write_end_io;
	bio->bi_private = io;

	io->crypt_done = ecsenc_write_encrypted;
	ecsenc_crypt(io, true);
	return DM_MAPIO_SUBMITTED;
}

/* ---- setup ---- */

int ecsenc_io_init(struct ecsenc_config *ec, const char *devname,
		   char **error)
{
	int r;

	r = ecsenc_bounce_init(&ec->bounce, devname, error);
	if (r)
		return r;

	ec->worker_size = ALIGN(sizeof(struct ecsenc_worker) + ecsenc_reqsize(ec),
				__alignof__(struct ecsenc_worker));
	/*
	 * Normal priority on purpose: a high-priority worker starves the
	 * submitter, whose next I/O then waits for the crypto instead of
	 * overlapping it.
	 */
	ec->crypt_wq = alloc_workqueue("ecsenc_crypt/%s",
				       WQ_MEM_RECLAIM, 0, devname);
	if (!ec->crypt_wq) {
		*error = "Cannot allocate the crypt workqueue";
		return -ENOMEM;
	}
	return 0;
}

/* Tolerates a half-initialised @ec. */
void ecsenc_io_exit(struct ecsenc_config *ec)
{
	if (ec->crypt_wq)
		destroy_workqueue(ec->crypt_wq);
	ecsenc_bounce_exit(&ec->bounce);
}

void ecsenc_io_module_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct ecsenc_softirq *q = per_cpu_ptr(&ecsenc_softirq, cpu);

		init_llist_head(&q->ios);
		ecsenc_bh_init(&q->bh, ecsenc_softirq_fn);
	}
}

/* Every device is gone, so no CPU's BH work has anything left to do. */
void ecsenc_io_module_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		ecsenc_bh_kill(&per_cpu_ptr(&ecsenc_softirq, cpu)->bh);
}
