// SPDX-License-Identifier: GPL-2.0
// expect: E0423
//! Only an instantiated dentry proves a creation: safe code cannot make a `Spliced`.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<'a, T: FileSystem>() -> Spliced<'a, T> {
    Spliced(None)
}
