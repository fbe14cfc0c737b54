// SPDX-License-Identifier: GPL-2.0
/*
 * Persistent reservations across power loss (APTPL): the state of a device
 * whose last registration asked for APTPL lives in <state_dir>/pr/<device>,
 * the text of strix_pr_dump().  It is written after every PR OUT that
 * changes such a state (and the once more when APTPL is turned off, so the
 * file says "aptpl 0"), atomically: <device>.tmp is written and fsynced,
 * renamed over <device>, and the directory fsynced.  add_device reads it
 * back; a file saying "aptpl 0" restores nothing.
 *
 * The devices/<device>/pr_state attribute shows the same text and takes
 * it (a restore: the state is replaced, and saved if it says APTPL);
 * pr_file_name shows the file's path.
 *
 * Decisions: a file that does not parse fails add_device (-EINVAL, the
 * reason in the kernel log) rather than silently dropping reservations a
 * cluster fences with; remove or fix the file to go on.  The directory is
 * the module parameter state_dir (default /var/lib/strix), created with
 * its pr/ subdirectory (mode 0700) on the first save; its parent must
 * exist.  pr_state is one sysfs page: a state that does not fit reads as
 * -EFBIG (the file has no such limit).
 *
 * The writing and reading (strix_state_file_save/read()) serve every kind
 * of per-device state under state_dir: the saved mode pages too
 * (mode_dev.c, vdev_mode_pages/<device>).
 *
 * Locking: the callers hold dev->res_mutex (for mode pages
 * dev->mode_mutex), so one file's saves are serialised; different
 * devices write different files.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <strix/compat.h>

#include "core.h"

static char *state_dir = "/var/lib/strix";
module_param(state_dir, charp, 0444);
MODULE_PARM_DESC(state_dir,
		 "Where persistent state is kept (pr/<device>: APTPL reservations, vdev_mode_pages/<device>: saved mode pages)");

/* The longest text of a state: STRIX_PR_MAX_REGS lines of at most this. */
#define PR_FILE_LINE	(4 + 19 + 6 + 3 + STRIX_PR_MAX_NAME + 1)
#define PR_FILE_MAX	(64 + STRIX_PR_MAX_REGS * PR_FILE_LINE)

#define PR_FILE_SUBDIR	"pr"

/**
 * strix_state_file_path() - <state_dir>/<subdir>/<name>, kmalloc'ed
 * @subdir: the kind of state ("pr", "vdev_mode_pages")
 * @name:   the device's name ("": the directory itself)
 */
char *strix_state_file_path(const char *subdir, const char *name)
{
	if (!*name)
		return kasprintf(GFP_KERNEL, "%s/%s", state_dir, subdir);
	return kasprintf(GFP_KERNEL, "%s/%s/%s", state_dir, subdir, name);
}

/* mkdir @path unless it exists. */
static int pr_file_mkdir(const char *path)
{
	struct dentry *d;
	struct path parent;
	int ret;

	d = kern_path_create(AT_FDCWD, path, &parent, LOOKUP_DIRECTORY);
	if (IS_ERR(d))
		return PTR_ERR(d) == -EEXIST ? 0 : PTR_ERR(d);
	ret = vfs_mkdir(strix_mnt_idmap(parent.mnt), d_inode(parent.dentry), d,
			0700);
	done_path_create(&parent, d);
	return ret;
}

static int pr_file_fsync_path(const char *path, int flags)
{
	struct file *f = filp_open(path, flags, 0);
	int ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = vfs_fsync(f, 0);
	filp_close(f, NULL);
	return ret;
}

/* Write @len bytes of @buf to the new file @path and fsync it. */
static int pr_file_write(const char *path, const char *buf, size_t len)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t n;
	int ret = 0;

	f = filp_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (IS_ERR(f))
		return PTR_ERR(f);
	while (pos < len) {
		n = kernel_write(f, buf + pos, len - pos, &pos);
		if (n <= 0) {
			ret = n ? n : -EIO;
			break;
		}
	}
	if (!ret)
		ret = vfs_fsync(f, 0);
	filp_close(f, NULL);
	return ret;
}

/* rename @from to @to, both in the directory @dir. */
static int pr_file_rename(const char *dir, const char *from, const char *to)
{
	struct renamedata rd = {};
	struct dentry *trap, *old, *new;
	struct path p;
	int ret;

	ret = kern_path(dir, LOOKUP_DIRECTORY, &p);
	if (ret)
		return ret;
	ret = mnt_want_write(p.mnt);
	if (ret)
		goto put_path;
	trap = lock_rename(p.dentry, p.dentry);
	if (IS_ERR(trap)) {
		ret = PTR_ERR(trap);
		goto drop_write;
	}
	old = lookup_one_len(from, p.dentry, strlen(from));
	if (IS_ERR(old)) {
		ret = PTR_ERR(old);
		goto unlock;
	}
	ret = -ENOENT;
	if (d_is_negative(old))
		goto put_old;
	new = lookup_one_len(to, p.dentry, strlen(to));
	if (IS_ERR(new)) {
		ret = PTR_ERR(new);
		goto put_old;
	}
	strix_renamedata_idmap(&rd, p.mnt);
	rd.old_dir = d_inode(p.dentry);
	rd.old_dentry = old;
	rd.new_dir = d_inode(p.dentry);
	rd.new_dentry = new;
	ret = vfs_rename(&rd);
	dput(new);
put_old:
	dput(old);
unlock:
	unlock_rename(p.dentry, p.dentry);
drop_write:
	mnt_drop_write(p.mnt);
put_path:
	path_put(&p);
	return ret;
}

/**
 * strix_state_file_save() - replace <state_dir>/<subdir>/<name> atomically
 * @subdir: the kind of state (a directory under state_dir, created 0700
 *          with state_dir itself if they do not exist)
 * @name:   the device's name
 * @buf:    the new contents
 * @len:    their length
 *
 * <name>.tmp is written and fsynced, renamed over <name>, and the
 * directory fsynced.  The caller serialises saves of one file.
 *
 * Return: 0 once the contents are on stable storage, or a negative errno.
 */
int strix_state_file_save(const char *subdir, const char *name,
			  const char *buf, size_t len)
{
	char tmpname[STRIX_MAX_NAME + 8];
	char *dir, *tmp;
	int ret = -ENOMEM;

	snprintf(tmpname, sizeof(tmpname), "%s.tmp", name);
	dir = strix_state_file_path(subdir, "");
	tmp = strix_state_file_path(subdir, tmpname);
	if (!dir || !tmp)
		goto out;
	ret = pr_file_mkdir(state_dir);
	if (!ret)
		ret = pr_file_mkdir(dir);
	if (!ret)
		ret = pr_file_write(tmp, buf, len);
	if (!ret)
		ret = pr_file_rename(dir, tmpname, name);
	if (!ret)
		ret = pr_file_fsync_path(dir, O_RDONLY | O_DIRECTORY);
	if (ret)
		pr_err("device %s: cannot save its state in %s: %d\n", name,
		       dir, ret);
out:
	kfree(tmp);
	kfree(dir);
	return ret;
}

/**
 * strix_state_file_read() - read <state_dir>/<subdir>/<name>
 * @subdir: the kind of state
 * @name:   the device's name
 * @buf:    where the contents go, NUL-terminated: @max + 1 bytes
 * @max:    the longest contents accepted
 *
 * Return: the length read, -ENOENT when there is no such file, -EINVAL
 * when it is longer than @max or holds a NUL, or another negative errno
 * (logged).
 */
ssize_t strix_state_file_read(const char *subdir, const char *name, char *buf,
			      size_t max)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t n, ret;
	char *path;

	path = strix_state_file_path(subdir, name);
	if (!path)
		return -ENOMEM;
	f = filp_open(path, O_RDONLY | O_NOFOLLOW, 0);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		if (ret != -ENOENT)
			pr_err("device %s: cannot open %s: %zd\n", name, path,
			       ret);
		goto out;
	}
	while (pos < max + 1) {
		n = kernel_read(f, buf + pos, max + 1 - pos, &pos);
		if (n < 0) {
			ret = n;
			pr_err("device %s: cannot read %s: %zd\n", name, path,
			       ret);
			goto close;
		}
		if (!n)
			break;
	}
	if (pos > max || memchr(buf, '\0', pos)) {
		ret = -EINVAL;
	} else {
		buf[pos] = '\0';
		ret = pos;
	}
close:
	filp_close(f, NULL);
out:
	kfree(path);
	return ret;
}

/**
 * strix_pr_file_save() - write the device's state to its APTPL file
 * @dev: the device; dev->res_mutex held
 *
 * Return: 0 once the state is on stable storage, or a negative errno.
 */
int strix_pr_file_save(struct strix_device *dev)
{
	ssize_t len;
	char *buf;
	int ret;

	lockdep_assert_held(&dev->res_mutex);
	buf = kvmalloc(PR_FILE_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	len = strix_pr_dump(&dev->pr, buf, PR_FILE_MAX);
	ret = len < 0 ? len : strix_state_file_save(PR_FILE_SUBDIR, dev->name,
						    buf, len);
	if (ret)
		pr_err("device %s: cannot save the reservation state: %d\n",
		       dev->name, ret);
	kvfree(buf);
	return ret;
}

/**
 * strix_pr_file_restore() - read the device's APTPL file, if any
 * @dev: a device being added (not yet visible to anyone)
 *
 * Return: 0 (restored, or nothing to restore), -EINVAL if the file does
 * not parse, or another negative errno if it cannot be read.
 */
int strix_pr_file_restore(struct strix_device *dev)
{
	struct strix_pr_state st;
	ssize_t len;
	char *buf;
	int ret;

	buf = kvmalloc(PR_FILE_MAX + 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	len = strix_state_file_read(PR_FILE_SUBDIR, dev->name, buf, PR_FILE_MAX);
	if (len == -ENOENT) {
		ret = 0;
		goto out;
	}
	ret = len < 0 ? len : 0;
	if (!ret) {
		strix_pr_init(&st);
		ret = strix_pr_load(&st, buf);
	}
	if (ret) {
		pr_err("device %s: %s/%s/%s is not a reservation state (%d): remove or fix it\n",
		       dev->name, state_dir, PR_FILE_SUBDIR, dev->name, ret);
		goto out;
	}
	if (st.aptpl) {
		mutex_lock(&dev->res_mutex);
		strix_pr_replace(&dev->pr, &st);
		mutex_unlock(&dev->res_mutex);
		pr_info("device %s: restored %u registration(s) from %s/%s/%s\n",
			dev->name, dev->pr.nr_regs, state_dir, PR_FILE_SUBDIR,
			dev->name);
	} else {
		strix_pr_clear_all(&st);
	}
out:
	kvfree(buf);
	return ret;
}

/* ---- devices/<device>/pr_state and pr_file_name ----------------------- */

static ssize_t pr_state_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct strix_device *dev = strix_device_from_kobj(kobj);
	ssize_t len;

	mutex_lock(&dev->res_mutex);
	len = strix_pr_dump(&dev->pr, buf, PAGE_SIZE);
	mutex_unlock(&dev->res_mutex);
	return len;
}

/*
 * A restore: the whole state is replaced by the text written, or nothing
 * changes.  The nexuses learn the new reservation at once; registrations
 * that vanish this way raise no unit attention (an administrator's act,
 * like a power cycle).
 */
static ssize_t pr_state_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	struct strix_device *dev = strix_device_from_kobj(kobj);
	struct strix_pr_state st, old;
	char *text;
	int ret;

	text = kmemdup_nul(buf, count, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	strix_pr_init(&st);
	ret = strix_pr_load(&st, text);
	kfree(text);
	if (ret) {
		pr_info("device %s: pr_state: malformed state\n", dev->name);
		return ret;
	}
	strix_pr_init(&old);
	mutex_lock(&dev->res_mutex);
	if (dev->pr.aptpl || st.aptpl) {
		ret = strix_pr_copy(&old, &dev->pr);
		if (ret)
			goto unlock;
	}
	strix_pr_replace(&dev->pr, &st);
	if (dev->pr.aptpl || old.aptpl) {
		ret = strix_pr_file_save(dev);
		if (ret) {
			strix_pr_replace(&dev->pr, &old);
			goto unlock;
		}
	}
	strix_res_refresh(dev);
unlock:
	mutex_unlock(&dev->res_mutex);
	strix_pr_clear_all(&old);
	strix_pr_clear_all(&st);
	return ret ? ret : count;
}
struct kobj_attribute strix_dev_attr_pr_state = __ATTR_RW(pr_state);

static ssize_t pr_file_name_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	struct strix_device *dev = strix_device_from_kobj(kobj);

	return sysfs_emit(buf, "%s/%s/%s\n", state_dir, PR_FILE_SUBDIR,
			  dev->name);
}
struct kobj_attribute strix_dev_attr_pr_file_name = __ATTR_RO(pr_file_name);
