// SPDX-License-Identifier: GPL-2.0
/*
 * ecsenc_xts_speed: the kernel's own xts(aes) speed, without system calls.
 *
 * Encrypts, then decrypts, data units of 512 and 4096 bytes (one request
 * and one plain64 IV per unit, as dm-ecsenc and dm-crypt do) through the
 * transform dm-ecsenc itself allocates (same algorithm, same mask, so the
 * same driver), for a set time: first on one CPU (the per-CPU limit), then
 * on every online CPU at once (what the machine can do).  It prints one
 * line per case and refuses to stay loaded, as tcrypt's speed mode does:
 *
 *   ecsenc_xts_speed: <driver> cpus <n> unit <bytes> enc <MiB/s> dec <MiB/s>
 *
 * Those are in place, as a read is decrypted.  A write is encrypted out
 * of place, from the caller's pages into bounce pages, so on one CPU
 * that is measured too:
 *
 *   ecsenc_xts_speed: <driver> cpus 1 unit <bytes> enc-copy <MiB/s>
 *
 * Then the test-only null cipher on one CPU, the crypto API's own cost of
 * a data unit: out of place, as a write copies into a bounce page, and in
 * place, as a read is decrypted:
 *
 *   ecsenc_xts_speed: <driver> cpus 1 unit <bytes> copy <MiB/s> inplace <MiB/s>
 *
 * And memcpy() by itself, 4 KiB at a time between two buffers, which is
 * all the null cipher's copy is beneath the crypto API (an emulator may
 * run the kernel's copy loop far slower than a CPU does):
 *
 *   ecsenc_xts_speed: memcpy cpus 1 unit 4096 copy <MiB/s>
 *
 * A benchmark tool under tests/bench/, not part of the product.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/skcipher.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#define SPEED_BUF_SIZE	(64 * 1024)
#define SPEED_KEY_SIZE	64		/* AES-256-XTS: Key1 || Key2 */

static unsigned int msecs = 1000;
module_param(msecs, uint, 0444);
MODULE_PARM_DESC(msecs, "time per case and direction, in milliseconds");

static const unsigned int unit_sizes[] = { 512, 4096 };

struct speed_job {
	struct crypto_skcipher *tfm;	/* shared: setkey done before; NULL: memcpy() */
	unsigned int unit;		/* bytes per request */
	bool encrypt;
	bool copy;			/* out of place, into a second buffer */
	u64 bytes;			/* result: bytes processed */
	u64 ns;				/* result: time taken */
	int err;
	struct completion done;
};

/*
 * The kernel's memcpy(), called through a pointer: the compiler open-codes
 * a direct call ("rep movsl" or "rep movsb" inline), which need not be
 * the copy the kernel itself does, and the null cipher calls the kernel's.
 */
static void *(*kernel_memcpy)(void *to, const void *from, size_t len) = memcpy;

/*
 * Process units of one buffer over and over until the time is up: with
 * @job->tfm one request each, without it (and with @job->copy) a memcpy().
 */
static int speed_run(struct speed_job *job)
{
	u64 budget = (u64)msecs * NSEC_PER_MSEC, start, now;
	void *(*copy)(void *to, const void *from, size_t len);
	struct skcipher_request *req = NULL;
	struct scatterlist sg, sg_out;
	DECLARE_CRYPTO_WAIT(wait);
	u8 *buf, *out = NULL;
	u64 sector = 0;
	__le64 iv[2];
	int r = 0;

	buf = kmalloc(SPEED_BUF_SIZE, GFP_KERNEL);
	if (job->copy)
		out = kmalloc(SPEED_BUF_SIZE, GFP_KERNEL);
	if (job->tfm)
		req = skcipher_request_alloc(job->tfm, GFP_KERNEL);
	if (!buf || (job->tfm && !req) || (job->copy && !out)) {
		r = -ENOMEM;
		goto out;
	}
	get_random_bytes(buf, SPEED_BUF_SIZE);
	if (req)
		skcipher_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
					      crypto_req_done, &wait);
	copy = READ_ONCE(kernel_memcpy);
	start = ktime_get_ns();
	do {
		for (unsigned int off = 0; off < SPEED_BUF_SIZE; off += job->unit) {
			if (!req) {
				copy(out + off, buf + off, job->unit);
				continue;
			}
			iv[0] = cpu_to_le64(sector++);
			iv[1] = 0;
			sg_init_one(&sg, buf + off, job->unit);
			if (out)
				sg_init_one(&sg_out, out + off, job->unit);
			skcipher_request_set_crypt(req, &sg, out ? &sg_out : &sg,
						   job->unit, iv);
			r = crypto_wait_req(job->encrypt ?
					    crypto_skcipher_encrypt(req) :
					    crypto_skcipher_decrypt(req), &wait);
			if (r)
				goto out;
		}
		/* Keep the copies: they are what is measured. */
		barrier_data(out);
		job->bytes += SPEED_BUF_SIZE;
		cond_resched();
		now = ktime_get_ns();
	} while (now - start < budget);
	job->ns = now - start;
out:
	skcipher_request_free(req);
	kfree(out);
	kfree(buf);
	return r;
}

static int speed_thread(void *data)
{
	struct speed_job *job = data;

	job->err = speed_run(job);
	complete(&job->done);
	return 0;
}

static u64 mib_per_s(u64 bytes, u64 ns)
{
	/* MiB/s times ten, for one decimal without floating point */
	return ns ? div64_u64(bytes * 10 * NSEC_PER_SEC, ns) >> 20 : 0;
}

/* One case on @ncpus CPUs at once (1: the current one, no threads). */
static int speed_case(struct crypto_skcipher *tfm, unsigned int unit,
		      bool encrypt, bool copy, unsigned int ncpus, u64 *rate)
{
	struct speed_job *jobs;
	u64 bytes = 0, ns = 0;
	unsigned int i = 0, cpu;
	int r = 0;

	jobs = kcalloc(ncpus, sizeof(*jobs), GFP_KERNEL);
	if (!jobs)
		return -ENOMEM;
	for (i = 0; i < ncpus; i++) {
		jobs[i].tfm = tfm;
		jobs[i].unit = unit;
		jobs[i].encrypt = encrypt;
		jobs[i].copy = copy;
		init_completion(&jobs[i].done);
	}
	if (ncpus == 1) {
		jobs[0].err = speed_run(&jobs[0]);
		complete(&jobs[0].done);
	} else {
		i = 0;
		for_each_online_cpu(cpu) {
			struct task_struct *t;

			if (i == ncpus)
				break;
			t = kthread_create_on_cpu(speed_thread, &jobs[i], cpu,
						  "xts_speed/%u");
			if (IS_ERR(t)) {
				jobs[i].err = PTR_ERR(t);
				complete(&jobs[i].done);
			} else {
				wake_up_process(t);
			}
			i++;
		}
	}
	for (i = 0; i < ncpus; i++) {
		wait_for_completion(&jobs[i].done);
		if (jobs[i].err)
			r = jobs[i].err;
		bytes += jobs[i].bytes;
		ns = max(ns, jobs[i].ns);
	}
	kfree(jobs);
	*rate = mib_per_s(bytes, ns);
	return r;
}

/* The null cipher: what the crypto API costs a data unit by itself. */
static int speed_null(void)
{
	struct crypto_skcipher *tfm;
	u64 copy, inplace;
	int r = 0;

	tfm = crypto_alloc_skcipher("ecb(cipher_null)", 0,
				    CRYPTO_ALG_ALLOCATES_MEMORY);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	for (unsigned int u = 0; u < ARRAY_SIZE(unit_sizes); u++) {
		r = speed_case(tfm, unit_sizes[u], true, true, 1, &copy);
		if (!r)
			r = speed_case(tfm, unit_sizes[u], false, false, 1,
				       &inplace);
		if (r)
			break;
		pr_info("%s cpus 1 unit %u copy %llu.%llu inplace %llu.%llu\n",
			crypto_skcipher_driver_name(tfm), unit_sizes[u],
			copy / 10, copy % 10, inplace / 10, inplace % 10);
	}
	crypto_free_skcipher(tfm);
	return r;
}

/* memcpy() on one CPU, a page at a time, as the null cipher copies. */
static int speed_memcpy(void)
{
	u64 rate;
	int r;

	r = speed_case(NULL, PAGE_SIZE, true, true, 1, &rate);
	if (!r)
		pr_info("memcpy cpus 1 unit %lu copy %llu.%llu\n", PAGE_SIZE,
			rate / 10, rate % 10);
	return r;
}

static int __init speed_init(void)
{
	unsigned int counts[] = { 1, num_online_cpus() };
	struct crypto_skcipher *tfm;
	u8 key[SPEED_KEY_SIZE];
	u64 enc, dec;
	int r;

	/* The mask dm-ecsenc uses: no implementation that allocates per request. */
	tfm = crypto_alloc_skcipher("xts(aes)", 0, CRYPTO_ALG_ALLOCATES_MEMORY);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	get_random_bytes(key, sizeof(key));
	r = crypto_skcipher_setkey(tfm, key, sizeof(key));
	memzero_explicit(key, sizeof(key));
	if (r)
		goto out;
	for (unsigned int c = 0; c < ARRAY_SIZE(counts); c++) {
		if (c && counts[c] == counts[0])
			break;
		for (unsigned int u = 0; u < ARRAY_SIZE(unit_sizes); u++) {
			r = speed_case(tfm, unit_sizes[u], true, false,
				       counts[c], &enc);
			if (!r)
				r = speed_case(tfm, unit_sizes[u], false, false,
					       counts[c], &dec);
			if (r)
				goto out;
			pr_info("%s cpus %u unit %u enc %llu.%llu dec %llu.%llu\n",
				crypto_skcipher_driver_name(tfm), counts[c],
				unit_sizes[u], enc / 10, enc % 10, dec / 10,
				dec % 10);
		}
	}
	for (unsigned int u = 0; u < ARRAY_SIZE(unit_sizes); u++) {
		r = speed_case(tfm, unit_sizes[u], true, true, 1, &enc);
		if (r)
			goto out;
		pr_info("%s cpus 1 unit %u enc-copy %llu.%llu\n",
			crypto_skcipher_driver_name(tfm), unit_sizes[u],
			enc / 10, enc % 10);
	}
	r = speed_null();
	if (!r)
		r = speed_memcpy();
	if (!r)
		r = -EAGAIN;	/* measured: do not stay loaded */
out:
	crypto_free_skcipher(tfm);
	return r;
}

module_init(speed_init);
MODULE_DESCRIPTION("xts(aes) speed in the kernel, for the ecsenc benchmarks");
MODULE_LICENSE("GPL");
