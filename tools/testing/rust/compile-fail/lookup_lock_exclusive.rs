// SPDX-License-Identifier: GPL-2.0
// expect: E0599
//! `->lookup` runs beside lookups of other names: whatever lock the VFS
//! took, its token is shared, and changes no attribute.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<T: FileSystem>(dir: &LookupLock<'_, T>) {
    let _ = dir.set_size(0);
}
