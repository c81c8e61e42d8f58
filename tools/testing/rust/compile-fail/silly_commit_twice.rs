// SPDX-License-Identifier: GPL-2.0
// expect: E0382
//! A silly-rename hands its duplicate to the rename once.
#![allow(dead_code)]

use kernel::fs::{dentry::*, inode::*, rename::*, FileSystem};
use kernel::prelude::*;

fn misuse<'a, T: FileSystem>(
    target: &mut Entry<'a, T>,
    dir: &Locked<'_, T, Update>,
    renaming: &'a RenameLocks<'a, T>,
) -> Result {
    let silly = target.silly_rename(dir, renaming, || None::<&[u8]>)?;
    silly.commit();
    silly.commit();
    Ok(())
}
