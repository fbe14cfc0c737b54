// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the persistent reservation rules (pr.c): every PR OUT
 * service action from registered and unregistered nexuses, the unit
 * attentions and aborts they cause, PR IN data byte by byte, and the
 * conflict table for every type.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <strix/compat.h>

#include "pr.h"

#define NR_EVENTS	16

struct pr_event {
	char ini[STRIX_PR_MAX_NAME];
	u8 ascq;		/* 0: an abort */
};

struct pr_ctx {
	struct strix_pr_state pr;
	struct pr_event ev[NR_EVENTS];
	unsigned int nr_ev;
	struct strix_pr_notify notify;
};

static void pr_test_ua(void *priv, const struct strix_pr_reg *reg, u8 ascq)
{
	struct pr_ctx *c = priv;

	if (c->nr_ev < NR_EVENTS) {
		strscpy(c->ev[c->nr_ev].ini, reg->ini, STRIX_PR_MAX_NAME);
		c->ev[c->nr_ev++].ascq = ascq;
	}
}

static void pr_test_abort(void *priv, const struct strix_pr_reg *reg)
{
	pr_test_ua(priv, reg, 0);
}

static const struct strix_pr_nexus A = { "iqn.a", 1 }, B = { "iqn.b", 1 },
	C = { "iqn.c", 1 }, A2 = { "iqn.a", 2 };

static int pr_test_init(struct kunit *test)
{
	struct pr_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	strix_pr_init(&c->pr);
	c->notify.ua = pr_test_ua;
	c->notify.abort = pr_test_abort;
	c->notify.priv = c;
	test->priv = c;
	return 0;
}

static void pr_test_exit(struct kunit *test)
{
	struct pr_ctx *c = test->priv;

	strix_pr_clear_all(&c->pr);
}

/* strix_sense_t is __bitwise: compare its values, not the type */
#define PR_EXPECT_SENSE(test, got, want) \
	KUNIT_EXPECT_EQ(test, (__force u32)(got), (__force u32)(want))
#define PR_ASSERT_SENSE(test, got, want) \
	KUNIT_ASSERT_EQ(test, (__force u32)(got), (__force u32)(want))

/* PR OUT with a basic 24-byte parameter list. */
static strix_sense_t prout(struct kunit *test, const struct strix_pr_nexus *n,
			   u8 sa, u8 type, u64 key, u64 sa_key, u8 flags)
{
	struct pr_ctx *c = test->priv;
	u8 p[24] = {};
	struct strix_pr_out out = {
		.sa = sa, .type = type, .param = p, .param_len = sizeof(p),
	};
	u16 fb;

	put_unaligned_be64(key, p);
	put_unaligned_be64(sa_key, p + 8);
	p[20] = flags;
	return strix_pr_out(&c->pr, n, &out, &c->notify, &fb);
}

static void reg(struct kunit *test, const struct strix_pr_nexus *n, u64 key)
{
	PR_ASSERT_SENSE(test, prout(test, n, STRIX_PR_REGISTER, 0, 0, key, 0), STRIX_OK);
}

static u64 key_of(struct kunit *test, const struct strix_pr_nexus *n)
{
	struct pr_ctx *c = test->priv;
	struct strix_pr_reg *r = strix_pr_find(&c->pr, n);

	return r ? r->key : 0;
}

static void expect_events(struct kunit *test, const char *want)
{
	struct pr_ctx *c = test->priv;
	char got[256] = "";
	unsigned int i;

	/* "ini:ascq ..." in the order raised; ascq 0 is an abort */
	for (i = 0; i < c->nr_ev; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s:%u",
			 i ? " " : "", c->ev[i].ini, c->ev[i].ascq);
	KUNIT_EXPECT_STREQ(test, got, want);
	c->nr_ev = 0;
}

static void pr_register_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;

	/* unregistered: the key must be 0 */
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_REGISTER, 0, 5, 7, 0),
			STRIX_RESERVATION_CONFLICT);
	/* unregistering what is not registered: nothing, GOOD */
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_REGISTER, 0, 0, 0, 0), STRIX_OK);
	KUNIT_EXPECT_EQ(test, c->pr.nr_regs, 0U);
	reg(test, &A, 7);
	KUNIT_EXPECT_EQ(test, key_of(test, &A), 7ULL);
	KUNIT_EXPECT_EQ(test, c->pr.generation, 1U);
	/* registered: the key must be its own */
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_REGISTER, 0, 8, 9, 0),
			STRIX_RESERVATION_CONFLICT);
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_REGISTER, 0, 7, 9, 0), STRIX_OK);
	KUNIT_EXPECT_EQ(test, key_of(test, &A), 9ULL);
	/* REGISTER AND IGNORE EXISTING KEY: any key */
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_REGISTER_AND_IGNORE, 0, 1234, 11, 0),
			STRIX_OK);
	KUNIT_EXPECT_EQ(test, key_of(test, &A), 11ULL);
	PR_EXPECT_SENSE(test, prout(test, &B, STRIX_PR_REGISTER_AND_IGNORE, 0, 99, 12, 0),
			STRIX_OK);
	KUNIT_EXPECT_EQ(test, c->pr.nr_regs, 2U);
	/* another port of the same initiator is another nexus */
	KUNIT_EXPECT_EQ(test, key_of(test, &A2), 0ULL);
	/* unregister */
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_REGISTER, 0, 11, 0, 0), STRIX_OK);
	KUNIT_EXPECT_NULL(test, strix_pr_find(&c->pr, &A));
	KUNIT_EXPECT_EQ(test, c->pr.nr_regs, 1U);
	KUNIT_EXPECT_EQ(test, c->pr.generation, 5U);
	expect_events(test, "");
}

static void pr_all_tg_pt_test(struct kunit *test)
{
	PR_ASSERT_SENSE(test, prout(test, &A, STRIX_PR_REGISTER, 0, 0, 3, 0x04), STRIX_OK);
	KUNIT_EXPECT_EQ(test, key_of(test, &A2), 3ULL);	/* every target port */
	PR_EXPECT_SENSE(test, prout(test, &A2, STRIX_PR_RESERVE, STRIX_PR_WE, 3, 0, 0),
			STRIX_OK);
	/* already registered through port 1: port 2 may not register anew */
	PR_EXPECT_SENSE(test, prout(test, &A2, STRIX_PR_REGISTER, 0, 0, 4, 0),
			STRIX_RESERVATION_CONFLICT);
}

static void pr_param_len_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;
	u8 p[32] = {};
	struct strix_pr_out out = { .sa = STRIX_PR_REGISTER, .param = p };
	u16 fb;

	put_unaligned_be64(5, p + 8);
	out.param_len = 23;
	PR_EXPECT_SENSE(test, strix_pr_out(&c->pr, &A, &out, NULL, &fb),
			STRIX_PARAM_LIST_LENGTH);
	out.param_len = 25;
	PR_EXPECT_SENSE(test, strix_pr_out(&c->pr, &A, &out, NULL, &fb),
			STRIX_PARAM_LIST_LENGTH);
	out.param_len = 24;
	out.sa = 8;		/* REPLACE LOST RESERVATION: not supported */
	PR_EXPECT_SENSE(test, strix_pr_out(&c->pr, &A, &out, NULL, &fb),
			STRIX_INVALID_FIELD_CDB);
	KUNIT_EXPECT_EQ(test, fb, 1);
	KUNIT_EXPECT_EQ(test, c->pr.nr_regs, 0U);
	KUNIT_EXPECT_EQ(test, c->pr.generation, 0U);
}

/* REGISTER with SPEC_I_PT and TransportIDs of B and C (and A itself). */
static strix_sense_t prout_spec_i_pt(struct kunit *test, const char *const *names,
				     int corrupt)
{
	struct pr_ctx *c = test->priv;
	u8 *p = kunit_kzalloc(test, 512, GFP_KERNEL);
	struct strix_pr_out out = { .sa = STRIX_PR_REGISTER, .param = p };
	u32 off = 28;
	u16 fb;

	put_unaligned_be64(42, p + 8);
	p[20] = 0x08;
	for (; *names; names++)
		off += strix_pr_tid_build(*names, p + off, 512 - off);
	if (corrupt)
		p[28] = 0x00;	/* protocol FC: not iSCSI */
	put_unaligned_be32(off - 28, p + 24);
	out.param_len = off;
	return strix_pr_out(&c->pr, &A, &out, &c->notify, &fb);
}

static void pr_spec_i_pt_test(struct kunit *test)
{
	static const char *const two[] = { "iqn.b", "iqn.a", "iqn.c", NULL };
	static const char *const dup[] = { "iqn.b", "iqn.b", NULL };
	struct pr_ctx *c = test->priv;

	PR_EXPECT_SENSE(test, prout_spec_i_pt(test, two, 1), STRIX_INVALID_FIELD_PARAM);
	PR_EXPECT_SENSE(test, prout_spec_i_pt(test, dup, 0), STRIX_INVALID_FIELD_PARAM);
	KUNIT_EXPECT_EQ(test, c->pr.nr_regs, 0U);	/* all or nothing */
	PR_EXPECT_SENSE(test, prout_spec_i_pt(test, two, 0), STRIX_OK);
	KUNIT_EXPECT_EQ(test, c->pr.nr_regs, 3U);
	KUNIT_EXPECT_EQ(test, key_of(test, &B), 42ULL);
	KUNIT_EXPECT_EQ(test, key_of(test, &C), 42ULL);
	/* SPEC_I_PT from a registered nexus: refused */
	PR_EXPECT_SENSE(test, prout_spec_i_pt(test, two, 0), STRIX_INVALID_FIELD_PARAM);
	KUNIT_EXPECT_EQ(test, c->pr.generation, 1U);
}

static void pr_reserve_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;

	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_RESERVE, STRIX_PR_WE, 0, 0, 0),
			STRIX_RESERVATION_CONFLICT);	/* not registered */
	reg(test, &A, 1);
	reg(test, &B, 2);
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_RESERVE, STRIX_PR_WE, 2, 0, 0),
			STRIX_RESERVATION_CONFLICT);	/* not its key */
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_RESERVE, 2, 1, 0, 0),
			STRIX_INVALID_FIELD_CDB);	/* type 2 is obsolete */
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_RESERVE, STRIX_PR_WE, 1, 0, 0), STRIX_OK);
	KUNIT_EXPECT_PTR_EQ(test, c->pr.holder, strix_pr_find(&c->pr, &A));
	/* the same again: GOOD; another type, or another nexus: conflict */
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_RESERVE, STRIX_PR_WE, 1, 0, 0), STRIX_OK);
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_RESERVE, STRIX_PR_EA, 1, 0, 0),
			STRIX_RESERVATION_CONFLICT);
	PR_EXPECT_SENSE(test, prout(test, &B, STRIX_PR_RESERVE, STRIX_PR_WE, 2, 0, 0),
			STRIX_RESERVATION_CONFLICT);
	KUNIT_EXPECT_EQ(test, c->pr.type, STRIX_PR_WE);
	KUNIT_EXPECT_EQ(test, c->pr.generation, 2U);	/* RESERVE does not count */
}

static void pr_reserve_scope_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;
	u8 p[24] = {};
	struct strix_pr_out out = { .sa = STRIX_PR_RESERVE, .scope = 1,
				    .type = STRIX_PR_WE, .param = p, .param_len = 24 };
	u16 fb;

	reg(test, &A, 1);
	put_unaligned_be64(1, p);
	PR_EXPECT_SENSE(test, strix_pr_out(&c->pr, &A, &out, NULL, &fb),
			STRIX_INVALID_FIELD_CDB);
	KUNIT_EXPECT_EQ(test, fb, 2);
	KUNIT_EXPECT_NULL(test, c->pr.holder);
}

static void pr_release_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;

	reg(test, &A, 1);
	reg(test, &B, 2);
	reg(test, &C, 3);
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_RELEASE, STRIX_PR_WE, 1, 0, 0),
			STRIX_OK);			/* nothing reserved */
	PR_ASSERT_SENSE(test, prout(test, &A, STRIX_PR_RESERVE, STRIX_PR_WE_RO, 1, 0, 0),
			STRIX_OK);
	/* not the holder: GOOD, nothing happens */
	PR_EXPECT_SENSE(test, prout(test, &B, STRIX_PR_RELEASE, STRIX_PR_WE_RO, 2, 0, 0),
			STRIX_OK);
	KUNIT_EXPECT_NOT_NULL(test, c->pr.holder);
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_RELEASE, STRIX_PR_WE, 1, 0, 0),
			STRIX_INVALID_RELEASE_PR);
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_RELEASE, STRIX_PR_WE_RO, 9, 0, 0),
			STRIX_RESERVATION_CONFLICT);
	expect_events(test, "");
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_RELEASE, STRIX_PR_WE_RO, 1, 0, 0),
			STRIX_OK);
	KUNIT_EXPECT_NULL(test, c->pr.holder);
	/* registrants only: the other registrants learn of it */
	expect_events(test, "iqn.b:4 iqn.c:4");
	/* a plain write exclusive release tells nobody */
	PR_ASSERT_SENSE(test, prout(test, &B, STRIX_PR_RESERVE, STRIX_PR_WE, 2, 0, 0), STRIX_OK);
	PR_EXPECT_SENSE(test, prout(test, &B, STRIX_PR_RELEASE, STRIX_PR_WE, 2, 0, 0), STRIX_OK);
	expect_events(test, "");
	KUNIT_EXPECT_EQ(test, c->pr.nr_regs, 3U);
}

static void pr_unregister_holder_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;

	reg(test, &A, 1);
	reg(test, &B, 2);
	PR_ASSERT_SENSE(test, prout(test, &A, STRIX_PR_RESERVE, STRIX_PR_EA_RO, 1, 0, 0),
			STRIX_OK);
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_REGISTER, 0, 1, 0, 0), STRIX_OK);
	KUNIT_EXPECT_NULL(test, c->pr.holder);
	expect_events(test, "iqn.b:4");

	/* all registrants: the reservation stays while anyone is registered */
	reg(test, &A, 1);
	PR_ASSERT_SENSE(test, prout(test, &B, STRIX_PR_RESERVE, STRIX_PR_WE_AR, 2, 0, 0),
			STRIX_OK);
	PR_EXPECT_SENSE(test, prout(test, &B, STRIX_PR_REGISTER, 0, 2, 0, 0), STRIX_OK);
	KUNIT_EXPECT_PTR_EQ(test, c->pr.holder, strix_pr_find(&c->pr, &A));
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_REGISTER, 0, 1, 0, 0), STRIX_OK);
	KUNIT_EXPECT_NULL(test, c->pr.holder);
	expect_events(test, "");
}

static void pr_clear_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;

	reg(test, &A, 1);
	reg(test, &B, 2);
	PR_ASSERT_SENSE(test, prout(test, &B, STRIX_PR_RESERVE, STRIX_PR_EA, 2, 0, 0), STRIX_OK);
	PR_EXPECT_SENSE(test, prout(test, &C, STRIX_PR_CLEAR, 0, 0, 0, 0),
			STRIX_RESERVATION_CONFLICT);
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_CLEAR, 0, 1, 0, 0), STRIX_OK);
	KUNIT_EXPECT_EQ(test, c->pr.nr_regs, 0U);
	KUNIT_EXPECT_NULL(test, c->pr.holder);
	KUNIT_EXPECT_EQ(test, c->pr.generation, 3U);
	expect_events(test, "iqn.b:3");
}

static void pr_preempt_registrations_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;

	reg(test, &A, 1);
	reg(test, &B, 2);
	reg(test, &C, 2);
	/* no reservation: the key's registrations go, and only they */
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_PREEMPT, STRIX_PR_WE, 1, 0, 0),
			STRIX_INVALID_FIELD_PARAM);
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_PREEMPT, STRIX_PR_WE, 1, 9, 0),
			STRIX_RESERVATION_CONFLICT);
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_PREEMPT, STRIX_PR_WE, 1, 2, 0), STRIX_OK);
	KUNIT_EXPECT_EQ(test, c->pr.nr_regs, 1U);
	KUNIT_EXPECT_NULL(test, c->pr.holder);
	expect_events(test, "iqn.b:5 iqn.c:5");
}

static void pr_preempt_holder_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;

	reg(test, &A, 1);
	reg(test, &B, 2);
	reg(test, &C, 3);
	PR_ASSERT_SENSE(test, prout(test, &B, STRIX_PR_RESERVE, STRIX_PR_WE, 2, 0, 0), STRIX_OK);
	/* A takes B's reservation, as exclusive access */
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_PREEMPT_AND_ABORT, STRIX_PR_EA, 1, 2, 0),
			STRIX_OK);
	KUNIT_EXPECT_PTR_EQ(test, c->pr.holder, strix_pr_find(&c->pr, &A));
	KUNIT_EXPECT_EQ(test, c->pr.type, STRIX_PR_EA);
	KUNIT_EXPECT_NULL(test, strix_pr_find(&c->pr, &B));
	/* B: preempted and its tasks aborted; C: the type changed */
	expect_events(test, "iqn.b:5 iqn.b:0 iqn.c:4");
	/* the holder's key again: C takes it over, as write exclusive */
	PR_EXPECT_SENSE(test, prout(test, &C, STRIX_PR_PREEMPT, STRIX_PR_WE, 3, 1, 0), STRIX_OK);
	KUNIT_EXPECT_PTR_EQ(test, c->pr.holder, strix_pr_find(&c->pr, &C));
	KUNIT_EXPECT_EQ(test, c->pr.type, STRIX_PR_WE);
	expect_events(test, "iqn.a:5");
	/* a key that is not the holder's takes registrations, not the reservation */
	reg(test, &A, 8);
	reg(test, &B, 7);
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_PREEMPT, STRIX_PR_EA, 8, 7, 0), STRIX_OK);
	KUNIT_EXPECT_PTR_EQ(test, c->pr.holder, strix_pr_find(&c->pr, &C));
	KUNIT_EXPECT_EQ(test, c->pr.type, STRIX_PR_WE);
	KUNIT_EXPECT_NULL(test, strix_pr_find(&c->pr, &B));
	expect_events(test, "iqn.b:5");
}

static void pr_preempt_all_registrants_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;

	reg(test, &A, 1);
	reg(test, &B, 2);
	reg(test, &C, 3);
	PR_ASSERT_SENSE(test, prout(test, &B, STRIX_PR_RESERVE, STRIX_PR_EA_AR, 2, 0, 0),
			STRIX_OK);
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_PREEMPT, STRIX_PR_EA_AR, 1, 3, 0),
			STRIX_OK);
	KUNIT_EXPECT_EQ(test, c->pr.nr_regs, 2U);
	KUNIT_EXPECT_EQ(test, c->pr.type, STRIX_PR_EA_AR);
	expect_events(test, "iqn.c:5");
	/* key 0: everybody else out, a new reservation of the issuer's type */
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_PREEMPT, STRIX_PR_WE, 1, 0, 0), STRIX_OK);
	KUNIT_EXPECT_EQ(test, c->pr.nr_regs, 1U);
	KUNIT_EXPECT_EQ(test, c->pr.type, STRIX_PR_WE);
	KUNIT_EXPECT_PTR_EQ(test, c->pr.holder, strix_pr_find(&c->pr, &A));
	expect_events(test, "iqn.b:5");
}

static strix_sense_t prout_move(struct kunit *test, const struct strix_pr_nexus *n,
				u64 key, u64 sa_key, const char *dest, u16 port, bool unreg)
{
	struct pr_ctx *c = test->priv;
	u8 p[24 + 64] = {};
	struct strix_pr_out out = { .sa = STRIX_PR_REGISTER_AND_MOVE, .param = p };
	u32 tl;
	u16 fb;

	put_unaligned_be64(key, p);
	put_unaligned_be64(sa_key, p + 8);
	p[17] = unreg ? 0x02 : 0;
	put_unaligned_be16(port, p + 18);
	tl = strix_pr_tid_build(dest, p + 24, sizeof(p) - 24);
	put_unaligned_be32(tl, p + 20);
	out.param_len = 24 + tl;
	return strix_pr_out(&c->pr, n, &out, &c->notify, &fb);
}

static void pr_register_and_move_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;

	reg(test, &A, 1);
	reg(test, &B, 2);
	PR_EXPECT_SENSE(test, prout_move(test, &A, 1, 5, "iqn.c", 1, false),
			STRIX_RESERVATION_CONFLICT);	/* A holds nothing */
	PR_ASSERT_SENSE(test, prout(test, &A, STRIX_PR_RESERVE, STRIX_PR_WE, 1, 0, 0), STRIX_OK);
	PR_EXPECT_SENSE(test, prout_move(test, &B, 2, 5, "iqn.c", 1, false),
			STRIX_RESERVATION_CONFLICT);	/* B is not the holder */
	PR_EXPECT_SENSE(test, prout_move(test, &A, 1, 0, "iqn.c", 1, false),
			STRIX_INVALID_FIELD_PARAM);	/* key 0 */
	PR_EXPECT_SENSE(test, prout_move(test, &A, 1, 5, "iqn.a", 1, false),
			STRIX_INVALID_FIELD_PARAM);	/* to itself */
	/* to C, a new registration; A unregisters */
	PR_EXPECT_SENSE(test, prout_move(test, &A, 1, 5, "iqn.c", 1, true), STRIX_OK);
	KUNIT_EXPECT_PTR_EQ(test, c->pr.holder, strix_pr_find(&c->pr, &C));
	KUNIT_EXPECT_EQ(test, key_of(test, &C), 5ULL);
	KUNIT_EXPECT_NULL(test, strix_pr_find(&c->pr, &A));
	KUNIT_EXPECT_EQ(test, c->pr.type, STRIX_PR_WE);
	/* to a nexus on another port: A on port 2 */
	PR_EXPECT_SENSE(test, prout_move(test, &C, 5, 6, "iqn.a", 2, false), STRIX_OK);
	KUNIT_EXPECT_PTR_EQ(test, c->pr.holder, strix_pr_find(&c->pr, &A2));
	KUNIT_EXPECT_EQ(test, key_of(test, &C), 5ULL);
	expect_events(test, "");
}

struct pr_conflict_case {
	u8 type;
	/* for holder, other registrant, unregistered: read, write conflict */
	bool holder[2], registered[2], other[2];
};

static const struct pr_conflict_case pr_conflict_cases[] = {
	{ STRIX_PR_WE,    { 0, 0 }, { 0, 1 }, { 0, 1 } },
	{ STRIX_PR_EA,    { 0, 0 }, { 1, 1 }, { 1, 1 } },
	{ STRIX_PR_WE_RO, { 0, 0 }, { 0, 0 }, { 0, 1 } },
	{ STRIX_PR_EA_RO, { 0, 0 }, { 0, 0 }, { 1, 1 } },
	{ STRIX_PR_WE_AR, { 0, 0 }, { 0, 0 }, { 0, 1 } },
	{ STRIX_PR_EA_AR, { 0, 0 }, { 0, 0 }, { 1, 1 } },
};

static void pr_conflict_desc(const struct pr_conflict_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "type %u", c->type);
}

KUNIT_ARRAY_PARAM(pr_conflict, pr_conflict_cases, pr_conflict_desc);

static void pr_conflict_test(struct kunit *test)
{
	const struct pr_conflict_case *k = test->param_value;
	struct pr_ctx *c = test->priv;
	const struct strix_pr_nexus *who[] = { &A, &B, &C };
	const bool *want[] = { k->holder, k->registered, k->other };
	unsigned int i;

	reg(test, &A, 1);
	reg(test, &B, 2);
	for (i = 0; i < 3; i++)	/* nothing reserved: nothing conflicts */
		KUNIT_EXPECT_FALSE(test, strix_pr_conflict(&c->pr, who[i], STRIX_PR_WRITE));
	PR_ASSERT_SENSE(test, prout(test, &A, STRIX_PR_RESERVE, k->type, 1, 0, 0), STRIX_OK);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ_MSG(test, strix_pr_conflict(&c->pr, who[i], STRIX_PR_READ),
				    want[i][0], "read from %s", who[i]->ini);
		KUNIT_EXPECT_EQ_MSG(test, strix_pr_conflict(&c->pr, who[i], STRIX_PR_WRITE),
				    want[i][1], "write from %s", who[i]->ini);
		KUNIT_EXPECT_FALSE(test, strix_pr_conflict(&c->pr, who[i], STRIX_PR_ALLOWED));
	}
}

static void pr_in_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;
	u8 *buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	u32 n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	reg(test, &A, 0x1122334455667788ULL);
	reg(test, &B, 2);
	PR_ASSERT_SENSE(test, prout(test, &B, STRIX_PR_RESERVE, STRIX_PR_EA_RO, 2, 0, 0),
			STRIX_OK);

	PR_EXPECT_SENSE(test, strix_pr_in(&c->pr, STRIX_PR_READ_KEYS, buf, 256, &n), STRIX_OK);
	KUNIT_EXPECT_EQ(test, n, 24U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf), 2U);		/* generation */
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf + 4), 16U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(buf + 8), 0x1122334455667788ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(buf + 16), 2ULL);
	/* cut to the allocation length; the length field still says it all */
	memset(buf, 0xee, 256);
	PR_EXPECT_SENSE(test, strix_pr_in(&c->pr, STRIX_PR_READ_KEYS, buf, 12, &n), STRIX_OK);
	KUNIT_EXPECT_EQ(test, n, 12U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf + 4), 16U);
	KUNIT_EXPECT_EQ(test, buf[12], 0xee);

	memset(buf, 0, 256);
	PR_EXPECT_SENSE(test, strix_pr_in(&c->pr, STRIX_PR_READ_RESERVATION, buf, 256, &n),
			STRIX_OK);
	KUNIT_EXPECT_EQ(test, n, 24U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf + 4), 16U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(buf + 8), 2ULL);
	KUNIT_EXPECT_EQ(test, buf[21], STRIX_PR_EA_RO);

	memset(buf, 0, 256);
	PR_EXPECT_SENSE(test, strix_pr_in(&c->pr, STRIX_PR_REPORT_CAPABILITIES, buf, 256, &n),
			STRIX_OK);
	KUNIT_EXPECT_EQ(test, n, 8U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(buf), 8);
	KUNIT_EXPECT_EQ(test, buf[2], 0x0d);	/* SIP_C ATP_C PTPL_C; no CRH */
	KUNIT_EXPECT_EQ(test, buf[3], 0x90);	/* TMV, ALLOW COMMANDS 001b */
	KUNIT_EXPECT_EQ(test, buf[4], 0xea);
	KUNIT_EXPECT_EQ(test, buf[5], 0x01);

	memset(buf, 0, 256);
	PR_EXPECT_SENSE(test, strix_pr_in(&c->pr, STRIX_PR_READ_FULL_STATUS, buf, 256, &n),
			STRIX_OK);
	/* two descriptors of 24 bytes, each with a 20-byte TransportID */
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf + 4), 2U * (24 + 20));
	KUNIT_EXPECT_EQ(test, n, 8U + 2 * (24 + 20));
	KUNIT_EXPECT_EQ(test, buf[8 + 12], 0x00);		/* A: no holder */
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(buf + 8 + 18), 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf + 8 + 20), 20U);
	KUNIT_EXPECT_EQ(test, buf[8 + 24], 0x05);		/* iSCSI */
	KUNIT_EXPECT_STREQ(test, (char *)buf + 8 + 28, "iqn.a");
	KUNIT_EXPECT_EQ(test, buf[52 + 12], 0x01);		/* B: R_HOLDER */
	KUNIT_EXPECT_EQ(test, buf[52 + 13], STRIX_PR_EA_RO);
	KUNIT_EXPECT_STREQ(test, (char *)buf + 52 + 28, "iqn.b");

	PR_EXPECT_SENSE(test, strix_pr_in(&c->pr, 4, buf, 256, &n), STRIX_INVALID_FIELD_CDB);
}

static void pr_tid_test(struct kunit *test)
{
	char name[STRIX_PR_MAX_NAME], long_name[STRIX_PR_MAX_NAME + 8];
	u8 tid[300] = {};
	u32 len, tl;

	len = strix_pr_tid_build("iqn.2026-12.org.example:x", tid, sizeof(tid));
	KUNIT_EXPECT_EQ(test, len, 32U);	/* 4 + 25 + NUL, rounded to 4 */
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(tid + 2), 28);
	KUNIT_EXPECT_EQ(test, strix_pr_tid_parse(tid, len, name, sizeof(name), &tl), 0);
	KUNIT_EXPECT_EQ(test, tl, len);
	KUNIT_EXPECT_STREQ(test, name, "iqn.2026-12.org.example:x");
	/* short buffer, wrong protocol, bad length, no NUL: refused */
	KUNIT_EXPECT_EQ(test, strix_pr_tid_parse(tid, len - 1, name, sizeof(name), &tl), -EINVAL);
	tid[0] = 0x06;
	KUNIT_EXPECT_EQ(test, strix_pr_tid_parse(tid, len, name, sizeof(name), &tl), -EINVAL);
	tid[0] = 0x45;		/* format 01b: name,i,0xISID */
	KUNIT_EXPECT_EQ(test, strix_pr_tid_parse(tid, len, name, sizeof(name), &tl), 0);
	tid[0] = 0x85;		/* format 10b: reserved */
	KUNIT_EXPECT_EQ(test, strix_pr_tid_parse(tid, len, name, sizeof(name), &tl), -EINVAL);
	tid[0] = 0x05;
	put_unaligned_be16(27, tid + 2);
	KUNIT_EXPECT_EQ(test, strix_pr_tid_parse(tid, len, name, sizeof(name), &tl), -EINVAL);
	put_unaligned_be16(28, tid + 2);
	memset(tid + 4, 'x', 28);
	KUNIT_EXPECT_EQ(test, strix_pr_tid_parse(tid, len, name, sizeof(name), &tl), -EINVAL);
	/* a name the registration cannot hold */
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	memset(tid, 0, sizeof(tid));
	tid[0] = 0x05;
	put_unaligned_be16(252, tid + 2);
	memcpy(tid + 4, long_name, strlen(long_name));
	KUNIT_EXPECT_EQ(test, strix_pr_tid_parse(tid, 256, name, sizeof(name), &tl), -EINVAL);
	/* the shortest TransportID is 20 bytes */
	KUNIT_EXPECT_EQ(test, strix_pr_tid_build("a", NULL, 0), 20U);
}

/* APTPL follows the last successful REGISTER-type command only. */
static void pr_aptpl_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;
	u8 buf[8] = {};
	u32 n;

	PR_ASSERT_SENSE(test, prout(test, &A, STRIX_PR_REGISTER, 0, 0, 5, 0x01),
			STRIX_OK);
	KUNIT_EXPECT_TRUE(test, c->pr.aptpl);
	PR_EXPECT_SENSE(test, strix_pr_in(&c->pr, STRIX_PR_REPORT_CAPABILITIES,
					  buf, sizeof(buf), &n), STRIX_OK);
	KUNIT_EXPECT_EQ(test, buf[2] & 0x01, 0x01);	/* PTPL_C */
	KUNIT_EXPECT_EQ(test, buf[3] & 0x01, 0x01);	/* PTPL_A */
	/* RESERVE ignores the bit; a failed REGISTER changes nothing */
	PR_ASSERT_SENSE(test, prout(test, &A, STRIX_PR_RESERVE, STRIX_PR_WE, 5, 0, 0),
			STRIX_OK);
	KUNIT_EXPECT_TRUE(test, c->pr.aptpl);
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_REGISTER, 0, 9, 6, 0),
			STRIX_RESERVATION_CONFLICT);
	KUNIT_EXPECT_TRUE(test, c->pr.aptpl);
	PR_ASSERT_SENSE(test, prout(test, &B, STRIX_PR_REGISTER_AND_IGNORE, 0, 0, 7, 0),
			STRIX_OK);
	KUNIT_EXPECT_FALSE(test, c->pr.aptpl);
	memset(buf, 0, sizeof(buf));
	strix_pr_in(&c->pr, STRIX_PR_REPORT_CAPABILITIES, buf, sizeof(buf), &n);
	KUNIT_EXPECT_EQ(test, buf[3] & 0x01, 0);
}

/* The registration table is bounded: INSUFFICIENT REGISTRATION RESOURCES. */
static void pr_max_regs_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;
	struct strix_pr_nexus n = { .rel_tgt_id = 1 };
	char name[32];
	unsigned int i;

	n.ini = name;
	for (i = 0; i < STRIX_PR_MAX_REGS; i++) {
		snprintf(name, sizeof(name), "iqn.n%u", i);
		PR_ASSERT_SENSE(test, prout(test, &n, STRIX_PR_REGISTER, 0, 0, i + 1, 0),
				STRIX_OK);
	}
	PR_EXPECT_SENSE(test, prout(test, &A, STRIX_PR_REGISTER, 0, 0, 1, 0),
			STRIX_INSUFFICIENT_REG_RES);
	KUNIT_EXPECT_EQ(test, c->pr.nr_regs, STRIX_PR_MAX_REGS);
	KUNIT_EXPECT_NULL(test, strix_pr_find(&c->pr, &A));
	/* a registered nexus may still change its key */
	PR_EXPECT_SENSE(test, prout(test, &n, STRIX_PR_REGISTER, 0, i, 99, 0), STRIX_OK);
}

static char *pr_dup(struct kunit *test, const char *s)
{
	char *d = kunit_kzalloc(test, strlen(s) + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	strcpy(d, s);
	return d;
}

/* dump -> load gives the same state, and the same dump */
static void pr_dump_load_test(struct kunit *test)
{
	struct pr_ctx *c = test->priv;
	char *buf = kunit_kzalloc(test, 4096, GFP_KERNEL), *again;
	struct strix_pr_state st;
	ssize_t len;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	PR_ASSERT_SENSE(test, prout(test, &A, STRIX_PR_REGISTER, 0, 0, 0xabc, 0x04 | 0x01),
			STRIX_OK);
	reg(test, &B, 0x10);
	PR_ASSERT_SENSE(test, prout(test, &B, STRIX_PR_RESERVE, STRIX_PR_EA_RO, 0x10, 0, 0),
			STRIX_OK);
	/* B's REGISTER cleared APTPL; A's REGISTER AND IGNORE sets it again */
	PR_ASSERT_SENSE(test, prout(test, &A, STRIX_PR_REGISTER_AND_IGNORE, 0, 0, 0xabd, 0x01),
			STRIX_OK);
	len = strix_pr_dump(&c->pr, buf, 4096);
	KUNIT_ASSERT_GT(test, len, 0);
	KUNIT_EXPECT_STREQ(test, buf,
			   "strix-pr 1\naptpl 1\ngeneration 3\nreservation 6\n"
			   "reg 0x0000000000000abd 1 a iqn.a\n"
			   "reg 0x0000000000000010 1 h iqn.b\n");
	/* too small a buffer: -EFBIG, never a cut state */
	KUNIT_EXPECT_EQ(test, strix_pr_dump(&c->pr, buf, len), -EFBIG);

	len = strix_pr_dump(&c->pr, buf, 4096);
	strix_pr_init(&st);
	KUNIT_ASSERT_EQ(test, strix_pr_load(&st, pr_dup(test, buf)), 0);
	KUNIT_EXPECT_EQ(test, st.nr_regs, 2U);
	KUNIT_EXPECT_EQ(test, st.type, STRIX_PR_EA_RO);
	KUNIT_EXPECT_TRUE(test, st.aptpl);
	KUNIT_ASSERT_NOT_NULL(test, st.holder);
	KUNIT_EXPECT_STREQ(test, st.holder->ini, "iqn.b");
	KUNIT_EXPECT_TRUE(test, strix_pr_find(&st, &A2) != NULL);	/* all_tg_pt */
	again = kunit_kzalloc(test, 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, again);
	KUNIT_EXPECT_EQ(test, strix_pr_dump(&st, again, 4096), len);
	KUNIT_EXPECT_STREQ(test, again, buf);
	/* the loaded state obeys the rules: C conflicts, A (registered) not */
	KUNIT_EXPECT_TRUE(test, strix_pr_conflict(&st, &C, STRIX_PR_READ));
	KUNIT_EXPECT_FALSE(test, strix_pr_conflict(&st, &A, STRIX_PR_WRITE));

	/* copy, then replace: the same text each time */
	strix_pr_clear_all(&c->pr);
	strix_pr_init(&c->pr);
	KUNIT_ASSERT_EQ(test, strix_pr_copy(&c->pr, &st), 0);
	strix_pr_dump(&c->pr, again, 4096);
	KUNIT_EXPECT_STREQ(test, again, buf);
	strix_pr_replace(&c->pr, &st);
	KUNIT_EXPECT_EQ(test, st.nr_regs, 0U);
	KUNIT_EXPECT_TRUE(test, list_empty(&st.regs));
	strix_pr_dump(&c->pr, again, 4096);
	KUNIT_EXPECT_STREQ(test, again, buf);
}

static const char *const pr_bad_texts[] = {
	"",
	"strix-pr 2\naptpl 0\ngeneration 0\n",
	"aptpl 0\ngeneration 0\n",
	"strix-pr 1\ngeneration 0\n",				/* no aptpl */
	"strix-pr 1\naptpl 0\n",				/* no generation */
	"strix-pr 1\naptpl 2\ngeneration 0\n",
	"strix-pr 1\naptpl 1\naptpl 1\ngeneration 0\n",
	"strix-pr 1\naptpl 0\ngeneration x\n",
	"strix-pr 1\naptpl 0\ngeneration 0\nfoo 1\n",
	"strix-pr 1\naptpl 0\ngeneration 0\nreservation 1\n",	/* no holder */
	"strix-pr 1\naptpl 0\ngeneration 0\nreg 0x1 1 h iqn.a\n", /* no type */
	"strix-pr 1\naptpl 0\ngeneration 0\nreservation 2\nreg 0x1 1 h iqn.a\n",
	"strix-pr 1\naptpl 0\ngeneration 0\nreservation 1\n"
		"reg 0x1 1 h iqn.a\nreg 0x2 1 h iqn.b\n",		/* two holders */
	"strix-pr 1\naptpl 0\ngeneration 0\nreg 0x0 1 - iqn.a\n",	/* key 0 */
	"strix-pr 1\naptpl 0\ngeneration 0\nreg 0x1 70000 - iqn.a\n",
	"strix-pr 1\naptpl 0\ngeneration 0\nreg 0x1 1 x iqn.a\n",
	"strix-pr 1\naptpl 0\ngeneration 0\nreg 0x1 1 -\n",
	"strix-pr 1\naptpl 0\ngeneration 0\nreg 0x1 1 - iqn.a b\n",
	"strix-pr 1\naptpl 0\ngeneration 0\nreg 0x1 1 - iqn.a\nreg 0x2 1 - iqn.a\n",
	"strix-pr 1\naptpl 0\ngeneration 0\nreg 0x1 1 a iqn.a\nreg 0x2 2 - iqn.a\n",
};

static void pr_load_bad_test(struct kunit *test)
{
	struct strix_pr_state st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pr_bad_texts); i++) {
		strix_pr_init(&st);
		KUNIT_EXPECT_EQ_MSG(test, strix_pr_load(&st, pr_dup(test, pr_bad_texts[i])),
				    -EINVAL, "text %u", i);
		KUNIT_EXPECT_EQ_MSG(test, st.nr_regs, 0U, "text %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, list_empty(&st.regs), "text %u", i);
		KUNIT_EXPECT_NULL(test, st.holder);
	}
	/* comments, blank lines, the same nexus on two ports: fine */
	strix_pr_init(&st);
	KUNIT_EXPECT_EQ(test, strix_pr_load(&st, pr_dup(test,
		"# saved\nstrix-pr 1\n\naptpl 0\ngeneration 3\n"
		"reg 0x1 1 - iqn.a\nreg 0x2 2 - iqn.a\n")), 0);
	KUNIT_EXPECT_EQ(test, st.nr_regs, 2U);
	KUNIT_EXPECT_EQ(test, st.generation, 3U);
	strix_pr_clear_all(&st);
}

static struct kunit_case pr_test_cases[] = {
	KUNIT_CASE(pr_register_test),
	KUNIT_CASE(pr_all_tg_pt_test),
	KUNIT_CASE(pr_param_len_test),
	KUNIT_CASE(pr_spec_i_pt_test),
	KUNIT_CASE(pr_reserve_test),
	KUNIT_CASE(pr_reserve_scope_test),
	KUNIT_CASE(pr_release_test),
	KUNIT_CASE(pr_unregister_holder_test),
	KUNIT_CASE(pr_clear_test),
	KUNIT_CASE(pr_preempt_registrations_test),
	KUNIT_CASE(pr_preempt_holder_test),
	KUNIT_CASE(pr_preempt_all_registrants_test),
	KUNIT_CASE(pr_register_and_move_test),
	KUNIT_CASE_PARAM(pr_conflict_test, pr_conflict_gen_params),
	KUNIT_CASE(pr_in_test),
	KUNIT_CASE(pr_tid_test),
	KUNIT_CASE(pr_aptpl_test),
	KUNIT_CASE(pr_max_regs_test),
	KUNIT_CASE(pr_dump_load_test),
	KUNIT_CASE(pr_load_bad_test),
	{}
};

static struct kunit_suite pr_test_suite = {
	.name = "strix-pr",
	.init = pr_test_init,
	.exit = pr_test_exit,
	.test_cases = pr_test_cases,
};

kunit_test_suite(pr_test_suite);
