// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the management command parser (params.c).
 * Loaded as strix_core_test.ko on a kernel with CONFIG_KUNIT.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>

#include <strix/params.h>

struct params_case {
	const char *desc;
	const char *in;
	int ret;
	unsigned int count;
	/* expected pairs, name then value */
	const char *kv[8];
};

static const struct params_case params_cases[] = {
	{ "null-like empty", "", 0, 0, {} },
	{ "blank", "  \t ", 0, 0, {} },
	{ "one", "filename=/srv/d1.img", 0, 1, { "filename", "/srv/d1.img" } },
	{ "two, blanks around", " filename = /srv/d1.img ;  blocksize=4096 ", 0, 2,
	  { "filename", "/srv/d1.img", "blocksize", "4096" } },
	{ "trailing semicolon", "read_only=1;", 0, 1, { "read_only", "1" } },
	{ "trailing semicolon and blank", "read_only=1; \n", 0, 1,
	  { "read_only", "1" } },
	{ "inner blanks kept", "filename=/srv/my disk.img", 0, 1,
	  { "filename", "/srv/my disk.img" } },
	{ "value with =", "t10_dev_id=a=b", 0, 1, { "t10_dev_id", "a=b" } },
	{ "newline at end", "size_mb=10\n", 0, 1, { "size_mb", "10" } },
	{ "missing =", "filename", -EINVAL, 0, {} },
	{ "empty value", "filename=", -EINVAL, 0, {} },
	{ "blank value", "filename=   ;", -EINVAL, 0, {} },
	{ "empty name", "=1", -EINVAL, 0, {} },
	{ "bad char in name", "file-name=1", -EINVAL, 0, {} },
	{ "blank in name", "file name=1", -EINVAL, 0, {} },
	{ "double semicolon", "a=1;;b=2", -EINVAL, 0, {} },
	{ "leading semicolon", ";a=1", -EINVAL, 0, {} },
	{ "duplicate", "a=1; b=2; a=3", -EINVAL, 0, {} },
	{ "name too long", "abcdefghijabcdefghijabcdefghijab=1", -EINVAL, 0, {} },
	{ "longest name", "abcdefghijabcdefghijabcdefghija=1", 0, 1,
	  { "abcdefghijabcdefghijabcdefghija", "1" } },
};

static void params_case_desc(const struct params_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(params, params_cases, params_case_desc);

static void strix_params_parse_test(struct kunit *test)
{
	const struct params_case *c = test->param_value;
	struct strix_params p;
	char *buf;
	unsigned int i;

	buf = kunit_kzalloc(test, strlen(c->in) + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	strcpy(buf, c->in);

	KUNIT_EXPECT_EQ(test, strix_params_parse(buf, &p), c->ret);
	KUNIT_ASSERT_EQ(test, p.count, c->count);
	for (i = 0; i < c->count; i++) {
		KUNIT_EXPECT_STREQ(test, p.p[i].name, c->kv[2 * i]);
		KUNIT_EXPECT_STREQ(test, p.p[i].value, c->kv[2 * i + 1]);
	}
}

static void strix_params_too_many_test(struct kunit *test)
{
	struct strix_params p;
	size_t size = (STRIX_MAX_PARAMS + 1) * 8 + 1;
	char *buf = kunit_kzalloc(test, size, GFP_KERNEL);
	unsigned int i;
	size_t len = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < STRIX_MAX_PARAMS; i++)
		len += scnprintf(buf + len, size - len, "p%u=1;", i);
	KUNIT_EXPECT_EQ(test, strix_params_parse(buf, &p), 0);
	KUNIT_EXPECT_EQ(test, p.count, STRIX_MAX_PARAMS);

	len = 0;
	for (i = 0; i <= STRIX_MAX_PARAMS; i++)
		len += scnprintf(buf + len, size - len, "p%u=1;", i);
	KUNIT_EXPECT_EQ(test, strix_params_parse(buf, &p), -E2BIG);
	KUNIT_EXPECT_EQ(test, p.count, 0U);
}

static void strix_params_typed_test(struct kunit *test)
{
	static const char *const allowed[] = { "size", "read_only", NULL };
	char line[] = "size=0x1000; read_only=1; bogus=x";
	struct strix_params p;
	const char *bad = NULL;
	u64 v = 7;
	bool b = false;

	KUNIT_ASSERT_EQ(test, strix_params_parse(line, &p), 0);
	KUNIT_EXPECT_EQ(test, strix_params_check(&p, allowed, &bad), -EINVAL);
	KUNIT_EXPECT_STREQ(test, bad, "bogus");

	KUNIT_EXPECT_EQ(test, strix_param_u64(&p, "size", 0, U64_MAX, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0x1000ULL);
	KUNIT_EXPECT_EQ(test, strix_param_u64(&p, "size", 0, 0xfff, &v), -ERANGE);
	KUNIT_EXPECT_EQ(test, strix_param_u64(&p, "bogus", 0, 10, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, strix_param_u64(&p, "absent", 0, 10, &v), -ENOENT);
	KUNIT_EXPECT_EQ(test, v, 0x1000ULL);

	KUNIT_EXPECT_EQ(test, strix_param_bool(&p, "read_only", &b), 0);
	KUNIT_EXPECT_TRUE(test, b);
	KUNIT_EXPECT_EQ(test, strix_param_bool(&p, "size", &b), -EINVAL);
	KUNIT_EXPECT_EQ(test, strix_param_bool(&p, "absent", &b), -ENOENT);
	KUNIT_EXPECT_PTR_EQ(test, strix_param_get(&p, "absent"), (const char *)NULL);
}

static void strix_mgmt_word_test(struct kunit *test)
{
	char line[] = "  add_device\tdisk1  filename=/a b; blocksize=512\n";
	char *pos = line;

	KUNIT_EXPECT_STREQ(test, strix_mgmt_word(&pos), "add_device");
	KUNIT_EXPECT_STREQ(test, strix_mgmt_word(&pos), "disk1");
	/* the rest of the line is the parameter list */
	KUNIT_EXPECT_STREQ(test, pos, " filename=/a b; blocksize=512\n");
	KUNIT_EXPECT_STREQ(test, strix_mgmt_word(&pos), "filename=/a");
	KUNIT_EXPECT_STREQ(test, strix_mgmt_word(&pos), "b;");
	KUNIT_EXPECT_STREQ(test, strix_mgmt_word(&pos), "blocksize=512");
	KUNIT_EXPECT_PTR_EQ(test, strix_mgmt_word(&pos), (char *)NULL);
	KUNIT_EXPECT_PTR_EQ(test, strix_mgmt_word(&pos), (char *)NULL);
}

static struct kunit_case strix_params_test_cases[] = {
	KUNIT_CASE_PARAM(strix_params_parse_test, params_gen_params),
	KUNIT_CASE(strix_params_too_many_test),
	KUNIT_CASE(strix_params_typed_test),
	KUNIT_CASE(strix_mgmt_word_test),
	{}
};

static struct kunit_suite strix_params_test_suite = {
	.name = "strix-params",
	.test_cases = strix_params_test_cases,
};

kunit_test_suite(strix_params_test_suite);

MODULE_DESCRIPTION("KUnit tests for the Strix core");
MODULE_LICENSE("GPL");
