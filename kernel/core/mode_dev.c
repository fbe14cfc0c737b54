// SPDX-License-Identifier: GPL-2.0
/*
 * A device's mode pages, MODE SELECT and LOG SENSE on the command path.
 *
 * The current values live in the device (dev->wce, dev->d_sense and the
 * task management fields dev->tas, dev->qerr, which are also the sysfs
 * attributes tas and qerr); mode.c builds the pages and checks MODE SELECT
 * data against them.  MODE SELECT runs on the device's workqueue under
 * dev->mode_mutex: the parameter data is checked whole first, and only
 * then are the fields it changes set, so a refused command changes
 * nothing.  A change raises MODE PARAMETERS CHANGED on every other I_T
 * nexus of the device (SPC-4 7.5.1).
 *
 * Saved pages (SP=1): <state_dir>/vdev_mode_pages/<device>, the text of
 * strix_mode_dump(), written atomically (pr_file.c's state file helpers)
 * before the current values change; add_device reads it back and starts
 * the device with those values.  A file that does not parse fails
 * add_device, as an APTPL file does: remove or fix it.  A saved WCE is
 * ignored for a device without a volatile cache.
 *
 * LOG SENSE also runs on the workqueue: the logical block provisioning
 * page asks the handler's space() op, which may sleep.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "core.h"
#include "scsi.h"

#define MODE_FILE_SUBDIR	"vdev_mode_pages"
#define MODE_FILE_MAX		128

/* dev->mode_saved */
#define STRIX_MODE_SAVED_VALID	BIT(0)
#define STRIX_MODE_SAVED_WCE	BIT(1)
#define STRIX_MODE_SAVED_DSENSE	BIT(2)
#define STRIX_MODE_SAVED_TAS	BIT(3)
#define STRIX_MODE_SAVED_QERR_SHIFT	4

static u8 strix_mode_pack(const struct strix_mode_vals *v)
{
	return STRIX_MODE_SAVED_VALID |
	       (v->wce ? STRIX_MODE_SAVED_WCE : 0) |
	       (v->d_sense ? STRIX_MODE_SAVED_DSENSE : 0) |
	       (v->tas ? STRIX_MODE_SAVED_TAS : 0) |
	       (v->qerr & 3) << STRIX_MODE_SAVED_QERR_SHIFT;
}

static void strix_mode_unpack(u8 b, struct strix_mode_vals *v)
{
	v->wce = b & STRIX_MODE_SAVED_WCE;
	v->d_sense = b & STRIX_MODE_SAVED_DSENSE;
	v->tas = b & STRIX_MODE_SAVED_TAS;
	v->qerr = (b >> STRIX_MODE_SAVED_QERR_SHIFT) & 3;
}

/* The default values: what the device was configured with. */
static void strix_mode_defaults(const struct strix_device *dev,
				struct strix_mode_vals *v)
{
	v->wce = dev->params.write_cache;
	v->d_sense = false;
	v->tas = STRIX_TAS_DEFAULT;
	v->qerr = STRIX_QERR_DEFAULT;
}

/* After the handler's add_device (params.write_cache is known). */
void strix_mode_dev_init(struct strix_device *dev)
{
	mutex_init(&dev->mode_mutex);
	dev->wce = dev->params.write_cache;
	dev->d_sense = false;
	dev->mode_saved = 0;
}

bool strix_device_wce(const struct strix_device *dev)
{
	return dev->params.write_cache && READ_ONCE(dev->wce);
}
EXPORT_SYMBOL_GPL(strix_device_wce);

/**
 * strix_mode_view() - the mode pages of @dev as a nexus sees them
 * @dev:       the device
 * @read_only: the nexus's LUN is read-only: it reports no write cache
 *             (a write-protected LUN holds no unwritten data) and cannot
 *             change WCE
 * @mp:        filled in
 */
void strix_mode_view(struct strix_device *dev, bool read_only,
		     struct strix_mode_pages *mp)
{
	bool cache = dev->params.write_cache && !read_only;
	u8 saved = READ_ONCE(dev->mode_saved);

	mp->cur.wce = cache && READ_ONCE(dev->wce);
	mp->cur.d_sense = READ_ONCE(dev->d_sense);
	mp->cur.tas = READ_ONCE(dev->tas);
	mp->cur.qerr = READ_ONCE(dev->qerr);
	strix_mode_defaults(dev, &mp->def);
	mp->def.wce = cache;
	if (saved & STRIX_MODE_SAVED_VALID)
		strix_mode_unpack(saved, &mp->saved);
	else
		mp->saved = mp->def;
	mp->saved.wce &= cache;
	mp->wce_changeable = cache;
}

/*
 * A mode page field changed: MODE PARAMETERS CHANGED to every nexus of
 * the device but @except (the one whose MODE SELECT changed it; NULL when
 * management did).
 */
void strix_mode_changed(struct strix_device *dev,
			const struct strix_tgt_dev *except)
{
	struct strix_tgt_dev *td;
	unsigned long flags;

	spin_lock_irqsave(&dev->td_lock, flags);
	list_for_each_entry(td, &dev->tgt_devs, dev_entry)
		if (td != except)
			set_bit(STRIX_UA_MODE_CHANGED, &td->ua_pending);
	spin_unlock_irqrestore(&dev->td_lock, flags);
}

static int strix_mode_file_save(struct strix_device *dev,
				const struct strix_mode_vals *v)
{
	char buf[MODE_FILE_MAX];
	ssize_t len;

	lockdep_assert_held(&dev->mode_mutex);
	len = strix_mode_dump(v, buf, sizeof(buf));
	if (len < 0)
		return len;
	return strix_state_file_save(MODE_FILE_SUBDIR, dev->name, buf, len);
}

/**
 * strix_mode_file_restore() - start @dev with its saved mode pages, if any
 * @dev: a device being added (its handler's add_device done; not yet
 *       visible to anyone)
 *
 * Return: 0 (restored, or nothing saved), -EINVAL if the file does not
 * parse, another negative errno if it cannot be read.
 */
int strix_mode_file_restore(struct strix_device *dev)
{
	struct strix_mode_vals v;
	char buf[MODE_FILE_MAX + 1];
	ssize_t len;
	int ret;

	len = strix_state_file_read(MODE_FILE_SUBDIR, dev->name, buf,
				    MODE_FILE_MAX);
	if (len == -ENOENT)
		return 0;
	ret = len < 0 ? len : strix_mode_load(&v, buf);
	if (ret) {
		pr_err("device %s: its saved mode pages (%s/%s) do not load (%d): remove or fix the file\n",
		       dev->name, MODE_FILE_SUBDIR, dev->name, ret);
		return ret;
	}
	if (!dev->params.write_cache)
		v.wce = false;		/* nothing to turn on */
	dev->wce = v.wce;
	dev->d_sense = v.d_sense;
	dev->tas = v.tas;
	dev->qerr = v.qerr;
	dev->mode_saved = strix_mode_pack(&v);
	pr_info("device %s: restored saved mode pages (WCE %u D_SENSE %u TAS %u QErr %u)\n",
		dev->name, v.wce, v.d_sense, v.tas, v.qerr);
	return 0;
}

/* Set the fields of @nv that differ from @old; true if any did. */
static bool strix_mode_apply(struct strix_device *dev,
			     const struct strix_mode_vals *old,
			     const struct strix_mode_vals *nv)
{
	bool changed = false;

	if (nv->wce != old->wce) {
		WRITE_ONCE(dev->wce, nv->wce);
		changed = true;
	}
	if (nv->d_sense != old->d_sense) {
		WRITE_ONCE(dev->d_sense, nv->d_sense);
		changed = true;
	}
	if (nv->tas != old->tas) {
		WRITE_ONCE(dev->tas, nv->tas);
		changed = true;
	}
	if (nv->qerr != old->qerr) {
		WRITE_ONCE(dev->qerr, nv->qerr);
		changed = true;
	}
	return changed;
}

/**
 * strix_mode_select() - MODE SELECT(6)/(10), on the device's workqueue
 * @cmd: the command; PF=1 was checked by the parser
 *
 * Return: STRIX_OK or why it failed (nothing changed then).
 */
strix_sense_t strix_mode_select(struct strix_cmd *cmd)
{
	struct strix_device *dev = cmd->dev;
	bool ten = cmd->emul == STRIX_EMUL_MODE_SELECT_10;
	bool sp = cmd->cdb[1] & 0x01;
	struct strix_mode_pages mp;
	struct strix_mode_vals nv;
	strix_sense_t ret;
	u8 *param = NULL;
	u16 fbyte = 0;
	s8 fbit = -1;

	if (cmd->data_len) {
		param = kmalloc(cmd->data_len, GFP_KERNEL);
		if (!param)
			return STRIX_BUSY;
		if (sg_copy_to_buffer(cmd->sg, cmd->sg_cnt, param,
				      cmd->data_len) != cmd->data_len) {
			kfree(param);
			return STRIX_PARAM_LIST_LENGTH;
		}
	}

	mutex_lock(&dev->mode_mutex);
	strix_mode_view(dev, cmd->tgt_dev->read_only, &mp);
	ret = strix_mode_select_parse(param, cmd->data_len, ten, &dev->params,
				      &mp, &nv, &fbyte, &fbit);
	if (ret == STRIX_OK && sp) {
		struct strix_mode_vals save = nv;

		/* a read-only nexus cannot see or change the device's WCE */
		if (!mp.wce_changeable)
			save.wce = READ_ONCE(dev->wce);
		if (strix_mode_file_save(dev, &save))
			ret = STRIX_HW_ERROR;
		else
			WRITE_ONCE(dev->mode_saved, strix_mode_pack(&save));
	}
	if (ret == STRIX_OK && strix_mode_apply(dev, &mp.cur, &nv))
		strix_mode_changed(dev, cmd->tgt_dev);
	mutex_unlock(&dev->mode_mutex);
	kfree(param);

	if (ret == STRIX_INVALID_FIELD_PARAM) {
		cmd->sense_field_byte = fbyte;
		cmd->sense_field_bit = fbit;
	}
	return ret;
}

/**
 * strix_log_execute() - LOG SENSE, on the device's workqueue
 * @cmd: the command
 *
 * Return: STRIX_OK (data copied, cmd->xfer_len set) or why it failed.
 */
strix_sense_t strix_log_execute(struct strix_cmd *cmd)
{
	const struct strix_handler *h = cmd->dev->hreg->h;
	struct strix_log_ctx lc = {};
	u32 len = max_t(u32, cmd->data_len, 512), produced = 0;
	strix_sense_t ret;
	u8 *buf;

	if (h->space && !h->space(cmd->dev, &lc.avail_blocks, &lc.used_blocks))
		lc.space = true;
	lc.power_on_minutes = min_t(u64, U32_MAX,
				    div64_u64(ktime_get_boottime_ns() -
					      cmd->dev->added_ns,
					      60 * (u64)NSEC_PER_SEC));
	buf = kzalloc(len, GFP_KERNEL);
	if (!buf)
		return STRIX_BUSY;
	ret = strix_log_sense(cmd, &lc, buf, len, &produced);
	if (ret == STRIX_OK) {
		u32 n = min3(produced, cmd->data_len, cmd->expected_len);

		if (n && cmd->sg)
			n = sg_copy_from_buffer(cmd->sg, cmd->sg_cnt, buf, n);
		cmd->xfer_len = n;
	}
	kfree(buf);
	return ret;
}
