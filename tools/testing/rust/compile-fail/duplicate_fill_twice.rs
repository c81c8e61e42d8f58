// SPDX-License-Identifier: GPL-2.0
// expect: E0382
//! A whiteout's duplicate is filled once.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, rename::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<T: FileSystem>(
    d: Duplicate<'_, T>,
    a: New<'_, T>,
    b: New<'_, T>,
    p: Params<'_, T>,
    q: Params<'_, T>,
) {
    let _ = d.fill(a, p, &mut |_, _| Ok(()));
    let _ = d.fill(b, q, &mut |_, _| Ok(()));
}
