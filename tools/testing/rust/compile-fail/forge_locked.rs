// SPDX-License-Identifier: GPL-2.0
// expect: E0624
//! A lock token comes from the VFS's word only: safe code cannot make one.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<'a, T: FileSystem>(inode: &'a Inode<T>) -> Locked<'a, T, Exclusive> {
    Locked::new(inode)
}
