// SPDX-License-Identifier: GPL-2.0
/*
 * Initiator name patterns of initiator groups: `*` and `?` wildcards,
 * case-insensitive, and `!pattern` to exclude.
 *
 * The matcher remembers only the last `*` it passed: when a later literal
 * part fails it lets that `*` swallow one more character and retries from
 * there.  An earlier `*` never needs revisiting (whatever it could swallow
 * the later one can too), so the work is bounded by
 * strlen(pattern) * strlen(name) whatever the pattern, with no recursion.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/export.h>
#include <linux/kernel.h>

#include "scsi.h"

bool strix_name_match(const char *pattern, const char *name)
{
	const char *p = pattern, *n = name;
	const char *star = NULL;	/* the pattern just after the last `*` */
	const char *resume = NULL;	/* where that `*`'s match ends now */

	if (!pattern || !name)
		return false;

	while (*n) {
		if (*p == '*') {
			star = ++p;
			resume = n;
		} else if (*p && (*p == '?' || tolower(*p) == tolower(*n))) {
			p++;
			n++;
		} else if (star) {
			p = star;
			n = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}
EXPORT_SYMBOL_GPL(strix_name_match);

bool strix_names_match(const char *const *patterns, unsigned int n,
		       const char *name)
{
	bool included = false;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const char *pat = patterns[i];

		if (!pat)
			continue;
		if (*pat == '!') {
			if (strix_name_match(pat + 1, name))
				return false;
		} else if (!included) {
			included = strix_name_match(pat, name);
		}
	}
	return included;
}
EXPORT_SYMBOL_GPL(strix_names_match);
