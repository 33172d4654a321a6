/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dm-ecsenc: every difference between the kernels it builds for, here
 * and nowhere else.  Debian 12 ships 6.1 and, from its security archive,
 * 6.12; each item below names the release that changed the interface.
 * The rest of the target is written against the interfaces defined here.
 *
 * Copyright (C) 2026 The ecsenc developers
 */

#ifndef DM_ECSENC_COMPAT_H
#define DM_ECSENC_COMPAT_H

#include <linux/interrupt.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <linux/workqueue.h>
#include <crypto/skcipher.h>

/*
 * The one test of the kernel's release.  Out of tree, a version test is
 * how a module meets each kernel's interface; checkpatch's rule against
 * LINUX_VERSION_CODE is for in-tree code and is waived for this line only
 * (scripts/checkpatch.sh).
 */
#define ECSENC_KERNEL_SINCE(major, minor) \
	(KERNEL_VERSION(major, minor, 0) <= LINUX_VERSION_CODE)

/*
 * Completion of an asynchronous crypto request.  Since 6.3 the callback
 * gets the data it was registered with; before, the request carrying it.
 * Declare the callback as
 *	void fn(ecsenc_crypto_done_arg *arg, int error)
 * and find the data with ecsenc_crypto_done_data(arg).
 */
#if ECSENC_KERNEL_SINCE(6, 3)
#define ecsenc_crypto_done_arg	void

static inline void *ecsenc_crypto_done_data(void *data)
{
	return data;
}
#else
#define ecsenc_crypto_done_arg	struct crypto_async_request

static inline void *ecsenc_crypto_done_data(struct crypto_async_request *areq)
{
	return areq->data;
}
#endif

/*
 * Shrinkers.  Since 6.7 the shrinker core allocates them
 * (shrinker_alloc(), shrinker_register(), shrinker_free()) and they carry
 * a private_data pointer; before, the caller embedded one and registered
 * it with register_shrinker().  Both look like the 6.7 interface here.
 */
#if ECSENC_KERNEL_SINCE(6, 7)
static inline struct shrinker *ecsenc_shrinker_alloc(const char *devname)
{
	return shrinker_alloc(0, "dm-ecsenc:%s", devname);
}

static inline int ecsenc_shrinker_register(struct shrinker *shrinker)
{
	shrinker_register(shrinker);
	return 0;
}

static inline void *ecsenc_shrinker_private(struct shrinker *shrinker)
{
	return shrinker->private_data;
}

static inline void ecsenc_shrinker_set_private(struct shrinker *shrinker,
					       void *data)
{
	shrinker->private_data = data;
}

static inline void ecsenc_shrinker_free(struct shrinker *shrinker)
{
	shrinker_free(shrinker);
}
#else
/* The shrinker and what 6.7 calls its private_data. */
struct ecsenc_shrinker {
	struct shrinker shrinker;	/* registered with the shrinker core */
	void *private_data;		/* the owner's, for the callbacks */
	char name[64];			/* "dm-ecsenc:<device>", until registered */
	bool registered;		/* register_shrinker() succeeded */
};

static inline struct ecsenc_shrinker *to_ecsenc_shrinker(struct shrinker *s)
{
	return container_of(s, struct ecsenc_shrinker, shrinker);
}

static inline struct shrinker *ecsenc_shrinker_alloc(const char *devname)
{
	struct ecsenc_shrinker *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	snprintf(s->name, sizeof(s->name), "dm-ecsenc:%s", devname);
	return &s->shrinker;
}

static inline int ecsenc_shrinker_register(struct shrinker *shrinker)
{
	struct ecsenc_shrinker *s = to_ecsenc_shrinker(shrinker);
	int r = register_shrinker(shrinker, "%s", s->name);

	s->registered = !r;
	return r;
}

static inline void *ecsenc_shrinker_private(struct shrinker *shrinker)
{
	return to_ecsenc_shrinker(shrinker)->private_data;
}

static inline void ecsenc_shrinker_set_private(struct shrinker *shrinker,
					       void *data)
{
	to_ecsenc_shrinker(shrinker)->private_data = data;
}

static inline void ecsenc_shrinker_free(struct shrinker *shrinker)
{
	struct ecsenc_shrinker *s;

	if (!shrinker)
		return;
	s = to_ecsenc_shrinker(shrinker);
	if (s->registered)
		unregister_shrinker(shrinker);
	kfree(s);
}
#endif

/*
 * Work done in bottom-half (softirq) context on the CPU that asked for
 * it, right after the hard interrupt that asked.  Since 6.9 that is a
 * work item on system_bh_wq, the BH workqueue that replaces tasklets;
 * before, a tasklet.
 */
struct ecsenc_bh;
typedef void (*ecsenc_bh_fn)(struct ecsenc_bh *bh);

struct ecsenc_bh {
#if ECSENC_KERNEL_SINCE(6, 9)
	struct work_struct work;	/* on system_bh_wq */
#else
	struct tasklet_struct tasklet;	/* scheduled on this CPU */
#endif
	ecsenc_bh_fn fn;		/* what runs */
};

#if ECSENC_KERNEL_SINCE(6, 9)
static inline void ecsenc_bh_run(struct work_struct *work)
{
	struct ecsenc_bh *bh = container_of(work, struct ecsenc_bh, work);

	bh->fn(bh);
}

static inline void ecsenc_bh_init(struct ecsenc_bh *bh, ecsenc_bh_fn fn)
{
	bh->fn = fn;
	INIT_WORK(&bh->work, ecsenc_bh_run);
}

/* On this CPU: system_bh_wq is per CPU. */
static inline void ecsenc_bh_schedule(struct ecsenc_bh *bh)
{
	queue_work(system_bh_wq, &bh->work);
}

/* Wait until @bh is neither pending nor running; nothing may queue it. */
static inline void ecsenc_bh_kill(struct ecsenc_bh *bh)
{
	flush_work(&bh->work);
}
#else
static inline void ecsenc_bh_run(struct tasklet_struct *t)
{
	struct ecsenc_bh *bh = from_tasklet(bh, t, tasklet);

	bh->fn(bh);
}

static inline void ecsenc_bh_init(struct ecsenc_bh *bh, ecsenc_bh_fn fn)
{
	bh->fn = fn;
	tasklet_setup(&bh->tasklet, ecsenc_bh_run);
}

static inline void ecsenc_bh_schedule(struct ecsenc_bh *bh)
{
	tasklet_schedule(&bh->tasklet);
}

static inline void ecsenc_bh_kill(struct ecsenc_bh *bh)
{
	tasklet_kill(&bh->tasklet);
}
#endif

#endif /* DM_ECSENC_COMPAT_H */
