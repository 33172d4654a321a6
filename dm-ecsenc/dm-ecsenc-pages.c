// SPDX-License-Identifier: GPL-2.0
/*
 * dm-ecsenc bounce pages: where write ciphertext is built.
 *
 * A mempool keeps one maximal write's worth in reserve, so that writes
 * always make progress, and soft caps bound how many pages a device holds
 * at once and how many all devices hold beyond their reserves: with
 * hundreds of devices written at once, the second keeps the sum bounded
 * (each device alone may still reach its own cap when the others idle).
 * Underneath the mempool sits a small cache of pages that recent writes
 * gave back: a write takes its pages from there before it asks the page
 * allocator.  Bounce pages only ever hold ciphertext, which
 * is on its way to the disk anyway, so a recycled page needs no clearing,
 * whereas a fresh one is cleared by the allocator (init_on_alloc, the
 * Debian default) only to be overwritten at once.  A shrinker gives the
 * cached pages back when memory runs short, and a page is not cached at
 * all while the devices together hold more than half their cap.
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

static struct page *ecsenc_cache_take(struct ecsenc_config *ec)
{
	struct page *page = NULL;
	unsigned long flags;

	spin_lock_irqsave(&ec->cache_lock, flags);
	if (ec->cache_nr) {
		page = list_first_entry(&ec->cache, struct page, lru);
		list_del(&page->lru);
		ec->cache_nr--;
	}
	spin_unlock_irqrestore(&ec->cache_lock, flags);
	return page;
}

static bool ecsenc_cache_give(struct ecsenc_config *ec, struct page *page)
{
	unsigned long flags;
	bool kept = false;

	if (atomic_long_read(&ecsenc_bounce_extra) >
	    ecsenc_bounce_extra_limit() / 2)
		return false;
	spin_lock_irqsave(&ec->cache_lock, flags);
	if (ec->cache_nr < ECSENC_CACHE_MAX_PAGES) {
		list_add(&page->lru, &ec->cache);
		ec->cache_nr++;
		kept = true;
	}
	spin_unlock_irqrestore(&ec->cache_lock, flags);
	return kept;
}

static void ecsenc_page_release(struct ecsenc_config *ec, struct page *page)
{
	__free_page(page);
	if (atomic_long_dec_return(&ec->bounce_pages) >= ECSENC_POOL_MIN_PAGES)
		atomic_long_dec(&ecsenc_bounce_extra);
}

static void *ecsenc_page_alloc(gfp_t gfp, void *pool_data)
{
	struct ecsenc_config *ec = pool_data;
	struct page *page;
	long n, peak;

	page = ecsenc_cache_take(ec);
	if (page)
		return page;

	/*
	 * mempool_alloc() asks with __GFP_NORETRY first: past the cap,
	 * fall back to the reserve and wait for writes to complete.
	 */
	if ((gfp & __GFP_NORETRY) &&
	    (atomic_long_read(&ec->bounce_pages) >= ec->bounce_limit ||
	     atomic_long_read(&ecsenc_bounce_extra) >=
	     ecsenc_bounce_extra_limit()))
		return NULL;

	page = alloc_page(gfp);
	if (!page)
		return NULL;

	n = atomic_long_inc_return(&ec->bounce_pages);
	if (n > ECSENC_POOL_MIN_PAGES)
		atomic_long_inc(&ecsenc_bounce_extra);
	peak = atomic_long_read(&ec->bounce_peak);
	while (n > peak && !atomic_long_try_cmpxchg(&ec->bounce_peak, &peak, n))
		;
	return page;
}

/* Called by mempool_free() once the reserve is full. */
static void ecsenc_page_free(void *page, void *pool_data)
{
	struct ecsenc_config *ec = pool_data;

	if (!ecsenc_cache_give(ec, page))
		ecsenc_page_release(ec, page);
}

static unsigned long ecsenc_cache_count(struct shrinker *shrinker,
					struct shrink_control *sc)
{
	struct ecsenc_config *ec = ecsenc_shrinker_private(shrinker);

	return READ_ONCE(ec->cache_nr) ?: SHRINK_EMPTY;
}

static unsigned long ecsenc_cache_scan(struct shrinker *shrinker,
				       struct shrink_control *sc)
{
	struct ecsenc_config *ec = ecsenc_shrinker_private(shrinker);
	unsigned long freed = 0;
	struct page *page;

	while (freed < sc->nr_to_scan && (page = ecsenc_cache_take(ec))) {
		ecsenc_page_release(ec, page);
		freed++;
	}
	return freed ?: SHRINK_STOP;
}

static void ecsenc_cache_drain(struct ecsenc_config *ec)
{
	struct page *page;

	while ((page = ecsenc_cache_take(ec)))
		ecsenc_page_release(ec, page);
}

int ecsenc_bounce_init(struct ecsenc_config *ec, const char *devname)
{
	int r;

	atomic_long_set(&ec->bounce_pages, 0);
	atomic_long_set(&ec->bounce_peak, 0);
	ec->bounce_limit = max_bounce_pages ?: totalram_pages() / 16;
	ec->bounce_limit = max_t(long, ec->bounce_limit,
				 2 * ECSENC_POOL_MIN_PAGES);
	mutex_init(&ec->bounce_lock);
	spin_lock_init(&ec->cache_lock);
	INIT_LIST_HEAD(&ec->cache);
	ec->cache_nr = 0;

	r = mempool_init(&ec->page_pool, ECSENC_POOL_MIN_PAGES,
			 ecsenc_page_alloc, ecsenc_page_free, ec);
	if (r)
		return r;

	ec->cache_shrinker = ecsenc_shrinker_alloc(devname);
	if (!ec->cache_shrinker)
		return -ENOMEM;
	ec->cache_shrinker->count_objects = ecsenc_cache_count;
	ec->cache_shrinker->scan_objects = ecsenc_cache_scan;
	ec->cache_shrinker->seeks = DEFAULT_SEEKS;
	ecsenc_shrinker_set_private(ec->cache_shrinker, ec);
	return ecsenc_shrinker_register(ec->cache_shrinker);
}

/* Tolerates a half-initialised @ec. */
void ecsenc_bounce_exit(struct ecsenc_config *ec)
{
	ecsenc_shrinker_free(ec->cache_shrinker);
	ec->cache_shrinker = NULL;
	if (!mempool_initialized(&ec->page_pool))
		return;
	/* The reserve goes back through ecsenc_page_free(), into the cache. */
	mempool_exit(&ec->page_pool);
	ecsenc_cache_drain(ec);
}
