// SPDX-License-Identifier: GPL-2.0
// expect: E0502
//! A name is stable only until its dentry moves: a silly-rename borrows the target mutably.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, rename::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<'a, T: FileSystem>(
    target: &mut Entry<'a, T>,
    dir: &Locked<'_, T, Update>,
    renaming: &'a RenameLocks<'a, T>,
) {
    let name = target.name();
    let _silly = target.silly_rename(dir, renaming, || None::<&[u8]>);
    let _ = name.len();
}
