// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for initiator name patterns (pattern.c).
 */
#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "scsi.h"

struct name_case {
	const char *pattern;
	const char *name;
	bool match;
};

static const struct name_case name_cases[] = {
	{ "iqn.2024-01.com.example:host1", "iqn.2024-01.com.example:host1", true },
	{ "iqn.2024-01.com.example:host1", "iqn.2024-01.com.example:host2", false },
	{ "iqn.2024-01.com.example:host1", "iqn.2024-01.com.example:host10", false },
	{ "iqn.2024-01.com.example:host10", "iqn.2024-01.com.example:host1", false },
	{ "IQN.2024-01.COM.Example:Host1", "iqn.2024-01.com.example:host1", true },
	{ "iqn.2024-01.com.example:host1", "IQN.2024-01.COM.EXAMPLE:HOST1", true },
	{ "*", "iqn.x", true },
	{ "*", "", true },
	{ "**", "", true },
	{ "", "", true },
	{ "", "a", false },
	{ "a", "", false },
	{ "?", "", false },
	{ "?", "a", true },
	{ "?", "ab", false },
	{ "??", "ab", true },
	{ "iqn.*:host?", "iqn.2024-01.com.example:host7", true },
	{ "iqn.*:host?", "iqn.2024-01.com.example:host17", false },
	{ "iqn.*:host*", "iqn.2024-01.com.example:host17", true },
	{ "*:host1", "iqn.a:host1:host1", true },
	{ "*:host1", "iqn.a:host1:host2", false },
	{ "*host*", "HOST", true },
	{ "*a*b*c*", "xxaxxbxxcxx", true },
	{ "*a*b*c*", "xxcxxbxxaxx", false },
	{ "a*b", "ab", true },
	{ "a*b", "axxxbxxxb", true },
	{ "a*b", "axxxbxxxc", false },
	{ "a*?", "a", false },
	{ "a*?", "ab", true },
	{ "*?*", "", false },
	{ "*?*", "z", true },
	{ "21:00:00:24:ff:*", "21:00:00:24:FF:7a:1b:2c", true },
	{ "21:00:00:24:ff:*", "21:00:00:24:fe:7a:1b:2c", false },
	{ "!iqn.*", "iqn.x", false },	/* `!` is literal here */
	{ "!iqn.*", "!iqn.x", true },
	{ "*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false },
	{ "*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true },
};

static void name_case_desc(const struct name_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "'%s' vs '%s'", c->pattern,
		 c->name);
}

KUNIT_ARRAY_PARAM(name, name_cases, name_case_desc);

static void strix_name_match_test(struct kunit *test)
{
	const struct name_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, strix_name_match(c->pattern, c->name), c->match);
}

struct names_case {
	const char *desc;
	const char *patterns[4];
	unsigned int n;
	const char *name;
	bool match;
};

static const struct names_case names_cases[] = {
	{ "empty list", {}, 0, "iqn.a", false },
	{ "one name", { "iqn.a" }, 1, "iqn.a", true },
	{ "second of two", { "iqn.a", "iqn.b" }, 2, "IQN.B", true },
	{ "none of two", { "iqn.a", "iqn.b" }, 2, "iqn.c", false },
	{ "wildcard minus one", { "iqn.*", "!iqn.bad" }, 2, "iqn.good", true },
	{ "the excluded one", { "iqn.*", "!iqn.bad" }, 2, "iqn.bad", false },
	{ "excluded, case", { "iqn.*", "!IQN.BAD" }, 2, "iqn.bad", false },
	{ "exclusion first", { "!iqn.bad", "iqn.*" }, 2, "iqn.bad", false },
	{ "exclusion by pattern", { "*", "!iqn.*:test?" }, 2, "iqn.x:test1",
	  false },
	{ "exclusion by pattern, other", { "*", "!iqn.*:test?" }, 2,
	  "iqn.x:test12", true },
	{ "only exclusions", { "!iqn.bad" }, 1, "iqn.good", false },
	{ "bare ! excludes the empty name", { "*", "!" }, 2, "", false },
	{ "bare ! excludes nothing else", { "*", "!" }, 2, "iqn.a", true },
	{ "count limits the list", { "iqn.a", "iqn.b" }, 1, "iqn.b", false },
	{ "NULL entries skipped", { NULL, "iqn.b" }, 2, "iqn.b", true },
};

static void names_case_desc(const struct names_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(names, names_cases, names_case_desc);

static void strix_names_match_test(struct kunit *test)
{
	const struct names_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, strix_names_match(c->patterns, c->n, c->name),
			c->match);
}

/*
 * A pattern with many stars against a long name that almost matches: a
 * backtracking matcher takes exponential time here, this one about
 * strlen(pattern) * strlen(name) steps.
 */
static void strix_name_match_adversarial_test(struct kunit *test)
{
	const unsigned int stars = 64, len = 8192;
	char *pattern = kunit_kzalloc(test, 2 * stars + 2, GFP_KERNEL);
	char *name = kunit_kzalloc(test, len + 1, GFP_KERNEL);
	unsigned int i;
	ktime_t start;
	s64 ms;

	KUNIT_ASSERT_NOT_NULL(test, pattern);
	KUNIT_ASSERT_NOT_NULL(test, name);
	for (i = 0; i < stars; i++) {
		pattern[2 * i] = '*';
		pattern[2 * i + 1] = 'a';
	}
	pattern[2 * stars] = 'b';
	memset(name, 'a', len);

	start = ktime_get();
	KUNIT_EXPECT_FALSE(test, strix_name_match(pattern, name));
	name[len - 1] = 'b';
	KUNIT_EXPECT_TRUE(test, strix_name_match(pattern, name));
	name[0] = 'b';		/* the first star takes it */
	KUNIT_EXPECT_TRUE(test, strix_name_match(pattern, name));
	memset(name, 'a', len);
	name[stars - 1] = 'b';	/* one a short of the 64 the pattern needs */
	name[stars] = '\0';
	KUNIT_EXPECT_FALSE(test, strix_name_match(pattern, name));
	ms = ktime_ms_delta(ktime_get(), start);
	/* milliseconds on real hardware; generous for an emulated KASAN guest */
	KUNIT_EXPECT_LT(test, ms, 10000);
}

static void strix_name_match_null_test(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, strix_name_match(NULL, "a"));
	KUNIT_EXPECT_FALSE(test, strix_name_match("*", NULL));
}

static struct kunit_case strix_pattern_test_cases[] = {
	KUNIT_CASE_PARAM(strix_name_match_test, name_gen_params),
	KUNIT_CASE_PARAM(strix_names_match_test, names_gen_params),
	KUNIT_CASE(strix_name_match_adversarial_test),
	KUNIT_CASE(strix_name_match_null_test),
	{}
};

static struct kunit_suite strix_pattern_test_suite = {
	.name = "strix-pattern",
	.test_cases = strix_pattern_test_cases,
};

kunit_test_suite(strix_pattern_test_suite);
