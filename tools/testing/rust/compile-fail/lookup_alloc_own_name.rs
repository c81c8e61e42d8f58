// SPDX-License-Identifier: GPL-2.0
// expect: E0599
//! A lookup cannot reach its directory's dentry to allocate its own name
//! again: in an exclusive lookup that name's dentry is neither hashed nor
//! in lookup, so a second dentry would be made for it.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, FileSystem};
use kernel::prelude::*;

fn misuse<'a, T: FileSystem>(
    _dir: LookupLock<'a, T>,
    e: NewEntry<'a, T>,
    _flags: LookupFlags,
) -> Result<Spliced<'a, T>> {
    let _ = e.parent().alloc_noblock(e.name());
    e.splice_alias(None)
}
