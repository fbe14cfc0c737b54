// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the LBA range lock (range.c): the overlap and conflict
 * rules as pure functions, then the lock's decisions (held, waiting,
 * granted in order, cancelled) with a callback that records grants.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "range.h"

#define S	STRIX_RANGE_SHARED
#define X	STRIX_RANGE_EXCL

static struct strix_range rng(u64 start, u64 end, u8 mode)
{
	return (struct strix_range){ .start = start, .end = end, .mode = mode };
}

static void range_conflict_test(struct kunit *test)
{
	static const struct {
		u64 as, ae; u8 am; u64 bs, be; u8 bm; bool overlap, conflict;
	} c[] = {
		{ 0, 8, S, 8, 16, S, false, false },	/* adjacent */
		{ 0, 8, X, 8, 16, X, false, false },	/* adjacent, exclusive */
		{ 0, 8, S, 7, 16, S, true, false },	/* shared share */
		{ 0, 8, X, 7, 16, S, true, true },	/* one block in common */
		{ 7, 16, S, 0, 8, X, true, true },	/* either order */
		{ 4, 5, X, 0, 100, S, true, true },	/* inside */
		{ 0, U64_MAX, S, 5, 6, X, true, true },	/* whole device */
		{ 5, 5, X, 0, 100, S, false, false },	/* empty */
		{ 100, 101, X, 0, 100, X, false, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct strix_range a = rng(c[i].as, c[i].ae, c[i].am);
		struct strix_range b = rng(c[i].bs, c[i].be, c[i].bm);

		KUNIT_EXPECT_EQ_MSG(test, strix_range_overlap(&a, &b),
				    c[i].overlap, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, strix_range_overlap(&b, &a),
				    c[i].overlap, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, strix_range_conflict(&a, &b),
				    c[i].conflict, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, strix_range_conflict(&b, &a),
				    c[i].conflict, "case %u", i);
	}
}

/* The grants, in the order the lock made them. */
static struct strix_range *range_granted_log[8];
static unsigned int range_nr_granted;

static void range_granted(struct strix_range *r)
{
	if (range_nr_granted < ARRAY_SIZE(range_granted_log))
		range_granted_log[range_nr_granted] = r;
	range_nr_granted++;
}

static void range_setup(struct strix_range_lock *rl)
{
	strix_range_lock_init(rl, range_granted);
	range_nr_granted = 0;
}

/* Writes alone take no lock and list nothing. */
static void range_fast_test(struct kunit *test)
{
	struct strix_range_lock rl;
	struct strix_range a = rng(0, 8, S), b = rng(0, 8, S);

	range_setup(&rl);
	KUNIT_EXPECT_TRUE(test, strix_range_acquire(&rl, &a));
	KUNIT_EXPECT_TRUE(test, strix_range_acquire(&rl, &b));
	KUNIT_EXPECT_EQ(test, a.state, (u8)STRIX_RANGE_FAST);
	KUNIT_EXPECT_EQ(test, atomic_read(&rl.fast), 2);
	KUNIT_EXPECT_TRUE(test, list_empty(&rl.held));
	strix_range_release(&rl, &a);
	strix_range_release(&rl, &b);
	KUNIT_EXPECT_EQ(test, atomic_read(&rl.fast), 0);
	KUNIT_EXPECT_EQ(test, range_nr_granted, 0u);
}

/*
 * An exclusive range waits for the unlisted writes before it; writes that
 * overlap it then queue behind it, writes elsewhere go on; its release
 * grants them and the lock returns to the lock-free mode.
 */
static void range_excl_test(struct kunit *test)
{
	struct strix_range_lock rl;
	struct strix_range w1 = rng(100, 108, S), x = rng(0, 8, X);
	struct strix_range w2 = rng(4, 12, S), w3 = rng(50, 60, S);

	range_setup(&rl);
	KUNIT_ASSERT_TRUE(test, strix_range_acquire(&rl, &w1));
	/* w1 does not overlap, but its range is unknown: x waits for it */
	KUNIT_EXPECT_FALSE(test, strix_range_acquire(&rl, &x));
	KUNIT_EXPECT_EQ(test, x.state, (u8)STRIX_RANGE_WAITING);
	KUNIT_EXPECT_FALSE(test, strix_range_acquire(&rl, &w2));	/* overlaps x */
	KUNIT_EXPECT_TRUE(test, strix_range_acquire(&rl, &w3));	/* elsewhere */
	KUNIT_EXPECT_EQ(test, w3.state, (u8)STRIX_RANGE_HELD);
	KUNIT_EXPECT_EQ(test, range_nr_granted, 0u);

	strix_range_release(&rl, &w1);		/* the last unlisted write */
	KUNIT_ASSERT_EQ(test, range_nr_granted, 1u);
	KUNIT_EXPECT_PTR_EQ(test, range_granted_log[0], &x);
	KUNIT_EXPECT_EQ(test, w2.state, (u8)STRIX_RANGE_WAITING);

	strix_range_release(&rl, &x);
	KUNIT_ASSERT_EQ(test, range_nr_granted, 2u);
	KUNIT_EXPECT_PTR_EQ(test, range_granted_log[1], &w2);
	KUNIT_EXPECT_EQ(test, atomic_read(&rl.fast), 0);	/* lock-free again */
	strix_range_release(&rl, &w2);
	strix_range_release(&rl, &w3);
	KUNIT_EXPECT_TRUE(test, list_empty(&rl.held));
	KUNIT_EXPECT_TRUE(test, list_empty(&rl.waiting));
}

/* Exclusive ranges exclude each other only where they overlap. */
static void range_excl_pair_test(struct kunit *test)
{
	struct strix_range_lock rl;
	struct strix_range a = rng(0, 1, X), b = rng(0, 1, X), c = rng(1, 2, X);

	range_setup(&rl);
	KUNIT_EXPECT_TRUE(test, strix_range_acquire(&rl, &a));
	KUNIT_EXPECT_FALSE(test, strix_range_acquire(&rl, &b));
	KUNIT_EXPECT_TRUE(test, strix_range_acquire(&rl, &c));
	strix_range_release(&rl, &c);
	KUNIT_EXPECT_EQ(test, range_nr_granted, 0u);
	strix_range_release(&rl, &a);
	KUNIT_EXPECT_EQ(test, range_nr_granted, 1u);
	KUNIT_EXPECT_EQ(test, b.state, (u8)STRIX_RANGE_HELD);
	strix_range_release(&rl, &b);
	KUNIT_EXPECT_EQ(test, rl.nr_excl, 0u);
	KUNIT_EXPECT_EQ(test, atomic_read(&rl.fast), 0);
}

/*
 * A cancelled waiter (an aborted command) is never granted, and those
 * queued behind it only because of it go; cancelling a held range does
 * nothing.
 */
static void range_cancel_test(struct kunit *test)
{
	struct strix_range_lock rl;
	struct strix_range a = rng(0, 4, X), b = rng(2, 6, X);
	struct strix_range w = rng(5, 6, S);

	range_setup(&rl);
	KUNIT_ASSERT_TRUE(test, strix_range_acquire(&rl, &a));
	KUNIT_EXPECT_FALSE(test, strix_range_acquire(&rl, &b));
	KUNIT_EXPECT_FALSE(test, strix_range_acquire(&rl, &w));	/* behind b */
	KUNIT_EXPECT_FALSE(test, strix_range_cancel(&rl, &a));	/* held */
	KUNIT_EXPECT_TRUE(test, strix_range_cancel(&rl, &b));
	KUNIT_EXPECT_EQ(test, b.state, (u8)STRIX_RANGE_FREE);
	KUNIT_EXPECT_FALSE(test, strix_range_cancel(&rl, &b));	/* once */
	KUNIT_ASSERT_EQ(test, range_nr_granted, 1u);
	KUNIT_EXPECT_PTR_EQ(test, range_granted_log[0], &w);
	strix_range_release(&rl, &w);
	strix_range_release(&rl, &a);
	KUNIT_EXPECT_EQ(test, range_nr_granted, 1u);
	KUNIT_EXPECT_EQ(test, rl.nr_excl, 0u);
	KUNIT_EXPECT_EQ(test, atomic_read(&rl.fast), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&rl.held));
}

static struct kunit_case range_test_cases[] = {
	KUNIT_CASE(range_conflict_test),
	KUNIT_CASE(range_fast_test),
	KUNIT_CASE(range_excl_test),
	KUNIT_CASE(range_excl_pair_test),
	KUNIT_CASE(range_cancel_test),
	{}
};

static struct kunit_suite range_test_suite = {
	.name = "strix-range",
	.test_cases = range_test_cases,
};
kunit_test_suite(range_test_suite);
