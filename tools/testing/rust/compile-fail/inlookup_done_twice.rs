// SPDX-License-Identifier: GPL-2.0
// expect: E0382
//! An in-lookup dentry is completed once: `done()` consumes its guard.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<T: FileSystem>(g: InLookup<'_, T>) {
    let _first = g.done();
    let _second = g.done();
}
