// SPDX-License-Identifier: GPL-2.0
// expect: lifetime may not live long enough
//! An inode reference is gone before its superblock: it borrows it.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<'a, T: FileSystem>(
    _sb: &'a SuperBlock<T>,
    inode: InodeRef<'a, T>,
) -> InodeRef<'static, T> {
    inode
}
