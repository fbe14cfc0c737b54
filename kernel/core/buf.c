// SPDX-License-Identifier: GPL-2.0
/*
 * Data buffers for commands whose driver brings none (iSCSI, the fake
 * driver of the KUnit suites; the local driver passes the initiator's own
 * scatterlist): a scatterlist of order-0 pages taken from a per-CPU cache
 * of free pages and given back to it when the command is done.
 *
 * A command's pages come from the cache of the CPU it is allocated on and
 * go back to the cache of the CPU it is freed on; each cache holds at most
 * @max_per_cpu pages and the rest go back to the page allocator.  A
 * shrinker empties the caches under memory pressure, so what they hold
 * stays reclaimable.  The scatterlist array itself comes from kmalloc(),
 * whose per-CPU slabs already recycle it.
 *
 * Pages are recycled without clearing: every user fills a buffer (fetched
 * write data, a handler's read) before anything is sent from it, exactly
 * as with fresh pages, which are not cleared either.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/scatterlist.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/version.h>

#include "buf.h"

static unsigned int buf_cache_pages = 1024;
module_param(buf_cache_pages, uint, 0444);
MODULE_PARM_DESC(buf_cache_pages,
		 "free data-buffer pages kept per CPU for reuse (default 1024)");

struct strix_buf_pool strix_buf_pool;

/* Move up to @max pages from @c to @list; returns how many. */
static unsigned int strix_buf_take(struct strix_buf_cache *c,
				   struct list_head *list, unsigned int max)
{
	unsigned int n = 0;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	while (n < max && !list_empty(&c->free)) {
		list_move(c->free.next, list);
		n++;
	}
	c->nr -= n;
	spin_unlock_irqrestore(&c->lock, flags);
	return n;
}

static void strix_buf_put_list(struct list_head *list)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, list, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

/**
 * strix_buf_alloc() - a buffer of @len bytes
 * @pool:  the pool (&strix_buf_pool for commands)
 * @len:   bytes, > 0
 * @gfp:   GFP_KERNEL, or GFP_ATOMIC where the caller may not sleep
 * @nents: set to the number of scatterlist entries
 *
 * Return: a scatterlist of whole pages (the last one cut to fit), to be
 * given back with strix_buf_free(), or NULL.
 */
struct scatterlist *strix_buf_alloc(struct strix_buf_pool *pool, u32 len,
				    gfp_t gfp, unsigned int *nents)
{
	unsigned int n = DIV_ROUND_UP(len, PAGE_SIZE), got, i;
	struct scatterlist *sgl, *sg;
	struct page *page;
	LIST_HEAD(pages);

	if (!len)
		return NULL;
	sgl = kmalloc_array(n, sizeof(*sgl), gfp);
	if (!sgl)
		return NULL;
	sg_init_table(sgl, n);

	/* raw: the cache is locked, so a migration only means another CPU's */
	got = strix_buf_take(raw_cpu_ptr(pool->caches), &pages, n);
	for (; got < n; got++) {
		page = alloc_page(gfp);
		if (!page) {
			strix_buf_put_list(&pages);
			kfree(sgl);
			return NULL;
		}
		list_add(&page->lru, &pages);
	}

	i = 0;
	for_each_sg(sgl, sg, n, i) {
		page = list_first_entry(&pages, struct page, lru);
		list_del(&page->lru);
		sg_set_page(sg, page, min_t(u32, len, PAGE_SIZE), 0);
		len -= sg->length;
	}
	*nents = n;
	return sgl;
}
EXPORT_SYMBOL_GPL(strix_buf_alloc);

/**
 * strix_buf_free() - give back a buffer from strix_buf_alloc()
 * @pool:  the pool it came from
 * @sgl:   the scatterlist (NULL: nothing)
 * @nents: its entries
 *
 * May be called in any context.
 */
void strix_buf_free(struct strix_buf_pool *pool, struct scatterlist *sgl,
		    unsigned int nents)
{
	struct strix_buf_cache *c = raw_cpu_ptr(pool->caches);
	struct scatterlist *sg;
	unsigned long flags;
	LIST_HEAD(extra);
	unsigned int i;

	if (!sgl)
		return;
	spin_lock_irqsave(&c->lock, flags);
	for_each_sg(sgl, sg, nents, i) {
		struct page *page = sg_page(sg);

		/*
		 * A page someone else still holds (a zero-copy send that TCP
		 * has not had acknowledged yet) must not be handed out again:
		 * drop our reference and let the last holder free it.
		 */
		if (page_ref_count(page) != 1) {
			put_page(page);
			continue;
		}
		if (c->nr < pool->max_per_cpu) {
			list_add(&page->lru, &c->free);
			c->nr++;
		} else {
			list_add(&page->lru, &extra);
		}
	}
	spin_unlock_irqrestore(&c->lock, flags);
	strix_buf_put_list(&extra);
	kfree(sgl);
}
EXPORT_SYMBOL_GPL(strix_buf_free);

/**
 * strix_buf_pool_cached() - pages the pool holds for reuse, all CPUs
 * @pool: the pool
 */
unsigned long strix_buf_pool_cached(struct strix_buf_pool *pool)
{
	unsigned long n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(per_cpu_ptr(pool->caches, cpu)->nr);
	return n;
}
EXPORT_SYMBOL_GPL(strix_buf_pool_cached);

/**
 * strix_buf_pool_shrink() - free up to @max cached pages
 * @pool: the pool
 * @max:  how many at most (ULONG_MAX: all)
 *
 * Return: how many were freed.
 */
unsigned long strix_buf_pool_shrink(struct strix_buf_pool *pool,
				    unsigned long max)
{
	unsigned long freed = 0;
	LIST_HEAD(pages);
	int cpu;

	for_each_possible_cpu(cpu) {
		if (freed >= max)
			break;
		freed += strix_buf_take(per_cpu_ptr(pool->caches, cpu), &pages,
					min_t(unsigned long, max - freed, UINT_MAX));
		strix_buf_put_list(&pages);
	}
	return freed;
}
EXPORT_SYMBOL_GPL(strix_buf_pool_shrink);

static struct strix_buf_pool *strix_buf_pool_of(struct shrinker *s)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	return s->private_data;
#else
	return container_of(s, struct strix_buf_pool, shrinker);
#endif
}

static unsigned long strix_buf_count(struct shrinker *s,
				     struct shrink_control *sc)
{
	struct strix_buf_pool *pool = strix_buf_pool_of(s);
	unsigned long n = strix_buf_pool_cached(pool);

	return n ? n : SHRINK_EMPTY;
}

static unsigned long strix_buf_scan(struct shrinker *s,
				    struct shrink_control *sc)
{
	struct strix_buf_pool *pool = strix_buf_pool_of(s);
	unsigned long n = strix_buf_pool_shrink(pool, sc->nr_to_scan);

	return n ? n : SHRINK_STOP;
}

/**
 * strix_buf_pool_init() - set up a pool
 * @pool:        the pool
 * @name:        its shrinker's name
 * @max_per_cpu: free pages each CPU's cache keeps at most
 */
int strix_buf_pool_init(struct strix_buf_pool *pool, const char *name,
			unsigned int max_per_cpu)
{
	int cpu;

	pool->max_per_cpu = max_per_cpu;
	pool->caches = alloc_percpu(struct strix_buf_cache);
	if (!pool->caches)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct strix_buf_cache *c = per_cpu_ptr(pool->caches, cpu);

		spin_lock_init(&c->lock);
		INIT_LIST_HEAD(&c->free);
		c->nr = 0;
	}
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	pool->shrinker = shrinker_alloc(0, "%s", name);
	if (!pool->shrinker) {
		free_percpu(pool->caches);
		return -ENOMEM;
	}
	pool->shrinker->count_objects = strix_buf_count;
	pool->shrinker->scan_objects = strix_buf_scan;
	pool->shrinker->private_data = pool;
	shrinker_register(pool->shrinker);
#else
	pool->shrinker.count_objects = strix_buf_count;
	pool->shrinker.scan_objects = strix_buf_scan;
	pool->shrinker.seeks = DEFAULT_SEEKS;
	if (register_shrinker(&pool->shrinker, "%s", name)) {
		free_percpu(pool->caches);
		return -ENOMEM;
	}
#endif
	return 0;
}
EXPORT_SYMBOL_GPL(strix_buf_pool_init);

/**
 * strix_buf_pool_destroy() - free a pool and what it holds
 * @pool: a pool whose buffers have all been given back
 */
void strix_buf_pool_destroy(struct strix_buf_pool *pool)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	shrinker_free(pool->shrinker);
#else
	unregister_shrinker(&pool->shrinker);
#endif
	strix_buf_pool_shrink(pool, ULONG_MAX);
	free_percpu(pool->caches);
}
EXPORT_SYMBOL_GPL(strix_buf_pool_destroy);

int strix_buf_init(void)
{
	return strix_buf_pool_init(&strix_buf_pool, "strix-buf", buf_cache_pages);
}

void strix_buf_exit(void)
{
	strix_buf_pool_destroy(&strix_buf_pool);
}
