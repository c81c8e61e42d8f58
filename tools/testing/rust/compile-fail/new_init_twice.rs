// SPDX-License-Identifier: GPL-2.0
// expect: E0382
//! An `I_NEW` inode is set up and unlocked once.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<T: FileSystem>(n: New<'_, T>, p: Params<'_, T>, q: Params<'_, T>) {
    let _first = n.init(p);
    let _second = n.init(q);
}
