// SPDX-License-Identifier: GPL-2.0
// expect: E0308
//! An update's token is no exclusive lock of the directory: libfs's helpers,
//! which change the directory unlocked, need `exclusive()`.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<T: FileSystem>(
    e: &Entry<'_, T>,
    dir: &Locked<'_, T, Update>,
    victim: &Locked<'_, T, Exclusive>,
) -> Result {
    e.simple_unlink(dir, victim)
}
