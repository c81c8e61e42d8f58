// SPDX-License-Identifier: GPL-2.0
// expect: E0308
//! `d_add_ci()` completes a lookup, and may drop and retake the parent's
//! lock: `add_ci()` takes the lookup's own lock, which only `->lookup` has.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem};

fn misuse<'a, T: FileSystem>(
    e: NewEntry<'a, T>,
    i: InodeRef<'a, T>,
    dir: &Locked<'_, T, Exclusive>,
    flags: LookupFlags,
) {
    let _ = e.add_ci(i, b"Name", dir, flags);
}
