// SPDX-License-Identifier: GPL-2.0

//! Lock tokens: proof that this thread holds an inode's `i_rwsem`, shared
//! or exclusively.

use crate::{
    bindings,
    fs::{FileSystem, Inode},
    prelude::*,
};
use core::{marker::PhantomData, ops::Deref};

/// Lock mode of a parent-lock token: `i_rwsem` held shared.
pub struct Shared;

/// Lock mode of a parent-lock token: `i_rwsem` held exclusively.
pub struct Exclusive;

mod private {
    pub trait Sealed {}
    impl Sealed for super::Shared {}
    impl Sealed for super::Exclusive {}
}

/// The lock modes of [`Locked`] tokens: [`Shared`] and [`Exclusive`].
pub trait LockMode: private::Sealed {
    /// Asserts that this thread holds the `i_rwsem` of `inode` in this mode
    /// (at least shared for [`Shared`]): on a kernel with lockdep, a token
    /// made on a wrong claim is a lockdep report where it is made, not a
    /// silent data race later.
    ///
    /// # Safety
    ///
    /// `inode` must be a live inode.
    #[doc(hidden)]
    unsafe fn assert_held(inode: *mut bindings::inode);
}

impl LockMode for Shared {
    unsafe fn assert_held(inode: *mut bindings::inode) {
        // SAFETY: The inode is live (the safety requirements); this only
        // reads lockdep's state.
        unsafe { bindings::inode_assert_locked(inode) };
    }
}

impl LockMode for Exclusive {
    unsafe fn assert_held(inode: *mut bindings::inode) {
        // SAFETY: As for `Shared`.
        unsafe { bindings::inode_assert_locked_write(inode) };
    }
}

/// An inode whose `i_rwsem` this thread holds in mode `M` ([`Shared`] or
/// [`Exclusive`]) for `'a`: a directory being searched or changed, or the
/// inode a directory operation changes (a victim of unlink, the source of
/// link).
///
/// It is a token: the VFS took the lock and hands the token to the callback;
/// an operation that drops and retakes the lock, such as
/// [`NewEntry::add_ci`](crate::fs::dentry::NewEntry::add_ci), takes the token by
/// value and gives it back. Only [`Exclusive`] tokens change an inode's
/// size, link count and times.
///
/// # Invariants
///
/// This thread holds the `i_rwsem` of `inode`, of file system `T`, in mode
/// `M` for as long as the token exists.
pub struct Locked<'a, T: FileSystem, M> {
    inode: &'a Inode<T>,
    // The lock belongs to this thread.
    _m: PhantomData<(M, *const ())>,
}

impl<'a, T: FileSystem, M: LockMode> Locked<'a, T, M> {
    /// Creates a token, asserting the claim to lockdep.
    ///
    /// # Safety
    ///
    /// `inode` must be an inode whose `i_rwsem` the calling thread holds in
    /// mode `M` for `'a`.
    pub(crate) unsafe fn new(inode: &'a Inode<T>) -> Self {
        // SAFETY: `inode` is live for `'a`.
        unsafe { M::assert_held(inode.as_raw()) };
        // INVARIANT: By the safety requirements.
        Self {
            inode,
            _m: PhantomData,
        }
    }
}

impl<T: FileSystem, M> Deref for Locked<'_, T, M> {
    type Target = Inode<T>;

    fn deref(&self) -> &Inode<T> {
        self.inode
    }
}

impl<T: FileSystem> Locked<'_, T, Exclusive> {
    /// Sets the size (`i_size_write()`): from 0 (else `EINVAL`) to the
    /// superblock's maximum file size (else `EFBIG`).
    pub fn set_size(&self, size: i64) -> Result {
        if size < 0 {
            return Err(EINVAL);
        }
        // SAFETY: The inode is live, and so is its superblock;
        // `s_maxbytes` does not change once inodes exist.
        if size > unsafe { (*(*self.as_raw()).i_sb).s_maxbytes } {
            return Err(EFBIG);
        }
        // SAFETY: The inode is live; writers of `i_size` are serialised by
        // `i_rwsem`, which we hold (type invariant).
        unsafe { bindings::i_size_write(self.as_raw(), size) };
        Ok(())
    }

    /// Adds a link (`inc_nlink()`). An inode with no links takes one only if
    /// it is an `O_TMPFILE` inode that may be linked (`I_LINKABLE`), as
    /// `vfs_link()` checks: else `ENOENT`. A link count at its maximum gives
    /// `EMLINK`.
    pub fn inc_nlink(&self) -> Result {
        match self.nlink() {
            u32::MAX => return Err(EMLINK),
            0 => {
                // SAFETY: The inode is live.
                let state = unsafe { bindings::inode_state_read_once(self.as_raw()) };
                if state & bindings::inode_state_flags_enum_I_LINKABLE == 0 {
                    return Err(ENOENT);
                }
            }
            _ => {}
        }
        // SAFETY: The inode is live, and we hold its lock (type invariant),
        // under which link counts change.
        unsafe { bindings::inc_nlink(self.as_raw()) };
        Ok(())
    }

    /// Removes a link (`drop_nlink()`); an inode with no links is freed
    /// when its last reference goes.
    pub fn drop_nlink(&self) {
        if self.nlink() > 0 {
            // SAFETY: As in `inc_nlink()`, and `i_nlink` is not zero.
            unsafe { bindings::drop_nlink(self.as_raw()) };
        }
    }

    /// Removes every link (`clear_nlink()`).
    pub fn clear_nlink(&self) {
        // SAFETY: As in `inc_nlink()`.
        unsafe { bindings::clear_nlink(self.as_raw()) };
    }

    /// Sets ctime, and mtime too, to the current time, as after a change of
    /// the contents of a directory.
    pub fn touch(&self) {
        // SAFETY: The inode is live, and we hold its lock (type invariant).
        unsafe {
            let now = bindings::inode_set_ctime_current(self.as_raw());
            bindings::inode_set_mtime_to_ts(self.as_raw(), now);
        }
    }

    /// Sets ctime to the current time, as after a change of the inode.
    pub fn touch_ctime(&self) {
        // SAFETY: As in `touch()`.
        unsafe { bindings::inode_set_ctime_current(self.as_raw()) };
    }
}

/// The parent-lock token of a `->lookup`: which one follows from
/// `LOOKUP_SHARED` in its flags.
pub enum LookupLock<'a, T: FileSystem> {
    /// The parent is locked shared (`LOOKUP_SHARED`).
    Shared(Locked<'a, T, Shared>),
    /// The parent is locked exclusively.
    Exclusive(Locked<'a, T, Exclusive>),
}

impl<'a, T: FileSystem> LookupLock<'a, T> {
    /// The directory being searched.
    pub fn dir(&self) -> &'a Inode<T> {
        match self {
            Self::Shared(l) => l.inode,
            Self::Exclusive(l) => l.inode,
        }
    }

    /// Whether the lock is shared.
    pub fn is_shared(&self) -> bool {
        matches!(self, Self::Shared(_))
    }
}
