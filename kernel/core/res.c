// SPDX-License-Identifier: GPL-2.0
/*
 * Reservations on the command path: persistent reservations (rules in
 * pr.c) and SPC-2 RESERVE/RELEASE, per device.
 *
 * The I/O path never looks at the reservation state.  Each nexus (tgt_dev)
 * carries three bits saying what a reservation held elsewhere refuses it
 * (STRIX_TD_RES_*); they are recomputed for every nexus of the device
 * whenever a PR OUT, RESERVE or RELEASE changes something, and for a new
 * nexus when it appears.  A command then costs one test_bit() unless
 * something is reserved.
 *
 * PR IN/OUT, RESERVE and RELEASE run on the device's workqueue (they sleep
 * on dev->res_mutex and allocate).  Nexus identity for PR is the session's
 * initiator name and its target's relative target port id.
 *
 * Decisions: RESERVE and RELEASE conflict while any PR registration
 * exists (SPC-4 5.12.2 without CRH; REPORT CAPABILITIES says CRH=0).
 * PREEMPT AND ABORT marks the preempted nexuses (STRIX_TD_ABORT_STAGED)
 * and, once it has succeeded, aborts their commands (tmf.c) without
 * waiting for them.  A PR OUT runs on a copy of the state kept aside: when the
 * state is to persist (APTPL before or after) and saving it fails
 * (pr_file.c), the copy is put back and the command fails with
 * INSUFFICIENT REGISTRATION RESOURCES; its unit attentions are staged
 * per nexus (ua_staged) and only raised once it has succeeded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include <scsi/scsi_proto.h>

#include "core.h"
#include "scsi.h"

#define STRIX_PR_MAX_PARAM	(64 << 10)	/* PR OUT parameter list */

void strix_res_dev_init(struct strix_device *dev)
{
	mutex_init(&dev->res_mutex);
	spin_lock_init(&dev->td_lock);
	INIT_LIST_HEAD(&dev->tgt_devs);
	strix_pr_init(&dev->pr);
}

void strix_res_dev_exit(struct strix_device *dev)
{
	strix_pr_clear_all(&dev->pr);
	mutex_destroy(&dev->res_mutex);
}

static void strix_res_nexus(const struct strix_tgt_dev *td,
			    struct strix_pr_nexus *n)
{
	n->ini = td->sess->initiator;
	n->rel_tgt_id = READ_ONCE(td->sess->tgt->rel_tgt_id);
}

/* Recompute @td's conflict bits; dev->res_mutex held. */
static void strix_res_refresh_td(struct strix_device *dev,
				 struct strix_tgt_dev *td)
{
	struct strix_pr_nexus n;

	strix_res_nexus(td, &n);
	assign_bit(STRIX_TD_RES_READ, &td->flags,
		   strix_pr_conflict(&dev->pr, &n, STRIX_PR_READ));
	assign_bit(STRIX_TD_RES_WRITE, &td->flags,
		   strix_pr_conflict(&dev->pr, &n, STRIX_PR_WRITE));
	assign_bit(STRIX_TD_RES_SPC2, &td->flags,
		   dev->spc2_holder && dev->spc2_holder != td);
}

void strix_res_refresh(struct strix_device *dev)
{
	struct strix_tgt_dev *td;

	lockdep_assert_held(&dev->res_mutex);
	spin_lock_irq(&dev->td_lock);
	list_for_each_entry(td, &dev->tgt_devs, dev_entry)
		strix_res_refresh_td(dev, td);
	spin_unlock_irq(&dev->td_lock);
}

/* A nexus appears: it learns what is reserved before its first command. */
void strix_res_nexus_add(struct strix_tgt_dev *td)
{
	struct strix_device *dev = td->dev;

	mutex_lock(&dev->res_mutex);
	strix_res_refresh_td(dev, td);
	spin_lock_irq(&dev->td_lock);
	list_add_tail(&td->dev_entry, &dev->tgt_devs);
	spin_unlock_irq(&dev->td_lock);
	mutex_unlock(&dev->res_mutex);
}

/* I_T nexus loss of @td: its SPC-2 reservation ends.  Under res_mutex. */
static void strix_res_spc2_drop(struct strix_device *dev,
				struct strix_tgt_dev *td)
{
	if (dev->spc2_holder == td) {
		dev->spc2_holder = NULL;
		strix_res_refresh(dev);
	}
}

/*
 * A nexus goes (its commands are drained): I_T nexus loss releases its
 * SPC-2 reservation; persistent reservations stay, as SPC says.
 */
void strix_res_nexus_del(struct strix_tgt_dev *td)
{
	struct strix_device *dev = td->dev;

	mutex_lock(&dev->res_mutex);
	spin_lock_irq(&dev->td_lock);
	list_del(&td->dev_entry);
	spin_unlock_irq(&dev->td_lock);
	strix_res_spc2_drop(dev, td);
	mutex_unlock(&dev->res_mutex);
}

/*
 * The nexus is ending (a logout was accepted) but is still listed: release
 * its SPC-2 reservation now, before the driver answers, so that the next
 * initiator does not meet a reservation of a nexus that has logged out.
 */
void strix_res_nexus_release(struct strix_tgt_dev *td)
{
	struct strix_device *dev = td->dev;

	mutex_lock(&dev->res_mutex);
	strix_res_spc2_drop(dev, td);
	mutex_unlock(&dev->res_mutex);
}

/*
 * A logical unit reset (SAM-5 7.x, also each LUN of a target reset): the
 * SPC-2 reservation is released, persistent reservations stay, and every
 * other nexus of the device gets BUS DEVICE RESET FUNCTION OCCURRED.
 * @from: the nexus the task management function came on.
 */
void strix_res_reset(struct strix_device *dev, struct strix_tgt_dev *from)
{
	struct strix_tgt_dev *td;

	mutex_lock(&dev->res_mutex);
	if (dev->spc2_holder) {
		dev->spc2_holder = NULL;
		strix_res_refresh(dev);
	}
	spin_lock_irq(&dev->td_lock);
	list_for_each_entry(td, &dev->tgt_devs, dev_entry)
		if (td != from)
			set_bit(STRIX_UA_RESET, &td->ua_pending);
	spin_unlock_irq(&dev->td_lock);
	mutex_unlock(&dev->res_mutex);
}

/**
 * strix_res_conflict() - does a reservation refuse this command?
 * @cmd: a parsed command with a nexus
 *
 * Called on the I/O path; reads only the nexus's bits (and the CDB for
 * the two commands whose class depends on a field).
 */
bool strix_res_conflict(const struct strix_cmd *cmd)
{
	unsigned long f = READ_ONCE(cmd->tgt_dev->flags);

	if (likely(!(f & STRIX_TD_RES_MASK)))
		return false;
	if (f & BIT(STRIX_TD_RES_SPC2))
		return !(cmd->res & STRIX_RES_SPC2_OK);
	if (cmd->res & STRIX_RES_ALLOWED)
		return false;
	/* SBC-3: allowed for everyone: ALLOW removal, START with no power cond. */
	if (cmd->cdb[0] == ALLOW_MEDIUM_REMOVAL && !(cmd->cdb[4] & 0x03))
		return false;
	if (cmd->cdb[0] == START_STOP && (cmd->cdb[4] & 0xf1) == 0x01)
		return false;
	if (cmd->res & STRIX_RES_READ)
		return f & BIT(STRIX_TD_RES_READ);
	return f & BIT(STRIX_TD_RES_WRITE);
}

/**
 * strix_res_conflict_io() - would a reservation refuse a READ or WRITE
 * of this nexus?
 * @td:    the I_T_L nexus
 * @write: a write (else a read)
 *
 * For the I/O a command does on other LUNs of its session (EXTENDED
 * COPY's source and destination): the same bits strix_res_conflict()
 * reads for a READ or WRITE sent to @td.
 */
bool strix_res_conflict_io(const struct strix_tgt_dev *td, bool write)
{
	unsigned long f = READ_ONCE(td->flags);

	if (f & BIT(STRIX_TD_RES_SPC2))
		return true;
	return f & BIT(write ? STRIX_TD_RES_WRITE : STRIX_TD_RES_READ);
}

/* A unit attention for every nexus of the device @reg stands for. */
static void strix_res_ua(void *priv, const struct strix_pr_reg *reg, u8 ascq)
{
	struct strix_device *dev = priv;
	struct strix_tgt_dev *td;
	enum strix_ua ua;

	switch (ascq) {
	case STRIX_PR_UA_RESERVATIONS_PREEMPTED:
		ua = STRIX_UA_RES_PREEMPTED;
		break;
	case STRIX_PR_UA_RESERVATIONS_RELEASED:
		ua = STRIX_UA_RES_RELEASED;
		break;
	default:
		ua = STRIX_UA_REG_PREEMPTED;
		break;
	}
	spin_lock_irq(&dev->td_lock);
	list_for_each_entry(td, &dev->tgt_devs, dev_entry) {
		struct strix_pr_nexus n;

		strix_res_nexus(td, &n);
		if (strix_pr_reg_match(reg, &n))
			td->ua_staged |= BIT(ua);
	}
	spin_unlock_irq(&dev->td_lock);
}

/* PREEMPT AND ABORT: mark the nexuses of @reg; aborted on success. */
static void strix_res_abort(void *priv, const struct strix_pr_reg *reg)
{
	struct strix_device *dev = priv;
	struct strix_tgt_dev *td;

	spin_lock_irq(&dev->td_lock);
	list_for_each_entry(td, &dev->tgt_devs, dev_entry) {
		struct strix_pr_nexus n;

		strix_res_nexus(td, &n);
		if (strix_pr_reg_match(reg, &n))
			set_bit(STRIX_TD_ABORT_STAGED, &td->flags);
	}
	spin_unlock_irq(&dev->td_lock);
}

/* Raise (@deliver) or forget the unit attentions a PR OUT staged. */
static void strix_res_ua_commit(struct strix_device *dev, bool deliver)
{
	struct strix_tgt_dev *td;
	unsigned int ua;

	lockdep_assert_held(&dev->res_mutex);
	spin_lock_irq(&dev->td_lock);
	list_for_each_entry(td, &dev->tgt_devs, dev_entry) {
		if (deliver)
			for_each_set_bit(ua, &td->ua_staged, STRIX_UA_MAX)
				set_bit(ua, &td->ua_pending);
		else
			clear_bit(STRIX_TD_ABORT_STAGED, &td->flags);
		td->ua_staged = 0;
	}
	spin_unlock_irq(&dev->td_lock);
}

static strix_sense_t strix_res_pr_out(struct strix_cmd *cmd)
{
	struct strix_device *dev = cmd->dev;
	struct strix_pr_notify notify = {
		.ua = strix_res_ua, .abort = strix_res_abort, .priv = dev,
	};
	struct strix_pr_state old;
	struct strix_pr_out out = {
		.sa = cmd->cdb[1] & 0x1f,
		.scope = cmd->cdb[2] >> 4,
		.type = cmd->cdb[2] & 0x0f,
		.param_len = cmd->data_len,
	};
	struct strix_pr_nexus n;
	strix_sense_t ret;
	u8 *param;
	u16 fb;

	if (cmd->data_len > STRIX_PR_MAX_PARAM)
		return strix_invalid_field(cmd, 5, -1);
	/* at least the basic list, so the rules can read it whole */
	param = kzalloc(max_t(u32, cmd->data_len, 32), GFP_KERNEL);
	if (!param)
		return STRIX_BUSY;
	if (cmd->data_len)
		sg_copy_to_buffer(cmd->sg, cmd->sg_cnt, param, cmd->data_len);
	out.param = param;
	strix_res_nexus(cmd->tgt_dev, &n);

	strix_pr_init(&old);
	mutex_lock(&dev->res_mutex);
	if (dev->spc2_holder && dev->spc2_holder != cmd->tgt_dev) {
		ret = STRIX_RESERVATION_CONFLICT;
	} else if (strix_pr_copy(&old, &dev->pr)) {
		ret = STRIX_BUSY;
	} else {
		ret = strix_pr_out(&dev->pr, &n, &out, &notify, &fb);
		if (ret == STRIX_OK && (dev->pr.aptpl || old.aptpl) &&
		    strix_pr_file_save(dev)) {
			strix_pr_replace(&dev->pr, &old);
			ret = STRIX_INSUFFICIENT_REG_RES;
		}
		strix_res_ua_commit(dev, ret == STRIX_OK);
		if (ret == STRIX_OK) {
			strix_res_refresh(dev);
			strix_tmf_preempt_abort(dev, cmd);
		}
	}
	mutex_unlock(&dev->res_mutex);
	strix_pr_clear_all(&old);
	kfree(param);

	if (ret == STRIX_INVALID_FIELD_CDB)
		return strix_invalid_field(cmd, fb, -1);
	if (ret == STRIX_INVALID_FIELD_PARAM) {
		cmd->sense_field_byte = fb;
		cmd->sense_field_bit = -1;
	}
	return ret;
}

static strix_sense_t strix_res_pr_in(struct strix_cmd *cmd)
{
	struct strix_device *dev = cmd->dev;
	u32 len = cmd->data_len, produced = 0;
	strix_sense_t ret;
	u8 *buf;

	buf = kzalloc(max_t(u32, len, 8), GFP_KERNEL);
	if (!buf)
		return STRIX_BUSY;
	mutex_lock(&dev->res_mutex);
	ret = strix_pr_in(&dev->pr, cmd->cdb[1] & 0x1f, buf, len, &produced);
	mutex_unlock(&dev->res_mutex);
	if (ret == STRIX_INVALID_FIELD_CDB)
		ret = strix_invalid_field(cmd, 1, 4);
	if (ret == STRIX_OK) {
		produced = min3(produced, cmd->data_len, cmd->expected_len);
		if (produced && cmd->sg)
			produced = sg_copy_from_buffer(cmd->sg, cmd->sg_cnt, buf,
						       produced);
		cmd->xfer_len = produced;
	}
	kfree(buf);
	return ret;
}

/* SPC-2 RESERVE and RELEASE of the whole logical unit. */
static strix_sense_t strix_res_spc2(struct strix_cmd *cmd, bool reserve)
{
	struct strix_device *dev = cmd->dev;
	struct strix_tgt_dev *td = cmd->tgt_dev;
	strix_sense_t ret = STRIX_OK;

	mutex_lock(&dev->res_mutex);
	if (dev->pr.nr_regs) {
		ret = STRIX_RESERVATION_CONFLICT;
	} else if (reserve) {
		if (dev->spc2_holder && dev->spc2_holder != td)
			ret = STRIX_RESERVATION_CONFLICT;
		else if (!dev->spc2_holder) {
			dev->spc2_holder = td;
			strix_res_refresh(dev);
		}
	} else if (dev->spc2_holder == td) {
		/* anyone else's RELEASE: GOOD, and nothing happens */
		dev->spc2_holder = NULL;
		strix_res_refresh(dev);
	}
	mutex_unlock(&dev->res_mutex);
	return ret;
}

static void strix_res_work(struct work_struct *work)
{
	struct strix_cmd *cmd = container_of(work, struct strix_cmd, work);
	strix_sense_t ret;

	switch (cmd->emul) {
	case STRIX_EMUL_PR_IN:
		ret = strix_res_pr_in(cmd);
		break;
	case STRIX_EMUL_PR_OUT:
		ret = strix_res_pr_out(cmd);
		break;
	case STRIX_EMUL_RESERVE:
		ret = strix_res_spc2(cmd, true);
		break;
	case STRIX_EMUL_SET_TPG:	/* not a reservation: it sleeps too */
		ret = strix_alua_stpg(cmd);
		break;
	case STRIX_EMUL_MODE_SELECT_6:	/* these neither (mode_dev.c) */
	case STRIX_EMUL_MODE_SELECT_10:
		ret = strix_mode_select(cmd);
		break;
	case STRIX_EMUL_LOG_SENSE:
		ret = strix_log_execute(cmd);
		break;
	default:
		ret = strix_res_spc2(cmd, false);
		break;
	}
	strix_cmd_io_done(cmd, ret);
}

/*
 * Run a reservation command (or SET TARGET PORT GROUPS, MODE SELECT, LOG
 * SENSE) on the device's workqueue.
 */
void strix_res_execute(struct strix_cmd *cmd)
{
	INIT_WORK(&cmd->work, strix_res_work);
	queue_work(cmd->dev->wq, &cmd->work);
}
