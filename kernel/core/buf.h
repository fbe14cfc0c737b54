/* SPDX-License-Identifier: GPL-2.0 */
/* Recycled data buffers for commands (buf.c). */
#ifndef _STRIX_BUF_H
#define _STRIX_BUF_H

#include <linux/list.h>
#include <linux/scatterlist.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>
#include <linux/version.h>

/*
 * One CPU's free pages.
 * Locking: @lock guards @free and @nr.  It is taken with interrupts off
 * (buffers are freed from completion context) and nothing is allocated or
 * freed under it; the shrinker takes other CPUs' locks.
 */
struct strix_buf_cache {
	spinlock_t lock;
	struct list_head free;		/* struct page, through page->lru */
	unsigned int nr;
};

/* Locking: @max_per_cpu and the shrinker are set at init; see above. */
struct strix_buf_pool {
	struct strix_buf_cache __percpu *caches;
	unsigned int max_per_cpu;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	struct shrinker *shrinker;
#else
	struct shrinker shrinker;
#endif
};

/* The core's pool, for commands (cmd.c). */
extern struct strix_buf_pool strix_buf_pool;

int strix_buf_pool_init(struct strix_buf_pool *pool, const char *name,
			unsigned int max_per_cpu);
void strix_buf_pool_destroy(struct strix_buf_pool *pool);
struct scatterlist *strix_buf_alloc(struct strix_buf_pool *pool, u32 len,
				    gfp_t gfp, unsigned int *nents);
void strix_buf_free(struct strix_buf_pool *pool, struct scatterlist *sgl,
		    unsigned int nents);
unsigned long strix_buf_pool_cached(struct strix_buf_pool *pool);
unsigned long strix_buf_pool_shrink(struct strix_buf_pool *pool,
				    unsigned long max);

int strix_buf_init(void);
void strix_buf_exit(void);

#endif
