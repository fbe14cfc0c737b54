// SPDX-License-Identifier: GPL-2.0
/*
 * Management command line parsing: words, then `name=value; ...` lists.
 *
 * Everything here works in place on a writable, NUL-terminated copy of the
 * line the caller made; nothing allocates and nothing keeps state, so a
 * malformed line can be refused with nothing changed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include <strix/params.h>

/**
 * strix_mgmt_word() - split the next blank-delimited word off a line
 * @pos: cursor into the line; advanced past the word and its terminator
 *
 * Return: the word, NUL-terminated in place, or NULL at the end of the line.
 */
char *strix_mgmt_word(char **pos)
{
	char *s = skip_spaces(*pos);
	char *word;

	if (!*s) {
		*pos = s;
		return NULL;
	}
	word = s;
	while (*s && !isspace(*s))
		s++;
	if (*s)
		*s++ = '\0';
	*pos = s;
	return word;
}
EXPORT_SYMBOL_GPL(strix_mgmt_word);

/* Trim blanks at both ends of [start, end) in place; returns the start. */
static char *strix_trim(char *start, char *end)
{
	start = skip_spaces(start);
	while (end > start && isspace(end[-1]))
		end--;
	*end = '\0';
	return start;
}

static bool strix_param_name_ok(const char *name)
{
	size_t len = strlen(name);
	size_t i;

	if (len == 0 || len > STRIX_MAX_PARAM_NAME)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && name[i] != '_')
			return false;
	return true;
}

/**
 * strix_params_parse() - split `name=value; name=value ...` in place
 * @s:   the parameter part of a command line (may be NULL or blank)
 * @out: filled with pointers into @s
 *
 * Names are letters, digits and `_`; values are trimmed, must not be empty
 * and may contain inner blanks (file names).  A single trailing `;` is
 * allowed.  A name given twice is an error: the admin meant one of them.
 *
 * Return: 0, -EINVAL for a malformed list, -E2BIG for too many parameters.
 * On error @out is left with count 0.
 */
int strix_params_parse(char *s, struct strix_params *out)
{
	unsigned int i;
	int ret;

	out->count = 0;
	if (!s)
		return 0;

	while (*skip_spaces(s)) {
		char *semi = strchrnul(s, ';');
		char *next = *semi ? semi + 1 : semi;
		char *eq = memchr(s, '=', semi - s);
		const char *name, *value;

		if (!eq) {	/* no `=`: also catches an empty `;;` segment */
			ret = -EINVAL;
			goto reset;
		}
		name = strix_trim(s, eq);
		value = strix_trim(eq + 1, semi);
		if (!strix_param_name_ok(name) || !*value) {
			ret = -EINVAL;
			goto reset;
		}
		for (i = 0; i < out->count; i++) {
			if (!strcmp(out->p[i].name, name)) {
				ret = -EINVAL;
				goto reset;
			}
		}
		if (out->count == STRIX_MAX_PARAMS) {
			ret = -E2BIG;
			goto reset;
		}
		out->p[out->count].name = name;
		out->p[out->count].value = value;
		out->count++;
		s = next;
	}
	return 0;

reset:
	out->count = 0;
	return ret;
}
EXPORT_SYMBOL_GPL(strix_params_parse);

/**
 * strix_params_check() - refuse parameters a command does not take
 * @params:  a parsed list
 * @allowed: NULL-terminated list of the names the command accepts
 * @bad:     set to the first refused name, for the caller's message
 *
 * Return: 0 or -EINVAL.
 */
int strix_params_check(const struct strix_params *params,
		       const char *const *allowed, const char **bad)
{
	unsigned int i;

	for (i = 0; i < params->count; i++) {
		const char *const *a;

		for (a = allowed; *a; a++)
			if (!strcmp(*a, params->p[i].name))
				break;
		if (!*a) {
			*bad = params->p[i].name;
			return -EINVAL;
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(strix_params_check);

/**
 * strix_param_get() - value of a parameter
 * @params: a parsed list
 * @name:   the parameter's name
 *
 * Return: the value, or NULL when @name was not given.
 */
const char *strix_param_get(const struct strix_params *params,
			    const char *name)
{
	unsigned int i;

	for (i = 0; i < params->count; i++)
		if (!strcmp(params->p[i].name, name))
			return params->p[i].value;
	return NULL;
}
EXPORT_SYMBOL_GPL(strix_param_get);

/**
 * strix_param_u64() - numeric value of a parameter, range checked
 * @params: a parsed list
 * @name:   the parameter's name
 * @min:    smallest value accepted
 * @max:    largest value accepted
 * @val:    set to the value on success
 *
 * Accepts decimal, 0x hex and 0 octal, like the kernel's kstrto*().
 *
 * Return: 0, -ENOENT if not given (@val untouched), -EINVAL if not a number,
 * -ERANGE if outside [@min, @max].
 */
int strix_param_u64(const struct strix_params *params, const char *name,
		    u64 min, u64 max, u64 *val)
{
	const char *s = strix_param_get(params, name);
	u64 v;

	if (!s)
		return -ENOENT;
	if (kstrtou64(s, 0, &v))
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*val = v;
	return 0;
}
EXPORT_SYMBOL_GPL(strix_param_u64);

/**
 * strix_param_bool() - 0/1 value of a parameter
 * @params: a parsed list
 * @name:   the parameter's name
 * @val:    set to the value on success
 *
 * Return: 0, -ENOENT if not given (@val untouched), -EINVAL otherwise.
 */
int strix_param_bool(const struct strix_params *params, const char *name,
		     bool *val)
{
	const char *s = strix_param_get(params, name);

	if (!s)
		return -ENOENT;
	if (!strcmp(s, "0"))
		*val = false;
	else if (!strcmp(s, "1"))
		*val = true;
	else
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(strix_param_bool);
