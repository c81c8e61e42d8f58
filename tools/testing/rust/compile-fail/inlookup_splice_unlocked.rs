// SPDX-License-Identifier: GPL-2.0
// expect: E0308
//! Completing a lookup needs its parent locked: a token, not the bare inode.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<T: FileSystem>(g: InLookup<'_, T>, dir: &Inode<T>) {
    let _ = g.splice_alias(None, dir);
}
