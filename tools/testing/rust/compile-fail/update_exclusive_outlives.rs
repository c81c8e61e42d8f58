// SPDX-License-Identifier: GPL-2.0
// expect: E0515
//! The exclusive token an update's token gives lives no longer than the
//! borrow of the update's token.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<'a, T: FileSystem>(dir: Locked<'a, T, Update>) -> Option<Locked<'a, T, Exclusive>> {
    dir.exclusive()
}
