// SPDX-License-Identifier: GPL-2.0
// expect: E0599
//! A writeback's inode may have no reference left (`I_SYNC` pins it):
//! `ihold()` needs one, and a reference put there could be the last, whose
//! eviction would wait for this writeback.
#![allow(dead_code)]

use kernel::fs::{inode::*, FileSystem};

fn misuse<T: FileSystem>(inode: &Unreferenced<'_, T>) {
    let _r = inode.get();
}
