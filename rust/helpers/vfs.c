// SPDX-License-Identifier: GPL-2.0

/*
 * Helpers for the VFS abstractions in rust/kernel/fs/: static inline
 * functions of include/linux/fs.h and include/linux/uidgid.h.
 */

#include <linux/fs.h>
#include <linux/uidgid.h>

__rust_helper enum inode_state_flags_enum
rust_helper_inode_state_read_once(struct inode *inode)
{
	return inode_state_read_once(inode);
}

__rust_helper uid_t rust_helper_from_kuid_munged(struct user_namespace *to,
						 kuid_t uid)
{
	return from_kuid_munged(to, uid);
}

__rust_helper gid_t rust_helper_from_kgid_munged(struct user_namespace *to,
						 kgid_t gid)
{
	return from_kgid_munged(to, gid);
}
