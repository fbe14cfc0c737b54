// SPDX-License-Identifier: GPL-2.0
/*
 * Mode pages as pure functions (SPC-4 7.5, SBC-3 6.4): the bytes of the
 * caching (08h) and control (0Ah) pages for each page control, the check
 * of MODE SELECT parameter data against them, and the text form of saved
 * pages.  MODE SENSE (spc.c) and MODE SELECT (mode_dev.c) both build
 * pages here, so what one reports is what the other compares with.
 *
 * Changeable: WCE (when the device has a volatile cache and the LUN is
 * not read-only), D_SENSE, QErr and TAS.  MODE SELECT must send every
 * other field as MODE SENSE reports it; a field that differs fails the
 * command with INVALID FIELD IN PARAMETER LIST pointing at it.
 *
 * Nothing here allocates, locks or keeps state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "scsi.h"

#define MODE_PC_CHANGEABLE	1
#define MODE_PC_DEFAULT		2
#define MODE_PC_SAVED		3

#define MODE_PS			0x80	/* page byte 0: parameters saveable */
#define MODE_SPF		0x40	/* page byte 0: sub_page format */
#define MODE_CACHING		0x08
#define MODE_CACHING_LEN	0x12
#define MODE_CONTROL		0x0a
#define MODE_CONTROL_LEN	0x0a

#define MODE_CACHING_WCE	0x04	/* byte 2 */
#define MODE_CONTROL_D_SENSE	0x04	/* byte 2 */
#define MODE_CONTROL_QAM_UNRESTRICTED	0x10	/* byte 3 */
#define MODE_CONTROL_QERR_SHIFT	1	/* byte 3, bits 2-1 */
#define MODE_CONTROL_QERR_MASK	0x06
#define MODE_CONTROL_TAS	0x40	/* byte 5 */

#define MODE_HDR6_LEN		4
#define MODE_HDR10_LEN		8
#define MODE_MS10_LONGLBA	0x01	/* MODE SELECT(10) header byte 4 */

static const struct strix_mode_vals *mode_vals(const struct strix_mode_pages *mp,
					       u8 pc)
{
	switch (pc) {
	case MODE_PC_DEFAULT:
		return &mp->def;
	case MODE_PC_SAVED:
		return &mp->saved;
	default:
		return &mp->cur;
	}
}

unsigned int strix_mode_page(u8 code, u8 pc, const struct strix_mode_pages *mp,
			     u8 *out)
{
	static const struct strix_mode_vals all = {
		.wce = true, .d_sense = true, .tas = true, .qerr = 3,
	};
	const struct strix_mode_vals *v = mode_vals(mp, pc);
	bool mask = pc == MODE_PC_CHANGEABLE;

	if (mask)
		v = &all;
	switch (code) {
	case MODE_CACHING:
		memset(out, 0, 2 + MODE_CACHING_LEN);
		out[0] = MODE_PS | MODE_CACHING;
		out[1] = MODE_CACHING_LEN;
		/*
		 * IC ABPF CAP DISC SIZE 0, WCE, MF 0, RCD 0; retention,
		 * prefetch and segments: 0.  WCE can be changed only where
		 * there is a volatile cache to turn on and off.
		 */
		if (v->wce && (!mask || mp->wce_changeable))
			out[2] = MODE_CACHING_WCE;
		return 2 + MODE_CACHING_LEN;
	case MODE_CONTROL:
		memset(out, 0, 2 + MODE_CONTROL_LEN);
		out[0] = MODE_PS | MODE_CONTROL;
		out[1] = MODE_CONTROL_LEN;
		/* TST 0 (one task set), TMF_ONLY DPICZ 0, D_SENSE, GLTSD RLEC 0 */
		if (v->d_sense)
			out[2] = MODE_CONTROL_D_SENSE;
		/*
		 * Queue algorithm modifier 1 (not changeable): SIMPLE commands
		 * run concurrently on the device's workers, overlapping ones
		 * included.  NUAR 0, QErr.
		 */
		out[3] = (mask ? 0 : MODE_CONTROL_QAM_UNRESTRICTED) |
			 (v->qerr & 3) << MODE_CONTROL_QERR_SHIFT;
		/* byte 4: VS RAC UA_INTLCK_CTRL SWP 0 */
		/* byte 5: ATO 0, TAS, ATMPE RWWP 0, autoload mode 0 */
		if (v->tas)
			out[5] = MODE_CONTROL_TAS;
		/* obsolete, busy timeout (undefined), self-test time: 0 */
		return 2 + MODE_CONTROL_LEN;
	default:
		return 0;
	}
}
EXPORT_SYMBOL_GPL(strix_mode_page);

static u64 mode_be(const u8 *p, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

static strix_sense_t mode_bad(u16 *fbyte, s8 *fbit, u32 byte, s8 bit)
{
	*fbyte = byte;
	*fbit = bit;
	return STRIX_INVALID_FIELD_PARAM;
}

/* The highest bit set in @x (x != 0). */
static s8 mode_top_bit(u8 x)
{
	return fls(x) - 1;
}

/*
 * A block descriptor is accepted only as MODE SENSE reports it: the block
 * length and the number of blocks of the device (0 blocks: SBC's "leave
 * the capacity alone"), density code 0.  Nothing in it can change.
 */
static strix_sense_t mode_check_bd(const u8 *bd, u32 off, bool longlba,
				   const struct strix_dev_params *dp,
				   u16 *fbyte, s8 *fbit)
{
	u64 nr = READ_ONCE(dp->nr_blocks), n;

	if (longlba) {
		n = mode_be(bd, 8);
		if (n && n != nr)
			return mode_bad(fbyte, fbit, off, -1);
		if (mode_be(bd + 8, 4))		/* reserved */
			return mode_bad(fbyte, fbit, off + 8, -1);
		if (mode_be(bd + 12, 4) != dp->block_size)
			return mode_bad(fbyte, fbit, off + 12, -1);
		return STRIX_OK;
	}
	n = mode_be(bd, 4);
	if (n && n != min_t(u64, nr, U32_MAX))
		return mode_bad(fbyte, fbit, off, -1);
	if (bd[4])				/* density code */
		return mode_bad(fbyte, fbit, off + 4, -1);
	if (mode_be(bd + 5, 3) != dp->block_size)
		return mode_bad(fbyte, fbit, off + 5, -1);
	return STRIX_OK;
}

strix_sense_t strix_mode_select_parse(const u8 *data, u32 len, bool ten,
				      const struct strix_dev_params *dp,
				      const struct strix_mode_pages *mp,
				      struct strix_mode_vals *out,
				      u16 *fbyte, s8 *fbit)
{
	u32 hdr = ten ? MODE_HDR10_LEN : MODE_HDR6_LEN;
	u32 off, bd_len, bd_one;
	bool longlba = false;
	strix_sense_t ret;

	*out = mp->cur;
	if (!len)			/* no data: nothing to change */
		return STRIX_OK;
	if (len < hdr)
		return STRIX_PARAM_LIST_LENGTH;

	/*
	 * Header: the mode data length is reserved for MODE SELECT (not
	 * checked), the medium type must be 0, the device-specific
	 * parameter's WP and DPOFUA are ignored (SBC-3), the rest reserved.
	 */
	if (ten) {
		if (data[2])
			return mode_bad(fbyte, fbit, 2, -1);
		if (data[4] & ~MODE_MS10_LONGLBA)
			return mode_bad(fbyte, fbit, 4, -1);
		longlba = data[4] & MODE_MS10_LONGLBA;
		if (data[5])
			return mode_bad(fbyte, fbit, 5, -1);
		bd_len = mode_be(data + 6, 2);
	} else {
		if (data[1])
			return mode_bad(fbyte, fbit, 1, -1);
		bd_len = data[3];
	}
	bd_one = longlba ? 16 : 8;
	if (bd_len % bd_one || bd_len > bd_one)
		return mode_bad(fbyte, fbit, ten ? 6 : 3, -1);
	if (hdr + bd_len > len)
		return STRIX_PARAM_LIST_LENGTH;
	if (bd_len) {
		ret = mode_check_bd(data + hdr, hdr, longlba, dp, fbyte, fbit);
		if (ret != STRIX_OK)
			return ret;
	}

	for (off = hdr + bd_len; off < len; ) {
		u8 cur[STRIX_MODE_PAGE_MAX], mask[STRIX_MODE_PAGE_MAX];
		const u8 *p = data + off;
		unsigned int plen, i;

		if (len - off < 2)
			return STRIX_PARAM_LIST_LENGTH;
		if (p[0] & MODE_SPF)		/* no subpages here */
			return mode_bad(fbyte, fbit, off, 6);
		/* PS (bit 7) is reserved in MODE SELECT: ignored */
		plen = strix_mode_page(p[0] & 0x3f, 0, mp, cur);
		if (!plen)
			return mode_bad(fbyte, fbit, off, 5);
		if (p[1] != plen - 2)
			return mode_bad(fbyte, fbit, off + 1, -1);
		if (len - off < plen)
			return STRIX_PARAM_LIST_LENGTH;
		strix_mode_page(p[0] & 0x3f, MODE_PC_CHANGEABLE, mp, mask);
		for (i = 2; i < plen; i++) {
			u8 diff = (p[i] ^ cur[i]) & ~mask[i];

			if (diff)
				return mode_bad(fbyte, fbit, off + i,
						mode_top_bit(diff));
		}
		if ((p[0] & 0x3f) == MODE_CACHING) {
			out->wce = p[2] & MODE_CACHING_WCE;
		} else {
			u8 qerr = (p[3] & MODE_CONTROL_QERR_MASK) >>
				  MODE_CONTROL_QERR_SHIFT;

			if (qerr == 2)		/* 10b is reserved */
				return mode_bad(fbyte, fbit, off + 3, 2);
			out->d_sense = p[2] & MODE_CONTROL_D_SENSE;
			out->qerr = qerr;
			out->tas = p[5] & MODE_CONTROL_TAS;
		}
		off += plen;
	}
	return STRIX_OK;
}
EXPORT_SYMBOL_GPL(strix_mode_select_parse);

ssize_t strix_mode_dump(const struct strix_mode_vals *v, char *buf, size_t len)
{
	int n = snprintf(buf, len, "wce %u\nd_sense %u\ntas %u\nqerr %u\n",
			 v->wce, v->d_sense, v->tas, v->qerr);

	return n < 0 || n >= len ? -EFBIG : n;
}
EXPORT_SYMBOL_GPL(strix_mode_dump);

/*
 * One `name value` line per field, each exactly once, in any order; a
 * trailing newline may be missing.  QErr 2 is reserved.
 */
int strix_mode_load(struct strix_mode_vals *v, const char *text)
{
	static const char *const names[] = { "wce", "d_sense", "tas", "qerr" };
	struct strix_mode_vals nv = {};
	unsigned int seen = 0;

	while (*text) {
		const char *eol = strchrnul(text, '\n');
		char line[24], word[12];
		unsigned int i, val;
		int used = 0;

		if (eol - text >= sizeof(line))
			return -EINVAL;
		memcpy(line, text, eol - text);
		line[eol - text] = '\0';
		text = *eol ? eol + 1 : eol;
		if (sscanf(line, "%11s %u%n", word, &val, &used) != 2 ||
		    line[used] || val > 3)
			return -EINVAL;
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(word, names[i]))
				break;
		if (i == ARRAY_SIZE(names) || seen & BIT(i))
			return -EINVAL;
		if (i < 3 && val > 1)
			return -EINVAL;
		if (i == 3 && val == 2)
			return -EINVAL;
		seen |= BIT(i);
		switch (i) {
		case 0:
			nv.wce = val;
			break;
		case 1:
			nv.d_sense = val;
			break;
		case 2:
			nv.tas = val;
			break;
		default:
			nv.qerr = val;
			break;
		}
	}
	if (seen != BIT(ARRAY_SIZE(names)) - 1)
		return -EINVAL;
	*v = nv;
	return 0;
}
EXPORT_SYMBOL_GPL(strix_mode_load);
