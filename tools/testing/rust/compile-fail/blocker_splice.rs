// SPDX-License-Identifier: GPL-2.0
// expect: E0599
//! Another thread's in-lookup dentry may only be looked at, never completed.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<T: FileSystem>(b: Blocker<'_, T>, parent: &Locked<'_, T, Shared>) {
    let _ = b.splice_alias(None, parent);
}
