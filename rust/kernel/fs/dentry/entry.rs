// SPDX-License-Identifier: GPL-2.0

//! The dentries the VFS hands to directory operations: [`Entry`], and
//! [`NewEntry`], a negative one to complete.

use super::{from_err_ptr, name_of, qstr, same_sb, Dentry, DentryRef, LookupFlag, LookupFlags};
use crate::{
    bindings,
    error::to_result,
    fs::{
        inode::{Exclusive, Locked, LookupLock},
        FileSystem, InodeRef,
    },
    prelude::*,
};
use core::{ops::Deref, ptr::NonNull};

/// A dentry handed to a directory operation by the VFS, which pins it and
/// holds its parent locked, exclusively or shared with the dentry's name
/// locked for an update (`DCACHE_PAR_UPDATE`), so its name is stable for
/// `'a`. (For the source of a rename the VFS also holds its inode locked; a
/// non-directory is only renamed with its inode locked, and only
/// directories are moved by `d_splice_alias()`, which moves no dentry whose
/// name is locked for an update.)
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
    ///
    /// Not for the source or target of a rename that holds its names
    /// rather than the directory ([`RenameLocks::names_locked`]): a lookup
    /// would then hash a second dentry of the name beside the one the
    /// rename moves.
    ///
    /// [`RenameLocks::names_locked`]: crate::fs::rename::RenameLocks::names_locked
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

    /// Whether the dentry is pinned by the dcache itself, as
    /// [`NewEntry::make_persistent`] makes it (`DCACHE_PERSISTENT`).
    pub fn is_persistent(&self) -> bool {
        // SAFETY: The dentry is pinned (type invariant). The flag is read
        // racily, as `d_flags` is elsewhere; it changes only under the
        // parent's lock, which the VFS holds, and at unmount.
        let flags = unsafe { core::ptr::read_volatile(&raw const (*self.as_raw()).d_flags) };
        flags & bindings::dentry_flags_DCACHE_PERSISTENT != 0
    }

    /// Removes a persistent name of a file that is not a directory, as
    /// libfs's `simple_unlink()` does: the link count and the times of
    /// `victim`, the dentry's inode, and of `dir`, its parent, change, and
    /// the dcache's reference goes, so the dentry goes at its last `dput()`.
    /// For file systems whose names are their persistent dentries (see
    /// [`NewEntry::make_persistent`]). `EINVAL` if the dentry is not
    /// persistent, if `dir` and `victim` are not its parent and inode, or
    /// if `victim` has no link to lose.
    pub fn simple_unlink(
        &self,
        dir: &Locked<'_, T, Exclusive>,
        victim: &Locked<'_, T, Exclusive>,
    ) -> Result {
        self.check_removable(dir, victim, false)?;
        // SAFETY: The dentry is persistent, `dir` is its locked parent and
        // `victim` its locked inode, not a directory, with a link. Besides
        // the persistent reference that `d_make_discardable()` drops, the
        // VFS holds one (type invariant: the dentry is pinned), so the
        // dentry outlives the call.
        unsafe { bindings::simple_unlink(dir.as_raw(), self.as_raw()) };
        Ok(())
    }

    /// Removes a persistent name of an empty directory, as libfs's
    /// `simple_rmdir()` does, or fails with `ENOTEMPTY`: as
    /// [`Entry::simple_unlink`], for a directory, which loses its link from
    /// `dir` and its own "." (`EINVAL` if it has not both), while `dir`
    /// loses the ".." link (`EINVAL` if it has none). Directories must
    /// count links as ramfs's do: "." and their name, plus one per
    /// subdirectory.
    pub fn simple_rmdir(
        &self,
        dir: &Locked<'_, T, Exclusive>,
        victim: &Locked<'_, T, Exclusive>,
    ) -> Result {
        self.check_removable(dir, victim, true)?;
        // SAFETY: As in `simple_unlink()`, for a directory with at least
        // two links and a parent with at least one; its children are
        // counted under their `d_lock`s.
        to_result(unsafe { bindings::simple_rmdir(dir.as_raw(), self.as_raw()) })
    }

    /// Checks what [`Entry::simple_unlink`] and [`Entry::simple_rmdir`]
    /// need: that the dentry is persistent (`d_make_discardable()` WARNs
    /// otherwise), that `dir` is its parent and `victim` its inode, a
    /// directory or not as `is_dir` says, and that the link counts they
    /// drop are not 0 already (`drop_nlink()` WARNs, and wraps).
    fn check_removable(
        &self,
        dir: &Locked<'_, T, Exclusive>,
        victim: &Locked<'_, T, Exclusive>,
        is_dir: bool,
    ) -> Result {
        let d = self.as_raw();
        // SAFETY: The dentry is pinned, and its parent stable (type
        // invariant); a positive dentry's inode is stable under its
        // parent's lock, which `dir` proves is held if it is the parent.
        let (parent, inode) = unsafe { ((*(*d).d_parent).d_inode, (*d).d_inode) };
        let links = if is_dir { 2 } else { 1 };
        if parent != dir.as_raw()
            || inode != victim.as_raw()
            || victim.is_dir() != is_dir
            || victim.nlink() < links
            || (is_dir && dir.nlink() == 0)
            || !self.is_persistent()
        {
            return Err(EINVAL);
        }
        Ok(())
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
/// [`NewEntry::make_persistent`], [`New::init_persistent`],
/// [`NewEntry::add_ci`] or (in `->lookup` only) [`NewEntry::miss_uncached`],
/// which consume it and give the [`Spliced`] proof the operation returns.
///
/// [`New::init_persistent`]: crate::fs::inode::New::init_persistent
///
/// # Invariants
///
/// `entry`'s dentry is negative and nobody else may instantiate it for `'a`:
/// it is in-lookup for the caller, or its parent is locked exclusively, or
/// shared with its name locked for an update.
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

    /// Attaches `inode` to the dentry and pins the dentry in the dcache
    /// (`d_make_persistent()`), for a file system whose namespace is the
    /// dcache, as ramfs's is: the dcache is then the only record of the
    /// name, and it keeps the dentry until [`Entry::simple_unlink`],
    /// [`Entry::simple_rmdir`] or [`simple_rename`] removes the name, or
    /// the superblock goes. `dir` must be the dentry's parent (`EINVAL`).
    ///
    /// Not for a directory (`EINVAL`): a directory has one name, and it
    /// gets it while it is new, from [`New::init_persistent`], when no other
    /// dentry can have it already.
    ///
    /// [`simple_rename`]: crate::fs::rename::simple_rename
    /// [`New::init_persistent`]: crate::fs::inode::New::init_persistent
    pub fn make_persistent(
        self,
        inode: InodeRef<'_, T>,
        dir: &Locked<'_, T, Exclusive>,
    ) -> Result<Spliced<'a, T>> {
        let d = self.entry.as_raw();
        // SAFETY: The dentry is pinned and its parent stable (type invariant).
        if unsafe { (*(*d).d_parent).d_inode } != dir.as_raw() || inode.is_dir() {
            return Err(EINVAL);
        }
        let raw = same_sb(Some(inode), d)?;
        // SAFETY: The dentry is negative and ours to instantiate, in any
        // of its states (type invariant), its parent is locked exclusively
        // (`dir`), and `d_make_persistent()` consumes the inode reference.
        // `self` is consumed, so this happens at most once.
        unsafe { bindings::d_make_persistent(d, raw) };
        Ok(Spliced(None))
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
    /// Not in a file system with parallel directory operations (`EINVAL`),
    /// whose names are locked through their hashed dentries.
    pub fn miss_uncached(self, lock: &LookupLock<'_, T>) -> Result<Spliced<'a, T>> {
        // SAFETY: The dentry is pinned and its parent stable (type invariant).
        let dir = unsafe { (*(*self.entry.as_raw()).d_parent).d_inode };
        if dir != lock.dir().as_raw() || self.state() == NegState::Hashed || par_dirops(dir) {
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
    /// for this very lookup. Not in a file system with parallel directory
    /// operations (`EINVAL`): the dentry it makes has no name lock.
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
        if shared != lock.is_shared()
            || dir != lock.dir().as_raw()
            || name == self.name()
            || par_dirops(dir)
        {
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

/// Whether the superblock of `dir`, a live inode, opted in to parallel
/// directory operations, where a name is locked through its hashed dentry:
/// a lookup must then hash the one it completes, or leave the name
/// unlocked ([`SuperBlock::set_par_dirops`]).
///
/// [`SuperBlock::set_par_dirops`]: crate::fs::SuperBlock::set_par_dirops
fn par_dirops(dir: *mut bindings::inode) -> bool {
    // SAFETY: `dir` is live (the caller's requirement), and so is its
    // superblock.
    unsafe { bindings::sb_par_dirops((*dir).i_sb) }
}

/// The proof that an operation completed the [`NewEntry`] it was given,
/// which is what `->lookup` and the creating operations return: only what
/// completes a [`NewEntry`], consuming it, makes one. It holds the dentry
/// the VFS must use instead of the one it passed, if any.
pub struct Spliced<'a, T: FileSystem>(Option<DentryRef<'a, T>>);

impl<T: FileSystem> Spliced<'_, T> {
    /// The proof for a [`NewEntry`] that was instantiated, and consumed, by
    /// the caller.
    pub(crate) fn instantiated() -> Self {
        Self(None)
    }

    /// The dentry used instead of the one given, if any.
    pub fn alias(&self) -> Option<&Dentry<T>> {
        self.0.as_deref()
    }

    /// Hands the replacement dentry, with its reference, to the VFS.
    pub(crate) fn into_raw(self) -> *mut bindings::dentry {
        self.0.map_or(core::ptr::null_mut(), DentryRef::into_raw)
    }
}
