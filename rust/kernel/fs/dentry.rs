// SPDX-License-Identifier: GPL-2.0

//! Directory entries.
//!
//! C headers: [`include/linux/dcache.h`](srctree/include/linux/dcache.h).

use super::{
    filesystem::FileSystem,
    inode::InodeRef,
    sb::SuperBlock, //
};
use crate::{bindings, prelude::*};
use core::{marker::PhantomData, mem::ManuallyDrop, ptr::NonNull};

/// The root dentry of a new superblock, made by `d_make_root()`.
///
/// It becomes `sb->s_root` when returned from [`FileSystem::init_root`].
///
/// # Invariants
///
/// `dentry` is a root dentry of file system `T` on the superblock borrowed
/// for `'a`, and we own its reference.
pub struct Root<'a, T: FileSystem> {
    dentry: NonNull<bindings::dentry>,
    _p: PhantomData<&'a SuperBlock<T>>,
}

impl<'a, T: FileSystem> Root<'a, T> {
    /// Makes the root dentry for `inode`, which should be a directory (the
    /// VFS refuses to mount anything else with `ENOTDIR`).
    pub fn try_new(inode: InodeRef<'a, T>) -> Result<Self> {
        // SAFETY: `d_make_root()` consumes the inode reference, on failure too.
        let dentry = unsafe { bindings::d_make_root(inode.into_raw()) };
        // INVARIANT: `d_make_root()` returned a new root dentry with one
        // reference, on the inode's superblock.
        Ok(Self {
            dentry: NonNull::new(dentry).ok_or(ENOMEM)?,
            _p: PhantomData,
        })
    }

    /// Hands the dentry and its reference over to the caller.
    pub(crate) fn into_raw(self) -> *mut bindings::dentry {
        ManuallyDrop::new(self).dentry.as_ptr()
    }
}

impl<T: FileSystem> Drop for Root<'_, T> {
    fn drop(&mut self) {
        // SAFETY: We own the reference (type invariant).
        unsafe { bindings::dput(self.dentry.as_ptr()) };
    }
}
