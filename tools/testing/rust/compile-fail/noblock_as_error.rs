// SPDX-License-Identifier: GPL-2.0
// expect: E0277
//! `d_alloc_noblock()` failing with `-EWOULDBLOCK` is no error: it cannot be
//! passed up as one with `?`, but must be matched.
#![allow(dead_code)]

use kernel::fs::{dentry::*, FileSystem};
use kernel::prelude::*;

fn misuse<T: FileSystem>(dir: &Dentry<T>) -> Result {
    let _found = dir.alloc_noblock(b"name")?;
    Ok(())
}
