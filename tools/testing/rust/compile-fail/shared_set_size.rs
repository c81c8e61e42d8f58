// SPDX-License-Identifier: GPL-2.0
// expect: E0599
//! The size changes only under the inode lock held exclusively.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<T: FileSystem>(inode: &Locked<'_, T, Shared>) {
    inode.set_size(0);
}
