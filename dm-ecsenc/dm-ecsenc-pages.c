// SPDX-License-Identifier: GPL-2.0
/*
 * dm-ecsenc bounce pages: where write ciphertext is built.
 *
 * A write gets its bounce pages, and the bvec table that lists them, from
 * ecsenc_bounce_get(), and gives them back with ecsenc_bounce_put(): this
 * file owns struct ecsenc_bounce, and no other file touches its fields.
 *
 * A mempool keeps one maximal write's worth in reserve, so that writes
 * always make progress, and soft caps bound how many pages a device holds
 * at once and how many all devices hold beyond their reserves: with
 * hundreds of devices written at once, the second keeps the sum bounded
 * (each device alone may still reach its own cap when the others idle).
 * Underneath the mempool sits a small cache of pages that recent writes
 * gave back: a write takes its pages from there before it asks the page
 * allocator.  In front of it all, each CPU keeps one free page of each
 * device, taken and given back without a lock or the mempool: a 4 KiB
 * write, the commonest, usually finds its page there.  Bounce pages only
 * ever hold ciphertext, which is on its way to the disk anyway, so a
 * recycled page needs no clearing, whereas a fresh one is cleared by the
 * allocator (init_on_alloc, the Debian default) only to be overwritten at
 * once.  A shrinker gives the cached and stashed pages back when memory
 * runs short, and a page is not cached at all while the devices together
 * hold more than half their cap (a stash holds one page per CPU).
 *
 * Copyright (C) 2026 The ecsenc developers
 */

#include <linux/mm.h>
#include <linux/shrinker.h>

#include "dm-ecsenc.h"

/* Bounce pages reserved for forward progress: one maximal write. */
#define ECSENC_POOL_MIN_PAGES	ECSENC_MAX_WRITE_PAGES

/* Pages kept for reuse: two maximal writes. */
#define ECSENC_CACHE_MAX_PAGES	(2 * ECSENC_MAX_WRITE_PAGES)

/* bvec tables of large writes in reserve, as a bio_set keeps bvecs. */
#define ECSENC_VEC_POOL_MIN	BIO_POOL_SIZE

static unsigned int max_bounce_pages;
module_param(max_bounce_pages, uint, 0644);
MODULE_PARM_DESC(max_bounce_pages,
		 "Bounce pages a new device may hold before writers wait (0: 1/16 of RAM)");

static unsigned int max_bounce_pages_all;
module_param(max_bounce_pages_all, uint, 0644);
MODULE_PARM_DESC(max_bounce_pages_all,
		 "Bounce pages all devices together may hold beyond their reserves (0: 1/8 of RAM)");

/* Bounce pages of every device beyond its reserve (ECSENC_POOL_MIN_PAGES). */
static atomic_long_t ecsenc_bounce_extra = ATOMIC_LONG_INIT(0);

static long ecsenc_bounce_extra_limit(void)
{
	return READ_ONCE(max_bounce_pages_all) ?: totalram_pages() / 8;
}

static struct page *ecsenc_cache_take(struct ecsenc_bounce *b)
{
	struct page *page = NULL;
	unsigned long flags;

	spin_lock_irqsave(&b->cache_lock, flags);
	if (b->cache_nr) {
		page = list_first_entry(&b->cache, struct page, lru);
		list_del(&page->lru);
		b->cache_nr--;
	}
	spin_unlock_irqrestore(&b->cache_lock, flags);
	return page;
}

static bool ecsenc_cache_give(struct ecsenc_bounce *b, struct page *page)
{
	unsigned long flags;
	bool kept = false;

	if (atomic_long_read(&ecsenc_bounce_extra) >
	    ecsenc_bounce_extra_limit() / 2)
		return false;
	spin_lock_irqsave(&b->cache_lock, flags);
	if (b->cache_nr < ECSENC_CACHE_MAX_PAGES) {
		list_add(&page->lru, &b->cache);
		b->cache_nr++;
		kept = true;
	}
	spin_unlock_irqrestore(&b->cache_lock, flags);
	return kept;
}

static void ecsenc_page_release(struct ecsenc_bounce *b, struct page *page)
{
	__free_page(page);
	if (atomic_long_dec_return(&b->pages) >= ECSENC_POOL_MIN_PAGES)
		atomic_long_dec(&ecsenc_bounce_extra);
}

/*
 * This CPU's stashed page, if any.  A page is stashed only while the
 * reserve is full (ecsenc_stash_give()), so the reserve never waits for
 * one; the shrinker and ecsenc_bounce_exit() empty every CPU's.  Hence
 * atomic xchg()/cmpxchg() on the slot, not this_cpu_*(), which are
 * atomic only against this CPU: a writer moved to another CPU in between
 * merely uses that CPU's slot.
 */
static struct page *ecsenc_stash_take(struct ecsenc_bounce *b)
{
	return xchg(raw_cpu_ptr(b->stash), NULL);
}

static bool ecsenc_stash_give(struct ecsenc_bounce *b, struct page *page)
{
	if (READ_ONCE(b->page_pool.curr_nr) < b->page_pool.min_nr)
		return false;
	return !cmpxchg(raw_cpu_ptr(b->stash), NULL, page);
}

/* Release every CPU's stashed page; how many there were. */
static unsigned long ecsenc_stash_drain(struct ecsenc_bounce *b)
{
	unsigned long freed = 0;
	struct page *page;
	int cpu;

	for_each_possible_cpu(cpu) {
		page = xchg(per_cpu_ptr(b->stash, cpu), NULL);
		if (page) {
			ecsenc_page_release(b, page);
			freed++;
		}
	}
	return freed;
}

static unsigned long ecsenc_stash_count(struct ecsenc_bounce *b)
{
	unsigned long n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += !!READ_ONCE(*per_cpu_ptr(b->stash, cpu));
	return n;
}

static void *ecsenc_page_alloc(gfp_t gfp, void *pool_data)
{
	struct ecsenc_bounce *b = pool_data;
	struct page *page;
	long n, peak;

	page = ecsenc_cache_take(b);
	if (page)
		return page;

	/*
	 * mempool_alloc() asks with __GFP_NORETRY first: past the cap,
	 * fall back to the reserve and wait for writes to complete.
	 */
	if ((gfp & __GFP_NORETRY) &&
	    (atomic_long_read(&b->pages) >= b->limit ||
	     atomic_long_read(&ecsenc_bounce_extra) >=
	     ecsenc_bounce_extra_limit()))
		return NULL;

	page = alloc_page(gfp);
	if (!page)
		return NULL;

	n = atomic_long_inc_return(&b->pages);
	if (n > ECSENC_POOL_MIN_PAGES)
		atomic_long_inc(&ecsenc_bounce_extra);
	peak = atomic_long_read(&b->peak);
	while (n > peak && !atomic_long_try_cmpxchg(&b->peak, &peak, n))
		;
	return page;
}

/* Called by mempool_free() once the reserve is full. */
static void ecsenc_page_free(void *page, void *pool_data)
{
	struct ecsenc_bounce *b = pool_data;

	if (!ecsenc_cache_give(b, page))
		ecsenc_page_release(b, page);
}

static void ecsenc_put_pages(struct ecsenc_bounce *b, struct bio_vec *vecs,
			     unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (!ecsenc_stash_give(b, vecs[i].bv_page))
			mempool_free(vecs[i].bv_page, &b->page_pool);
}

/*
 * A bvec table of bounce pages for a write of @size bytes (at most
 * ECSENC_MAX_WRITE_PAGES pages): @inline_vecs, ECSENC_INLINE_VECS entries
 * in the write's per-bio data, when they are enough, else one from the
 * device's pool.  Called from ->map, which may sleep; it does when the
 * pages are not at hand, and so never fails.
 */
struct bio_vec *ecsenc_bounce_get(struct ecsenc_bounce *b, unsigned int size,
				  struct bio_vec *inline_vecs)
{
	unsigned int nr = DIV_ROUND_UP(size, PAGE_SIZE);
	gfp_t gfp = GFP_NOWAIT | __GFP_NOWARN;
	struct bio_vec *vecs;
	unsigned int left, i;

	vecs = nr <= ECSENC_INLINE_VECS ? inline_vecs :
	       mempool_alloc(&b->vec_pool, GFP_NOIO);
retry:
	left = size;
	/*
	 * Only one writer at a time may wait for pages: the pool holds a
	 * full write's worth, so the one that waits is sure to get them.
	 */
	if (gfp & __GFP_DIRECT_RECLAIM)
		mutex_lock(&b->wait_lock);

	for (i = 0; i < nr; i++) {
		unsigned int len = min_t(unsigned int, left, PAGE_SIZE);
		struct page *page = ecsenc_stash_take(b);

		if (!page)
			page = mempool_alloc(&b->page_pool, gfp);

		if (!page) {
			ecsenc_put_pages(b, vecs, i);
			gfp = GFP_NOIO;
			goto retry;
		}
		bvec_set_page(&vecs[i], page, len, 0);
		left -= len;
	}

	if (gfp & __GFP_DIRECT_RECLAIM)
		mutex_unlock(&b->wait_lock);
	return vecs;
}

/* Give back what ecsenc_bounce_get() returned: the table, @nr entries. */
void ecsenc_bounce_put(struct ecsenc_bounce *b, struct bio_vec *vecs,
		       unsigned int nr, const struct bio_vec *inline_vecs)
{
	ecsenc_put_pages(b, vecs, nr);
	if (vecs != inline_vecs)
		mempool_free(vecs, &b->vec_pool);
}

/* Pages held now, the cache included; and the most ever held at once. */
long ecsenc_bounce_pages(struct ecsenc_bounce *b)
{
	return atomic_long_read(&b->pages);
}

long ecsenc_bounce_peak(struct ecsenc_bounce *b)
{
	return atomic_long_read(&b->peak);
}

static unsigned long ecsenc_cache_count(struct shrinker *shrinker,
					struct shrink_control *sc)
{
	struct ecsenc_bounce *b = ecsenc_shrinker_private(shrinker);

	return (READ_ONCE(b->cache_nr) + ecsenc_stash_count(b)) ?: SHRINK_EMPTY;
}

static unsigned long ecsenc_cache_scan(struct shrinker *shrinker,
				       struct shrink_control *sc)
{
	struct ecsenc_bounce *b = ecsenc_shrinker_private(shrinker);
	unsigned long freed = 0;
	struct page *page;

	while (freed < sc->nr_to_scan && (page = ecsenc_cache_take(b))) {
		ecsenc_page_release(b, page);
		freed++;
	}
	if (freed < sc->nr_to_scan)
		freed += ecsenc_stash_drain(b);
	return freed ?: SHRINK_STOP;
}

static void ecsenc_cache_drain(struct ecsenc_bounce *b)
{
	struct page *page;

	while ((page = ecsenc_cache_take(b)))
		ecsenc_page_release(b, page);
}

/* Set up @b, or say in @error why not; ecsenc_bounce_exit() undoes it. */
int ecsenc_bounce_init(struct ecsenc_bounce *b, const char *devname,
		       char **error)
{
	int r;

	atomic_long_set(&b->pages, 0);
	atomic_long_set(&b->peak, 0);
	b->limit = max_bounce_pages ?: totalram_pages() / 16;
	b->limit = max_t(long, b->limit, 2 * ECSENC_POOL_MIN_PAGES);
	mutex_init(&b->wait_lock);
	spin_lock_init(&b->cache_lock);
	INIT_LIST_HEAD(&b->cache);
	b->cache_nr = 0;

	b->stash = alloc_percpu(struct page *);
	if (!b->stash) {
		*error = "Cannot allocate the bounce page stash";
		return -ENOMEM;
	}

	r = mempool_init(&b->page_pool, ECSENC_POOL_MIN_PAGES,
			 ecsenc_page_alloc, ecsenc_page_free, b);
	if (r) {
		*error = "Cannot allocate the bounce page reserve";
		return r;
	}

	r = mempool_init_kmalloc_pool(&b->vec_pool, ECSENC_VEC_POOL_MIN,
				      ECSENC_MAX_WRITE_PAGES *
				      sizeof(struct bio_vec));
	if (r) {
		*error = "Cannot allocate the bounce bvec reserve";
		return r;
	}

	b->shrinker = ecsenc_shrinker_alloc(devname);
	if (!b->shrinker) {
		*error = "Cannot allocate the bounce page shrinker";
		return -ENOMEM;
	}
	b->shrinker->count_objects = ecsenc_cache_count;
	b->shrinker->scan_objects = ecsenc_cache_scan;
	b->shrinker->seeks = DEFAULT_SEEKS;
	ecsenc_shrinker_set_private(b->shrinker, b);
	r = ecsenc_shrinker_register(b->shrinker);
	if (r)
		*error = "Cannot register the bounce page shrinker";
	return r;
}

/* Tolerates a half-initialised @b. */
void ecsenc_bounce_exit(struct ecsenc_bounce *b)
{
	ecsenc_shrinker_free(b->shrinker);
	b->shrinker = NULL;
	mempool_exit(&b->vec_pool);
	if (b->stash) {
		ecsenc_stash_drain(b);
		free_percpu(b->stash);
		b->stash = NULL;
	}
	if (!mempool_initialized(&b->page_pool))
		return;
	/* The reserve goes back through ecsenc_page_free(), into the cache. */
	mempool_exit(&b->page_pool);
	ecsenc_cache_drain(b);
}
