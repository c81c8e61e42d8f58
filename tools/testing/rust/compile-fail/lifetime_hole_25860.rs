// SPDX-License-Identifier: GPL-2.0
// expect: lifetime may not live long enough
//! rustc's implied-bounds hole (issue 25860), tried on the references that
//! borrow their superblock: neither may be stretched to `'static`, where it
//! could outlive the superblock.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem};

static UNIT: &&() = &&();

fn dentry<'a, 'b, T: FileSystem>(_: &'a &'b (), v: DentryRef<'b, T>) -> DentryRef<'a, T> {
    v
}

fn misuse_dentry<'x, T: FileSystem>(d: DentryRef<'x, T>) -> DentryRef<'static, T> {
    let f: fn(_, DentryRef<'x, T>) -> DentryRef<'static, T> = dentry;
    f(UNIT, d)
}

fn inode<'a, 'b, T: FileSystem>(_: &'a &'b (), v: InodeRef<'b, T>) -> InodeRef<'a, T> {
    v
}

fn misuse_inode<'x, T: FileSystem>(i: InodeRef<'x, T>) -> InodeRef<'static, T> {
    let f: fn(_, InodeRef<'x, T>) -> InodeRef<'static, T> = inode;
    f(UNIT, i)
}
