// SPDX-License-Identifier: GPL-2.0
/*
 * Persistent reservations: the rules of SPC-4 5.12 over struct
 * strix_pr_state, with no I/O and no locking of their own (pr.h).
 *
 * Decisions where SPC leaves room or Strix is not there yet:
 * - An I_T nexus is (initiator port name, relative target port id); names
 *   compare exactly.  TransportIDs are the iSCSI format (protocol 5h,
 *   format 00b or 01b); others are refused as INVALID FIELD IN PARAMETER
 *   LIST until a driver of that protocol exists.
 * - APTPL: the last successful REGISTER, REGISTER AND IGNORE EXISTING KEY
 *   or REGISTER AND MOVE sets @aptpl from its APTPL bit (the other service
 *   actions ignore the bit); the caller persists the state (pr_file.c).
 * - At most STRIX_PR_MAX_REGS registrations; more is INSUFFICIENT
 *   REGISTRATION RESOURCES.
 * - PREEMPT never removes the issuer's own registration, whatever key it
 *   names; naming a key no other registration has is a RESERVATION
 *   CONFLICT.
 * - REGISTER AND MOVE to a nexus already registered keeps that
 *   registration's key.
 */
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <strix/compat.h>

#include "pr.h"

#define PR_BASIC_LEN	24	/* the basic PR OUT parameter list */
#define PR_TID_MIN	20	/* a TransportID: 4 + at least 16 */
#define PR_PROTO_ISCSI	0x5

static bool pr_all_reg(u8 type)
{
	return type == STRIX_PR_WE_AR || type == STRIX_PR_EA_AR;
}

static bool pr_type_ok(u8 type)
{
	switch (type) {
	case STRIX_PR_WE:
	case STRIX_PR_EA:
	case STRIX_PR_WE_RO:
	case STRIX_PR_EA_RO:
	case STRIX_PR_WE_AR:
	case STRIX_PR_EA_AR:
		return true;
	}
	return false;
}

/* Does @reg stand for @nexus (its initiator, on its port or on all)? */
bool strix_pr_reg_match(const struct strix_pr_reg *reg,
			const struct strix_pr_nexus *nexus)
{
	return (reg->all_tg_pt || reg->rel_tgt_id == nexus->rel_tgt_id) &&
	       !strcmp(reg->ini, nexus->ini);
}
EXPORT_SYMBOL_GPL(strix_pr_reg_match);

struct strix_pr_reg *strix_pr_find(const struct strix_pr_state *pr,
				   const struct strix_pr_nexus *nexus)
{
	struct strix_pr_reg *reg;

	list_for_each_entry(reg, &pr->regs, entry)
		if (strix_pr_reg_match(reg, nexus))
			return reg;
	return NULL;
}
EXPORT_SYMBOL_GPL(strix_pr_find);

/* Does @reg hold the reservation (any registration, for all-registrants)? */
static bool pr_holds(const struct strix_pr_state *pr,
		     const struct strix_pr_reg *reg)
{
	return pr->holder && reg && (pr_all_reg(pr->type) || pr->holder == reg);
}

void strix_pr_init(struct strix_pr_state *pr)
{
	memset(pr, 0, sizeof(*pr));
	INIT_LIST_HEAD(&pr->regs);
}
EXPORT_SYMBOL_GPL(strix_pr_init);

static void pr_ua(const struct strix_pr_notify *n, const struct strix_pr_reg *reg,
		  u8 ascq)
{
	if (n && n->ua)
		n->ua(n->priv, reg, ascq);
}

/* Take @reg out; the reservation follows the rules of losing a holder. */
static void pr_unregister(struct strix_pr_state *pr, struct strix_pr_reg *reg,
			  const struct strix_pr_notify *n, bool release_ua)
{
	struct strix_pr_reg *r;

	list_del(&reg->entry);
	pr->nr_regs--;
	if (pr->holder == reg) {
		if (pr_all_reg(pr->type)) {
			/* held by all registrants: by the next one, if any */
			pr->holder = list_first_entry_or_null(&pr->regs,
							      struct strix_pr_reg,
							      entry);
		} else {
			pr->holder = NULL;
			if (release_ua && (pr->type == STRIX_PR_WE_RO ||
					   pr->type == STRIX_PR_EA_RO))
				list_for_each_entry(r, &pr->regs, entry)
					pr_ua(n, r, STRIX_PR_UA_RESERVATIONS_RELEASED);
		}
	}
	kfree(reg);
}

static void pr_free_list(struct list_head *list)
{
	struct strix_pr_reg *reg, *tmp;

	list_for_each_entry_safe(reg, tmp, list, entry) {
		list_del(&reg->entry);
		kfree(reg);
	}
}

void strix_pr_clear_all(struct strix_pr_state *pr)
{
	pr_free_list(&pr->regs);
	pr->nr_regs = 0;
	pr->holder = NULL;
}
EXPORT_SYMBOL_GPL(strix_pr_clear_all);

/**
 * strix_pr_tid_parse() - an iSCSI TransportID
 * @tid:     the TransportID
 * @len:     bytes available at @tid
 * @name:    the initiator port name, NUL-terminated
 * @size:    room at @name
 * @tid_len: set to the TransportID's length
 *
 * Return: 0, or -EINVAL for anything but a well-formed iSCSI TransportID.
 */
int strix_pr_tid_parse(const u8 *tid, u32 len, char *name, size_t size,
		       u32 *tid_len)
{
	u32 total, n;

	if (len < PR_TID_MIN || (tid[0] & 0x0f) != PR_PROTO_ISCSI ||
	    (tid[0] >> 6) > 1)
		return -EINVAL;
	total = 4 + get_unaligned_be16(tid + 2);
	if (total < PR_TID_MIN || total % 4 || total > len)
		return -EINVAL;
	n = strnlen((const char *)tid + 4, total - 4);
	if (!n || n == total - 4 || n >= size)
		return -EINVAL;		/* empty, not terminated, too long */
	memcpy(name, tid + 4, n);
	name[n] = '\0';
	*tid_len = total;
	return 0;
}
EXPORT_SYMBOL_GPL(strix_pr_tid_parse);

/**
 * strix_pr_tid_build() - the iSCSI TransportID (format 00b) of @name
 * @name: the initiator port name
 * @buf:  where to write it (may be NULL, or short: nothing past @len)
 * @len:  room at @buf
 *
 * Return: its length (a multiple of 4, at least 20).
 */
u32 strix_pr_tid_build(const char *name, u8 *buf, u32 len)
{
	u32 n = strlen(name), total = max_t(u32, round_up(4 + n + 1, 4), PR_TID_MIN);
	u8 tid[4 + STRIX_PR_MAX_NAME + 4] = {};

	n = min_t(u32, n, STRIX_PR_MAX_NAME - 1);
	total = min_t(u32, total, sizeof(tid));
	tid[0] = PR_PROTO_ISCSI;
	put_unaligned_be16(total - 4, tid + 2);
	memcpy(tid + 4, name, n);
	if (buf)
		memcpy(buf, tid, min(len, total));
	return total;
}
EXPORT_SYMBOL_GPL(strix_pr_tid_build);

static struct strix_pr_reg *pr_reg_new(const char *ini, u16 rel_tgt_id,
				       u64 key, bool all_tg_pt)
{
	struct strix_pr_reg *reg = kzalloc(sizeof(*reg), GFP_KERNEL);

	if (!reg)
		return NULL;
	strscpy(reg->ini, ini, sizeof(reg->ini));
	reg->rel_tgt_id = rel_tgt_id;
	reg->key = key;
	reg->all_tg_pt = all_tg_pt;
	return reg;
}

static bool pr_list_has(const struct list_head *list, const char *ini,
			u16 rel_tgt_id, bool all_tg_pt)
{
	struct strix_pr_reg *reg;

	list_for_each_entry(reg, list, entry)
		if (!strcmp(reg->ini, ini) &&
		    (all_tg_pt || reg->all_tg_pt || reg->rel_tgt_id == rel_tgt_id))
			return true;
	return false;
}

/*
 * REGISTER (@ignore: REGISTER AND IGNORE EXISTING KEY) from a nexus that
 * is not registered: the nexus itself and, with SPEC_I_PT, every nexus the
 * TransportIDs name, all or none.
 */
static strix_sense_t pr_register_new(struct strix_pr_state *pr,
				     const struct strix_pr_nexus *nexus,
				     const struct strix_pr_out *out, u64 sa_key,
				     bool spec_i_pt, bool all_tg_pt, u16 *fb)
{
	const u8 *p = out->param;
	struct strix_pr_reg *reg;
	unsigned int count;
	LIST_HEAD(new);
	u32 off, end;

	reg = pr_reg_new(nexus->ini, nexus->rel_tgt_id, sa_key, all_tg_pt);
	if (!reg)
		return STRIX_NO_RESOURCES;
	list_add_tail(&reg->entry, &new);

	if (spec_i_pt) {
		end = PR_BASIC_LEN + 4 + get_unaligned_be32(p + PR_BASIC_LEN);
		for (off = PR_BASIC_LEN + 4; off < end;) {
			char name[STRIX_PR_MAX_NAME];
			struct strix_pr_nexus tn = {
				.ini = name, .rel_tgt_id = nexus->rel_tgt_id,
			};
			u32 tl;

			if (strix_pr_tid_parse(p + off, end - off, name,
					       sizeof(name), &tl)) {
				*fb = off;
				goto invalid;
			}
			/* the issuer itself is registered by this command */
			if (!(strcmp(name, nexus->ini) || all_tg_pt)) {
				off += tl;
				continue;
			}
			if (strix_pr_find(pr, &tn) ||
			    pr_list_has(&new, name, tn.rel_tgt_id, all_tg_pt)) {
				*fb = off;	/* already registered, or twice */
				goto invalid;
			}
			reg = pr_reg_new(name, tn.rel_tgt_id, sa_key, all_tg_pt);
			if (!reg) {
				pr_free_list(&new);
				return STRIX_NO_RESOURCES;
			}
			list_add_tail(&reg->entry, &new);
			off += tl;
		}
	}
	count = 0;
	list_for_each_entry(reg, &new, entry)
		count++;
	if (pr->nr_regs + count > STRIX_PR_MAX_REGS) {
		pr_free_list(&new);
		return STRIX_INSUFFICIENT_REG_RES;
	}
	pr->nr_regs += count;
	list_splice_tail(&new, &pr->regs);
	pr->generation++;
	return STRIX_OK;

invalid:
	pr_free_list(&new);
	return STRIX_INVALID_FIELD_PARAM;
}

static strix_sense_t pr_register(struct strix_pr_state *pr,
				 const struct strix_pr_nexus *nexus,
				 struct strix_pr_reg *reg,
				 const struct strix_pr_out *out, bool ignore,
				 const struct strix_pr_notify *n, u16 *fb)
{
	const u8 *p = out->param;
	u64 key = get_unaligned_be64(p), sa_key = get_unaligned_be64(p + 8);
	bool spec_i_pt = p[20] & 0x08, all_tg_pt = p[20] & 0x04;

	if (spec_i_pt && (ignore || reg)) {
		*fb = 20;	/* SPEC_I_PT only registers a new nexus */
		return STRIX_INVALID_FIELD_PARAM;
	}
	if (!reg) {
		if (!ignore && key)
			return STRIX_RESERVATION_CONFLICT;
		if (!sa_key) {
			if (spec_i_pt) {
				*fb = 8;
				return STRIX_INVALID_FIELD_PARAM;
			}
			return STRIX_OK;	/* nothing to unregister */
		}
		return pr_register_new(pr, nexus, out, sa_key, spec_i_pt,
				       all_tg_pt, fb);
	}
	if (!ignore && key != reg->key)
		return STRIX_RESERVATION_CONFLICT;
	if (sa_key)
		reg->key = sa_key;
	else
		pr_unregister(pr, reg, n, true);
	pr->generation++;
	return STRIX_OK;
}

/*
 * Remove every registration with @key but the issuer's: registrations
 * preempted (and, for PREEMPT AND ABORT, their tasks).  Returns how many.
 */
static unsigned int pr_preempt_key(struct strix_pr_state *pr,
				   struct strix_pr_reg *issuer, u64 key,
				   bool all, bool abort,
				   const struct strix_pr_notify *n)
{
	struct strix_pr_reg *reg, *tmp;
	unsigned int count = 0;

	list_for_each_entry_safe(reg, tmp, &pr->regs, entry) {
		if (reg == issuer || (!all && reg->key != key))
			continue;
		pr_ua(n, reg, STRIX_PR_UA_REGISTRATIONS_PREEMPTED);
		if (abort && n && n->abort)
			n->abort(n->priv, reg);
		pr_unregister(pr, reg, n, false);
		count++;
	}
	return count;
}

static strix_sense_t pr_preempt(struct strix_pr_state *pr,
				struct strix_pr_reg *reg,
				const struct strix_pr_out *out,
				const struct strix_pr_notify *n, u16 *fb)
{
	u64 sa_key = get_unaligned_be64(out->param + 8);
	bool abort = out->sa == STRIX_PR_PREEMPT_AND_ABORT;
	struct strix_pr_reg *r;
	u8 old_type = pr->type;

	if (!pr->holder || (!pr_all_reg(pr->type) && sa_key != pr->holder->key)) {
		/* no reservation, or not the holder's key: registrations only */
		if (!sa_key) {
			*fb = 8;
			return STRIX_INVALID_FIELD_PARAM;
		}
		if (!pr_preempt_key(pr, reg, sa_key, false, abort, n))
			return STRIX_RESERVATION_CONFLICT;
	} else if (pr_all_reg(pr->type)) {
		if (sa_key) {
			if (!pr_preempt_key(pr, reg, sa_key, false, abort, n))
				return STRIX_RESERVATION_CONFLICT;
		} else {
			/* everyone else out; a new reservation for the issuer */
			pr_preempt_key(pr, reg, 0, true, abort, n);
			pr->holder = reg;
			pr->type = out->type;
		}
	} else {
		/* the holder's key: its reservation passes to the issuer */
		pr_preempt_key(pr, reg, sa_key, false, abort, n);
		pr->holder = reg;
		pr->type = out->type;
		if (old_type != out->type)
			list_for_each_entry(r, &pr->regs, entry)
				if (r != reg)
					pr_ua(n, r, STRIX_PR_UA_RESERVATIONS_RELEASED);
	}
	pr->generation++;
	return STRIX_OK;
}

static strix_sense_t pr_register_and_move(struct strix_pr_state *pr,
					  const struct strix_pr_nexus *nexus,
					  struct strix_pr_reg *reg,
					  const struct strix_pr_out *out,
					  u16 *fb)
{
	const u8 *p = out->param;
	u64 sa_key = get_unaligned_be64(p + 8);
	char name[STRIX_PR_MAX_NAME];
	struct strix_pr_nexus dest = { .ini = name };
	struct strix_pr_reg *dreg;
	u32 tl;

	if (!pr_holds(pr, reg) || pr_all_reg(pr->type))
		return STRIX_RESERVATION_CONFLICT;
	if (!sa_key) {
		*fb = 8;
		return STRIX_INVALID_FIELD_PARAM;
	}
	if (strix_pr_tid_parse(p + 24, out->param_len - 24, name, sizeof(name), &tl)) {
		*fb = 24;
		return STRIX_INVALID_FIELD_PARAM;
	}
	dest.rel_tgt_id = get_unaligned_be16(p + 18);
	if (strix_pr_reg_match(reg, &dest)) {
		*fb = 24;	/* moving to itself */
		return STRIX_INVALID_FIELD_PARAM;
	}
	dreg = strix_pr_find(pr, &dest);
	if (!dreg) {
		if (pr->nr_regs >= STRIX_PR_MAX_REGS)
			return STRIX_INSUFFICIENT_REG_RES;
		dreg = pr_reg_new(name, dest.rel_tgt_id, sa_key, false);
		if (!dreg)
			return STRIX_NO_RESOURCES;
		list_add_tail(&dreg->entry, &pr->regs);
		pr->nr_regs++;
	}
	pr->holder = dreg;
	if (p[17] & 0x02)	/* UNREG */
		pr_unregister(pr, reg, NULL, false);
	pr->generation++;
	return STRIX_OK;
}

/**
 * strix_pr_out() - carry out a PERSISTENT RESERVE OUT
 * @pr:     the device's state
 * @nexus:  where the command came from
 * @out:    its service action, scope, type and parameter list
 * @notify: told of unit attentions and aborts it causes (may be NULL)
 * @fb:     for INVALID FIELD: the byte (in the CDB or the parameter list)
 *
 * Return: STRIX_OK or why it failed; a failed command changes nothing.
 */
strix_sense_t strix_pr_out(struct strix_pr_state *pr,
			   const struct strix_pr_nexus *nexus,
			   const struct strix_pr_out *out,
			   const struct strix_pr_notify *notify, u16 *fb)
{
	const u8 *p = out->param;
	struct strix_pr_reg *reg, *r;
	u32 need = PR_BASIC_LEN;
	u8 aptpl_byte = 20;
	strix_sense_t ret;
	bool aptpl;

	*fb = 0;
	if (out->sa > STRIX_PR_REGISTER_AND_MOVE) {
		*fb = 1;
		return STRIX_INVALID_FIELD_CDB;
	}
	/* the parameter list's length first: it says how to read the rest */
	if (out->param_len < PR_BASIC_LEN)
		return STRIX_PARAM_LIST_LENGTH;
	if (out->sa == STRIX_PR_REGISTER_AND_MOVE) {
		need += get_unaligned_be32(p + 20);
		aptpl_byte = 17;
		if (need < PR_BASIC_LEN || out->param_len < need)
			return STRIX_PARAM_LIST_LENGTH;
	} else if (p[20] & 0x08) {	/* SPEC_I_PT */
		if (out->param_len < PR_BASIC_LEN + 4)
			return STRIX_PARAM_LIST_LENGTH;
		need += 4 + get_unaligned_be32(p + PR_BASIC_LEN);
		if (need < PR_BASIC_LEN || out->param_len != need)
			return STRIX_PARAM_LIST_LENGTH;
	} else if (out->param_len != PR_BASIC_LEN) {
		return STRIX_PARAM_LIST_LENGTH;
	}
	aptpl = p[aptpl_byte] & 0x01;

	reg = strix_pr_find(pr, nexus);
	switch (out->sa) {
	case STRIX_PR_REGISTER:
	case STRIX_PR_REGISTER_AND_IGNORE:
		ret = pr_register(pr, nexus, reg, out,
				  out->sa == STRIX_PR_REGISTER_AND_IGNORE,
				  notify, fb);
		if (ret == STRIX_OK)
			pr->aptpl = aptpl;
		return ret;
	}

	/* everything else: a registered nexus with its own key */
	if (!reg || get_unaligned_be64(p) != reg->key)
		return STRIX_RESERVATION_CONFLICT;
	if (out->sa == STRIX_PR_RESERVE || out->sa == STRIX_PR_PREEMPT ||
	    out->sa == STRIX_PR_PREEMPT_AND_ABORT) {
		if (out->scope || !pr_type_ok(out->type)) {
			*fb = 2;
			return STRIX_INVALID_FIELD_CDB;
		}
	}

	switch (out->sa) {
	case STRIX_PR_RESERVE:
		if (pr->holder)
			return pr_holds(pr, reg) && pr->type == out->type ?
			       STRIX_OK : STRIX_RESERVATION_CONFLICT;
		pr->holder = reg;
		pr->type = out->type;
		return STRIX_OK;
	case STRIX_PR_RELEASE:
		if (!pr_holds(pr, reg))
			return STRIX_OK;	/* nothing of ours to release */
		if (out->scope || out->type != pr->type)
			return STRIX_INVALID_RELEASE_PR;
		pr->holder = NULL;
		if (pr->type != STRIX_PR_WE && pr->type != STRIX_PR_EA)
			list_for_each_entry(r, &pr->regs, entry)
				if (r != reg)
					pr_ua(notify, r, STRIX_PR_UA_RESERVATIONS_RELEASED);
		return STRIX_OK;
	case STRIX_PR_CLEAR:
		list_for_each_entry(r, &pr->regs, entry)
			if (r != reg)
				pr_ua(notify, r, STRIX_PR_UA_RESERVATIONS_PREEMPTED);
		strix_pr_clear_all(pr);
		pr->generation++;
		return STRIX_OK;
	case STRIX_PR_PREEMPT:
	case STRIX_PR_PREEMPT_AND_ABORT:
		return pr_preempt(pr, reg, out, notify, fb);
	default:
		ret = pr_register_and_move(pr, nexus, reg, out, fb);
		if (ret == STRIX_OK)
			pr->aptpl = aptpl;
		return ret;
	}
}
EXPORT_SYMBOL_GPL(strix_pr_out);

/* Write @n bytes of @src at @off of the response, as far as it has room. */
static void pr_put(u8 *buf, u32 len, u32 off, const void *src, u32 n)
{
	if (off < len)
		memcpy(buf + off, src, min(n, len - off));
}

/**
 * strix_pr_in() - answer a PERSISTENT RESERVE IN
 * @pr:       the device's state
 * @sa:       the service action
 * @buf:      the response (zeroed by the caller)
 * @len:      room at @buf (the allocation length, or less)
 * @produced: bytes written (the response cut to @len)
 *
 * The ADDITIONAL LENGTH fields always tell the whole response's length.
 */
strix_sense_t strix_pr_in(const struct strix_pr_state *pr, u8 sa, u8 *buf,
			  u32 len, u32 *produced)
{
	const struct strix_pr_reg *reg;
	u8 hdr[8], d[24];
	u32 off = 8;

	put_unaligned_be32(pr->generation, hdr);
	switch (sa) {
	case STRIX_PR_READ_KEYS:
		list_for_each_entry(reg, &pr->regs, entry) {
			put_unaligned_be64(reg->key, d);
			pr_put(buf, len, off, d, 8);
			off += 8;
		}
		break;
	case STRIX_PR_READ_RESERVATION:
		if (pr->holder) {
			memset(d, 0, 16);
			/* all registrants: the key is 0 (SPC-4 6.15.3.1) */
			if (!pr_all_reg(pr->type))
				put_unaligned_be64(pr->holder->key, d);
			d[13] = pr->type;	/* scope LU_SCOPE (0) */
			pr_put(buf, len, off, d, 16);
			off += 16;
		}
		break;
	case STRIX_PR_REPORT_CAPABILITIES:
		memset(d, 0, 8);
		put_unaligned_be16(8, d);
		/*
		 * SIP_C, ATP_C, PTPL_C; CRH 0 (RESERVE/RELEASE conflict
		 * with any registration, res.c)
		 */
		d[2] = 0x08 | 0x04 | 0x01;
		/* TMV; ALLOW COMMANDS 001b: TEST UNIT READY is allowed; PTPL_A */
		d[3] = 0x80 | 0x10 | (pr->aptpl ? 0x01 : 0);
		d[4] = 0x80 | 0x40 | 0x20 | 0x08 | 0x02;	/* the types */
		d[5] = 0x01;					/* EX_AC_AR */
		pr_put(buf, len, 0, d, 8);
		*produced = min_t(u32, len, 8);
		return STRIX_OK;
	case STRIX_PR_READ_FULL_STATUS:
		list_for_each_entry(reg, &pr->regs, entry) {
			u32 tl = strix_pr_tid_build(reg->ini, NULL, 0);

			memset(d, 0, sizeof(d));
			put_unaligned_be64(reg->key, d);
			if (reg->all_tg_pt)
				d[12] |= 0x02;
			if (pr_holds(pr, reg)) {
				d[12] |= 0x01;
				d[13] = pr->type;
			}
			put_unaligned_be16(reg->rel_tgt_id, d + 18);
			put_unaligned_be32(tl, d + 20);
			pr_put(buf, len, off, d, 24);
			if (off + 24 < len)
				strix_pr_tid_build(reg->ini, buf + off + 24,
						   len - off - 24);
			off += 24 + tl;
		}
		break;
	default:
		return STRIX_INVALID_FIELD_CDB;
	}
	put_unaligned_be32(off - 8, hdr + 4);
	pr_put(buf, len, 0, hdr, 8);
	*produced = min(len, off);
	return STRIX_OK;
}
EXPORT_SYMBOL_GPL(strix_pr_in);

/**
 * strix_pr_conflict() - does a command conflict with the reservation?
 * @pr:    the device's state
 * @nexus: where the command came from
 * @class: what the command does (enum strix_pr_class)
 *
 * SPC-4 5.12.1: under write exclusive types, writes conflict for those
 * who do not hold the reservation; under exclusive access types, reads
 * do as well.  For the registrants-only and all-registrants types every
 * registered nexus counts as holding it.
 */
bool strix_pr_conflict(const struct strix_pr_state *pr,
		       const struct strix_pr_nexus *nexus,
		       enum strix_pr_class class)
{
	struct strix_pr_reg *reg;

	if (!pr->holder || class == STRIX_PR_ALLOWED)
		return false;
	reg = strix_pr_find(pr, nexus);
	if (reg && (pr->holder == reg || pr->type == STRIX_PR_WE_RO ||
		    pr->type == STRIX_PR_EA_RO || pr_all_reg(pr->type)))
		return false;
	switch (pr->type) {
	case STRIX_PR_WE:
	case STRIX_PR_WE_RO:
	case STRIX_PR_WE_AR:
		return class == STRIX_PR_WRITE;
	default:
		return true;
	}
}
EXPORT_SYMBOL_GPL(strix_pr_conflict);

/*
 * The state as text (pr_state, the APTPL file), one item per line:
 *
 *	strix-pr 1
 *	aptpl 0|1
 *	generation <u32>
 *	reservation <type>			(only when reserved)
 *	reg <key> <rel_tgt_id> <flags> <initiator port name>
 *
 * <flags> is "-" or any of "a" (ALL_TG_PT) and "h" (the holder: exactly
 * one registration when there is a reservation).  Names have no blanks
 * (iSCSI names cannot), so the name is the rest of the line.
 */
#define PR_TEXT_MAGIC	"strix-pr 1"

/**
 * strix_pr_dump() - the state as text
 * @pr:   the device's state
 * @buf:  where to write it, NUL-terminated
 * @size: room at @buf
 *
 * Return: the text's length, or -EFBIG if it does not fit.
 */
ssize_t strix_pr_dump(const struct strix_pr_state *pr, char *buf, size_t size)
{
	const struct strix_pr_reg *reg;
	size_t off;

	off = snprintf(buf, size, PR_TEXT_MAGIC "\naptpl %d\ngeneration %u\n",
		       pr->aptpl, pr->generation);
	if (pr->holder && off < size)
		off += snprintf(buf + off, size - off, "reservation %u\n",
				pr->type);
	list_for_each_entry(reg, &pr->regs, entry) {
		bool h = pr->holder == reg;

		if (off >= size)
			break;
		off += snprintf(buf + off, size - off, "reg 0x%016llx %u %s %s\n",
				reg->key, reg->rel_tgt_id,
				reg->all_tg_pt ? (h ? "ah" : "a") : (h ? "h" : "-"),
				reg->ini);
	}
	return off < size ? off : -EFBIG;
}
EXPORT_SYMBOL_GPL(strix_pr_dump);

static int pr_load_reg(struct strix_pr_state *pr, char *args,
		       struct strix_pr_reg **holder)
{
	char *key = strsep(&args, " "), *port = strsep(&args, " ");
	char *flags = strsep(&args, " "), *name = args;
	struct strix_pr_reg *reg;
	bool all_tg_pt;
	u16 rel_tgt_id;
	u64 k;

	if (!key || !port || !flags || !name || !*name || strchr(name, ' ') ||
	    strlen(name) >= STRIX_PR_MAX_NAME || kstrtou64(key, 0, &k) || !k ||
	    kstrtou16(port, 0, &rel_tgt_id))
		return -EINVAL;
	if (!strcmp(flags, "-") || !strcmp(flags, "h"))
		all_tg_pt = false;
	else if (!strcmp(flags, "a") || !strcmp(flags, "ah"))
		all_tg_pt = true;
	else
		return -EINVAL;
	if (pr->nr_regs >= STRIX_PR_MAX_REGS ||
	    pr_list_has(&pr->regs, name, rel_tgt_id, all_tg_pt))
		return -EINVAL;
	reg = pr_reg_new(name, rel_tgt_id, k, all_tg_pt);
	if (!reg)
		return -ENOMEM;
	list_add_tail(&reg->entry, &pr->regs);
	pr->nr_regs++;
	if (strchr(flags, 'h')) {
		if (*holder)
			return -EINVAL;	/* two holders */
		*holder = reg;
	}
	return 0;
}

/**
 * strix_pr_load() - the state from its text (strix_pr_dump())
 * @pr:   an empty state (strix_pr_init()), filled in
 * @text: the text, NUL-terminated; it is cut up
 *
 * Blank lines and lines starting with '#' are skipped.  Anything else
 * that is not exactly the format is refused.
 *
 * Return: 0, or -EINVAL (malformed) or -ENOMEM, and then @pr is empty.
 */
int strix_pr_load(struct strix_pr_state *pr, char *text)
{
	struct strix_pr_reg *holder = NULL;
	bool magic = false, seen_aptpl = false, seen_gen = false;
	int type = -1, ret = 0;
	char *line;

	while (!ret && (line = strsep(&text, "\n"))) {
		char *word;

		if (!*line || *line == '#')
			continue;
		if (!magic) {
			if (strcmp(line, PR_TEXT_MAGIC))
				ret = -EINVAL;
			magic = true;
			continue;
		}
		word = strsep(&line, " ");
		if (!line) {
			ret = -EINVAL;
		} else if (!strcmp(word, "reg")) {
			ret = pr_load_reg(pr, line, &holder);
		} else if (!strcmp(word, "aptpl") && !seen_aptpl) {
			u8 v;

			ret = kstrtou8(line, 10, &v);
			if (!ret && v > 1)
				ret = -EINVAL;
			pr->aptpl = v;
			seen_aptpl = true;
		} else if (!strcmp(word, "generation") && !seen_gen) {
			ret = kstrtou32(line, 0, &pr->generation);
			seen_gen = true;
		} else if (!strcmp(word, "reservation") && type < 0) {
			u8 t;

			ret = kstrtou8(line, 0, &t);
			if (!ret && !pr_type_ok(t))
				ret = -EINVAL;
			type = t;
		} else {
			ret = -EINVAL;
		}
	}
	/* a reservation has exactly one holder, and a holder a reservation */
	if (!ret && (!magic || !seen_aptpl || !seen_gen ||
		     (type < 0) != !holder))
		ret = -EINVAL;
	if (ret) {
		strix_pr_clear_all(pr);
		strix_pr_init(pr);
		return ret == -ENOMEM ? ret : -EINVAL;
	}
	pr->holder = holder;
	pr->type = holder ? type : 0;
	return 0;
}
EXPORT_SYMBOL_GPL(strix_pr_load);

/**
 * strix_pr_copy() - a deep copy of a state
 * @dst: an empty state (strix_pr_init())
 * @src: the state copied
 *
 * Return: 0 or -ENOMEM (and @dst is empty).
 */
int strix_pr_copy(struct strix_pr_state *dst, const struct strix_pr_state *src)
{
	const struct strix_pr_reg *reg;
	struct strix_pr_reg *r;

	list_for_each_entry(reg, &src->regs, entry) {
		r = pr_reg_new(reg->ini, reg->rel_tgt_id, reg->key,
			       reg->all_tg_pt);
		if (!r) {
			strix_pr_clear_all(dst);
			strix_pr_init(dst);
			return -ENOMEM;
		}
		list_add_tail(&r->entry, &dst->regs);
		dst->nr_regs++;
		if (src->holder == reg)
			dst->holder = r;
	}
	dst->generation = src->generation;
	dst->type = src->type;
	dst->aptpl = src->aptpl;
	return 0;
}
EXPORT_SYMBOL_GPL(strix_pr_copy);

/**
 * strix_pr_replace() - move a state
 * @dst: takes @src's state; its old registrations are freed
 * @src: left empty
 */
void strix_pr_replace(struct strix_pr_state *dst, struct strix_pr_state *src)
{
	strix_pr_clear_all(dst);
	list_splice_init(&src->regs, &dst->regs);
	dst->nr_regs = src->nr_regs;
	dst->holder = src->holder;
	dst->type = src->type;
	dst->generation = src->generation;
	dst->aptpl = src->aptpl;
	strix_pr_init(src);
}
EXPORT_SYMBOL_GPL(strix_pr_replace);
