// SPDX-License-Identifier: GPL-2.0
/*
 * The add_device parameters of the vdisk handlers: their names, and a pure
 * parser (no allocation, no global state) from the core's parsed
 * `name=value` list to struct strix_vdisk_opts.  The handlers fill in their
 * own defaults afterwards.  KUnit cases: params_test.c.
 */
#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>

#include "vdisk.h"

#define STRIX_VDISK_KEY(_key, _name)					\
	[_key] = { .name = _name, .is_bool = false }
#define STRIX_VDISK_BOOL(_key, _name, _field)				\
	[_key] = { .name = _name, .is_bool = true,			\
		   .off = offsetof(struct strix_vdisk_opts, _field) }

const struct strix_vdisk_key_info strix_vdisk_keys[STRIX_VDISK_NR_KEYS] = {
	STRIX_VDISK_KEY(STRIX_VDISK_FILENAME, "filename"),
	STRIX_VDISK_KEY(STRIX_VDISK_SIZE, "size"),
	STRIX_VDISK_KEY(STRIX_VDISK_SIZE_MB, "size_mb"),
	STRIX_VDISK_KEY(STRIX_VDISK_BLOCKSIZE, "blocksize"),
	STRIX_VDISK_BOOL(STRIX_VDISK_READ_ONLY, "read_only", read_only),
	STRIX_VDISK_BOOL(STRIX_VDISK_NV_CACHE, "nv_cache", nv_cache),
	STRIX_VDISK_BOOL(STRIX_VDISK_WRITE_THROUGH, "write_through",
			 write_through),
	STRIX_VDISK_BOOL(STRIX_VDISK_O_DIRECT, "o_direct", o_direct),
	STRIX_VDISK_BOOL(STRIX_VDISK_THIN_PROVISIONED, "thin_provisioned",
			 thin_provisioned),
	STRIX_VDISK_BOOL(STRIX_VDISK_ROTATIONAL, "rotational", rotational),
	STRIX_VDISK_BOOL(STRIX_VDISK_REMOVABLE, "removable", removable),
	STRIX_VDISK_BOOL(STRIX_VDISK_DUMMY, "dummy", dummy),
	STRIX_VDISK_KEY(STRIX_VDISK_T10_DEV_ID, "t10_dev_id"),
};

/* T10 vendor identification: printable ASCII without blanks. */
static bool strix_vdisk_t10_dev_id_ok(const char *s)
{
	size_t len = strlen(s), i;

	if (!len || len > STRIX_VDISK_T10_DEV_ID_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return true;
}

/**
 * strix_vdisk_parse() - the vdisk parameters of an add_device command
 * @params: the parsed `name=value` list (the core has refused names the
 *          handler does not take)
 * @o:      filled in; parameters not given are 0 (the handler picks the
 *          defaults)
 * @bad:    set to the name of the first bad parameter on failure
 *
 * Pure: no allocation, no global state; @o's strings point into @params.
 *
 * Return: 0, or -EINVAL for a value out of range or malformed (a relative
 * filename, a blocksize other than 512 or 4096, size and size_mb that
 * disagree...).
 */
int strix_vdisk_parse(const struct strix_params *params,
		      struct strix_vdisk_opts *o, const char **bad)
{
	unsigned int k;
	u64 v;

	memset(o, 0, sizeof(*o));
	for (k = 0; k < STRIX_VDISK_NR_KEYS; k++) {
		const struct strix_vdisk_key_info *ki = &strix_vdisk_keys[k];
		const char *s = strix_param_get(params, ki->name);

		if (!s)
			continue;
		*bad = ki->name;
		o->given |= BIT(k);
		if (ki->is_bool) {
			if (strix_param_bool(params, ki->name,
					     (bool *)((u8 *)o + ki->off)))
				return -EINVAL;
			continue;
		}
		switch (k) {
		case STRIX_VDISK_FILENAME:
			if (s[0] != '/' || strlen(s) >= PATH_MAX)
				return -EINVAL;
			o->filename = s;
			break;
		case STRIX_VDISK_SIZE:
			if (strix_param_u64(params, ki->name, 1, U64_MAX, &v))
				return -EINVAL;
			o->size = v;
			break;
		case STRIX_VDISK_SIZE_MB:
			if (strix_param_u64(params, ki->name, 1, U64_MAX >> 20,
					    &v))
				return -EINVAL;
			/* Both given (a saved config may hold both): agree. */
			if ((o->given & BIT(STRIX_VDISK_SIZE)) &&
			    o->size != v << 20)
				return -EINVAL;
			o->size = v << 20;
			break;
		case STRIX_VDISK_BLOCKSIZE:
			if (strix_param_u64(params, ki->name, 512, 4096, &v) ||
			    (v != 512 && v != 4096))
				return -EINVAL;
			o->block_size = v;
			break;
		case STRIX_VDISK_T10_DEV_ID:
			if (!strix_vdisk_t10_dev_id_ok(s))
				return -EINVAL;
			o->t10_dev_id = s;
			break;
		}
	}
	*bad = NULL;
	return 0;
}
