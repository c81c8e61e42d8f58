// SPDX-License-Identifier: GPL-2.0
// expect: E0432
//! Only the bindings make a root dentry, from what `init_root` returns: a
//! root alias made elsewhere could be spliced into its own subtree.
#![allow(dead_code)]

use kernel::fs::{dentry::Root, inode::*, FileSystem};
use kernel::prelude::*;

fn misuse<'a, T: FileSystem>(inode: InodeRef<'a, T>) -> Result<Root<'a, T>> {
    Root::try_new(inode)
}
