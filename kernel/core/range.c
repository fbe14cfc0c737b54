// SPDX-License-Identifier: GPL-2.0
/*
 * The LBA range lock of a device: what makes COMPARE AND WRITE (and
 * ORWRITE, WRITE ATOMIC) atomic against every other command that modifies
 * the same blocks, without holding up I/O to other blocks.
 *
 * Every medium-modifying command holds the blocks it modifies from the
 * moment it is executed to its completion: writes share, the atomic
 * commands exclude.  Shared ranges never conflict with each other; an
 * exclusive range conflicts with any range it overlaps.  A range that
 * conflicts with a held range, or with one waiting before it (so a stream
 * of writes cannot starve a COMPARE AND WRITE), waits in arrival order and
 * is granted by whoever ends the conflict, through the lock's @granted
 * callback.  Nothing here sleeps: the submit path may be atomic.
 *
 * The common case, writes with no exclusive range anywhere on the device,
 * takes no lock at all (see struct strix_range_lock).
 */
#include <linux/export.h>

#include "range.h"

void strix_range_lock_init(struct strix_range_lock *rl,
			   void (*granted)(struct strix_range *r))
{
	spin_lock_init(&rl->lock);
	atomic_set(&rl->fast, 0);
	rl->nr_excl = 0;
	INIT_LIST_HEAD(&rl->held);
	INIT_LIST_HEAD(&rl->waiting);
	rl->granted = granted;
}
EXPORT_SYMBOL_GPL(strix_range_lock_init);

/*
 * May @r be held now?  Not while it conflicts with a held range or with a
 * range waiting before it (@stop: @r's own place in the queue, or NULL
 * for a newcomer, behind them all); an exclusive range also waits for the
 * unlisted shared holders to drain.
 */
static bool strix_range_free(struct strix_range_lock *rl,
			     const struct strix_range *r,
			     const struct strix_range *stop)
{
	const struct strix_range *o;

	lockdep_assert_held(&rl->lock);
	if (r->mode == STRIX_RANGE_EXCL &&
	    (atomic_read(&rl->fast) & ~STRIX_RANGE_EXCL_MODE))
		return false;
	list_for_each_entry(o, &rl->held, entry)
		if (strix_range_conflict(o, r))
			return false;
	list_for_each_entry(o, &rl->waiting, entry) {
		if (o == stop)
			break;
		if (strix_range_conflict(o, r))
			return false;
	}
	return true;
}

/* Grant the waiters that are free now, in order. */
static void strix_range_wake(struct strix_range_lock *rl)
{
	struct strix_range *r, *tmp;

	lockdep_assert_held(&rl->lock);
	list_for_each_entry_safe(r, tmp, &rl->waiting, entry) {
		if (!strix_range_free(rl, r, r))
			continue;
		list_move_tail(&r->entry, &rl->held);
		r->state = STRIX_RANGE_HELD;
		rl->granted(r);
	}
}

/* An exclusive range left the lock (released or cancelled). */
static void strix_range_excl_gone(struct strix_range_lock *rl)
{
	lockdep_assert_held(&rl->lock);
	if (!--rl->nr_excl)
		atomic_andnot(STRIX_RANGE_EXCL_MODE, &rl->fast);
}

/**
 * strix_range_acquire() - hold a range, or queue for it
 * @rl: the device's range lock
 * @r:  start, end and mode filled in; state STRIX_RANGE_FREE
 *
 * Any context.
 *
 * Return: true when @r is held; false when it waits: @rl->granted(@r)
 * is called once it is held (unless strix_range_cancel() takes it first).
 */
bool strix_range_acquire(struct strix_range_lock *rl, struct strix_range *r)
{
	unsigned long flags;
	bool held;

	if (r->mode == STRIX_RANGE_SHARED &&
	    !(atomic_inc_return(&rl->fast) & STRIX_RANGE_EXCL_MODE)) {
		r->state = STRIX_RANGE_FAST;
		return true;
	}

	spin_lock_irqsave(&rl->lock, flags);
	if (r->mode == STRIX_RANGE_SHARED) {
		/* exclusive mode: undo the count, be listed instead */
		atomic_dec(&rl->fast);
	} else if (!rl->nr_excl++) {
		/* fully ordered: a shared holder counted before this is seen */
		atomic_fetch_or(STRIX_RANGE_EXCL_MODE, &rl->fast);
	}
	held = strix_range_free(rl, r, NULL);
	if (held) {
		list_add_tail(&r->entry, &rl->held);
		r->state = STRIX_RANGE_HELD;
	} else {
		list_add_tail(&r->entry, &rl->waiting);
		r->state = STRIX_RANGE_WAITING;
	}
	/* the count this one undid may have been the last an exclusive awaited */
	if (r->mode == STRIX_RANGE_SHARED &&
	    atomic_read(&rl->fast) == STRIX_RANGE_EXCL_MODE)
		strix_range_wake(rl);
	spin_unlock_irqrestore(&rl->lock, flags);
	return held;
}
EXPORT_SYMBOL_GPL(strix_range_acquire);

/**
 * strix_range_release() - give up a held range
 * @rl: the device's range lock
 * @r:  a range strix_range_acquire() or the granted callback gave
 *
 * Any context.  Waiters it held up are granted.
 */
void strix_range_release(struct strix_range_lock *rl, struct strix_range *r)
{
	unsigned long flags;

	if (r->state == STRIX_RANGE_FAST) {
		r->state = STRIX_RANGE_FREE;
		if (atomic_dec_return(&rl->fast) != STRIX_RANGE_EXCL_MODE)
			return;
		/* the last unlisted holder an exclusive range waited for */
		spin_lock_irqsave(&rl->lock, flags);
		strix_range_wake(rl);
		spin_unlock_irqrestore(&rl->lock, flags);
		return;
	}
	spin_lock_irqsave(&rl->lock, flags);
	if (!WARN_ON_ONCE(r->state != STRIX_RANGE_HELD)) {
		list_del(&r->entry);
		r->state = STRIX_RANGE_FREE;
		if (r->mode == STRIX_RANGE_EXCL)
			strix_range_excl_gone(rl);
		strix_range_wake(rl);
	}
	spin_unlock_irqrestore(&rl->lock, flags);
}
EXPORT_SYMBOL_GPL(strix_range_release);

/**
 * strix_range_cancel() - take a waiting range out of the queue
 * @rl: the device's range lock
 * @r:  any range
 *
 * For task management: a command aborted while it waits ends without its
 * range.  Any context.
 *
 * Return: true when @r was waiting and now is not (it will never be
 * granted); false when it was held or free (its owner goes on as usual).
 */
bool strix_range_cancel(struct strix_range_lock *rl, struct strix_range *r)
{
	unsigned long flags;
	bool was;

	spin_lock_irqsave(&rl->lock, flags);
	was = r->state == STRIX_RANGE_WAITING;
	if (was) {
		list_del(&r->entry);
		r->state = STRIX_RANGE_FREE;
		if (r->mode == STRIX_RANGE_EXCL)
			strix_range_excl_gone(rl);
		/* those queued behind it may go now */
		strix_range_wake(rl);
	}
	spin_unlock_irqrestore(&rl->lock, flags);
	return was;
}
EXPORT_SYMBOL_GPL(strix_range_cancel);
