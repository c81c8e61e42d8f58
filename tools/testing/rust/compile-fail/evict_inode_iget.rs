// SPDX-License-Identifier: GPL-2.0
// expect: E0599
//! An inode being evicted or written back gives no superblock, through which
//! it could be looked up: the put of that reference could be the last, and
//! wait for the eviction or writeback in progress.
#![allow(dead_code)]

use kernel::fs::{inode::*, FileSystem};

fn misuse<T: FileSystem>(inode: &Unreferenced<'_, T>) {
    let _again = inode.super_block().iget_locked(inode.ino());
}
