// SPDX-License-Identifier: GPL-2.0
// expect: E0308
//! A shared lock is no exclusive one, and there is no upgrade.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn need_exclusive<T: FileSystem>(_dir: &Locked<'_, T, Exclusive>) {}

fn misuse<T: FileSystem>(dir: &Locked<'_, T, Shared>) {
    need_exclusive(dir);
}
