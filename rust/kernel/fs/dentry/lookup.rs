// SPDX-License-Identifier: GPL-2.0

//! Dentries in the in-lookup state, and the flags of a lookup.

use super::{from_err_ptr, name_of, same_sb, Dentry, DentryRef};
use crate::{
    bindings,
    fs::{inode::Locked, FileSystem, InodeRef},
    impl_flags,
    prelude::*,
};
use core::{mem::ManuallyDrop, ptr::NonNull};

/// The result of [`Dentry::alloc_noblock`].
pub enum Parallel<'a, T: FileSystem> {
    /// A new in-lookup dentry: this thread must complete the lookup.
    InLookup(InLookup<'a, T>),
    /// The dcache already had the name, positive or negative.
    Found(DentryRef<'a, T>),
}

impl<T: FileSystem> Parallel<'_, T> {
    /// # Safety
    ///
    /// `d` must be a dentry of file system `T` whose reference the caller
    /// owns, returned by one of the `d_alloc_*()` functions: if it is
    /// in-lookup, the caller owns that state.
    pub(super) unsafe fn from_raw(d: *mut bindings::dentry) -> Result<Self> {
        // SAFETY: By the safety requirements.
        let d = unsafe { DentryRef::from_raw(NonNull::new(d).ok_or(ENOMEM)?) };
        // SAFETY: The dentry is pinned; `DCACHE_PAR_LOOKUP` is only set at
        // allocation, and only its owner clears it.
        if unsafe { bindings::d_in_lookup(d.as_raw()) } != 0 {
            // INVARIANT: The allocation made it in-lookup for us.
            Ok(Self::InLookup(InLookup { dentry: d }))
        } else {
            Ok(Self::Found(d))
        }
    }
}

/// Why [`Dentry::alloc_noblock`] did not return a dentry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoBlockError {
    /// Another lookup of the name is in progress (`-EWOULDBLOCK`).
    WouldBlock,
    /// Any other error: not a directory, no memory, an invalid name, or
    /// `->d_hash` failing.
    Other(Error),
}

/// A dentry in the in-lookup state, owned by this thread.
///
/// Waiters in `d_alloc_parallel()` sleep until it is completed. Consume it
/// with [`InLookup::splice_alias`] or [`InLookup::done`]; dropping it calls
/// `d_lookup_done()` and drops the reference.
///
/// # Invariants
///
/// `dentry` is negative and in-lookup, and this thread owns that state.
pub struct InLookup<'a, T: FileSystem> {
    dentry: DentryRef<'a, T>,
}

impl<'a, T: FileSystem> InLookup<'a, T> {
    /// Takes over a dentry and its in-lookup state.
    ///
    /// # Safety
    ///
    /// `d` must be an in-lookup dentry of file system `T`, on a superblock
    /// that outlives the result, whose reference and in-lookup state the
    /// caller owns.
    pub(crate) unsafe fn from_raw(d: NonNull<bindings::dentry>) -> Self {
        // INVARIANT: By the safety requirements.
        Self {
            // SAFETY: By the safety requirements.
            dentry: unsafe { DentryRef::from_raw(d) },
        }
    }

    /// Hands the reference and the in-lookup state over to the caller.
    pub(crate) fn into_raw(self) -> *mut bindings::dentry {
        let this = ManuallyDrop::new(self);
        // SAFETY: We own `this`; `dentry` is read once, and its reference
        // goes to the caller.
        unsafe { core::ptr::read(&this.dentry) }.into_raw()
    }

    /// The name being looked up: stable, since only we may rename or
    /// instantiate the dentry.
    pub fn name(&self) -> &[u8] {
        // SAFETY: An in-lookup dentry is neither hashed nor renamed, so its
        // name is stable while we own the in-lookup state.
        unsafe { name_of(self.dentry.as_raw()) }
    }

    /// The dentry.
    pub fn dentry(&self) -> &Dentry<T> {
        &self.dentry
    }

    /// Completes the lookup with `inode` (or as negative, with `None`),
    /// waking any waiters (`d_splice_alias()`). The parent must be locked,
    /// shared at least, as `parent` proves: completing a lookup changes the
    /// parent's `i_dir_seq`, and renames must not run meanwhile. Returns the
    /// dentry now in the dcache: this one, or an existing alias of a
    /// directory.
    pub fn splice_alias<M>(
        self,
        inode: Option<InodeRef<'_, T>>,
        parent: &Locked<'_, T, M>,
    ) -> Result<DentryRef<'a, T>> {
        // SAFETY: The dentry is pinned; its parent is stable while it is
        // in-lookup and ours.
        let dir = unsafe { (*(*self.dentry.as_raw()).d_parent).d_inode };
        if dir != parent.as_raw() {
            return Err(EINVAL);
        }
        let raw = same_sb(inode, self.dentry.as_raw())?;
        let this = ManuallyDrop::new(self);
        // SAFETY: We own `this` (type invariant); `dentry` is read once and
        // owned from here on.
        let dentry = unsafe { core::ptr::read(&this.dentry) };
        // SAFETY: The dentry is negative and in-lookup, its parent locked;
        // `d_splice_alias()` consumes the inode reference.
        let res = unsafe { bindings::d_splice_alias(raw, dentry.as_raw()) };
        // SAFETY: A no-op if the splice ended the in-lookup state; it does
        // not when it fails early (`__d_unalias()` or `-ELOOP`).
        unsafe { bindings::d_lookup_done(dentry.as_raw()) };
        match NonNull::new(from_err_ptr(res)?) {
            None => Ok(dentry),
            // SAFETY: The alias, on the same superblock, comes with a
            // reference we now own.
            Some(p) => Ok(unsafe { DentryRef::from_raw(p) }),
        }
    }

    /// Ends the lookup without a result (`d_lookup_done()`), and returns the
    /// dentry, now an unhashed negative one.
    pub fn done(self) -> DentryRef<'a, T> {
        let this = ManuallyDrop::new(self);
        // SAFETY: As in `splice_alias()`.
        let dentry = unsafe { core::ptr::read(&this.dentry) };
        // SAFETY: We own the in-lookup state (type invariant).
        unsafe { bindings::d_lookup_done(dentry.as_raw()) };
        dentry
    }
}

impl<T: FileSystem> Drop for InLookup<'_, T> {
    fn drop(&mut self) {
        // SAFETY: We own the in-lookup state (type invariant); the reference
        // is dropped with `dentry` after this.
        unsafe { bindings::d_lookup_done(self.dentry.as_raw()) };
    }
}

impl_flags!(
    /// The flags of a lookup (`LOOKUP_*`), as handed to `->lookup`. Those a
    /// file system may act on are named; the others are kept, for calls
    /// that pass the flags back to the VFS.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::fs::dentry::{LookupFlag, LookupFlags};
    ///
    /// let f = LookupFlag::Create | LookupFlag::Excl;
    /// assert!(f.contains(LookupFlag::Create));
    /// assert!(!f.contains(LookupFlag::Shared));
    /// assert_eq!(LookupFlags::empty() | LookupFlag::Shared, LookupFlag::Shared.into());
    /// ```
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct LookupFlags(u32);

    /// One flag of a lookup.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum LookupFlag {
        /// The parent is locked shared (`LOOKUP_SHARED`).
        Shared = bindings::LOOKUP_SHARED,
        /// The lookup is for creating the object (`LOOKUP_CREATE`).
        Create = bindings::LOOKUP_CREATE,
        /// The object must not exist (`LOOKUP_EXCL`).
        Excl = bindings::LOOKUP_EXCL,
        /// The lookup is for a rename target (`LOOKUP_RENAME_TARGET`).
        RenameTarget = bindings::LOOKUP_RENAME_TARGET,
    }
);

impl LookupFlags {
    /// The flags the VFS passed, all of them.
    pub(crate) fn from_raw(flags: u32) -> Self {
        Self(flags)
    }
}
