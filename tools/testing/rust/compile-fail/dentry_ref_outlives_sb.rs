// SPDX-License-Identifier: GPL-2.0
// expect: lifetime may not live long enough
//! A dentry reference is gone before its superblock: it borrows it.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn misuse<T: FileSystem>(d: &Dentry<T>) -> DentryRef<'static, T> {
    d.get_ref()
}
