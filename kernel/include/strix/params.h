/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing of management command lines written to sysfs `mgmt` files:
 *
 *	add_device disk1 filename=/srv/disk1.img; blocksize=4096
 *
 * Words are split with strix_mgmt_word(); the rest of the line, a list of
 * `name=value` pairs separated by `;`, is split with strix_params_parse().
 * Both work in place on a writable copy of the line and are pure functions
 * (no allocation, no global state), tested by KUnit in core/params_test.c.
 */
#ifndef _STRIX_PARAMS_H
#define _STRIX_PARAMS_H

#include <linux/types.h>

/* Longest parameter list a command takes. */
#define STRIX_MAX_PARAMS	32
/* Longest name of a parameter, not counting the NUL. */
#define STRIX_MAX_PARAM_NAME	31

/* One `name=value` pair; both point into the parsed line. */
struct strix_param {
	const char *name;
	const char *value;
};

/*
 * The parsed parameter list of one command.  Lives on the caller's stack for
 * the duration of one mgmt write; no locking.
 */
struct strix_params {
	unsigned int count;
	struct strix_param p[STRIX_MAX_PARAMS];
};

char *strix_mgmt_word(char **pos);
int strix_params_parse(char *s, struct strix_params *out);
int strix_params_check(const struct strix_params *params,
		       const char *const *allowed, const char **bad);
const char *strix_param_get(const struct strix_params *params,
			    const char *name);
int strix_param_u64(const struct strix_params *params, const char *name,
		    u64 min, u64 max, u64 *val);
int strix_param_bool(const struct strix_params *params, const char *name,
		     bool *val);

#endif
