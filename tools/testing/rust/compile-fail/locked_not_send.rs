// SPDX-License-Identifier: GPL-2.0
// expect: E0277
//! A lock token belongs to the thread that holds the lock: it is not `Send`.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem, SuperBlock};
use kernel::prelude::*;

fn send<S: Send>(_s: S) {}

fn misuse<T: FileSystem>(dir: Locked<'_, T, Exclusive>) {
    send(dir);
}
