// SPDX-License-Identifier: GPL-2.0

//! The dentries the VFS hands to directory operations: [`Entry`], and
//! [`NewEntry`], a negative one to complete.

use super::{from_err_ptr, name_of, qstr, same_sb, Dentry, DentryRef, LookupFlag, LookupFlags};
use crate::{
    bindings,
    fs::{inode::LookupLock, FileSystem, InodeRef},
    prelude::*,
};
use core::{ops::Deref, ptr::NonNull};

/// A dentry handed to a directory operation by the VFS, which pins it and
/// holds its parent locked, so its name is stable for `'a`. (For the source
/// of a rename the VFS also holds its inode locked; a non-directory is only
/// renamed with its inode locked, and only directories are moved by
/// `d_splice_alias()`.)
///
/// # Invariants
///
/// `dentry` is pinned, and its name and parent are stable, for `'a`, but for
/// a silly-rename of the target of a rename ([`SillyRename::commit`]), which
/// borrows the entry mutably.
///
/// [`SillyRename::commit`]: crate::fs::rename::SillyRename::commit
pub struct Entry<'a, T: FileSystem> {
    dentry: &'a Dentry<T>,
}

impl<'a, T: FileSystem> Entry<'a, T> {
    /// # Safety
    ///
    /// `d` must be a dentry of file system `T`, pinned and with its name and
    /// parent stable for `'a`.
    pub(crate) unsafe fn from_raw(d: *mut bindings::dentry) -> Self {
        // INVARIANT: By the safety requirements.
        Self {
            // SAFETY: By the safety requirements.
            dentry: unsafe { Dentry::from_raw(d) },
        }
    }

    /// Unhashes the dentry (`d_drop()`): lookups stop finding it, and the
    /// next lookup of the name asks the file system. For a name being
    /// removed in a case-insensitive directory, whose dentry, left hashed
    /// and negative, would answer for the name in its own case only.
    pub fn d_drop(&self) {
        // SAFETY: The dentry is pinned (type invariant); `d_drop()` takes
        // the locks it needs, and unhashing never frees it.
        unsafe { bindings::d_drop(self.dentry.as_raw()) };
    }

    /// The name. It borrows the entry: the target of a rename changes its
    /// name when it is silly-renamed ([`SillyRename::commit`]).
    ///
    /// [`SillyRename::commit`]: crate::fs::rename::SillyRename::commit
    pub fn name(&self) -> &[u8] {
        // SAFETY: The name is stable for `'a` (type invariant), and only a
        // silly-rename, which borrows the entry mutably, changes it.
        unsafe { name_of(self.dentry.as_raw()) }
    }
}

impl<T: FileSystem> Deref for Entry<'_, T> {
    type Target = Dentry<T>;

    fn deref(&self) -> &Dentry<T> {
        self.dentry
    }
}

/// Where a negative dentry handed to an operation stands in the dcache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NegState {
    /// In-lookup: the VFS owns that state and ends it after the call.
    InLookup,
    /// Hashed: a cached negative dentry.
    Hashed,
    /// Neither: a fresh dentry from `d_alloc()`.
    Unhashed,
}

/// A negative dentry handed to `->lookup` or to a creating operation. It
/// must be completed exactly once, by [`NewEntry::splice_alias`],
/// [`NewEntry::add_ci`] or (in `->lookup` only) [`NewEntry::miss_uncached`],
/// which consume it and give the [`Spliced`] proof the operation returns.
///
/// # Invariants
///
/// `entry`'s dentry is negative and nobody else may instantiate it for `'a`:
/// it is in-lookup for the caller, or its parent is locked exclusively.
pub struct NewEntry<'a, T: FileSystem> {
    entry: Entry<'a, T>,
}

impl<'a, T: FileSystem> NewEntry<'a, T> {
    /// # Safety
    ///
    /// `d` must be a negative dentry of file system `T`, pinned for `'a`,
    /// that only the caller may instantiate during `'a`.
    pub(crate) unsafe fn from_raw(d: *mut bindings::dentry) -> Self {
        Self {
            // SAFETY: By the safety requirements.
            entry: unsafe { Entry::from_raw(d) },
        }
    }

    /// The name. It borrows the entry: once spliced, the dentry may be
    /// moved by another lookup that finds the same directory inode.
    pub fn name(&self) -> &[u8] {
        self.entry.name()
    }

    /// Returns the raw `struct dentry`.
    pub(crate) fn as_raw(&self) -> *mut bindings::dentry {
        self.entry.as_raw()
    }

    /// Whether the dentry is in-lookup, hashed or unhashed.
    pub fn state(&self) -> NegState {
        let d = self.entry.as_raw();
        // SAFETY: The dentry is pinned; nobody else changes its state while
        // we may instantiate it (type invariant).
        unsafe {
            if bindings::d_in_lookup(d) != 0 {
                NegState::InLookup
            } else if bindings::d_unhashed(d) {
                NegState::Unhashed
            } else {
                NegState::Hashed
            }
        }
    }

    /// Attaches `inode` (or nothing, for a negative result of `->lookup`)
    /// to the dentry, in whichever state it is (`d_splice_alias()`).
    /// Returns the proof the operation returns: this dentry was used, or an
    /// existing alias of a directory was moved into its place.
    pub fn splice_alias(self, inode: Option<InodeRef<'_, T>>) -> Result<Spliced<'a, T>> {
        let raw = same_sb(inode, self.entry.as_raw())?;
        // SAFETY: The dentry is negative and ours to instantiate (type
        // invariant); `d_splice_alias()` consumes the inode reference, on
        // error too. `self` is consumed, so this happens at most once.
        let res = unsafe { bindings::d_splice_alias(raw, self.entry.as_raw()) };
        let alias = NonNull::new(from_err_ptr(res)?);
        // SAFETY: The alias, now under the same parent, comes with a
        // reference we own.
        Ok(Spliced(alias.map(|p| unsafe { DentryRef::from_raw(p) })))
    }

    /// Completes a `->lookup` that found nothing without caching the miss:
    /// it returns `NULL` without `d_add()`, so the dentry is never hashed
    /// and the next lookup of the name asks the file system again, as
    /// XFS's case-insensitive lookup does. A case-insensitive directory
    /// needs this: a negative dentry answers only for the name in its own
    /// case, and would hide a file created later in another case.
    ///
    /// Only `->lookup` may leave its dentry negative, so this takes the
    /// lookup's lock, which must be that of the dentry's parent (`EINVAL`).
    pub fn miss_uncached(self, lock: &LookupLock<'_, T>) -> Result<Spliced<'a, T>> {
        // SAFETY: The dentry is pinned and its parent stable (type invariant).
        let dir = unsafe { (*(*self.entry.as_raw()).d_parent).d_inode };
        if dir != lock.dir().as_raw() || self.state() == NegState::Hashed {
            return Err(EINVAL);
        }
        Ok(Spliced(None))
    }

    /// Completes a case-insensitive `->lookup` with `inode` under its stored
    /// name `name`, which differs from this dentry's (`d_add_ci()`): the
    /// result is the dentry of the stored name, under the same parent.
    ///
    /// If the stored name is being looked up elsewhere, `d_add_ci()` drops
    /// the parent lock to wait for it, and retakes it in the same mode:
    /// that is why it takes the token by value, and gives it back. `name`
    /// must differ from the dentry's own name, or `d_add_ci()` would wait
    /// for this very lookup.
    pub fn add_ci<'b>(
        self,
        inode: InodeRef<'_, T>,
        name: &[u8],
        lock: LookupLock<'b, T>,
        flags: LookupFlags,
    ) -> (Result<Spliced<'a, T>>, LookupLock<'b, T>) {
        let shared = flags.contains(LookupFlag::Shared);
        // SAFETY: The dentry is pinned and its parent stable (type invariant).
        let dir = unsafe { (*(*self.entry.as_raw()).d_parent).d_inode };
        if shared != lock.is_shared() || dir != lock.dir().as_raw() || name == self.name() {
            return (Err(EINVAL), lock);
        }
        let mut q = match qstr(name) {
            Ok(q) => q,
            Err(e) => return (Err(e), lock),
        };
        let inode = match same_sb(Some(inode), self.entry.as_raw()) {
            Ok(i) => i,
            Err(e) => return (Err(e), lock),
        };
        // SAFETY: The dentry is negative and ours (type invariant), its
        // parent is locked in the mode `flags` says (checked against
        // `lock`), and `d_add_ci()` consumes the inode reference.
        let res = unsafe { bindings::d_add_ci(self.entry.as_raw(), inode, &mut q, flags.into()) };
        let res = from_err_ptr(res).map(|p| {
            // SAFETY: The result, under the same parent, comes with a
            // reference we now own.
            Spliced(NonNull::new(p).map(|p| unsafe { DentryRef::from_raw(p) }))
        });
        (res, lock)
    }
}

/// The proof that an operation completed the [`NewEntry`] it was given,
/// which is what `->lookup` and the creating operations return: only
/// [`NewEntry::splice_alias`], [`NewEntry::add_ci`] and
/// [`NewEntry::miss_uncached`] make one. It holds the dentry the VFS must
/// use instead of the one it passed, if any.
pub struct Spliced<'a, T: FileSystem>(Option<DentryRef<'a, T>>);

impl<T: FileSystem> Spliced<'_, T> {
    /// The dentry used instead of the one given, if any.
    pub fn alias(&self) -> Option<&Dentry<T>> {
        self.0.as_deref()
    }

    /// Hands the replacement dentry, with its reference, to the VFS.
    pub(crate) fn into_raw(self) -> *mut bindings::dentry {
        self.0.map_or(core::ptr::null_mut(), DentryRef::into_raw)
    }
}
