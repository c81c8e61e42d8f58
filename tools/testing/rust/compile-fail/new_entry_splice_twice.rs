// SPDX-License-Identifier: GPL-2.0
// expect: E0382
//! A creating operation instantiates its dentry once.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<T: FileSystem>(e: NewEntry<'_, T>) {
    let _first = e.splice_alias(None);
    let _second = e.splice_alias(None);
}
