// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the core driven end to end through its two contracts.
 *
 * A test-only target driver (e2e_drv: hardware-style targets added with
 * strix_target_add(), commands submitted from the test thread, responses
 * collected by queue_response) and a test-only RAM handler in two flavours
 * (e2e_ram_a: STRIX_HANDLER_ATOMIC_IO, I/O inline in the submitter;
 * e2e_ram_w: no flags, I/O on the device's workqueue).  Management goes
 * through the real sysfs files, written with the VFS on a kernel mount of
 * sysfs, exactly as an admin's `echo ... > mgmt` would.
 *
 * Loaded as part of strix_core_test.ko on a kernel with CONFIG_KUNIT.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/dcache.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <scsi/scsi_proto.h>

#include <strix/compat.h>
#include <strix/handler.h>
#include <strix/target.h>

#define E2E_DRV		"strix_e2e_drv"
#define E2E_TGT		"e2e_tgt0"
#define E2E_INI		"iqn.2026-12.test:e2e-ini"
#define E2E_BS		512
#define E2E_BLOCKS	2048		/* 1 MiB devices */
#define E2E_WAIT	(10 * HZ)
#define E2E_ROOT	"kernel/scst_tgt/"

/* ---- management through sysfs ---------------------------------------- */

static struct vfsmount *e2e_sysfs;

/*
 * Look up @path below /sys/kernel/scst_tgt on our sysfs mount, a component
 * at a time (vfs_path_lookup() is not declared for modules).  The paths
 * here name real directories and files only, no symlinks.
 */
static int e2e_lookup(const char *path, struct path *out)
{
	char full[192], *pos = full, *comp;
	struct dentry *d = dget(e2e_sysfs->mnt_root), *next;

	snprintf(full, sizeof(full), E2E_ROOT "%s", path);
	while ((comp = strsep(&pos, "/"))) {
		if (!*comp)
			continue;
		next = lookup_one_len_unlocked(comp, d, strlen(comp));
		dput(d);
		if (IS_ERR(next))
			return PTR_ERR(next);
		if (d_really_is_negative(next)) {
			dput(next);
			return -ENOENT;
		}
		d = next;
	}
	out->mnt = mntget(e2e_sysfs);
	out->dentry = d;
	return 0;
}

/* One write() of @line to @path below /sys/kernel/scst_tgt: 0 or -errno. */
static int e2e_write(const char *path, const char *line)
{
	struct path p;
	struct file *f;
	loff_t pos = 0;
	ssize_t n;
	int ret;

	ret = e2e_lookup(path, &p);
	if (ret)
		return ret;
	f = dentry_open(&p, O_WRONLY, current_cred());
	path_put(&p);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, line, strlen(line), &pos);
	fput(f);	/* the case's kthread or, for cleanup after a failure, insmod */
	return n < 0 ? n : 0;
}

/* Does @path exist below the root? */
static bool e2e_exists(const char *path)
{
	struct path p;

	if (e2e_lookup(path, &p))
		return false;
	path_put(&p);
	return true;
}

/* ---- the RAM handler ------------------------------------------------- */

/*
 * One RAM disk.  Locking: @mem and @unmapped are accessed by commands only
 * for the blocks they own (the tests never overlap in-flight I/O, so the
 * non-atomic bitmap ops are safe); @parked and @ran_on
 * are written by the I/O path and read by the test after completion.
 */
struct e2e_ram {
	u8 *mem;
	u64 nr_blocks;
	bool park;			/* park the next read (drain test) */
	struct strix_cmd *parked;
	struct completion parked_done;
	struct task_struct *ran_on;	/* who ran the last I/O */
	bool ran_on_worker;
	bool last_fua;			/* cmd->fua of the last write */
	atomic_t flushes;
	/* thin=1: blocks deallocated by unmap, set again by a write */
	DECLARE_BITMAP(unmapped, E2E_BLOCKS);
};

/* The devices of the fixture, by name ("ea", "ew"); set by add_device. */
static struct e2e_ram *e2e_ram_ea, *e2e_ram_ew;

static int e2e_ram_add(struct strix_device *dev, const struct strix_params *params,
		       struct strix_dev_params *p)
{
	struct e2e_ram *r = strix_device_priv(dev);

	if (!strcmp(strix_device_name(dev), "ea"))
		e2e_ram_ea = r;
	else if (!strcmp(strix_device_name(dev), "ew"))
		e2e_ram_ew = r;

	r->nr_blocks = E2E_BLOCKS;
	r->mem = vzalloc(E2E_BLOCKS * E2E_BS);
	if (!r->mem)
		return -ENOMEM;
	init_completion(&r->parked_done);
	p->removable = strix_param_get(params, "removable") != NULL;
	p->thin_provisioned = strix_param_get(params, "thin") != NULL;
	p->unmap_zeroes = true;
	p->unmap_granularity = 1;
	p->block_size = E2E_BS;
	p->nr_blocks = r->nr_blocks;
	p->write_cache = true;
	return 0;
}

static void e2e_ram_del(struct strix_device *dev)
{
	struct e2e_ram *r = strix_device_priv(dev);

	vfree(r->mem);
}

static void e2e_ram_note(struct e2e_ram *r)
{
	r->ran_on = current;
	r->ran_on_worker = !!(current->flags & PF_WQ_WORKER);
}

static void e2e_ram_read(struct strix_cmd *cmd)
{
	struct e2e_ram *r = strix_device_priv(cmd->dev);
	size_t len = (size_t)cmd->nr_blocks * E2E_BS;

	e2e_ram_note(r);
	sg_copy_from_buffer(cmd->sg, cmd->sg_cnt, r->mem + cmd->lba * E2E_BS, len);
	if (READ_ONCE(r->park)) {
		WRITE_ONCE(r->park, false);
		r->parked = cmd;
		complete(&r->parked_done);
		return;		/* the test completes it later */
	}
	strix_cmd_io_done(cmd, STRIX_OK);
}

static void e2e_ram_write(struct strix_cmd *cmd)
{
	struct e2e_ram *r = strix_device_priv(cmd->dev);
	size_t len = (size_t)cmd->nr_blocks * E2E_BS;

	e2e_ram_note(r);
	r->last_fua = cmd->fua;
	sg_copy_to_buffer(cmd->sg, cmd->sg_cnt, r->mem + cmd->lba * E2E_BS, len);
	bitmap_clear(r->unmapped, cmd->lba, cmd->nr_blocks);
	strix_cmd_io_done(cmd, STRIX_OK);
}

/* Thin provisioning: the synchronous ops of handler.h. */
static strix_sense_t e2e_ram_unmap(struct strix_cmd *cmd, u64 lba, u64 n)
{
	struct e2e_ram *r = strix_device_priv(cmd->dev);

	e2e_ram_note(r);
	memset(r->mem + lba * E2E_BS, 0, n * E2E_BS);
	bitmap_set(r->unmapped, lba, n);
	return STRIX_OK;
}

static strix_sense_t e2e_ram_write_same(struct strix_cmd *cmd, u64 lba, u64 n,
					const void *block)
{
	struct e2e_ram *r = strix_device_priv(cmd->dev);
	u64 i;

	e2e_ram_note(r);
	for (i = 0; i < n; i++) {
		if (block)
			memcpy(r->mem + (lba + i) * E2E_BS, block, E2E_BS);
		else
			memset(r->mem + (lba + i) * E2E_BS, 0, E2E_BS);
	}
	bitmap_clear(r->unmapped, lba, n);
	return STRIX_OK;
}

static strix_sense_t e2e_ram_lba_status(struct strix_cmd *cmd, u64 lba,
					u64 *n, bool *mapped)
{
	struct e2e_ram *r = strix_device_priv(cmd->dev);
	unsigned long end;

	*mapped = !test_bit(lba, r->unmapped);
	end = *mapped ? find_next_bit(r->unmapped, E2E_BLOCKS, lba) :
			find_next_zero_bit(r->unmapped, E2E_BLOCKS, lba);
	*n = min_t(u64, *n, end - lba);
	return STRIX_OK;
}

static void e2e_ram_flush(struct strix_cmd *cmd)
{
	struct e2e_ram *r = strix_device_priv(cmd->dev);

	atomic_inc(&r->flushes);
	strix_cmd_io_done(cmd, STRIX_OK);
}

/* devices/<name>/resize_blocks: a new capacity, as a handler's resync_size. */
static ssize_t resize_blocks_store(struct kobject *kobj, struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	struct strix_device *dev = strix_device_from_kobj(kobj);
	struct e2e_ram *r = strix_device_priv(dev);
	struct kernfs_node *kn;
	u64 v;
	int ret;

	if (kstrtou64(buf, 0, &v) || !v || v > E2E_BLOCKS)
		return -EINVAL;
	ret = strix_mgmt_begin(kobj, &attr->attr, &kn);
	if (ret)
		return ret;
	if (strix_device_dead(dev)) {
		ret = -ENODEV;
	} else {
		r->nr_blocks = v;
		strix_device_resized(dev, v);
	}
	strix_mgmt_end(kobj, kn);
	return ret ? ret : count;
}

static struct kobj_attribute e2e_attr_resize = __ATTR_WO(resize_blocks);
static struct attribute *e2e_ram_attrs[] = { &e2e_attr_resize.attr, NULL };
static const struct attribute_group e2e_ram_group = { .attrs = e2e_ram_attrs };
static const struct attribute_group *e2e_ram_groups[] = { &e2e_ram_group, NULL };
static const char *const e2e_ram_params[] = { "removable", "thin", NULL };

/* The two RAM handlers differ only in where their I/O runs. */
#define E2E_RAM_HANDLER(_name, _flags) {			\
	.name = _name,						\
	.owner = THIS_MODULE,					\
	.flags = (_flags),					\
	.scsi_type = TYPE_DISK,					\
	.dev_priv_size = sizeof(struct e2e_ram),		\
	.add_device_params = e2e_ram_params,			\
	.dev_groups = e2e_ram_groups,				\
	.add_device = e2e_ram_add,				\
	.del_device = e2e_ram_del,				\
	.read = e2e_ram_read,					\
	.write = e2e_ram_write,					\
	.flush = e2e_ram_flush,					\
	.unmap = e2e_ram_unmap,					\
	.write_same = e2e_ram_write_same,			\
	.lba_status = e2e_ram_lba_status,			\
}

static struct strix_handler e2e_ram_a =
	E2E_RAM_HANDLER("strix_e2e_ram_a", STRIX_HANDLER_ATOMIC_IO);
static struct strix_handler e2e_ram_w = E2E_RAM_HANDLER("strix_e2e_ram_w", 0);

/* ---- the target driver ----------------------------------------------- */

/*
 * One command of the fake driver.  Locking: owned by the test until
 * submit, by the core until queue_response, then by the test again
 * (@done orders the hand-back).
 */
struct e2e_cmd {
	struct strix_cmd cmd;
	struct completion done;
	const u8 *wdata;		/* fetch_data source when !own_sg */
	u8 *rdata;			/* queue_response copies reads here */
	u32 rlen;
	bool own_sg;
	int fetches;
	/* the response, saved before strix_cmd_done() */
	u8 status;
	u8 sense[STRIX_SENSE_LEN];
	u8 sense_len;
	u32 resid;
	bool overflow;
	bool aborted;			/* no response owed (task management) */
	u32 got;			/* bytes copied to @rdata */
};

static void e2e_fetch_data(struct strix_cmd *cmd)
{
	struct e2e_cmd *c = container_of(cmd, struct e2e_cmd, cmd);

	c->fetches++;
	sg_copy_from_buffer(cmd->sg, cmd->sg_cnt, c->wdata, cmd->xfer_len);
	strix_cmd_data_ready(cmd, STRIX_OK);
}

static void e2e_queue_response(struct strix_cmd *cmd)
{
	struct e2e_cmd *c = container_of(cmd, struct e2e_cmd, cmd);

	c->status = cmd->status;
	c->sense_len = cmd->sense_len;
	memcpy(c->sense, cmd->sense, sizeof(c->sense));
	c->resid = cmd->resid;
	c->overflow = cmd->overflow;
	c->aborted = cmd->aborted;
	if (!c->own_sg && c->rdata && cmd->sg && cmd->data_dir == STRIX_DATA_READ &&
	    !cmd->status)
		c->got = sg_copy_to_buffer(cmd->sg, cmd->sg_cnt, c->rdata,
					   min(c->rlen, cmd->expected_len - cmd->resid));
	strix_cmd_done(cmd);
	complete(&c->done);
}

/* Sessions of the fake driver; close_session unregisters from a worker. */
struct e2e_sess {
	struct strix_session *sess;
	struct work_struct close_work;
	struct completion closed;
};

static void e2e_close_work(struct work_struct *w)
{
	struct e2e_sess *s = container_of(w, struct e2e_sess, close_work);

	strix_session_unregister(s->sess);
	complete(&s->closed);
}

static void e2e_close_session(struct strix_session *sess)
{
	struct e2e_sess *s = strix_session_priv(sess);

	schedule_work(&s->close_work);
}

/* A task management function of a test, answered through tmf_done. */
struct e2e_tmf {
	struct strix_tmf tmf;
	struct completion done;
};

static void e2e_tmf_done(struct strix_tmf *tmf)
{
	complete(&container_of(tmf, struct e2e_tmf, tmf)->done);
}

static struct strix_tgt_driver e2e_drv = {
	.name = E2E_DRV,
	.owner = THIS_MODULE,
	.fetch_data = e2e_fetch_data,
	.queue_response = e2e_queue_response,
	.close_session = e2e_close_session,
	.tmf_done = e2e_tmf_done,
};

/* ---- per-case fixture ------------------------------------------------ */

/*
 * Every case starts with: devices "ea" (inline) and "ew" (workqueue),
 * target E2E_TGT with LUN 0 -> ea and LUN 1 -> ew, one session.
 */
struct e2e_fix {
	bool drv, ha, hw;
	struct strix_target *tgt;
	struct e2e_sess s;
	bool sess_live;
};

static struct e2e_fix *e2e_fix(struct kunit *test)
{
	return test->priv;
}

static struct e2e_sess *e2e_session_open(struct kunit *test, struct e2e_sess *s,
					 const char *ini)
{
	struct e2e_fix *f = e2e_fix(test);

	INIT_WORK(&s->close_work, e2e_close_work);
	init_completion(&s->closed);
	s->sess = strix_session_register(f->tgt, ini, s);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s->sess));
	return s;
}

static int e2e_init(struct kunit *test)
{
	struct e2e_fix *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct file_system_type *fs;

	KUNIT_ASSERT_NOT_NULL(test, f);
	test->priv = f;
	if (!e2e_sysfs) {
		fs = get_fs_type("sysfs");
		KUNIT_ASSERT_NOT_NULL(test, fs);
		e2e_sysfs = kern_mount(fs);
		KUNIT_ASSERT_FALSE(test, IS_ERR(e2e_sysfs));
	}
	KUNIT_ASSERT_EQ(test, strix_register_handler(&e2e_ram_a), 0);
	f->ha = true;
	KUNIT_ASSERT_EQ(test, strix_register_handler(&e2e_ram_w), 0);
	f->hw = true;
	KUNIT_ASSERT_EQ(test, strix_register_driver(&e2e_drv), 0);
	f->drv = true;
	KUNIT_ASSERT_EQ(test, e2e_write("handlers/strix_e2e_ram_a/mgmt",
					"add_device ea"), 0);
	KUNIT_ASSERT_EQ(test, e2e_write("handlers/strix_e2e_ram_w/mgmt",
					"add_device ew thin=1"), 0);
	f->tgt = strix_target_add(&e2e_drv, E2E_TGT);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f->tgt));
	KUNIT_ASSERT_EQ(test, e2e_write("targets/" E2E_DRV "/" E2E_TGT "/luns/mgmt",
					"add ea 0"), 0);
	KUNIT_ASSERT_EQ(test, e2e_write("targets/" E2E_DRV "/" E2E_TGT "/luns/mgmt",
					"add ew 1"), 0);
	e2e_session_open(test, &f->s, E2E_INI);
	f->sess_live = true;
	return 0;
}

static void e2e_exit(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);

	if (f->sess_live)
		strix_session_unregister(f->s.sess);
	if (f->tgt && !IS_ERR(f->tgt))
		strix_target_del(f->tgt);
	e2e_write("handlers/strix_e2e_ram_a/mgmt", "del_device ea");
	e2e_write("handlers/strix_e2e_ram_w/mgmt", "del_device ew");
	e2e_write("handlers/strix_e2e_ram_a/mgmt", "del_device er");
	e2e_ram_ea = NULL;
	e2e_ram_ew = NULL;
	if (f->drv)
		strix_unregister_driver(&e2e_drv);
	if (f->hw)
		strix_unregister_handler(&e2e_ram_w);
	if (f->ha)
		strix_unregister_handler(&e2e_ram_a);
}

/* ---- commands -------------------------------------------------------- */

static struct e2e_cmd *e2e_cmd_new(struct kunit *test, struct strix_session *sess,
				   u64 lun, const u8 *cdb, unsigned int cdb_len,
				   enum strix_data_dir dir, u32 len)
{
	struct e2e_cmd *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	strix_cmd_init(&c->cmd, sess);
	init_completion(&c->done);
	c->cmd.lun = lun;
	c->cmd.tag = get_random_u32();
	memcpy(c->cmd.cdb, cdb, cdb_len);
	c->cmd.cdb_len = cdb_len;
	c->cmd.attr = STRIX_TASK_SIMPLE;
	c->cmd.expected_dir = dir;
	c->cmd.expected_len = len;
	return c;
}

/* Give the command our own buffer (zero-copy drivers do). */
static void e2e_cmd_own_sg(struct kunit *test, struct e2e_cmd *c, void *buf, u32 len)
{
	struct scatterlist *sg = kunit_kzalloc(test, sizeof(*sg), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sg);
	sg_init_one(sg, buf, len);
	c->cmd.sg = sg;
	c->cmd.sg_cnt = 1;
	c->own_sg = true;
}

static void e2e_run(struct kunit *test, struct e2e_cmd *c)
{
	strix_cmd_submit(&c->cmd);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&c->done, E2E_WAIT) > 0);
}

/* Sense key, ASC and ASCQ of a response, fixed or descriptor format. */
static u32 e2e_sense(const struct e2e_cmd *c)
{
	const u8 *s = c->sense;

	if (!c->sense_len)
		return 0;
	if ((s[0] & 0x7f) >= 0x72)
		return (s[1] & 0xf) << 16 | s[2] << 8 | s[3];
	return (s[2] & 0xf) << 16 | s[12] << 8 | s[13];
}

#define KEY_ASC(key, asc, ascq)	((key) << 16 | (asc) << 8 | (ascq))

static void e2e_expect_check(struct kunit *test, const struct e2e_cmd *c, u32 want)
{
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_CHECK_CONDITION);
	KUNIT_EXPECT_EQ(test, e2e_sense(c), want);
}

/* GOOD, with an overflow residual of @resid bytes (what did not fit). */
static void e2e_expect_overflow(struct kunit *test, const struct e2e_cmd *c, u32 resid)
{
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_TRUE(test, c->overflow);
	KUNIT_EXPECT_EQ(test, c->resid, resid);
}

/* A command without data; returns it answered. */
static struct e2e_cmd *e2e_nodata(struct kunit *test, struct strix_session *sess,
				  u64 lun, const u8 *cdb, unsigned int len)
{
	struct e2e_cmd *c = e2e_cmd_new(test, sess, lun, cdb, len, STRIX_DATA_NONE, 0);

	e2e_run(test, c);
	return c;
}

static const u8 e2e_tur[6] = { TEST_UNIT_READY };

/* Clear the power-on unit attention of LUN @lun. */
static void e2e_clear_ua(struct kunit *test, struct strix_session *sess, u64 lun)
{
	struct e2e_cmd *c = e2e_nodata(test, sess, lun, e2e_tur, 6);

	KUNIT_ASSERT_EQ(test, c->status, SAM_STAT_CHECK_CONDITION);
	KUNIT_ASSERT_EQ(test, e2e_sense(c), KEY_ASC(UNIT_ATTENTION, 0x29, 0x00));
	c = e2e_nodata(test, sess, lun, e2e_tur, 6);
	KUNIT_ASSERT_EQ(test, c->status, SAM_STAT_GOOD);
}

static void e2e_rw10(u8 *cdb, u8 op, u32 lba, u16 blocks)
{
	memset(cdb, 0, 10);
	cdb[0] = op;
	put_unaligned_be32(lba, &cdb[2]);
	put_unaligned_be16(blocks, &cdb[7]);
}

/* WRITE(10) then READ(10) of @blocks at @lba, own or core buffers. */
static void e2e_write_read(struct kunit *test, u64 lun, u32 lba, u16 blocks,
			   bool own_sg)
{
	struct e2e_fix *f = e2e_fix(test);
	u32 len = blocks * E2E_BS;
	u8 *out = kunit_kmalloc(test, len, GFP_KERNEL);
	u8 *in = kunit_kzalloc(test, len, GFP_KERNEL);
	struct e2e_cmd *c;
	u8 cdb[10];

	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, in);
	get_random_bytes(out, len);

	e2e_rw10(cdb, WRITE_10, lba, blocks);
	c = e2e_cmd_new(test, f->s.sess, lun, cdb, 10, STRIX_DATA_WRITE, len);
	if (own_sg)
		e2e_cmd_own_sg(test, c, out, len);
	else
		c->wdata = out;
	e2e_run(test, c);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_EQ(test, c->resid, 0U);
	KUNIT_EXPECT_EQ(test, c->fetches, own_sg ? 0 : 1);

	e2e_rw10(cdb, READ_10, lba, blocks);
	c = e2e_cmd_new(test, f->s.sess, lun, cdb, 10, STRIX_DATA_READ, len);
	if (own_sg)
		e2e_cmd_own_sg(test, c, in, len);
	c->rdata = in;
	c->rlen = len;
	e2e_run(test, c);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_EQ(test, c->resid, 0U);
	if (!own_sg)
		KUNIT_EXPECT_EQ(test, c->got, len);
	KUNIT_EXPECT_EQ(test, memcmp(out, in, len), 0);
}

/* The RAM disk behind LUN 0 ("ea") or LUN 1 ("ew") of the fixture. */
static struct e2e_ram *e2e_ram_of(struct kunit *test, u64 lun)
{
	struct e2e_ram *r = lun ? e2e_ram_ew : e2e_ram_ea;

	KUNIT_ASSERT_NOT_NULL(test, r);
	return r;
}

/* The next command on @lun reports unit attention @asc/@ascq, then GOOD. */
static void e2e_expect_ua(struct kunit *test, struct strix_session *sess, u64 lun,
			  u8 asc, u8 ascq)
{
	struct e2e_cmd *c = e2e_nodata(test, sess, lun, e2e_tur, 6);

	e2e_expect_check(test, c, KEY_ASC(UNIT_ATTENTION, asc, ascq));
	c = e2e_nodata(test, sess, lun, e2e_tur, 6);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
}

/* ---- cases ----------------------------------------------------------- */

static void e2e_power_on_ua_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_cmd *c;

	/* once per nexus: LUN 0 and LUN 1 each report it, then are ready */
	c = e2e_nodata(test, f->s.sess, 0, e2e_tur, 6);
	e2e_expect_check(test, c, KEY_ASC(UNIT_ATTENTION, 0x29, 0x00));
	c = e2e_nodata(test, f->s.sess, 0, e2e_tur, 6);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_EQ(test, c->sense_len, 0);
	c = e2e_nodata(test, f->s.sess, 1, e2e_tur, 6);
	e2e_expect_check(test, c, KEY_ASC(UNIT_ATTENTION, 0x29, 0x00));
	c = e2e_nodata(test, f->s.sess, 1, e2e_tur, 6);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
}

static void e2e_write_read_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_ram *ra, *rw;

	e2e_clear_ua(test, f->s.sess, 0);
	e2e_clear_ua(test, f->s.sess, 1);
	ra = e2e_ram_of(test, 0);
	rw = e2e_ram_of(test, 1);

	e2e_write_read(test, 0, 0, 8, true);
	KUNIT_EXPECT_PTR_EQ(test, ra->ran_on, current);	/* inline */
	e2e_write_read(test, 0, E2E_BLOCKS - 128, 128, false);
	e2e_write_read(test, 1, 7, 1, true);
	KUNIT_EXPECT_TRUE(test, rw->ran_on_worker);	/* device workqueue */
	KUNIT_EXPECT_PTR_NE(test, rw->ran_on, current);
	e2e_write_read(test, 1, 100, 64, false);
	/* the two devices are apart: LUN 0 never had block 500 written */
	KUNIT_EXPECT_TRUE(test, !memchr_inv(ra->mem + 500 * E2E_BS, 0, E2E_BS));
	KUNIT_EXPECT_FALSE(test, !memchr_inv(rw->mem + 100 * E2E_BS, 0, E2E_BS));
}

static void e2e_out_of_range_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_ram *r;
	struct e2e_cmd *c;
	u8 cdb[10];

	e2e_clear_ua(test, f->s.sess, 0);
	r = e2e_ram_of(test, 0);
	/* the last block is in range, one past it is not, nor a span over it */
	e2e_write_read(test, 0, E2E_BLOCKS - 1, 1, false);
	e2e_rw10(cdb, READ_10, E2E_BLOCKS, 1);
	c = e2e_cmd_new(test, f->s.sess, 0, cdb, 10, STRIX_DATA_READ, E2E_BS);
	e2e_run(test, c);
	e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x21, 0x00));
	e2e_rw10(cdb, WRITE_10, E2E_BLOCKS - 1, 2);
	c = e2e_cmd_new(test, f->s.sess, 0, cdb, 10, STRIX_DATA_WRITE, 2 * E2E_BS);
	c->wdata = kunit_kzalloc(test, 2 * E2E_BS, GFP_KERNEL);
	r->ran_on = NULL;
	e2e_run(test, c);
	e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x21, 0x00));
	KUNIT_EXPECT_EQ(test, c->fetches, 0);		/* refused before data */
	KUNIT_EXPECT_NULL(test, r->ran_on);		/* the handler never saw it */
}

static void e2e_refusals_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	static const u8 bad_op[6] = { 0x02 };	/* no such opcode for a disk */
	u8 cdb[10];
	struct e2e_cmd *c;
	u8 *buf;

	e2e_clear_ua(test, f->s.sess, 0);
	c = e2e_nodata(test, f->s.sess, 0, bad_op, 6);
	e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x20, 0x00));

	/* a LUN nobody mapped: TUR refused, INQUIRY says "not connected" */
	c = e2e_nodata(test, f->s.sess, 9, e2e_tur, 6);
	e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x25, 0x00));
	buf = kunit_kzalloc(test, 36, GFP_KERNEL);
	c = e2e_cmd_new(test, f->s.sess, 9, (const u8[6]){ INQUIRY, 0, 0, 0, 36 }, 6,
			STRIX_DATA_READ, 36);
	e2e_cmd_own_sg(test, c, buf, 36);
	e2e_run(test, c);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_EQ(test, buf[0], 0x7f);

	/* a read longer than the driver's own buffer is refused, not cut */
	buf = kunit_kzalloc(test, E2E_BS, GFP_KERNEL);
	e2e_rw10(cdb, READ_10, 0, 2);
	c = e2e_cmd_new(test, f->s.sess, 0, cdb, 10, STRIX_DATA_READ, E2E_BS);
	e2e_cmd_own_sg(test, c, buf, E2E_BS);
	e2e_run(test, c);
	e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x24, 0x00));

	/* in a core buffer it is cut: one block moved, one block of overflow */
	c = e2e_cmd_new(test, f->s.sess, 0, cdb, 10, STRIX_DATA_READ, E2E_BS);
	e2e_run(test, c);
	e2e_expect_overflow(test, c, E2E_BS);

	/* a write of two blocks with one block of data: the first is written */
	e2e_rw10(cdb, WRITE_10, 0, 2);
	c = e2e_cmd_new(test, f->s.sess, 0, cdb, 10, STRIX_DATA_WRITE, E2E_BS);
	c->wdata = kunit_kzalloc(test, E2E_BS, GFP_KERNEL);
	e2e_run(test, c);
	e2e_expect_overflow(test, c, E2E_BS);
	KUNIT_EXPECT_EQ(test, c->fetches, 1);

	/*
	 * A read the initiator expected to be a write, and a write it
	 * expected to be a read: no data the CDB's way, so none is moved
	 * (no fetch) and the whole length is overflow, GOOD.
	 */
	e2e_rw10(cdb, READ_10, 0, 1);
	c = e2e_cmd_new(test, f->s.sess, 0, cdb, 10, STRIX_DATA_WRITE, E2E_BS);
	c->wdata = kunit_kzalloc(test, E2E_BS, GFP_KERNEL);
	e2e_run(test, c);
	e2e_expect_overflow(test, c, E2E_BS);
	KUNIT_EXPECT_EQ(test, c->fetches, 0);
	e2e_rw10(cdb, WRITE_10, 0, 1);
	c = e2e_cmd_new(test, f->s.sess, 0, cdb, 10, STRIX_DATA_READ, E2E_BS);
	e2e_run(test, c);
	e2e_expect_overflow(test, c, E2E_BS);
	KUNIT_EXPECT_EQ(test, c->fetches, 0);

	/* an INQUIRY whose allocation length exceeds the buffer: cut, overflow */
	buf = kunit_kzalloc(test, 96, GFP_KERNEL);
	c = e2e_cmd_new(test, f->s.sess, 0, (const u8[6]){ INQUIRY, 0, 0, 0, 96 }, 6,
			STRIX_DATA_READ, 36);
	e2e_cmd_own_sg(test, c, buf, 36);
	e2e_run(test, c);
	e2e_expect_overflow(test, c, 60U);
	KUNIT_EXPECT_EQ(test, buf[0], TYPE_DISK);
	KUNIT_EXPECT_EQ(test, memcmp(buf + 8, "STRIX   ", 8), 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 36, 0, 60));	/* nothing past it */
}

static void e2e_flush_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	static const u8 sync10[10] = { SYNCHRONIZE_CACHE };
	struct e2e_ram *r;
	struct e2e_cmd *c;

	e2e_clear_ua(test, f->s.sess, 1);
	r = e2e_ram_of(test, 1);
	c = e2e_nodata(test, f->s.sess, 1, sync10, 10);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->flushes), 1);
}

static void e2e_report_luns_ua_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	u8 cdb[12] = { REPORT_LUNS };
	struct e2e_cmd *c;
	u8 *buf;

	e2e_clear_ua(test, f->s.sess, 0);
	/* a LUN added under a live session: REPORTED LUNS DATA HAS CHANGED */
	KUNIT_ASSERT_EQ(test, e2e_write("targets/" E2E_DRV "/" E2E_TGT "/luns/mgmt",
					"add ew 5 read_only=1"), 0);
	e2e_expect_ua(test, f->s.sess, 0, 0x3f, 0x0e);

	put_unaligned_be32(64, &cdb[6]);
	buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	c = e2e_cmd_new(test, f->s.sess, 0, cdb, 12, STRIX_DATA_READ, 64);
	e2e_cmd_own_sg(test, c, buf, 64);
	e2e_run(test, c);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf), 3 * 8U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(buf + 8), 0ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(buf + 16), 1ULL << 48);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(buf + 24), 5ULL << 48);

	/* the new LUN is read-only: writes get DATA PROTECT */
	e2e_expect_ua(test, f->s.sess, 5, 0x3f, 0x0e);
	e2e_rw10(cdb, WRITE_10, 0, 1);
	c = e2e_cmd_new(test, f->s.sess, 5, cdb, 10, STRIX_DATA_WRITE, E2E_BS);
	c->wdata = kunit_kzalloc(test, E2E_BS, GFP_KERNEL);
	e2e_run(test, c);
	e2e_expect_check(test, c, KEY_ASC(DATA_PROTECT, 0x27, 0x00));

	/* removed again: gone from the nexus, and another UA */
	KUNIT_ASSERT_EQ(test, e2e_write("targets/" E2E_DRV "/" E2E_TGT "/luns/mgmt",
					"del 5"), 0);
	c = e2e_nodata(test, f->s.sess, 0, e2e_tur, 6);
	e2e_expect_check(test, c, KEY_ASC(UNIT_ATTENTION, 0x3f, 0x0e));
	c = e2e_nodata(test, f->s.sess, 5, e2e_tur, 6);
	e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x25, 0x00));
}

static void e2e_capacity_ua_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	u8 cdb[10] = { READ_CAPACITY };
	struct e2e_cmd *c;
	u8 *buf;

	e2e_clear_ua(test, f->s.sess, 0);
	KUNIT_ASSERT_EQ(test, e2e_write("devices/ea/resize_blocks", "1024"), 0);
	c = e2e_nodata(test, f->s.sess, 0, e2e_tur, 6);
	e2e_expect_check(test, c, KEY_ASC(UNIT_ATTENTION, 0x2a, 0x09));
	buf = kunit_kzalloc(test, 8, GFP_KERNEL);
	c = e2e_cmd_new(test, f->s.sess, 0, cdb, 10, STRIX_DATA_READ, 8);
	e2e_cmd_own_sg(test, c, buf, 8);
	e2e_run(test, c);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf), 1023U);	/* last LBA */
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf + 4), (u32)E2E_BS);
	/* LUN 1 is another device: no UA there beyond its power-on one */
	e2e_clear_ua(test, f->s.sess, 1);
	/* and the old end is now out of range */
	e2e_rw10(cdb, READ_10, 1024, 1);
	c = e2e_cmd_new(test, f->s.sess, 0, cdb, 10, STRIX_DATA_READ, E2E_BS);
	e2e_run(test, c);
	e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x21, 0x00));
}

static void e2e_mgmt_test(struct kunit *test)
{
	static const char *const luns = "targets/" E2E_DRV "/" E2E_TGT "/luns/mgmt";

	/* a device in use cannot go; an unused one can */
	KUNIT_EXPECT_EQ(test, e2e_write("handlers/strix_e2e_ram_a/mgmt",
					"del_device ea"), -EBUSY);
	KUNIT_EXPECT_EQ(test, e2e_write("handlers/strix_e2e_ram_a/mgmt",
					"add_device ea"), -EEXIST);
	KUNIT_EXPECT_EQ(test, e2e_write("handlers/strix_e2e_ram_a/mgmt",
					"add_device eb bogus=1"), -EINVAL);
	KUNIT_EXPECT_FALSE(test, e2e_exists("devices/eb"));
	KUNIT_EXPECT_EQ(test, e2e_write(luns, "add nosuch 3"), -ENOENT);
	KUNIT_EXPECT_EQ(test, e2e_write(luns, "add ea 0"), -EEXIST);
	KUNIT_EXPECT_EQ(test, e2e_write(luns, "add ea 16384"), -EINVAL);
	KUNIT_EXPECT_EQ(test, e2e_write(luns, "frob ea 3"), -EINVAL);
	KUNIT_EXPECT_FALSE(test, e2e_exists("targets/" E2E_DRV "/" E2E_TGT "/luns/3"));
	KUNIT_EXPECT_EQ(test, e2e_write(luns, "del 0"), 0);
	KUNIT_EXPECT_FALSE(test, e2e_exists("targets/" E2E_DRV "/" E2E_TGT "/luns/0"));
	KUNIT_EXPECT_EQ(test, e2e_write("handlers/strix_e2e_ram_a/mgmt",
					"del_device ea"), 0);
	KUNIT_EXPECT_FALSE(test, e2e_exists("devices/ea"));
}

/* A removable medium: eject, load, and PREVENT per I_T nexus. */
static void e2e_removable_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_sess *s2 = kunit_kzalloc(test, sizeof(*s2), GFP_KERNEL);
	static const u8 prevent[6] = { ALLOW_MEDIUM_REMOVAL, 0, 0, 0, 0x01 };
	static const u8 allow[6] = { ALLOW_MEDIUM_REMOVAL };
	static const u8 eject[6] = { START_STOP, 0, 0, 0, 0x02 };
	static const u8 load[6] = { START_STOP, 0, 0, 0, 0x03 };
	static const u8 inq[6] = { INQUIRY, 0, 0, 0, 36 };
	u8 cdb[10];
	struct e2e_cmd *c;

	KUNIT_ASSERT_NOT_NULL(test, s2);
	KUNIT_ASSERT_EQ(test, e2e_write("handlers/strix_e2e_ram_a/mgmt",
					"add_device er removable=1"), 0);
	KUNIT_ASSERT_EQ(test, e2e_write("targets/" E2E_DRV "/" E2E_TGT "/luns/mgmt",
					"add er 6"), 0);
	e2e_expect_ua(test, f->s.sess, 6, 0x3f, 0x0e);
	e2e_session_open(test, s2, E2E_INI "-2");
	e2e_expect_ua(test, s2->sess, 6, 0x29, 0x00);

	/* prevented by one nexus: nobody can eject */
	KUNIT_EXPECT_EQ(test, e2e_nodata(test, f->s.sess, 6, prevent, 6)->status,
			SAM_STAT_GOOD);
	e2e_expect_check(test, e2e_nodata(test, f->s.sess, 6, eject, 6),
			 KEY_ASC(ILLEGAL_REQUEST, 0x53, 0x02));
	e2e_expect_check(test, e2e_nodata(test, s2->sess, 6, eject, 6),
			 KEY_ASC(ILLEGAL_REQUEST, 0x53, 0x02));
	/* prevented by both; the first allows: still prevented by the second */
	e2e_nodata(test, s2->sess, 6, prevent, 6);
	e2e_nodata(test, f->s.sess, 6, allow, 6);
	e2e_expect_check(test, e2e_nodata(test, f->s.sess, 6, eject, 6),
			 KEY_ASC(ILLEGAL_REQUEST, 0x53, 0x02));
	/* I_T nexus loss of the second ends its prevention */
	strix_session_unregister(s2->sess);
	c = e2e_nodata(test, f->s.sess, 6, eject, 6);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);

	/* no medium: TUR and media access fail, INQUIRY works */
	e2e_expect_check(test, e2e_nodata(test, f->s.sess, 6, e2e_tur, 6),
			 KEY_ASC(NOT_READY, 0x3a, 0x00));
	e2e_rw10(cdb, READ_10, 0, 1);
	c = e2e_cmd_new(test, f->s.sess, 6, cdb, 10, STRIX_DATA_READ, E2E_BS);
	e2e_run(test, c);
	e2e_expect_check(test, c, KEY_ASC(NOT_READY, 0x3a, 0x00));
	c = e2e_cmd_new(test, f->s.sess, 6, inq, 6, STRIX_DATA_READ, 36);
	e2e_cmd_own_sg(test, c, kunit_kzalloc(test, 36, GFP_KERNEL), 36);
	e2e_run(test, c);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	/* the other devices keep their medium (after their pending UAs) */
	e2e_expect_check(test, e2e_nodata(test, f->s.sess, 0, e2e_tur, 6),
			 KEY_ASC(UNIT_ATTENTION, 0x29, 0x00));
	e2e_expect_ua(test, f->s.sess, 0, 0x3f, 0x0e);

	/* loading is refused while prevented, too */
	e2e_nodata(test, f->s.sess, 6, prevent, 6);
	e2e_expect_check(test, e2e_nodata(test, f->s.sess, 6, load, 6),
			 KEY_ASC(ILLEGAL_REQUEST, 0x53, 0x02));
	e2e_nodata(test, f->s.sess, 6, allow, 6);

	/* loaded again */
	KUNIT_EXPECT_EQ(test, e2e_nodata(test, f->s.sess, 6, load, 6)->status,
			SAM_STAT_GOOD);
	KUNIT_EXPECT_EQ(test, e2e_nodata(test, f->s.sess, 6, e2e_tur, 6)->status,
			SAM_STAT_GOOD);

	/* a fixed disk accepts both and keeps its medium */
	e2e_nodata(test, f->s.sess, 0, eject, 6);
	KUNIT_EXPECT_EQ(test, e2e_nodata(test, f->s.sess, 0, e2e_tur, 6)->status,
			SAM_STAT_GOOD);
}

/* Unregistering a session waits for the commands it has in flight. */
struct e2e_unreg {
	struct strix_session *sess;
	struct completion done;
};

static int e2e_unreg_thread(void *data)
{
	struct e2e_unreg *u = data;

	strix_session_unregister(u->sess);
	complete(&u->done);
	return 0;
}

static void e2e_unregister_drains_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_sess *s2 = kunit_kzalloc(test, sizeof(*s2), GFP_KERNEL);
	struct e2e_unreg *u = kunit_kzalloc(test, sizeof(*u), GFP_KERNEL);
	struct task_struct *t;
	struct e2e_ram *r;
	struct e2e_cmd *c;
	u8 cdb[10];

	KUNIT_ASSERT_NOT_NULL(test, s2);
	KUNIT_ASSERT_NOT_NULL(test, u);
	e2e_session_open(test, s2, E2E_INI "-2");
	e2e_clear_ua(test, s2->sess, 0);
	r = e2e_ram_of(test, 0);

	WRITE_ONCE(r->park, true);
	e2e_rw10(cdb, READ_10, 0, 1);
	c = e2e_cmd_new(test, s2->sess, 0, cdb, 10, STRIX_DATA_READ, E2E_BS);
	strix_cmd_submit(&c->cmd);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&r->parked_done, E2E_WAIT) > 0);

	u->sess = s2->sess;
	init_completion(&u->done);
	t = kthread_run(e2e_unreg_thread, u, "e2e_unreg");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	msleep(200);
	KUNIT_EXPECT_FALSE(test, completion_done(&u->done));	/* still waiting */
	KUNIT_EXPECT_FALSE(test, completion_done(&c->done));

	strix_cmd_io_done(r->parked, STRIX_OK);			/* let it finish */
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&c->done, E2E_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&u->done, E2E_WAIT) > 0);
	/* the other session never noticed */
	e2e_clear_ua(test, f->s.sess, 0);
}


/* ---- task management ------------------------------------------------- */

static struct e2e_tmf *e2e_tmf_start(struct kunit *test, struct strix_session *sess,
				     enum strix_tmf_fn fn, u64 lun, u64 tag)
{
	struct e2e_tmf *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	init_completion(&t->done);
	t->tmf.fn = fn;
	t->tmf.lun = lun;
	t->tmf.tag = tag;
	strix_tmf_submit(sess, &t->tmf);
	return t;
}

/* Run a function that has nothing to wait for; returns its response. */
static enum strix_tmf_rsp e2e_tmf(struct kunit *test, struct strix_session *sess,
				  enum strix_tmf_fn fn, u64 lun, u64 tag)
{
	struct e2e_tmf *t = e2e_tmf_start(test, sess, fn, lun, tag);

	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&t->done, E2E_WAIT) > 0);
	return t->tmf.response;
}

/* A READ(10) of LUN 0 parked in the handler: returns it submitted. */
static struct e2e_cmd *e2e_park_read(struct kunit *test, struct strix_session *sess)
{
	struct e2e_ram *r = e2e_ram_of(test, 0);
	struct e2e_cmd *c;
	u8 cdb[10];

	reinit_completion(&r->parked_done);
	WRITE_ONCE(r->park, true);
	e2e_rw10(cdb, READ_10, 0, 1);
	c = e2e_cmd_new(test, sess, 0, cdb, 10, STRIX_DATA_READ, E2E_BS);
	strix_cmd_submit(&c->cmd);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&r->parked_done, E2E_WAIT) > 0);
	return c;
}

/* The task management function running on the core's workqueue has aborted @c. */
static void e2e_wait_aborted(struct kunit *test, struct e2e_cmd *c)
{
	unsigned long end = jiffies + E2E_WAIT;

	while (!test_bit(STRIX_CMD_ABORTED, &c->cmd.state) &&
	       time_before(jiffies, end))
		msleep(5);
	KUNIT_ASSERT_TRUE(test, test_bit(STRIX_CMD_ABORTED, &c->cmd.state));
	msleep(20);	/* and gone on to wait for it */
}

static u32 e2e_tur_sense(struct kunit *test, struct strix_session *sess)
{
	struct e2e_cmd *c = e2e_nodata(test, sess, 0, e2e_tur, 6);

	return c->status == SAM_STAT_GOOD ? 0 : e2e_sense(c);
}

/*
 * ABORT TASK of a command in the handler: the function waits for the I/O,
 * the command gets no response, the session counts it aborted; QUERY TASK
 * sees it before and not after; an unknown tag is NO TASK.
 */
static void e2e_tmf_abort_task_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_ram *r = e2e_ram_of(test, 0);
	struct e2e_cmd *c;
	struct e2e_tmf *t;

	e2e_clear_ua(test, f->s.sess, 0);
	c = e2e_park_read(test, f->s.sess);
	KUNIT_EXPECT_EQ(test, e2e_tmf(test, f->s.sess, STRIX_TMF_QUERY_TASK, 0,
				      c->cmd.tag), STRIX_TMF_SUCCEEDED);
	KUNIT_EXPECT_EQ(test, e2e_tmf(test, f->s.sess, STRIX_TMF_QUERY_TASK_SET, 0, 0),
			STRIX_TMF_SUCCEEDED);
	t = e2e_tmf_start(test, f->s.sess, STRIX_TMF_ABORT_TASK, 0, c->cmd.tag);
	e2e_wait_aborted(test, c);
	KUNIT_EXPECT_FALSE(test, completion_done(&t->done));	/* waits for the I/O */
	KUNIT_EXPECT_EQ(test, e2e_tmf(test, f->s.sess, STRIX_TMF_QUERY_TASK, 0,
				      c->cmd.tag), STRIX_TMF_COMPLETE);
	strix_cmd_io_done(r->parked, STRIX_OK);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&c->done, E2E_WAIT) > 0);
	KUNIT_EXPECT_TRUE(test, c->aborted);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&t->done, E2E_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, t->tmf.response, STRIX_TMF_COMPLETE);
	KUNIT_EXPECT_EQ(test, e2e_tmf(test, f->s.sess, STRIX_TMF_ABORT_TASK, 0,
				      c->cmd.tag), STRIX_TMF_NO_TASK);
	KUNIT_EXPECT_EQ(test, e2e_tmf(test, f->s.sess, STRIX_TMF_QUERY_TASK_SET, 0, 0),
			STRIX_TMF_COMPLETE);
	KUNIT_EXPECT_EQ(test, e2e_tmf(test, f->s.sess, STRIX_TMF_LUN_RESET, 7, 0),
			STRIX_TMF_NO_LUN);
	KUNIT_EXPECT_EQ(test, e2e_tmf(test, f->s.sess, STRIX_TMF_CLEAR_ACA, 0, 0),
			STRIX_TMF_REJECTED);
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, f->s.sess), 0U);	/* no UA */
}

/*
 * LOGICAL UNIT RESET through one session aborts another's command: with
 * TAS (the default) that one gets TASK ABORTED, then the reset's unit
 * attention, which QUERY ASYNCHRONOUS EVENT reports first.  The issuer
 * gets no unit attention.
 */
static void e2e_tmf_lun_reset_tas_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_sess *s2 = kunit_kzalloc(test, sizeof(*s2), GFP_KERNEL);
	struct e2e_ram *r = e2e_ram_of(test, 0);
	struct e2e_cmd *c;
	struct e2e_tmf *t;

	KUNIT_ASSERT_NOT_NULL(test, s2);
	e2e_session_open(test, s2, E2E_INI "-2");
	e2e_clear_ua(test, s2->sess, 0);
	e2e_clear_ua(test, f->s.sess, 0);
	c = e2e_park_read(test, s2->sess);
	t = e2e_tmf_start(test, f->s.sess, STRIX_TMF_LUN_RESET, 0, 0);
	e2e_wait_aborted(test, c);
	KUNIT_EXPECT_FALSE(test, completion_done(&t->done));
	strix_cmd_io_done(r->parked, STRIX_OK);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&c->done, E2E_WAIT) > 0);
	KUNIT_EXPECT_FALSE(test, c->aborted);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_TASK_ABORTED);
	KUNIT_EXPECT_EQ(test, c->sense_len, 0);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&t->done, E2E_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, t->tmf.response, STRIX_TMF_COMPLETE);

	t = e2e_tmf_start(test, s2->sess, STRIX_TMF_QUERY_ASYNC_EVENT, 0, 0);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&t->done, E2E_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, t->tmf.response, STRIX_TMF_SUCCEEDED);
	KUNIT_EXPECT_EQ(test, t->tmf.info[0], UNIT_ATTENTION);
	KUNIT_EXPECT_EQ(test, t->tmf.info[1], 0x29);
	KUNIT_EXPECT_EQ(test, t->tmf.info[2], 0x03);
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, s2->sess),
			KEY_ASC(UNIT_ATTENTION, 0x29, 0x03));
	KUNIT_EXPECT_EQ(test, e2e_tmf(test, s2->sess, STRIX_TMF_QUERY_ASYNC_EVENT, 0, 0),
			STRIX_TMF_COMPLETE);
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, f->s.sess), 0U);
	strix_session_unregister(s2->sess);
}

/*
 * TAS=0: CLEAR TASK SET aborts another nexus's command without a response
 * and leaves it COMMANDS CLEARED BY ANOTHER INITIATOR.  I_T NEXUS RESET
 * leaves I_T NEXUS LOSS OCCURRED on its own nexus.
 */
static void e2e_tmf_clear_task_set_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_sess *s2 = kunit_kzalloc(test, sizeof(*s2), GFP_KERNEL);
	struct e2e_ram *r = e2e_ram_of(test, 0);
	struct e2e_cmd *c;
	struct e2e_tmf *t;

	KUNIT_ASSERT_NOT_NULL(test, s2);
	e2e_session_open(test, s2, E2E_INI "-2");
	e2e_clear_ua(test, s2->sess, 0);
	e2e_clear_ua(test, f->s.sess, 0);
	KUNIT_ASSERT_EQ(test, e2e_write("devices/ea/tas", "0"), 0);
	KUNIT_EXPECT_EQ(test, e2e_write("devices/ea/qerr", "2"), -EINVAL);
	/* management changed the control page: both nexuses hear of it */
	e2e_expect_ua(test, s2->sess, 0, 0x2a, 0x01);
	e2e_expect_ua(test, f->s.sess, 0, 0x2a, 0x01);
	c = e2e_park_read(test, s2->sess);
	t = e2e_tmf_start(test, f->s.sess, STRIX_TMF_CLEAR_TASK_SET, 0, 0);
	e2e_wait_aborted(test, c);
	KUNIT_EXPECT_FALSE(test, completion_done(&t->done));	/* waits for the I/O */
	strix_cmd_io_done(r->parked, STRIX_OK);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&c->done, E2E_WAIT) > 0);
	KUNIT_EXPECT_TRUE(test, c->aborted);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&t->done, E2E_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, t->tmf.response, STRIX_TMF_COMPLETE);
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, s2->sess),
			KEY_ASC(UNIT_ATTENTION, 0x2f, 0x00));
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, f->s.sess), 0U);

	KUNIT_EXPECT_EQ(test, e2e_tmf(test, f->s.sess, STRIX_TMF_I_T_NEXUS_RESET, 0, 0),
			STRIX_TMF_COMPLETE);
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, f->s.sess),
			KEY_ASC(UNIT_ATTENTION, 0x29, 0x07));
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, s2->sess), 0U);
	strix_session_unregister(s2->sess);
}

/* QErr 11b: a CHECK CONDITION aborts the nexus's other commands. */
static void e2e_tmf_qerr_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_ram *r = e2e_ram_of(test, 0);
	struct e2e_cmd *c, *bad;
	u8 cdb[10];

	e2e_clear_ua(test, f->s.sess, 0);
	KUNIT_ASSERT_EQ(test, e2e_write("devices/ea/qerr", "3"), 0);
	e2e_expect_ua(test, f->s.sess, 0, 0x2a, 0x01);
	c = e2e_park_read(test, f->s.sess);
	e2e_rw10(cdb, READ_10, E2E_BLOCKS, 1);		/* out of range */
	bad = e2e_cmd_new(test, f->s.sess, 0, cdb, 10, STRIX_DATA_READ, E2E_BS);
	e2e_run(test, bad);
	e2e_expect_check(test, bad, KEY_ASC(ILLEGAL_REQUEST, 0x21, 0x00));
	strix_cmd_io_done(r->parked, STRIX_OK);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&c->done, E2E_WAIT) > 0);
	KUNIT_EXPECT_TRUE(test, c->aborted);
}

/*
 * Several unit attentions on one nexus come one per command, in the
 * reporting order (29h resets first, mode parameters after), each once;
 * another nexus sees only its own.  A value written again is no change.
 */
static void e2e_ua_order_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_sess *s2 = kunit_kzalloc(test, sizeof(*s2), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s2);
	e2e_session_open(test, s2, E2E_INI "-2");
	e2e_clear_ua(test, s2->sess, 0);
	e2e_clear_ua(test, f->s.sess, 0);

	KUNIT_ASSERT_EQ(test, e2e_write("devices/ea/tas", "0"), 0);
	KUNIT_EXPECT_EQ(test, e2e_tmf(test, s2->sess, STRIX_TMF_LUN_RESET, 0, 0),
			STRIX_TMF_COMPLETE);
	KUNIT_EXPECT_EQ(test, e2e_tmf(test, f->s.sess, STRIX_TMF_I_T_NEXUS_RESET, 0, 0),
			STRIX_TMF_COMPLETE);

	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, f->s.sess),
			KEY_ASC(UNIT_ATTENTION, 0x29, 0x03));
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, f->s.sess),
			KEY_ASC(UNIT_ATTENTION, 0x29, 0x07));
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, f->s.sess),
			KEY_ASC(UNIT_ATTENTION, 0x2a, 0x01));
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, f->s.sess), 0U);
	KUNIT_ASSERT_EQ(test, e2e_write("devices/ea/tas", "0"), 0);
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, f->s.sess), 0U);
	/* the resetting nexus: only the mode change */
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, s2->sess),
			KEY_ASC(UNIT_ATTENTION, 0x2a, 0x01));
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, s2->sess), 0U);
	/* LUN 1, another device: its own power-on still comes first */
	KUNIT_EXPECT_EQ(test, e2e_sense(e2e_nodata(test, f->s.sess, 1, e2e_tur, 6)),
			KEY_ASC(UNIT_ATTENTION, 0x29, 0x00));
	strix_session_unregister(s2->sess);
}

/* MODE SELECT(6) of @data from @sess to LUN 0; returns it answered. */
static struct e2e_cmd *e2e_mode_select(struct kunit *test, struct strix_session *sess,
				       const u8 *data, u8 len)
{
	const u8 cdb[6] = { MODE_SELECT, 0x10, 0, 0, len, 0 };
	struct e2e_cmd *c = e2e_cmd_new(test, sess, 0, cdb, 6, STRIX_DATA_WRITE, len);

	c->wdata = data;
	e2e_run(test, c);
	return c;
}

/*
 * MODE SELECT through the whole core: WCE 0 makes the handler's writes
 * FUA, D_SENSE 1 makes the sense descriptor format, the other nexus hears
 * MODE PARAMETERS CHANGED and the sender does not, a refused list changes
 * nothing and raises nothing.
 */
static void e2e_mode_select_test(struct kunit *test)
{
	static const u8 wce_off[4 + 20] = { [4] = 0x08, [5] = 0x12 };
	static const u8 dsense_on[4 + 12] = { [4] = 0x0a, [5] = 0x0a, [6] = 0x04,
					      [7] = 0x10, [9] = 0x40 };
	static const u8 qam0[4 + 12] = { [4] = 0x0a, [5] = 0x0a, [9] = 0x40 };
	static const u8 ms_cache[6] = { MODE_SENSE, 0x08, 0x08, 0, 64, 0 };
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_sess *s2 = kunit_kzalloc(test, sizeof(*s2), GFP_KERNEL);
	struct e2e_ram *r = e2e_ram_of(test, 0);
	u8 *blk = kunit_kzalloc(test, E2E_BS, GFP_KERNEL);
	u8 *page = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct e2e_cmd *c;
	u8 cdb[10];

	KUNIT_ASSERT_NOT_NULL(test, s2);
	KUNIT_ASSERT_NOT_NULL(test, blk);
	KUNIT_ASSERT_NOT_NULL(test, page);
	e2e_session_open(test, s2, E2E_INI "-2");
	e2e_clear_ua(test, s2->sess, 0);
	e2e_clear_ua(test, f->s.sess, 0);

	e2e_rw10(cdb, WRITE_10, 0, 1);
	c = e2e_cmd_new(test, f->s.sess, 0, cdb, 10, STRIX_DATA_WRITE, E2E_BS);
	c->wdata = blk;
	e2e_run(test, c);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_FALSE(test, r->last_fua);

	c = e2e_mode_select(test, f->s.sess, wce_off, sizeof(wce_off));
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	c = e2e_cmd_new(test, f->s.sess, 0, cdb, 10, STRIX_DATA_WRITE, E2E_BS);
	c->wdata = blk;
	e2e_run(test, c);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_TRUE(test, r->last_fua);
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, f->s.sess), 0U);
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, s2->sess),
			KEY_ASC(UNIT_ATTENTION, 0x2a, 0x01));
	c = e2e_cmd_new(test, s2->sess, 0, ms_cache, 6, STRIX_DATA_READ, 64);
	c->rdata = page;
	c->rlen = 64;
	e2e_run(test, c);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_EQ(test, page[4], 0x88);
	KUNIT_EXPECT_EQ(test, page[6], 0x00);		/* WCE 0 for everyone */

	/* D_SENSE 1: descriptor format, for the other nexus too */
	c = e2e_mode_select(test, f->s.sess, dsense_on, sizeof(dsense_on));
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, s2->sess),
			KEY_ASC(UNIT_ATTENTION, 0x2a, 0x01));
	e2e_rw10(cdb, READ_10, E2E_BLOCKS, 1);
	c = e2e_cmd_new(test, s2->sess, 0, cdb, 10, STRIX_DATA_READ, E2E_BS);
	e2e_run(test, c);
	e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x21, 0x00));
	KUNIT_EXPECT_EQ(test, c->sense[0], 0x72);

	/* refused: QAM cannot change; the field pointer in a descriptor */
	c = e2e_mode_select(test, f->s.sess, qam0, sizeof(qam0));
	e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x26, 0x00));
	KUNIT_EXPECT_EQ(test, c->sense[0], 0x72);
	KUNIT_EXPECT_EQ(test, c->sense[8], 0x02);	/* sense key specific */
	KUNIT_EXPECT_EQ(test, c->sense[12], 0x80 | 0x08 | 4);	/* SKSV, BPV, bit 4 */
	KUNIT_EXPECT_EQ(test, c->sense[14], 7);		/* byte 7 */
	KUNIT_EXPECT_EQ(test, e2e_tur_sense(test, s2->sess), 0U);
	/* PF 0: INVALID FIELD IN CDB */
	{
		const u8 nopf[6] = { MODE_SELECT, 0, 0, 0, sizeof(qam0), 0 };

		c = e2e_cmd_new(test, f->s.sess, 0, nopf, 6, STRIX_DATA_WRITE,
				sizeof(qam0));
		c->wdata = qam0;
		e2e_run(test, c);
		e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x24, 0x00));
	}
	strix_session_unregister(s2->sess);
}

/* Deleting the target closes its sessions through the driver. */
static void e2e_target_del_closes_sessions_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);

	f->sess_live = false;		/* the core closes it now */
	strix_target_del(f->tgt);
	f->tgt = NULL;
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&f->s.closed, E2E_WAIT) > 0);
	KUNIT_EXPECT_FALSE(test, e2e_exists("targets/" E2E_DRV "/" E2E_TGT));
	/* the devices are free again */
	KUNIT_EXPECT_EQ(test, e2e_write("handlers/strix_e2e_ram_w/mgmt",
					"del_device ew"), 0);
}


/* ---- COMPARE AND WRITE, ORWRITE and the range lock ------------------- */

/* A 16-byte CDB with a 64-bit LBA: COMPARE AND WRITE, ORWRITE(16)... */
static void e2e_cdb16(u8 *cdb, u8 op, u64 lba, u32 blocks)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	put_unaligned_be64(lba, &cdb[2]);
	if (op == COMPARE_AND_WRITE)
		cdb[13] = blocks;
	else if (op == 0x9c)		/* WRITE ATOMIC(16) */
		put_unaligned_be16(blocks, &cdb[12]);
	else
		put_unaligned_be32(blocks, &cdb[10]);
}

/* A command with Data-Out @data (@len bytes), own buffer or fetched. */
static struct e2e_cmd *e2e_out(struct kunit *test, u64 lun, const u8 *cdb,
			       unsigned int cdb_len, const u8 *data, u32 len,
			       bool own_sg)
{
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_cmd *c = e2e_cmd_new(test, f->s.sess, lun, cdb, cdb_len,
					STRIX_DATA_WRITE, len);

	if (own_sg)
		e2e_cmd_own_sg(test, c, (void *)data, len);
	else
		c->wdata = data;
	return c;
}

/* COMPARE AND WRITE of @n blocks at @lba: @verify then @write, run. */
static struct e2e_cmd *e2e_caw(struct kunit *test, u64 lun, u64 lba, u32 n,
			       const u8 *verify, const u8 *write, bool own_sg)
{
	u8 *data = kunit_kmalloc(test, 2 * n * E2E_BS + 1, GFP_KERNEL);
	struct e2e_cmd *c;
	u8 cdb[16];

	KUNIT_ASSERT_NOT_NULL(test, data);
	memcpy(data, verify, n * E2E_BS);
	memcpy(data + n * E2E_BS, write, n * E2E_BS);
	e2e_cdb16(cdb, COMPARE_AND_WRITE, lba, n);
	c = e2e_out(test, lun, cdb, 16, data, 2 * n * E2E_BS, own_sg);
	e2e_run(test, c);
	return c;
}

/* The fixed-format sense INFORMATION field, or -1 without VALID. */
static s64 e2e_sense_info(const struct e2e_cmd *c)
{
	if (c->sense_len < 18 || !(c->sense[0] & 0x80))
		return -1;
	return get_unaligned_be32(&c->sense[3]);
}

/*
 * COMPARE AND WRITE on both handlers (inline and workqueue), own and core
 * buffers: a match writes, a miscompare writes nothing and says where the
 * first difference is, 0 blocks do nothing, a Data-Out buffer other than
 * 2n blocks is refused; VERIFY BYTCHK=1 reports its offset too.
 */
static void e2e_caw_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	u32 len = 2 * E2E_BS;
	u8 *a = kunit_kmalloc(test, len, GFP_KERNEL);
	u8 *b = kunit_kmalloc(test, len, GFP_KERNEL);
	u8 *bad = kunit_kmalloc(test, len, GFP_KERNEL);
	struct e2e_cmd *c;
	unsigned int lun;
	u8 cdb[16];

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, bad);
	for (lun = 0; lun < 2; lun++) {
		struct e2e_ram *r = e2e_ram_of(test, lun);
		u8 *blk = r->mem + 10 * E2E_BS;
		bool own = lun == 0;

		e2e_clear_ua(test, f->s.sess, lun);
		get_random_bytes(a, len);
		get_random_bytes(b, len);
		memcpy(blk, a, len);

		c = e2e_caw(test, lun, 10, 2, a, b, own);
		KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
		KUNIT_EXPECT_EQ(test, memcmp(blk, b, len), 0);

		/* now the medium holds b: a verify of b but byte 519 */
		memcpy(bad, b, len);
		bad[519] ^= 0x40;
		c = e2e_caw(test, lun, 10, 2, bad, a, !own);
		e2e_expect_check(test, c, KEY_ASC(MISCOMPARE, 0x1d, 0x00));
		KUNIT_EXPECT_EQ(test, e2e_sense_info(c), 519);
		KUNIT_EXPECT_EQ(test, memcmp(blk, b, len), 0);	/* unchanged */

		/* the very first byte (of block 11, alone) */
		memcpy(bad, b, len);
		bad[E2E_BS] ^= 1;
		c = e2e_caw(test, lun, 11, 1, bad + E2E_BS, a, own);
		e2e_expect_check(test, c, KEY_ASC(MISCOMPARE, 0x1d, 0x00));
		KUNIT_EXPECT_EQ(test, e2e_sense_info(c), 0);

		/* 0 blocks: GOOD, nothing done */
		e2e_cdb16(cdb, COMPARE_AND_WRITE, 10, 0);
		c = e2e_nodata(test, f->s.sess, lun, cdb, 16);
		KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);

		/* 1 block, a Data-Out buffer of 1 or 3 blocks: refused */
		e2e_cdb16(cdb, COMPARE_AND_WRITE, 10, 1);
		c = e2e_out(test, lun, cdb, 16, a, E2E_BS, own);
		e2e_run(test, c);
		e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x24, 0x00));
		c = e2e_out(test, lun, cdb, 16, a, 3 * E2E_BS, false);
		e2e_run(test, c);
		e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x24, 0x00));
		KUNIT_EXPECT_EQ(test, memcmp(blk, b, len), 0);

		/* VERIFY(10) BYTCHK=1 of the 2 blocks, byte 700 differs */
		memcpy(bad, b, len);
		bad[700] ^= 0x80;
		e2e_rw10(cdb, VERIFY, 10, 2);
		cdb[1] = 0x02;
		c = e2e_out(test, lun, cdb, 10, bad, len, own);
		e2e_run(test, c);
		e2e_expect_check(test, c, KEY_ASC(MISCOMPARE, 0x1d, 0x00));
		KUNIT_EXPECT_EQ(test, e2e_sense_info(c), 700);
		c = e2e_out(test, lun, cdb, 10, b, len, !own);
		e2e_run(test, c);
		KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	}
}

/* ORWRITE(16): the medium becomes medium | Data-Out; 0 blocks nothing. */
static void e2e_orwrite_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	u32 len = 3 * E2E_BS;
	u8 *in = kunit_kmalloc(test, len, GFP_KERNEL);
	u8 *want = kunit_kmalloc(test, len, GFP_KERNEL);
	struct e2e_cmd *c;
	unsigned int lun, i;
	u8 cdb[16];

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, want);
	for (lun = 0; lun < 2; lun++) {
		u8 *blk = e2e_ram_of(test, lun)->mem + 20 * E2E_BS;

		e2e_clear_ua(test, f->s.sess, lun);
		get_random_bytes(blk, len);
		get_random_bytes(in, len);
		for (i = 0; i < len; i++)
			want[i] = blk[i] | in[i];
		e2e_cdb16(cdb, 0x8b, 20, 3);
		c = e2e_out(test, lun, cdb, 16, in, len, lun == 0);
		e2e_run(test, c);
		KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
		KUNIT_EXPECT_EQ(test, memcmp(blk, want, len), 0);
		e2e_cdb16(cdb, 0x8b, 20, 0);
		c = e2e_nodata(test, f->s.sess, lun, cdb, 16);
		KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
		KUNIT_EXPECT_EQ(test, memcmp(blk, want, len), 0);
	}
}

/* A COMPARE AND WRITE of one block of LUN 0 parked in its read. */
static struct e2e_cmd *e2e_park_caw(struct kunit *test, u64 lba,
				    const u8 *verify, const u8 *write)
{
	struct e2e_ram *r = e2e_ram_of(test, 0);
	u8 *data = kunit_kmalloc(test, 2 * E2E_BS, GFP_KERNEL);
	struct e2e_cmd *c;
	u8 cdb[16];

	KUNIT_ASSERT_NOT_NULL(test, data);
	memcpy(data, verify, E2E_BS);
	memcpy(data + E2E_BS, write, E2E_BS);
	reinit_completion(&r->parked_done);
	WRITE_ONCE(r->park, true);
	e2e_cdb16(cdb, COMPARE_AND_WRITE, lba, 1);
	c = e2e_out(test, 0, cdb, 16, data, 2 * E2E_BS, false);
	strix_cmd_submit(&c->cmd);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&r->parked_done, E2E_WAIT) > 0);
	return c;
}

/*
 * A COMPARE AND WRITE of LUN 0 block 5 parked in its read: a WRITE of
 * blocks 4-5 waits for it (it is not in the handler), a WRITE of block 6
 * and a READ of block 5 go on.  When the compare and write ends, the
 * WRITE runs: the medium has the WRITE's data, and the compare and write
 * compared against what was there before either.
 */
static void e2e_caw_race_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_ram *r = e2e_ram_of(test, 0);
	u8 *old = kunit_kmalloc(test, E2E_BS, GFP_KERNEL);
	u8 *caw = kunit_kmalloc(test, E2E_BS, GFP_KERNEL);
	u8 *w = kunit_kmalloc(test, 2 * E2E_BS, GFP_KERNEL);
	u8 *in = kunit_kzalloc(test, E2E_BS, GFP_KERNEL);
	struct e2e_cmd *c, *wr, *other, *rd;
	u8 cdb[10];

	KUNIT_ASSERT_NOT_NULL(test, old);
	KUNIT_ASSERT_NOT_NULL(test, caw);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, in);
	e2e_clear_ua(test, f->s.sess, 0);
	get_random_bytes(old, E2E_BS);
	get_random_bytes(caw, E2E_BS);
	get_random_bytes(w, 2 * E2E_BS);
	memcpy(r->mem + 5 * E2E_BS, old, E2E_BS);

	c = e2e_park_caw(test, 5, old, caw);
	e2e_rw10(cdb, WRITE_10, 4, 2);
	wr = e2e_out(test, 0, cdb, 10, w, 2 * E2E_BS, false);
	strix_cmd_submit(&wr->cmd);
	e2e_rw10(cdb, WRITE_10, 6, 1);
	other = e2e_out(test, 0, cdb, 10, w, E2E_BS, true);
	e2e_run(test, other);			/* not held up */
	KUNIT_EXPECT_EQ(test, other->status, SAM_STAT_GOOD);
	e2e_rw10(cdb, READ_10, 5, 1);
	rd = e2e_cmd_new(test, f->s.sess, 0, cdb, 10, STRIX_DATA_READ, E2E_BS);
	rd->rdata = in;
	rd->rlen = E2E_BS;
	e2e_run(test, rd);			/* reads are not held up */
	KUNIT_EXPECT_EQ(test, memcmp(in, old, E2E_BS), 0);
	msleep(50);
	KUNIT_EXPECT_FALSE(test, completion_done(&wr->done));
	KUNIT_EXPECT_EQ(test, memcmp(r->mem + 5 * E2E_BS, old, E2E_BS), 0);

	strix_cmd_io_done(r->parked, STRIX_OK);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&c->done, E2E_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&wr->done, E2E_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, wr->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_EQ(test, memcmp(r->mem + 4 * E2E_BS, w, 2 * E2E_BS), 0);

	/* and the lock is idle again: a CAW of what the WRITE left works */
	c = e2e_caw(test, 0, 5, 1, w + E2E_BS, caw, true);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_EQ(test, memcmp(r->mem + 5 * E2E_BS, caw, E2E_BS), 0);
}

/*
 * ABORT TASK of a WRITE waiting for a COMPARE AND WRITE's blocks: the
 * function does not wait for the COMPARE AND WRITE, the WRITE ends once
 * with no response and never writes; a second waiter behind it (another
 * COMPARE AND WRITE) still runs; the lock is left idle.
 */
static void e2e_caw_abort_waiter_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_ram *r = e2e_ram_of(test, 0);
	u8 *old = kunit_kmalloc(test, E2E_BS, GFP_KERNEL);
	u8 *caw = kunit_kmalloc(test, E2E_BS, GFP_KERNEL);
	u8 *w = kunit_kmalloc(test, E2E_BS, GFP_KERNEL);
	u8 *data = kunit_kmalloc(test, 2 * E2E_BS, GFP_KERNEL);
	struct e2e_cmd *c, *wr, *c2;
	u8 cdb[16];

	KUNIT_ASSERT_NOT_NULL(test, old);
	KUNIT_ASSERT_NOT_NULL(test, caw);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, data);
	e2e_clear_ua(test, f->s.sess, 0);
	get_random_bytes(old, E2E_BS);
	get_random_bytes(caw, E2E_BS);
	get_random_bytes(w, E2E_BS);
	memcpy(r->mem + 9 * E2E_BS, old, E2E_BS);

	c = e2e_park_caw(test, 9, old, caw);
	e2e_rw10(cdb, WRITE_10, 9, 1);
	wr = e2e_out(test, 0, cdb, 10, w, E2E_BS, false);
	strix_cmd_submit(&wr->cmd);
	/* a second COMPARE AND WRITE, expecting what the first writes */
	memcpy(data, caw, E2E_BS);
	memcpy(data + E2E_BS, old, E2E_BS);
	e2e_cdb16(cdb, COMPARE_AND_WRITE, 9, 1);
	c2 = e2e_out(test, 0, cdb, 16, data, 2 * E2E_BS, true);
	strix_cmd_submit(&c2->cmd);
	msleep(20);
	KUNIT_EXPECT_FALSE(test, completion_done(&wr->done));
	KUNIT_EXPECT_FALSE(test, completion_done(&c2->done));

	KUNIT_EXPECT_EQ(test, e2e_tmf(test, f->s.sess, STRIX_TMF_ABORT_TASK, 0,
				      wr->cmd.tag), STRIX_TMF_COMPLETE);
	KUNIT_ASSERT_TRUE(test, completion_done(&wr->done));
	KUNIT_EXPECT_TRUE(test, wr->aborted);
	KUNIT_EXPECT_FALSE(test, completion_done(&c->done));
	KUNIT_EXPECT_FALSE(test, completion_done(&c2->done));

	strix_cmd_io_done(r->parked, STRIX_OK);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&c->done, E2E_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&c2->done, E2E_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, c2->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_EQ(test, memcmp(r->mem + 9 * E2E_BS, old, E2E_BS), 0);
	KUNIT_EXPECT_EQ(test, e2e_tmf(test, f->s.sess, STRIX_TMF_QUERY_TASK_SET,
				      0, 0), STRIX_TMF_COMPLETE);
	/* idle: a plain WRITE and a CAW go straight through */
	e2e_write_read(test, 0, 9, 1, true);
}

/* ---- thin provisioning (thin.c) -------------------------------------- */

/* A command with @len bytes of Data-Out from @data; returns it answered. */
static struct e2e_cmd *e2e_data_out(struct kunit *test, u64 lun, const u8 *cdb,
				    unsigned int cdb_len, const void *data, u32 len)
{
	struct e2e_fix *f = e2e_fix(test);
	struct e2e_cmd *c = e2e_cmd_new(test, f->s.sess, lun, cdb, cdb_len,
					len ? STRIX_DATA_WRITE : STRIX_DATA_NONE,
					len);

	c->wdata = data;
	e2e_run(test, c);
	return c;
}

static bool e2e_zero(const struct e2e_ram *r, u64 lba, u64 n)
{
	return !memchr_inv(r->mem + lba * E2E_BS, 0, n * E2E_BS);
}

static void e2e_thin_test(struct kunit *test)
{
	struct e2e_fix *f = e2e_fix(test);
	static const u8 unmap10[10] = { UNMAP, [8] = 40 };
	u8 list[40] = { 0, 38, 0, 32 };
	u8 ws16[16] = { WRITE_SAME_16 };
	u8 gls[16] = { SERVICE_ACTION_IN_16, SAI_GET_LBA_STATUS, [13] = 56 };
	u8 *block, *in;
	struct e2e_ram *r;
	struct e2e_cmd *c;

	e2e_clear_ua(test, f->s.sess, 0);
	e2e_clear_ua(test, f->s.sess, 1);
	r = e2e_ram_of(test, 1);
	e2e_write_read(test, 1, 40, 32, false);

	/* two descriptors: 44+8 and 60+4, on the device's workqueue */
	put_unaligned_be64(44, &list[8]);
	put_unaligned_be32(8, &list[16]);
	put_unaligned_be64(60, &list[24]);
	put_unaligned_be32(4, &list[32]);
	r->ran_on = NULL;
	c = e2e_data_out(test, 1, unmap10, 10, list, sizeof(list));
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_TRUE(test, r->ran_on_worker);
	KUNIT_EXPECT_TRUE(test, e2e_zero(r, 44, 8));
	KUNIT_EXPECT_TRUE(test, e2e_zero(r, 60, 4));
	KUNIT_EXPECT_FALSE(test, e2e_zero(r, 43, 1));
	KUNIT_EXPECT_FALSE(test, e2e_zero(r, 52, 1));
	KUNIT_EXPECT_FALSE(test, e2e_zero(r, 64, 1));

	/* a list whose second descriptor is past the end changes nothing */
	put_unaligned_be64(40, &list[8]);
	put_unaligned_be64(E2E_BLOCKS - 2, &list[24]);
	c = e2e_data_out(test, 1, unmap10, 10, list, sizeof(list));
	e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x21, 0x00));
	KUNIT_EXPECT_FALSE(test, e2e_zero(r, 40, 1));
	/* a short one: PARAMETER LIST LENGTH ERROR */
	c = e2e_data_out(test, 1, (const u8[10]){ UNMAP, [8] = 6 }, 10, list, 6);
	e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x1a, 0x00));
	/* UNMAP on the device that is not thin: unknown */
	c = e2e_data_out(test, 0, unmap10, 10, list, sizeof(list));
	e2e_expect_check(test, c, KEY_ASC(ILLEGAL_REQUEST, 0x20, 0x00));

	/* GET LBA STATUS from 40: mapped 4, deallocated 8, mapped 8, ... */
	in = kunit_kzalloc(test, 56, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	put_unaligned_be64(40, &gls[2]);
	c = e2e_cmd_new(test, f->s.sess, 1, gls, 16, STRIX_DATA_READ, 56);
	c->rdata = in;
	c->rlen = 56;
	e2e_run(test, c);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_EQ(test, c->got, 56U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(in), 4U + 3 * 16);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(in + 8), 40ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(in + 16), 4U);
	KUNIT_EXPECT_EQ(test, in[20], 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(in + 24), 44ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(in + 32), 8U);
	KUNIT_EXPECT_EQ(test, in[36], 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(in + 40), 52ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(in + 48), 8U);
	KUNIT_EXPECT_EQ(test, in[52], 0);

	/* WRITE SAME(16) of a pattern maps and fills; with UNMAP it releases */
	block = kunit_kmalloc(test, E2E_BS, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, block);
	memset(block, 0x5a, E2E_BS);
	put_unaligned_be64(44, &ws16[2]);
	put_unaligned_be32(3, &ws16[10]);
	c = e2e_data_out(test, 1, ws16, 16, block, E2E_BS);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(r->mem + 44 * E2E_BS, 0x5a, 3 * E2E_BS));
	KUNIT_EXPECT_TRUE(test, e2e_zero(r, 47, 1));
	KUNIT_EXPECT_FALSE(test, test_bit(45, r->unmapped));
	ws16[1] = 0x09;				/* UNMAP, NDOB */
	c = e2e_data_out(test, 1, ws16, 16, NULL, 0);
	KUNIT_EXPECT_EQ(test, c->status, SAM_STAT_GOOD);
	KUNIT_EXPECT_TRUE(test, e2e_zero(r, 44, 3));
	KUNIT_EXPECT_TRUE(test, test_bit(45, r->unmapped));
}

static struct kunit_case e2e_cases[] = {
	KUNIT_CASE(e2e_power_on_ua_test),
	KUNIT_CASE(e2e_write_read_test),
	KUNIT_CASE(e2e_thin_test),
	KUNIT_CASE(e2e_out_of_range_test),
	KUNIT_CASE(e2e_refusals_test),
	KUNIT_CASE(e2e_flush_test),
	KUNIT_CASE(e2e_report_luns_ua_test),
	KUNIT_CASE(e2e_capacity_ua_test),
	KUNIT_CASE(e2e_mgmt_test),
	KUNIT_CASE(e2e_removable_test),
	KUNIT_CASE(e2e_unregister_drains_test),
	KUNIT_CASE(e2e_tmf_abort_task_test),
	KUNIT_CASE(e2e_tmf_lun_reset_tas_test),
	KUNIT_CASE(e2e_tmf_clear_task_set_test),
	KUNIT_CASE(e2e_ua_order_test),
	KUNIT_CASE(e2e_tmf_qerr_test),
	KUNIT_CASE(e2e_mode_select_test),
	KUNIT_CASE(e2e_caw_test),
	KUNIT_CASE(e2e_orwrite_test),
	KUNIT_CASE(e2e_caw_race_test),
	KUNIT_CASE(e2e_caw_abort_waiter_test),
	KUNIT_CASE(e2e_target_del_closes_sessions_test),
	{}
};

static void e2e_suite_exit(struct kunit_suite *suite)
{
	if (e2e_sysfs && !IS_ERR(e2e_sysfs))
		kern_unmount(e2e_sysfs);
	e2e_sysfs = NULL;
}

static struct kunit_suite e2e_suite = {
	.name = "strix_core_e2e",
	.init = e2e_init,
	.exit = e2e_exit,
	.suite_exit = e2e_suite_exit,
	.test_cases = e2e_cases,
};
kunit_test_suite(e2e_suite);
