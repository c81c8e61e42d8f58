// SPDX-License-Identifier: GPL-2.0
/*
 * lift_lockdep: breaks the lifted series' lock order on purpose, so that
 * `make check SERIES=lift` can check that lockdep reports it.
 *
 * Loaded with dir=D, where D/a is a directory and a lookup of a missing
 * name in D/a has run (which records, on the lifted series, that the owner
 * of a pending lookup takes the directory lock after allocating its
 * dentry), it holds D/a's lock and calls d_alloc_parallel() in D: a wait
 * for a lookup under a directory lock.  That is a different directory, so
 * only the dependency through sb->s_in_lookup_map can catch it.  On the
 * prepared series nothing is reported.  The load then fails with -ECANCELED,
 * so that nothing stays loaded.
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/stringhash.h>

static char *dir;
module_param(dir, charp, 0);
MODULE_PARM_DESC(dir, "a directory D with a subdirectory D/a");

static int __init lift_lockdep_init(void)
{
	struct path parent, sub;
	struct dentry *dentry;
	struct qstr name = QSTR_INIT("lift-lockdep", 12);
	int err;

	if (!dir)
		return -EINVAL;
	err = kern_path(dir, LOOKUP_DIRECTORY, &parent);
	if (err)
		return err;
	err = vfs_path_lookup(parent.dentry, parent.mnt, "a", LOOKUP_DIRECTORY,
			      &sub);
	if (err)
		goto out_parent;
	name.hash = full_name_hash(parent.dentry, name.name, name.len);

	inode_lock_shared(d_inode(sub.dentry));
	dentry = d_alloc_parallel(parent.dentry, &name);
	if (!IS_ERR(dentry)) {
		if (d_in_lookup(dentry))
			d_lookup_done(dentry);
		dput(dentry);
	}
	inode_unlock_shared(d_inode(sub.dentry));
	pr_info("lift_lockdep: called d_alloc_parallel() in %s with %s/a locked\n",
		dir, dir);

	path_put(&sub);
	err = -ECANCELED;
out_parent:
	path_put(&parent);
	return err;
}
module_init(lift_lockdep_init);

MODULE_DESCRIPTION("d_alloc_parallel() under a directory lock, on purpose");
MODULE_LICENSE("GPL");
