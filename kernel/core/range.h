/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LBA range lock of a device (range.c): commands that modify the
 * medium hold the blocks they modify, shared (writes) or exclusive
 * (COMPARE AND WRITE, ORWRITE, WRITE ATOMIC); a range that conflicts waits
 * and is granted, through a callback, when the conflict ends.
 */
#ifndef _STRIX_CORE_RANGE_H
#define _STRIX_CORE_RANGE_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/spinlock.h>

#include <strix/cmd.h>

/* struct strix_range.state */
enum {
	STRIX_RANGE_FREE,	/* neither held nor waiting */
	STRIX_RANGE_FAST,	/* held shared, counted in @fast, not listed */
	STRIX_RANGE_HELD,	/* held, on @held */
	STRIX_RANGE_WAITING,	/* on @waiting */
};

/* In strix_range_lock.fast: an exclusive range is held or waiting. */
#define STRIX_RANGE_EXCL_MODE	(1 << 30)

/*
 * struct strix_range_lock - the ranges of one device.
 *
 * Locking: @lock (a spinlock, taken with interrupts off: ranges are
 * released where commands complete, any context) guards @held, @waiting,
 * @nr_excl and every listed range's @entry and @state.  While no
 * exclusive range is held or waiting, shared ranges take no lock: they
 * only count themselves in @fast (atomic).  The first exclusive range sets
 * STRIX_RANGE_EXCL_MODE in @fast under @lock; from then shared ranges are
 * listed under @lock, and exclusive ones wait until the unlisted count
 * drains to 0 (the fast holder that takes it to 0 runs the waiters).  The
 * bit is cleared with the last exclusive range.  @granted is called under
 * @lock for a waiter whose range is now held: it must only hand the
 * waiter on (queue_work()), never take other locks or run it.
 * Lock order: a nexus's cmd_lock (tmf.c, aborting a waiter), then @lock.
 */
struct strix_range_lock {
	spinlock_t lock;
	atomic_t fast;
	unsigned int nr_excl;
	struct list_head held;
	struct list_head waiting;
	void (*granted)(struct strix_range *r);
};

/* Do two ranges overlap, and does one of them exclude the other? */
static inline bool strix_range_overlap(const struct strix_range *a,
				       const struct strix_range *b)
{
	/* an empty range overlaps nothing */
	return a->start < a->end && b->start < b->end &&
	       a->start < b->end && b->start < a->end;
}

static inline bool strix_range_conflict(const struct strix_range *a,
					const struct strix_range *b)
{
	return (a->mode == STRIX_RANGE_EXCL || b->mode == STRIX_RANGE_EXCL) &&
	       strix_range_overlap(a, b);
}

void strix_range_lock_init(struct strix_range_lock *rl,
			   void (*granted)(struct strix_range *r));
bool strix_range_acquire(struct strix_range_lock *rl, struct strix_range *r);
void strix_range_release(struct strix_range_lock *rl, struct strix_range *r);
bool strix_range_cancel(struct strix_range_lock *rl, struct strix_range *r);

#endif
