// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the recycled buffer pool (buf.c), on pools of their own
 * (the core's pool is shared with whatever else runs).
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>

#include "buf.h"

struct buf_test_ctx {
	struct strix_buf_pool pool;
};

static int buf_test_init(struct kunit *test)
{
	struct buf_test_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, strix_buf_pool_init(&ctx->pool, "strix-buf-test", 4), 0);
	test->priv = ctx;
	return 0;
}

static void buf_test_exit(struct kunit *test)
{
	struct buf_test_ctx *ctx = test->priv;

	strix_buf_pool_destroy(&ctx->pool);
}

struct buf_len_case {
	u32 len;
	unsigned int nents;
	u32 last;		/* length of the last entry */
};

static const struct buf_len_case buf_len_cases[] = {
	{ 1, 1, 1 },
	{ 512, 1, 512 },
	{ PAGE_SIZE, 1, PAGE_SIZE },
	{ PAGE_SIZE + 1, 2, 1 },
	{ 3 * PAGE_SIZE - 512, 3, PAGE_SIZE - 512 },
	{ 1 << 20, (1 << 20) / PAGE_SIZE, PAGE_SIZE },
	{ 8 << 20, (8 << 20) / PAGE_SIZE, PAGE_SIZE },	/* the largest command */
};

static void buf_len_desc(const struct buf_len_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "len %u", c->len);
}

KUNIT_ARRAY_PARAM(buf_len, buf_len_cases, buf_len_desc);

/* Every length gets whole pages at offset 0, the last one cut to fit. */
static void buf_alloc_len_test(struct kunit *test)
{
	const struct buf_len_case *c = test->param_value;
	struct buf_test_ctx *ctx = test->priv;
	struct scatterlist *sgl, *sg;
	unsigned int nents = 0, i;
	u64 total = 0;

	sgl = strix_buf_alloc(&ctx->pool, c->len, GFP_KERNEL, &nents);
	KUNIT_ASSERT_NOT_NULL(test, sgl);
	KUNIT_EXPECT_EQ(test, nents, c->nents);
	KUNIT_EXPECT_EQ(test, sg_nents(sgl), (int)c->nents);
	for_each_sg(sgl, sg, nents, i) {
		KUNIT_EXPECT_EQ(test, sg->offset, 0U);
		KUNIT_EXPECT_NOT_NULL(test, sg_page(sg));
		if (i + 1 < nents)
			KUNIT_EXPECT_EQ(test, sg->length, (unsigned int)PAGE_SIZE);
		else
			KUNIT_EXPECT_EQ(test, sg->length, c->last);
		total += sg->length;
	}
	KUNIT_EXPECT_EQ(test, total, (u64)c->len);
	/* the buffer is usable memory, end to end */
	KUNIT_EXPECT_EQ(test, sg_zero_buffer(sgl, nents, c->len, 0), (size_t)c->len);
	strix_buf_free(&ctx->pool, sgl, nents);
	/* at most max_per_cpu pages stay cached */
	KUNIT_EXPECT_LE(test, strix_buf_pool_cached(&ctx->pool), 4UL);
}

static void buf_zero_len_test(struct kunit *test)
{
	struct buf_test_ctx *ctx = test->priv;
	unsigned int nents = 7;

	KUNIT_EXPECT_NULL(test, strix_buf_alloc(&ctx->pool, 0, GFP_KERNEL, &nents));
	KUNIT_EXPECT_EQ(test, nents, 7U);
	strix_buf_free(&ctx->pool, NULL, 0);	/* a no-op */
	KUNIT_EXPECT_EQ(test, strix_buf_pool_cached(&ctx->pool), 0UL);
}

static bool buf_has_page(struct scatterlist *sgl, unsigned int nents,
			 struct page *page)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sg(sgl, sg, nents, i)
		if (sg_page(sg) == page)
			return true;
	return false;
}

/*
 * Freed pages come back on the next allocation of the same CPU.  The CPU
 * is pinned and the allocations are atomic, so nothing can migrate or
 * sleep between them.
 */
static void buf_recycle_test(struct kunit *test)
{
	struct buf_test_ctx *ctx = test->priv;
	struct page *pages[3];
	struct scatterlist *sgl, *sg;
	unsigned int nents, i;

	sgl = strix_buf_alloc(&ctx->pool, 3 * PAGE_SIZE, GFP_KERNEL, &nents);
	KUNIT_ASSERT_NOT_NULL(test, sgl);
	for_each_sg(sgl, sg, nents, i)
		pages[i] = sg_page(sg);

	preempt_disable();
	strix_buf_free(&ctx->pool, sgl, nents);
	KUNIT_EXPECT_EQ(test, strix_buf_pool_cached(&ctx->pool), 3UL);
	sgl = strix_buf_alloc(&ctx->pool, 2 * PAGE_SIZE, GFP_ATOMIC, &nents);
	preempt_enable();
	KUNIT_ASSERT_NOT_NULL(test, sgl);
	KUNIT_EXPECT_EQ(test, strix_buf_pool_cached(&ctx->pool), 1UL);
	/* both pages are among the three given back */
	for_each_sg(sgl, sg, nents, i)
		KUNIT_EXPECT_TRUE(test, sg_page(sg) == pages[0] ||
				  sg_page(sg) == pages[1] || sg_page(sg) == pages[2]);
	KUNIT_EXPECT_FALSE(test, sg_page(sgl) == sg_page(sg_next(sgl)));
	strix_buf_free(&ctx->pool, sgl, nents);
	KUNIT_EXPECT_EQ(test, strix_buf_pool_cached(&ctx->pool), 3UL);
}

/* A cache keeps max_per_cpu pages; the rest goes back to the system. */
static void buf_cap_test(struct kunit *test)
{
	struct buf_test_ctx *ctx = test->priv;
	struct scatterlist *a, *b;
	unsigned int na, nb;

	a = strix_buf_alloc(&ctx->pool, 3 * PAGE_SIZE, GFP_KERNEL, &na);
	b = strix_buf_alloc(&ctx->pool, 3 * PAGE_SIZE, GFP_KERNEL, &nb);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	/* two live buffers never share a page */
	KUNIT_EXPECT_FALSE(test, buf_has_page(b, nb, sg_page(a)));
	preempt_disable();
	strix_buf_free(&ctx->pool, a, na);
	strix_buf_free(&ctx->pool, b, nb);
	preempt_enable();
	KUNIT_EXPECT_EQ(test, strix_buf_pool_cached(&ctx->pool), 4UL);
}

/* The shrinker's scan frees what it is asked for, and no more. */
static void buf_shrink_test(struct kunit *test)
{
	struct buf_test_ctx *ctx = test->priv;
	struct scatterlist *sgl;
	unsigned int nents;

	sgl = strix_buf_alloc(&ctx->pool, 4 * PAGE_SIZE, GFP_KERNEL, &nents);
	KUNIT_ASSERT_NOT_NULL(test, sgl);
	strix_buf_free(&ctx->pool, sgl, nents);
	KUNIT_ASSERT_EQ(test, strix_buf_pool_cached(&ctx->pool), 4UL);
	KUNIT_EXPECT_EQ(test, strix_buf_pool_shrink(&ctx->pool, 1), 1UL);
	KUNIT_EXPECT_EQ(test, strix_buf_pool_cached(&ctx->pool), 3UL);
	KUNIT_EXPECT_EQ(test, strix_buf_pool_shrink(&ctx->pool, ULONG_MAX), 3UL);
	KUNIT_EXPECT_EQ(test, strix_buf_pool_cached(&ctx->pool), 0UL);
	KUNIT_EXPECT_EQ(test, strix_buf_pool_shrink(&ctx->pool, ULONG_MAX), 0UL);
	/* an empty pool still allocates */
	sgl = strix_buf_alloc(&ctx->pool, PAGE_SIZE, GFP_KERNEL, &nents);
	KUNIT_ASSERT_NOT_NULL(test, sgl);
	strix_buf_free(&ctx->pool, sgl, nents);
}

/* A buffer allocated on one CPU and freed on another lands on the latter. */
static void buf_cross_cpu_test(struct kunit *test)
{
	struct buf_test_ctx *ctx = test->priv;
	struct scatterlist *sgl;
	unsigned int nents;
	int cpu, other;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	sgl = strix_buf_alloc(&ctx->pool, 2 * PAGE_SIZE, GFP_KERNEL, &nents);
	KUNIT_ASSERT_NOT_NULL(test, sgl);
	cpu = get_cpu();
	other = cpumask_any_but(cpu_online_mask, cpu);
	put_cpu();
	/* free "on" @other: take its cache as buf.c would there */
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(other)), 0);
	strix_buf_free(&ctx->pool, sgl, nents);
	KUNIT_EXPECT_EQ(test, READ_ONCE(per_cpu_ptr(ctx->pool.caches, other)->nr), 2U);
	KUNIT_EXPECT_EQ(test, strix_buf_pool_cached(&ctx->pool), 2UL);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
}

static struct kunit_case buf_test_cases[] = {
	KUNIT_CASE_PARAM(buf_alloc_len_test, buf_len_gen_params),
	KUNIT_CASE(buf_zero_len_test),
	KUNIT_CASE(buf_recycle_test),
	KUNIT_CASE(buf_cap_test),
	KUNIT_CASE(buf_shrink_test),
	KUNIT_CASE(buf_cross_cpu_test),
	{}
};

static struct kunit_suite buf_test_suite = {
	.name = "strix-buf",
	.init = buf_test_init,
	.exit = buf_test_exit,
	.test_cases = buf_test_cases,
};

kunit_test_suite(buf_test_suite);
