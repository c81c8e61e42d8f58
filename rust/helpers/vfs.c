// SPDX-License-Identifier: GPL-2.0

/*
 * Helpers for the VFS abstractions in rust/kernel/fs/: static inline
 * functions of include/linux/fs.h.
 */

#include <linux/fs.h>

__rust_helper enum inode_state_flags_enum
rust_helper_inode_state_read_once(struct inode *inode)
{
	return inode_state_read_once(inode);
}
