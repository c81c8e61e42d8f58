// SPDX-License-Identifier: GPL-2.0
// expect: E0277
//! An in-lookup guard has one owner: it is not `Clone`.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<'a, T: FileSystem>(g: &InLookup<'a, T>) -> InLookup<'a, T> {
    <InLookup<'a, T> as Clone>::clone(g)
}
