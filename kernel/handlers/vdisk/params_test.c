// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the vdisk parameter parser (params.c).  Loaded as
 * strix_vdisk_test.ko on a kernel with CONFIG_KUNIT.
 *
 * params.c is compiled into this module by inclusion rather than linked:
 * Kbuild warns about an object shared by two modules (6.12), and
 * strix_vdisk.ko exports nothing for a test to call.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "params.c"

#define X16	"xxxxxxxxxxxxxxxx"

struct vdisk_parse_case {
	const char *desc;
	const char *kv[18];	/* name, value, ..., NULL */
	int ret;
	const char *bad;	/* on failure */
	unsigned long given;	/* on success: BIT(key) given */
	unsigned long bools;	/* BIT(key) of the 0/1 parameters set to 1 */
	u64 size;
	u32 block_size;
};

#define K(key)	BIT(STRIX_VDISK_##key)

static const struct vdisk_parse_case vdisk_parse_cases[] = {
	{ "nothing", { NULL }, 0 },
	{ "size_mb", { "size_mb", "64", NULL }, 0, NULL, K(SIZE_MB), 0, 64ULL << 20 },
	{ "size in bytes", { "size", "10000", NULL }, 0, NULL, K(SIZE), 0, 10000 },
	{ "size hex", { "size", "0x100000", NULL }, 0, NULL, K(SIZE), 0, 1 << 20 },
	{ "size and size_mb agree", { "size", "1048576", "size_mb", "1", NULL }, 0,
	  NULL, K(SIZE) | K(SIZE_MB), 0, 1 << 20 },
	{ "size_mb first, agreeing", { "size_mb", "2", "size", "2097152", NULL }, 0,
	  NULL, K(SIZE) | K(SIZE_MB), 0, 2 << 20 },
	{ "size and size_mb disagree", { "size", "1048576", "size_mb", "2", NULL },
	  -EINVAL, "size_mb" },
	{ "size 0", { "size", "0", NULL }, -EINVAL, "size" },
	{ "size negative", { "size", "-1", NULL }, -EINVAL, "size" },
	{ "size not a number", { "size", "1M", NULL }, -EINVAL, "size" },
	{ "size_mb 0", { "size_mb", "0", NULL }, -EINVAL, "size_mb" },
	{ "size_mb largest", { "size_mb", "17592186044415", NULL }, 0, NULL,
	  K(SIZE_MB), 0, 17592186044415ULL << 20 },
	{ "size_mb overflows bytes", { "size_mb", "17592186044416", NULL },
	  -EINVAL, "size_mb" },
	{ "blocksize 512", { "blocksize", "512", NULL }, 0, NULL, K(BLOCKSIZE), 0, 0, 512 },
	{ "blocksize 4096", { "blocksize", "4096", NULL }, 0, NULL, K(BLOCKSIZE), 0, 0,
	  4096 },
	{ "blocksize hex", { "blocksize", "0x1000", NULL }, 0, NULL, K(BLOCKSIZE), 0, 0,
	  4096 },
	{ "blocksize 1024", { "blocksize", "1024", NULL }, -EINVAL, "blocksize" },
	{ "blocksize 8192", { "blocksize", "8192", NULL }, -EINVAL, "blocksize" },
	{ "blocksize 0", { "blocksize", "0", NULL }, -EINVAL, "blocksize" },
	{ "blocksize 4k", { "blocksize", "4k", NULL }, -EINVAL, "blocksize" },
	{ "every flag set",
	  { "read_only", "1", "nv_cache", "1", "write_through", "1", "o_direct", "1",
	    "thin_provisioned", "1", "rotational", "1", "removable", "1", "dummy", "1",
	    NULL }, 0, NULL,
	  K(READ_ONLY) | K(NV_CACHE) | K(WRITE_THROUGH) | K(O_DIRECT) |
	  K(THIN_PROVISIONED) | K(ROTATIONAL) | K(REMOVABLE) | K(DUMMY),
	  K(READ_ONLY) | K(NV_CACHE) | K(WRITE_THROUGH) | K(O_DIRECT) |
	  K(THIN_PROVISIONED) | K(ROTATIONAL) | K(REMOVABLE) | K(DUMMY) },
	{ "flags given as 0", { "read_only", "0", "rotational", "0", NULL }, 0, NULL,
	  K(READ_ONLY) | K(ROTATIONAL), 0 },
	{ "flag true", { "read_only", "true", NULL }, -EINVAL, "read_only" },
	{ "flag 2", { "nv_cache", "2", NULL }, -EINVAL, "nv_cache" },
	{ "second bad of two", { "read_only", "1", "removable", "yes", NULL },
	  -EINVAL, "removable" },
	{ "filename", { "filename", "/srv/disk 1.img", NULL }, 0, NULL, K(FILENAME) },
	{ "filename relative", { "filename", "disk.img", NULL }, -EINVAL, "filename" },
	{ "t10_dev_id", { "t10_dev_id", "strix-0001", NULL }, 0, NULL, K(T10_DEV_ID) },
	{ "t10_dev_id 63", { "t10_dev_id", X16 X16 X16 "xxxxxxxxxxxxxxx", NULL }, 0,
	  NULL, K(T10_DEV_ID) },
	{ "t10_dev_id 64", { "t10_dev_id", X16 X16 X16 X16, NULL }, -EINVAL,
	  "t10_dev_id" },
	{ "t10_dev_id blank", { "t10_dev_id", "a b", NULL }, -EINVAL, "t10_dev_id" },
	{ "t10_dev_id control", { "t10_dev_id", "a\x7f", NULL }, -EINVAL, "t10_dev_id" },
	{ "t10_dev_id 8 bit", { "t10_dev_id", "a\xe9", NULL }, -EINVAL, "t10_dev_id" },
};

static void vdisk_parse_desc(const struct vdisk_parse_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdisk_parse, vdisk_parse_cases, vdisk_parse_desc);

static unsigned long vdisk_opts_bools(const struct strix_vdisk_opts *o)
{
	unsigned long bools = 0;
	unsigned int k;

	for (k = 0; k < STRIX_VDISK_NR_KEYS; k++)
		if (strix_vdisk_keys[k].is_bool &&
		    *(const bool *)((const u8 *)o + strix_vdisk_keys[k].off))
			bools |= BIT(k);
	return bools;
}

static void vdisk_parse_test(struct kunit *test)
{
	const struct vdisk_parse_case *c = test->param_value;
	struct strix_params params = {};
	struct strix_vdisk_opts o;
	const char *bad = NULL;
	unsigned int i;
	int ret;

	for (i = 0; c->kv[i]; i += 2) {
		params.p[params.count].name = c->kv[i];
		params.p[params.count].value = c->kv[i + 1];
		params.count++;
	}
	ret = strix_vdisk_parse(&params, &o, &bad);
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	if (c->ret) {
		KUNIT_ASSERT_TRUE(test, bad != NULL);
		KUNIT_EXPECT_STREQ(test, bad, c->bad);
		return;
	}
	KUNIT_EXPECT_TRUE(test, bad == NULL);
	KUNIT_EXPECT_EQ(test, o.given, c->given);
	KUNIT_EXPECT_EQ(test, vdisk_opts_bools(&o), c->bools);
	KUNIT_EXPECT_EQ(test, o.size, c->size);
	KUNIT_EXPECT_EQ(test, o.block_size, c->block_size);
	/* Strings point into the command line, not copies. */
	KUNIT_EXPECT_PTR_EQ(test, o.filename, strix_param_get(&params, "filename"));
	KUNIT_EXPECT_PTR_EQ(test, o.t10_dev_id, strix_param_get(&params, "t10_dev_id"));
}

/* Every parameter any handler lists has a name in the table, and back. */
static void vdisk_keys_test(struct kunit *test)
{
	unsigned int i, j;

	for (i = 0; i < STRIX_VDISK_NR_KEYS; i++) {
		KUNIT_ASSERT_TRUE(test, strix_vdisk_keys[i].name != NULL);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ(test, strix_vdisk_keys[i].name,
					    strix_vdisk_keys[j].name);
		if (strix_vdisk_keys[i].is_bool)
			KUNIT_EXPECT_LT(test, strix_vdisk_keys[i].off,
					sizeof(struct strix_vdisk_opts));
	}
}

static struct kunit_case vdisk_params_cases[] = {
	KUNIT_CASE_PARAM(vdisk_parse_test, vdisk_parse_gen_params),
	KUNIT_CASE(vdisk_keys_test),
	{}
};

static struct kunit_suite vdisk_params_suite = {
	.name = "strix_vdisk_params",
	.test_cases = vdisk_params_cases,
};
kunit_test_suite(vdisk_params_suite);

MODULE_DESCRIPTION("KUnit cases for the Strix vdisk parameter parser");
MODULE_LICENSE("GPL");
