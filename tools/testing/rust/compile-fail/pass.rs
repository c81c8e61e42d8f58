// SPDX-License-Identifier: GPL-2.0
//! The positive control of the compile-fail cases: each API they misuse,
//! used as the bindings intend. It must build, so that a broken setup (a
//! missing kernel crate, a wrong flag) cannot pass for "every case failed".

use kernel::fs::{
    address_space::FolioBytes, dentry::*, inode::*, rename::*, FileSystem, SuperBlock,
};
use kernel::prelude::*;

module! {
    type: Control,
    name: "rustfs_compile_pass",
    authors: ["rustfs developers"],
    description: "Positive control of the bindings' compile-fail cases",
    license: "GPL",
}

struct Control;

impl kernel::Module for Control {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Control)
    }
}

/// Each use of an API, once, with the right lock.
pub fn uses<'a, T: FileSystem>(
    sb: &'a SuperBlock<T>,
    g: InLookup<'a, T>,
    dir: &Locked<'_, T, Exclusive>,
    inode: InodeRef<'a, T>,
    e: NewEntry<'a, T>,
) -> Result<(InodeRef<'a, T>, DentryRef<'a, T>, Spliced<'a, T>)> {
    let _ = sb;
    dir.set_size(0)?;
    dir.inc_nlink()?;
    let d = g.done();
    let spliced = e.splice_alias(None)?;
    Ok((inode, d, spliced))
}

/// A directory's attributes change under their lock during an update, and
/// an exclusive lock covers every update.
pub fn update<T: FileSystem>(dir: &Locked<'_, T, Update>, excl: &Locked<'_, T, Exclusive>) {
    let _ = dir.inc_nlink();
    dir.touch();
    if let Some(d) = dir.exclusive() {
        d.touch();
    }
    excl.as_update().drop_nlink();
}

/// A name is read before the silly-rename that moves its dentry.
pub fn rename<'a, T: FileSystem>(
    target: &mut Entry<'a, T>,
    dir: &Locked<'_, T, Update>,
    renaming: &'a RenameLocks<'a, T>,
) -> Result {
    let len = target.name().len();
    let silly = target.silly_rename(dir, renaming, || None::<&[u8]>)?;
    silly.commit();
    let _ = len;
    Ok(())
}

/// A new inode, set up once; a duplicate, filled once.
pub fn create<T: FileSystem>(
    n: New<'_, T>,
    p: Params<'_, T>,
    d: Duplicate<'_, T>,
    m: New<'_, T>,
    q: Params<'_, T>,
) -> Result {
    let _inode = n.init(p)?;
    d.fill(m, q, &mut |_, _| Ok(()))
}

/// A writeback reads the inode it was given, without a reference, and
/// copies the folio's bytes.
pub fn write_back<T: FileSystem>(inode: &Unreferenced<'_, T>, data: &FolioBytes<'_>) -> i64 {
    let _ = inode.data();
    let mut buf = [0u8; 16];
    let _ = data.copy_to(0, &mut buf);
    inode.size()
}

/// A case-insensitive match, with the lookup's lock handed through.
pub fn add_ci<'a, T: FileSystem>(
    e: NewEntry<'a, T>,
    i: InodeRef<'a, T>,
    lock: LookupLock<'a, T>,
    flags: LookupFlags,
) -> Result<Spliced<'a, T>> {
    let (spliced, _lock) = e.add_ci(i, b"Name", lock, flags);
    spliced
}

/// A whiteout's duplicate, with the parent locked for the rename's update.
pub fn duplicate<'r, T: FileSystem>(
    source: &Entry<'_, T>,
    dir: &Locked<'_, T, Update>,
    renaming: &'r RenameLocks<'r, T>,
) -> Result<Duplicate<'r, T>> {
    source.duplicate(dir, renaming)
}
