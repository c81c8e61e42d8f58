// SPDX-License-Identifier: GPL-2.0
// expect: E0599
//! An update of one name holds its directory's lock only shared: its token
//! changes the directory's link count and times under `i_lock`, and
//! nothing else.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<T: FileSystem>(dir: &Locked<'_, T, Update>) {
    let _ = dir.set_size(0);
}
