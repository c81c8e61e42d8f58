// SPDX-License-Identifier: GPL-2.0
// expect: E0308
//! `d_duplicate()` needs the parent locked for the rename, which a plain
//! shared lock (a lookup's, readdir's) is not.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, rename::*, FileSystem};
use kernel::prelude::*;

fn misuse<'r, T: FileSystem>(
    source: &Entry<'_, T>,
    dir: &Locked<'_, T, Shared>,
    renaming: &'r RenameLocks<'r, T>,
) -> Result<Duplicate<'r, T>> {
    source.duplicate(dir, renaming)
}
