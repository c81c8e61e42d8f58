// SPDX-License-Identifier: GPL-2.0
// expect: E0308
//! Only `->lookup` may leave its dentry negative: it alone has a `LookupLock`.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<T: FileSystem>(e: NewEntry<'_, T>, dir: &Locked<'_, T, Exclusive>) {
    let _ = e.miss_uncached(dir);
}
