// SPDX-License-Identifier: GPL-2.0

//! Directory entries.
//!
//! C headers: [`include/linux/dcache.h`](srctree/include/linux/dcache.h).

use super::{filesystem::FileSystem, inode::Inode};
use crate::{bindings, prelude::*, sync::aref::ARef};
use core::{marker::PhantomData, ptr::NonNull};

/// The root dentry of a new superblock, made by `d_make_root()`.
///
/// It becomes `sb->s_root` when returned from [`FileSystem::init_root`].
///
/// # Invariants
///
/// `dentry` is a root dentry of file system `T`, and we own its reference.
pub struct Root<T: FileSystem> {
    dentry: NonNull<bindings::dentry>,
    _p: PhantomData<T>,
}

impl<T: FileSystem> Root<T> {
    /// Makes the root dentry for `inode`, which must be a directory.
    pub fn try_new(inode: ARef<Inode<T>>) -> Result<Self> {
        // SAFETY: `d_make_root()` consumes the inode reference, on failure too.
        let dentry = unsafe { bindings::d_make_root(ARef::into_raw(inode).as_ptr().cast()) };
        // INVARIANT: `d_make_root()` returned a new root dentry with one reference.
        Ok(Self {
            dentry: NonNull::new(dentry).ok_or(ENOMEM)?,
            _p: PhantomData,
        })
    }

    /// Hands the dentry and its reference over to the caller.
    pub(crate) fn into_raw(self) -> *mut bindings::dentry {
        let d = self.dentry.as_ptr();
        core::mem::forget(self);
        d
    }
}

impl<T: FileSystem> Drop for Root<T> {
    fn drop(&mut self) {
        // SAFETY: We own the reference (type invariant).
        unsafe { bindings::dput(self.dentry.as_ptr()) };
    }
}
