// SPDX-License-Identifier: GPL-2.0

//! Inodes.
//!
//! An [`Inode`] is reached through a counted [`InodeRef`] that cannot outlive
//! the borrow of its superblock; no `&mut Inode` is ever handed out, since
//! other threads may hold references at any time. A
//! freshly allocated inode is a [`New`]: it is locked (`I_NEW`), invisible to
//! other lookups until initialised, and dropping it without initialisation
//! calls `iget_failed()`.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h).

use super::{
    filesystem::FileSystem,
    param::Kgid,
    sb::SuperBlock, //
};
use crate::{bindings, prelude::*, task::Kuid, types::Opaque};
use core::{marker::PhantomData, mem::ManuallyDrop, ops::Deref, ptr::NonNull};

/// An inode of file system `T`.
///
/// Only ever seen through an [`InodeRef`], which ties it to a borrow of its
/// superblock: an inode reference cannot outlive the superblock, which the
/// VFS requires (`generic_shutdown_super()` finds busy inodes otherwise).
///
/// # Invariants
///
/// `inner` is a live inode of a superblock of file system `T`, with
/// `i_count >= 1` while a `&Inode<T>` exists.
#[repr(transparent)]
pub struct Inode<T: FileSystem> {
    inner: Opaque<bindings::inode>,
    _p: PhantomData<T>,
}

// SAFETY: Inodes are shared between all threads by the VFS, and every method
// of `Inode` takes whatever lock the field it touches requires.
unsafe impl<T: FileSystem> Send for Inode<T> {}
// SAFETY: As above.
unsafe impl<T: FileSystem> Sync for Inode<T> {}

impl<T: FileSystem> Inode<T> {
    /// Returns the raw `struct inode`.
    pub fn as_raw(&self) -> *mut bindings::inode {
        self.inner.get()
    }

    /// The inode number.
    pub fn ino(&self) -> u64 {
        // SAFETY: `i_ino` is immutable once the inode is hashed or initialised.
        unsafe { (*self.as_raw()).i_ino }
    }

    /// The superblock this inode belongs to.
    pub fn super_block(&self) -> &SuperBlock<T> {
        // SAFETY: `i_sb` is immutable, and the superblock outlives every
        // `InodeRef` (which borrows it) and so every `&Inode`. It is `Ready`:
        // inodes are only made through a `Ready` superblock.
        unsafe { SuperBlock::from_raw((*self.as_raw()).i_sb) }
    }
}

/// A counted reference to an inode, for as long as its superblock is borrowed.
///
/// Dropping it calls `iput()`, which may sleep.
///
/// # Invariants
///
/// `inode` is a live inode of file system `T` on the superblock borrowed for
/// `'a`, and we own one reference (`i_count`) to it.
pub struct InodeRef<'a, T: FileSystem> {
    inode: NonNull<Inode<T>>,
    _p: PhantomData<&'a SuperBlock<T>>,
}

impl<T: FileSystem> InodeRef<'_, T> {
    /// Hands the reference over to the caller.
    pub(crate) fn into_raw(self) -> *mut bindings::inode {
        ManuallyDrop::new(self).inode.as_ptr().cast()
    }
}

impl<T: FileSystem> Deref for InodeRef<'_, T> {
    type Target = Inode<T>;

    fn deref(&self) -> &Inode<T> {
        // SAFETY: We hold a reference, so the inode is live (type invariant).
        unsafe { self.inode.as_ref() }
    }
}

impl<T: FileSystem> Clone for InodeRef<'_, T> {
    fn clone(&self) -> Self {
        // SAFETY: We hold a reference, so `i_count >= 1` as `ihold()` requires.
        unsafe { bindings::ihold(self.as_raw()) };
        // INVARIANT: `ihold()` took the reference the clone owns.
        Self {
            inode: self.inode,
            _p: PhantomData,
        }
    }
}

impl<T: FileSystem> Drop for InodeRef<'_, T> {
    fn drop(&mut self) {
        // SAFETY: We own the reference being dropped (type invariant).
        unsafe { bindings::iput(self.as_raw()) };
    }
}

/// What kind of inode [`New::init`] makes.
pub enum Kind {
    /// A directory served by libfs's `simple_dir_operations`: it lists what
    /// is in the dcache, and without creation operations stays empty.
    SimpleDir,
}

/// Initial attributes of an inode, for [`New::init`].
pub struct Params {
    /// The permission bits (`S_IALLUGO`); the file type comes from [`Kind`].
    pub mode: u16,
    /// The owner.
    pub uid: Kuid,
    /// The group.
    pub gid: Kgid,
}

/// A new, locked (`I_NEW`) inode returned by `iget_locked()`.
///
/// It must be initialised with [`New::init`]; dropping it instead calls
/// `iget_failed()`, which unhashes and releases it.
///
/// # Invariants
///
/// `inode` is an `I_NEW` inode of file system `T` on the superblock borrowed
/// for `'a`, and we own a reference to it.
pub struct New<'a, T: FileSystem> {
    inode: NonNull<bindings::inode>,
    _p: PhantomData<&'a SuperBlock<T>>,
}

impl<'a, T: FileSystem> New<'a, T> {
    /// Sets the inode up as `kind` with `params` and unlocks it, making it
    /// visible to every other `iget_locked()` caller.
    pub fn init(self, kind: Kind, params: Params) -> InodeRef<'a, T> {
        let this = ManuallyDrop::new(self);
        let inode = this.inode.as_ptr();
        let perm = params.mode & bindings::S_IALLUGO as u16;
        // SAFETY: The inode is `I_NEW`, so we have exclusive access to it, and
        // the libfs operation tables are static.
        unsafe {
            match kind {
                Kind::SimpleDir => {
                    (*inode).i_mode = bindings::S_IFDIR as u16 | perm;
                    (*inode).i_op = &raw const bindings::simple_dir_inode_operations;
                    (*inode).__bindgen_anon_3.i_fop = &raw const bindings::simple_dir_operations;
                    bindings::set_nlink(inode, 2);
                }
            }
            (*inode).i_uid = params.uid.into_raw();
            (*inode).i_gid = params.gid.into_raw();
            bindings::simple_inode_init_ts(inode);
            bindings::unlock_new_inode(inode);
        }
        // INVARIANT: Our reference (type invariant) moves into the `InodeRef`;
        // `this` is not dropped, so `iget_failed()` is not called.
        InodeRef {
            inode: this.inode.cast(),
            _p: PhantomData,
        }
    }
}

impl<T: FileSystem> Drop for New<'_, T> {
    fn drop(&mut self) {
        // SAFETY: The inode is `I_NEW` and we own a reference (type invariant).
        unsafe { bindings::iget_failed(self.inode.as_ptr()) };
    }
}

/// The result of [`SuperBlock::get_or_create_inode`].
pub enum Lookup<'a, T: FileSystem> {
    /// The inode was in the inode cache, initialised.
    Cached(InodeRef<'a, T>),
    /// The inode was not cached: this thread must initialise it.
    New(New<'a, T>),
}

impl<T: FileSystem> SuperBlock<T> {
    /// Finds inode `ino` in the inode cache, or allocates it as a [`New`]
    /// inode that the caller initialises (`iget_locked()`).
    pub fn get_or_create_inode(&self, ino: u64) -> Result<Lookup<'_, T>> {
        // SAFETY: The superblock is live (type invariant).
        let inode =
            NonNull::new(unsafe { bindings::iget_locked(self.as_raw(), ino) }).ok_or(ENOMEM)?;
        // SAFETY: `iget_locked()` returned a referenced inode.
        let state = unsafe { bindings::inode_state_read_once(inode.as_ptr()) };
        if state & bindings::inode_state_flags_enum_I_NEW != 0 {
            // INVARIANT: The inode is `I_NEW`, on this superblock, and we own
            // the reference `iget_locked()` returned.
            Ok(Lookup::New(New {
                inode,
                _p: PhantomData,
            }))
        } else {
            // INVARIANT: The inode is initialised, on this superblock, and we
            // own the reference `iget_locked()` returned.
            Ok(Lookup::Cached(InodeRef {
                inode: inode.cast(),
                _p: PhantomData,
            }))
        }
    }
}
