// SPDX-License-Identifier: GPL-2.0

//! Directory entries, and the states of a negative one during lookup.
//!
//! A [`Dentry`] is counted with `dget()`/`dput()` through a [`DentryRef`],
//! which, like an [`InodeRef`], cannot outlive the borrow of its superblock:
//! the VFS requires every dentry reference to be gone at unmount. A
//! dentry's name is only stable while its parent is locked or while it is
//! in-lookup, so names are read through views that carry that guarantee:
//!
//! - [`Entry`]: a dentry handed to a directory operation, whose parent the
//!   VFS holds locked (or, for the source of a rename, whose inode it holds
//!   locked, which keeps the name too);
//! - [`NewEntry`]: a negative dentry handed to `->lookup` or to a creating
//!   operation, to be completed exactly once with
//!   [`NewEntry::splice_alias`]. It may be in-lookup, hashed or unhashed:
//!   `d_splice_alias()` accepts all three, so no operation calls `d_drop()`
//!   first. The operation returns the [`Spliced`] proof that only completing
//!   it gives, so it can neither forget to, nor hand the VFS another dentry;
//! - [`InLookup`]: an owned guard for a dentry this thread put in the
//!   in-lookup state with [`Dentry::alloc_parallel`],
//!   [`Dentry::alloc_noblock`] or [`Entry::duplicate`]. It gives exclusive
//!   rights to the name until it is consumed by [`InLookup::splice_alias`],
//!   under the parent's lock, or by [`InLookup::done`]; dropping it calls
//!   `d_lookup_done()`, so no path can leave a dentry in lookup.
//!
//! No Rust code runs in RCU-walk mode: the bindings install no
//! `->d_revalidate`, `->d_hash`, `->d_compare` or `->permission`.
//!
//! C headers: [`include/linux/dcache.h`](srctree/include/linux/dcache.h).

use super::{
    filesystem::FileSystem,
    inode::{Exclusive, Inode, InodeRef, Locked, LookupLock, New, Params, RenameLocks, Type},
    sb::SuperBlock,
    xattr::InitXattrs, //
};
use crate::{bindings, prelude::*, types::Opaque};
use core::{cell::Cell, marker::PhantomData, mem::ManuallyDrop, ops::Deref, ptr::NonNull};

/// The longest name a dentry may have (`NAME_MAX`).
pub const NAME_MAX: usize = 255;

/// A directory entry of file system `T`.
///
/// # Invariants
///
/// `inner` is a live dentry of a superblock of file system `T`, pinned (a
/// reference is held, by a [`DentryRef`] or by a caller) while a
/// `&Dentry<T>` exists.
#[repr(transparent)]
pub struct Dentry<T: FileSystem> {
    inner: Opaque<bindings::dentry>,
    _p: PhantomData<T>,
}

// SAFETY: Dentries are shared between all threads by the VFS; the methods of
// `Dentry` take the locks they need.
unsafe impl<T: FileSystem> Send for Dentry<T> {}
// SAFETY: As above.
unsafe impl<T: FileSystem> Sync for Dentry<T> {}

/// A counted reference to a dentry, for as long as its superblock is
/// borrowed. Dropping it calls `dput()`, which may sleep.
///
/// # Invariants
///
/// `dentry` is a live dentry of file system `T` on the superblock borrowed
/// for `'a`, and we own one reference to it.
pub struct DentryRef<'a, T: FileSystem> {
    dentry: NonNull<Dentry<T>>,
    _p: PhantomData<&'a SuperBlock<T>>,
}

// SAFETY: The reference may be dropped on any thread; `Dentry` is `Sync`.
unsafe impl<T: FileSystem> Send for DentryRef<'_, T> {}
// SAFETY: `&DentryRef` only gives `&Dentry`, which is `Sync`.
unsafe impl<T: FileSystem> Sync for DentryRef<'_, T> {}

impl<T: FileSystem> DentryRef<'_, T> {
    /// Takes over a reference the caller owns.
    ///
    /// # Safety
    ///
    /// `d` must be a dentry of file system `T`, on a superblock that outlives
    /// the result, whose reference the caller owns.
    unsafe fn from_raw(d: NonNull<bindings::dentry>) -> Self {
        // INVARIANT: By the safety requirements.
        Self {
            dentry: d.cast(),
            _p: PhantomData,
        }
    }

    /// Hands the reference over to the caller.
    fn into_raw(self) -> *mut bindings::dentry {
        ManuallyDrop::new(self).dentry.as_ptr().cast()
    }
}

impl<T: FileSystem> Deref for DentryRef<'_, T> {
    type Target = Dentry<T>;

    fn deref(&self) -> &Dentry<T> {
        // SAFETY: We hold a reference (type invariant).
        unsafe { self.dentry.as_ref() }
    }
}

impl<T: FileSystem> Clone for DentryRef<'_, T> {
    fn clone(&self) -> Self {
        // SAFETY: We hold a reference, as `dget()` requires.
        unsafe { bindings::dget(self.as_raw()) };
        // INVARIANT: `dget()` took the reference the clone owns.
        Self {
            dentry: self.dentry,
            _p: PhantomData,
        }
    }
}

impl<T: FileSystem> Drop for DentryRef<'_, T> {
    fn drop(&mut self) {
        // SAFETY: We own the reference being dropped (type invariant).
        unsafe { bindings::dput(self.as_raw()) };
    }
}

impl<T: FileSystem> Dentry<T> {
    /// Creates a reference from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a dentry of file system `T` that stays pinned for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::dentry) -> &'a Self {
        // SAFETY: By the safety requirements, and `Self` is `repr(transparent)`.
        unsafe { &*ptr.cast() }
    }

    /// Returns the raw `struct dentry`.
    pub fn as_raw(&self) -> *mut bindings::dentry {
        self.inner.get()
    }

    /// Takes a counted reference (`dget()`).
    pub fn get_ref(&self) -> DentryRef<'_, T> {
        // SAFETY: The dentry is pinned (type invariant), as `dget()` requires.
        unsafe { bindings::dget(self.as_raw()) };
        // SAFETY: `dget()` took the reference; the superblock outlives the
        // borrow of `self`, which pins it.
        unsafe { DentryRef::from_raw(NonNull::from(self).cast()) }
    }

    /// The superblock.
    pub fn super_block(&self) -> &SuperBlock<T> {
        // SAFETY: `d_sb` is immutable, a dentry pins its superblock, and
        // dentries exist only on `Ready` superblocks.
        unsafe { SuperBlock::from_raw((*self.as_raw()).d_sb) }
    }

    /// The inode, or `None` for a negative dentry.
    ///
    /// A pinned positive dentry keeps its inode: `d_delete()` only makes a
    /// dentry negative when its last user is the unlinker itself.
    pub fn inode(&self) -> Option<&Inode<T>> {
        // SAFETY: `d_inode` is read racily, as `d_inode()` does; a non-null
        // inode is initialised (dentries are instantiated only with
        // initialised inodes) and pinned by the dentry while it is.
        unsafe {
            let inode = core::ptr::read_volatile(&raw const (*self.as_raw()).d_inode);
            (!inode.is_null()).then(|| Inode::from_raw(inode))
        }
    }

    /// Checks that this is a directory, which the `d_alloc_*()` functions
    /// require of a parent: they use its `i_dir_seq`, which other inode
    /// types overlay with other fields.
    fn check_dir(&self) -> Result {
        // SAFETY: The dentry is pinned; its type bits are read racily, as
        // `d_can_lookup()` does, and a directory stays one.
        let flags = unsafe { core::ptr::read_volatile(&raw const (*self.as_raw()).d_flags) };
        if flags & bindings::dentry_flags_DCACHE_ENTRY_TYPE
            != bindings::dentry_flags_DCACHE_DIRECTORY_TYPE
        {
            return Err(ENOTDIR);
        }
        Ok(())
    }

    /// Allocates a dentry for `name` in this directory, or finds the one the
    /// dcache already has, waiting for a lookup of the same name in
    /// progress elsewhere (`d_alloc_parallel()`).
    ///
    /// The caller must not hold this directory's lock, nor anything a
    /// lookup of the name might need.
    pub fn alloc_parallel(&self, name: &[u8]) -> Result<Parallel<'_, T>> {
        self.check_dir()?;
        let q = self.hashed_name(name)?;
        // SAFETY: We hold a reference to the parent, a directory, and `q` is
        // a valid, hashed name that outlives the call.
        let d = unsafe { bindings::d_alloc_parallel(self.as_raw(), &q) };
        // SAFETY: `d_alloc_parallel()` returned a dentry of this superblock
        // we own a reference to, or an error.
        unsafe { Parallel::from_raw(from_err_ptr(d)?) }
    }

    /// Like [`Dentry::alloc_parallel`], but never waits: a lookup of the same
    /// name in progress elsewhere gives [`NoBlockError::WouldBlock`]
    /// (`d_alloc_noblock()`). Meant for callers that hold the directory's
    /// lock, such as readdir priming the dcache.
    ///
    /// A [`NewEntry`] does not give its parent's dentry, so a `->lookup` or
    /// a creating operation cannot reach this for its own name. Its dentry
    /// may be neither hashed nor in lookup (a lookup that
    /// `lookup_one_qstr_excl()` runs, or a miss left uncached), so this
    /// would make a second dentry for the name, and splicing both would
    /// hash two positive dentries for one name.
    pub fn alloc_noblock(&self, name: &[u8]) -> Result<Parallel<'_, T>, NoBlockError> {
        self.check_dir().map_err(NoBlockError::Other)?;
        let mut q = qstr(name).map_err(NoBlockError::Other)?;
        // SAFETY: We hold a reference to the parent, a directory; `q`
        // outlives the call.
        let d = unsafe { bindings::d_alloc_noblock(self.as_raw(), &mut q) };
        match from_err_ptr(d) {
            // SAFETY: As in `alloc_parallel()`.
            Ok(d) => unsafe { Parallel::from_raw(d) }.map_err(NoBlockError::Other),
            Err(e) if e == EAGAIN => Err(NoBlockError::WouldBlock),
            Err(e) => Err(NoBlockError::Other(e)),
        }
    }

    /// Like [`Dentry::alloc_noblock`], but on `WouldBlock` also returns the
    /// in-lookup dentry that blocked it (`d_alloc_noblock_return()`). That
    /// dentry belongs to another lookup: it may only be inspected and
    /// dropped, which is all a [`Blocker`] allows.
    pub fn alloc_noblock_return(
        &self,
        name: &[u8],
    ) -> Result<Parallel<'_, T>, NoBlockReturn<'_, T>> {
        self.check_dir().map_err(NoBlockReturn::Other)?;
        let mut q = qstr(name).map_err(NoBlockReturn::Other)?;
        let mut blocker = core::ptr::null_mut();
        // SAFETY: As in `alloc_noblock()`; `blocker` is valid for writes.
        let d = unsafe { bindings::d_alloc_noblock_return(self.as_raw(), &mut q, &mut blocker) };
        // SAFETY: If non-null, `blocker` is a dentry of this superblock whose
        // reference we now own, whatever the result.
        let blocker = NonNull::new(blocker).map(|b| Blocker(unsafe { DentryRef::from_raw(b) }));
        match (from_err_ptr(d), blocker) {
            // SAFETY: As in `alloc_parallel()`.
            (Ok(d), _) => unsafe { Parallel::from_raw(d) }.map_err(NoBlockReturn::Other),
            (Err(e), Some(b)) if e == EAGAIN => Err(NoBlockReturn::WouldBlock(b)),
            (Err(e), _) => Err(NoBlockReturn::Other(e)),
        }
    }

    /// Makes a `qstr` for `name` in this directory with its hash set, as
    /// `d_alloc_parallel()` requires: as `lookup_noperm_common()` does, the
    /// default hash, adjusted by the parent's `->d_hash` if it has one.
    fn hashed_name(&self, name: &[u8]) -> Result<bindings::qstr> {
        qstr(name)?;
        let d = self.as_raw();
        // SAFETY: The dentry is pinned; `d_op` and its flag are set when it
        // is instantiated, before anyone can look names up in it.
        unsafe {
            let h = bindings::full_name_hash(d.cast(), name.as_ptr().cast(), name.len() as u32);
            let mut q = make_qstr(name, h);
            let flags = core::ptr::read_volatile(&raw const (*d).d_flags);
            if flags & bindings::dentry_flags_DCACHE_OP_HASH != 0 {
                let hash = (*(*d).d_op).d_hash.ok_or(EINVAL)?;
                crate::error::to_result(hash(d, &mut q))?;
            }
            Ok(q)
        }
    }
}

/// Checks `name` as a single path component and wraps it in a `qstr`
/// (unhashed).
fn qstr(name: &[u8]) -> Result<bindings::qstr> {
    if name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') || name.contains(&0)
    {
        return Err(EINVAL);
    }
    if name.len() > NAME_MAX {
        return Err(ENAMETOOLONG);
    }
    Ok(make_qstr(name, 0))
}

/// A `qstr` for `name` with hash `hash`; it borrows `name`.
fn make_qstr(name: &[u8], hash: u32) -> bindings::qstr {
    bindings::qstr {
        __bindgen_anon_1: bindings::qstr__bindgen_ty_1 {
            __bindgen_anon_1: bindings::qstr__bindgen_ty_1__bindgen_ty_1 {
                hash,
                len: name.len() as u32,
            },
        },
        name: name.as_ptr(),
    }
}

/// The result of [`Dentry::alloc_parallel`] and [`Dentry::alloc_noblock`].
pub enum Parallel<'a, T: FileSystem> {
    /// A new in-lookup dentry: this thread must complete the lookup.
    InLookup(InLookup<'a, T>),
    /// The dcache already had the name (positive or negative), possibly
    /// after waiting for another lookup to complete it.
    Found(DentryRef<'a, T>),
}

impl<T: FileSystem> Parallel<'_, T> {
    /// # Safety
    ///
    /// `d` must be a dentry of file system `T` whose reference the caller
    /// owns, returned by one of the `d_alloc_*()` functions: if it is
    /// in-lookup, the caller owns that state.
    unsafe fn from_raw(d: *mut bindings::dentry) -> Result<Self> {
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

/// Why [`Dentry::alloc_noblock_return`] did not return a dentry.
pub enum NoBlockReturn<'a, T: FileSystem> {
    /// Another lookup of the name is in progress; here is its dentry.
    WouldBlock(Blocker<'a, T>),
    /// Any other error.
    Other(Error),
}

/// The in-lookup dentry of another thread's lookup, from
/// [`Dentry::alloc_noblock_return`]. It may be inspected and dropped, not
/// instantiated: the lookup is not ours.
pub struct Blocker<'a, T: FileSystem>(DentryRef<'a, T>);

impl<T: FileSystem> Blocker<'_, T> {
    /// The dentry, for inspection.
    pub fn dentry(&self) -> &Dentry<T> {
        &self.0
    }
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

/// Returns the name of a dentry.
///
/// # Safety
///
/// `d` must be pinned, with its name stable for `'a`.
unsafe fn name_of<'a>(d: *mut bindings::dentry) -> &'a [u8] {
    // SAFETY: By the safety requirements, `d_name` does not change.
    unsafe {
        let q = &(*d).__bindgen_anon_1.d_name;
        core::slice::from_raw_parts(q.name, q.__bindgen_anon_1.__bindgen_anon_1.len as usize)
    }
}

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
    pub fn name(&self) -> &[u8] {
        // SAFETY: The name is stable for `'a` (type invariant), and only a
        // silly-rename, which borrows the entry mutably, changes it.
        unsafe { name_of(self.dentry.as_raw()) }
    }

    /// Makes an in-lookup duplicate of this dentry, the source of the rename
    /// in progress, with the same parent and name (`d_duplicate()`), for a
    /// whiteout: once the source is moved away, lookups of the name wait
    /// for the duplicate rather than finding the name free. `parent` is the
    /// parent's exclusive lock. Not for an exchange (`EINVAL`), and only
    /// once (`EBUSY`).
    ///
    /// Once filled ([`Duplicate::fill`]), the rename owns the duplicate: it is
    /// instantiated only if the rename succeeds, and its lookup ended in any
    /// case, so that the source and a filled duplicate are never both left
    /// hashed. Dropped unfilled, it ends its lookup at once.
    pub fn duplicate<'r>(
        &self,
        parent: &Locked<'_, T, Exclusive>,
        renaming: &'r RenameLocks<'r, T>,
    ) -> Result<Duplicate<'r, T>> {
        // SAFETY: The dentry is pinned; `d_parent` is stable (type invariant).
        let dir = unsafe { (*(*self.as_raw()).d_parent).d_inode };
        // SAFETY: The dentry is pinned, and hashed unless it was just
        // deleted, which `d_unhashed()` tells.
        let unhashed = unsafe { bindings::d_unhashed(self.as_raw()) };
        if self.as_raw() != renaming.old || renaming.exchange || dir != parent.as_raw() || unhashed
        {
            return Err(EINVAL);
        }
        let st = &renaming.state;
        if st.whiteout_taken.get() {
            return Err(EBUSY);
        }
        // SAFETY: The dentry is hashed, we hold a reference and, as `parent`
        // proves, its parent's lock exclusively.
        let d = from_err_ptr(unsafe { bindings::d_duplicate(self.as_raw()) })?;
        st.whiteout_taken.set(true);
        // INVARIANT: `d_duplicate()` returns a new in-lookup dentry whose
        // reference and in-lookup state are ours.
        Ok(Duplicate {
            guard: InLookup {
                // SAFETY: As above, on this dentry's superblock.
                dentry: unsafe { DentryRef::from_raw(NonNull::new(d).ok_or(ENOMEM)?) },
            },
            renaming,
        })
    }
}

impl<'a, T: FileSystem> Entry<'a, T> {
    /// Whether anything but the rename in progress holds this dentry, its
    /// target: an open file, a working directory, a path walk. This is
    /// NFS's test for a silly-rename (`d_count() > 2`: the caller's
    /// reference and `vfs_rename()`'s), and only a hint, as there: RCU path
    /// walks take references without the parent's lock. Always `false` for
    /// another dentry.
    pub fn in_use(&self, renaming: &RenameLocks<'_, T>) -> bool {
        if self.as_raw() != renaming.new {
            return false;
        }
        // SAFETY: The dentry is pinned; the count is read racily, as NFS
        // does. `count` is a field of the lockref in every configuration.
        let count = unsafe {
            core::ptr::read_volatile(
                &raw const (*self.as_raw())
                    .d_lockref
                    .__bindgen_anon_1
                    .__bindgen_anon_1
                    .count,
            )
        };
        count > 2
    }

    /// Prepares a silly-rename of this dentry, the positive target of the
    /// rename in progress, to a new name in the same directory, as NFS does
    /// for a target still in use: the target dentry is moved to that name,
    /// and the source takes the place of an in-lookup duplicate of the
    /// target (`d_duplicate()`), so the target's name never looks free to a
    /// lookup. `dir` is the directory's exclusive lock.
    ///
    /// `candidates` gives the names to try, free in the file system's
    /// namespace, until it returns `None` (`EBUSY`): a name being looked up
    /// (`d_alloc_noblock()` would block), or positive in the dcache, is
    /// skipped. The last name it gave is the one taken.
    ///
    /// Nothing changes until [`SillyRename::commit`]; the file system moves
    /// the object in its own namespace in between. After a commit, the
    /// bindings move the source onto the duplicate if the rename succeeds,
    /// and end the duplicate's lookup in any case. Not for a directory, nor
    /// an exchange (`EINVAL`), and only once per rename (`EBUSY`).
    pub fn silly_rename<'s, N: AsRef<[u8]>>(
        &'s mut self,
        dir: &Locked<'_, T, Exclusive>,
        renaming: &'s RenameLocks<'s, T>,
        mut candidates: impl FnMut() -> Option<N>,
    ) -> Result<SillyRename<'s, 'a, T>> {
        match self.inode() {
            Some(i) if self.as_raw() == renaming.new && !renaming.exchange && !i.is_dir() => {}
            _ => return Err(EINVAL),
        }
        // SAFETY: The dentry is pinned; `d_parent` is stable (type invariant).
        let parent_raw = unsafe { (*self.as_raw()).d_parent };
        // SAFETY: As above, and the parent's inode is the directory;
        // `d_duplicate()` needs the target hashed.
        if unsafe { (*parent_raw).d_inode != dir.as_raw() || bindings::d_unhashed(self.as_raw()) } {
            return Err(EINVAL);
        }
        let st = &renaming.state;
        if st.silly_taken.get() {
            return Err(EBUSY);
        }
        // SAFETY: The parent is pinned by the dentry.
        let parent = unsafe { Dentry::<T>::from_raw(parent_raw) };
        let to = loop {
            let name = candidates().ok_or(EBUSY)?;
            match parent.alloc_noblock(name.as_ref()) {
                Ok(Parallel::Found(d)) if d.inode().is_some() => continue,
                Ok(p) => break p,
                Err(NoBlockError::WouldBlock) => continue,
                Err(NoBlockError::Other(err)) => return Err(err),
            }
        };
        // SAFETY: The target is hashed (it has not been moved: this is the
        // first silly-rename), we hold a reference and, as `dir` proves, its
        // parent's lock exclusively.
        let d = from_err_ptr(unsafe { bindings::d_duplicate(self.as_raw()) })?;
        st.silly_taken.set(true);
        // INVARIANT: As in `duplicate()`.
        let dup = InLookup {
            // SAFETY: As in `duplicate()`.
            dentry: unsafe { DentryRef::from_raw(NonNull::new(d).ok_or(ENOMEM)?) },
        };
        Ok(SillyRename {
            target: self,
            renaming,
            dup,
            to,
        })
    }
}

/// A silly-rename being prepared, from [`Entry::silly_rename`]. It holds
/// the target entry, whose name changes when it is committed. Dropping it
/// uncommitted changes nothing: it ends the lookups of the duplicate and of
/// the new name.
///
/// # Invariants
///
/// `dup` is an in-lookup duplicate of `target`, and `to` a negative dentry
/// in the same directory, hashed or in-lookup for us.
pub struct SillyRename<'s, 'a, T: FileSystem> {
    target: &'s mut Entry<'a, T>,
    renaming: &'s RenameLocks<'s, T>,
    dup: InLookup<'s, T>,
    to: Parallel<'s, T>,
}

impl<T: FileSystem> SillyRename<'_, '_, T> {
    /// The target's name, before the silly-rename.
    pub fn name(&self) -> &[u8] {
        self.target.name()
    }

    /// Moves the target dentry to its new name (`d_move()`). Call it once
    /// the file system has moved the object too; when the rename then
    /// succeeds, the bindings move the source onto the duplicate.
    pub fn commit(self) {
        let to = match &self.to {
            Parallel::InLookup(g) => g.dentry.as_raw(),
            Parallel::Found(d) => d.as_raw(),
        };
        // SAFETY: Both dentries are pinned, in the same directory, whose
        // lock the rename holds exclusively, as it does the target's inode
        // lock; `d_move()` ends `to`'s in-lookup state, if any, so dropping
        // `to` only puts it.
        unsafe { bindings::d_move(self.target.as_raw(), to) };
        // The rename trampoline moves the source onto the duplicate, and
        // ends its lookup.
        // INVARIANT: The reference and the in-lookup state move into the
        // state.
        let dup = ManuallyDrop::new(self.dup).dentry.as_raw();
        self.renaming.state.silly_dup.set(dup);
    }
}

/// What a rename did to the dcache besides the move of its source: owned
/// by the rename trampoline, so that it is completed or undone whatever the
/// file system's callback returns or forgets.
///
/// # Invariants
///
/// `whiteout_dup` and `silly_dup`, if not null, are in-lookup duplicates
/// whose reference and in-lookup state this owns (until a `d_move()` onto
/// them ends the latter). `whiteout_inode`, if not null, is an initialised
/// inode whose reference this owns, and `whiteout_dup` is not null.
///
/// Cells, not a `RefCell`: the file system's callbacks run while the state
/// is in use, and must not be able to make the bindings panic.
pub(crate) struct RenameState {
    /// Whether [`Entry::duplicate`] was called.
    pub(crate) whiteout_taken: Cell<bool>,
    /// A filled whiteout: the duplicate and its inode.
    pub(crate) whiteout_dup: Cell<*mut bindings::dentry>,
    pub(crate) whiteout_inode: Cell<*mut bindings::inode>,
    /// Whether [`Entry::silly_rename`] succeeded.
    pub(crate) silly_taken: Cell<bool>,
    /// A committed silly-rename: the target's duplicate.
    pub(crate) silly_dup: Cell<*mut bindings::dentry>,
}

impl RenameState {
    pub(crate) const fn new() -> Self {
        Self {
            whiteout_taken: Cell::new(false),
            whiteout_dup: Cell::new(core::ptr::null_mut()),
            whiteout_inode: Cell::new(core::ptr::null_mut()),
            silly_taken: Cell::new(false),
            silly_dup: Cell::new(core::ptr::null_mut()),
        }
    }

    /// Ends a committed silly-rename's lookup and drops its reference.
    pub(crate) fn end_silly(&self) {
        let dup = self.silly_dup.replace(core::ptr::null_mut());
        if !dup.is_null() {
            // SAFETY: We owned the reference and any in-lookup state (type
            // invariant); `d_lookup_done()` is a no-op on a dentry that was
            // moved onto.
            unsafe {
                bindings::d_lookup_done(dup);
                bindings::dput(dup);
            }
        }
    }

    /// Completes the whiteout if `ok`, and in any case ends its lookup and
    /// drops its references. `ok` requires the source's parent locked.
    pub(crate) fn end_whiteout(&self, ok: bool) {
        let dup = self.whiteout_dup.replace(core::ptr::null_mut());
        let inode = self.whiteout_inode.replace(core::ptr::null_mut());
        if dup.is_null() {
            return;
        }
        if ok {
            // SAFETY: The duplicate is negative and in-lookup, its parent
            // locked (by the caller); `d_splice_alias()` consumes the
            // reference to the inode, not a directory (`Duplicate::fill()`),
            // so it instantiates the duplicate and returns no alias.
            let alias = unsafe { bindings::d_splice_alias(inode, dup) };
            if !alias.is_null() && from_err_ptr(alias).is_ok() {
                // SAFETY: Should an alias come back anyway, its reference
                // is ours.
                unsafe { bindings::dput(alias) };
            }
        } else {
            // SAFETY: We owned the reference (type invariant). The inode
            // never got the name it was made for: it goes with no links, as
            // a created inode does when its creation fails.
            unsafe {
                bindings::clear_nlink(inode);
                bindings::iput(inode);
            }
        }
        // SAFETY: As in `end_silly()`.
        unsafe {
            bindings::d_lookup_done(dup);
            bindings::dput(dup);
        }
    }
}

/// The in-lookup duplicate of the source of a rename, from
/// [`Entry::duplicate`]. Dropping it unfilled ends its lookup.
pub struct Duplicate<'r, T: FileSystem> {
    guard: InLookup<'r, T>,
    renaming: &'r RenameLocks<'r, T>,
}

impl<T: FileSystem> Duplicate<'_, T> {
    /// Sets `new` up with `params` and lets the LSMs label it, as
    /// [`New::init_created`] does under the duplicate's name, to fill the
    /// duplicate with once the rename has succeeded. If the rename fails,
    /// the inode goes with no links instead, so `params` must give it the
    /// one link the name would. Not for a directory (`EINVAL`): once set
    /// up, the inode is in the inode cache, and a directory found there by
    /// a lookup elsewhere would be moved onto the duplicate by
    /// `d_splice_alias()`. `new` must be of this superblock (`EXDEV`).
    ///
    /// Call it before making any change the rename cannot undo: the LSMs
    /// may refuse the label.
    pub fn fill(self, new: New<'_, T>, params: Params<'_, T>, store: InitXattrs<'_>) -> Result {
        if matches!(params.typ, Type::Dir(..)) {
            return Err(EINVAL);
        }
        let d = self.guard.dentry.as_raw();
        // SAFETY: The duplicate is pinned; `d_sb` never changes.
        if new.sb_raw() != unsafe { (*d).d_sb } {
            return Err(EXDEV);
        }
        // SAFETY: The duplicate is pinned and in-lookup, so its parent and
        // name are stable.
        let (dir, name) = unsafe {
            (
                (*(*d).d_parent).d_inode,
                &raw const (*d).__bindgen_anon_1.d_name,
            )
        };
        // SAFETY: `dir` is pinned by the duplicate, and `name` valid while
        // the duplicate is ours.
        let inode = unsafe { new.init_secure(params, dir, name, store) }?;
        let st = &self.renaming.state;
        // INVARIANT: Both references, and the in-lookup state, move into the
        // state, which had none (`whiteout_taken`).
        st.whiteout_inode.set(inode.into_raw());
        st.whiteout_dup
            .set(ManuallyDrop::new(self.guard).dentry.as_raw());
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
        let shared = flags.contains(LookupFlags::SHARED);
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
        let res = unsafe { bindings::d_add_ci(self.entry.as_raw(), inode, &mut q, flags.0) };
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

/// Hands over `inode`'s reference if it is on `dentry`'s superblock; drops
/// it and fails otherwise.
fn same_sb<T: FileSystem>(
    inode: Option<InodeRef<'_, T>>,
    dentry: *mut bindings::dentry,
) -> Result<*mut bindings::inode> {
    let Some(inode) = inode else {
        return Ok(core::ptr::null_mut());
    };
    // SAFETY: The dentry is pinned by the caller; `d_sb` never changes.
    if unsafe { (*dentry).d_sb } != inode.super_block().as_raw() {
        return Err(EXDEV);
    }
    Ok(inode.into_raw())
}

/// Converts an `ERR_PTR` into an error, passing `NULL` through.
fn from_err_ptr(p: *mut bindings::dentry) -> Result<*mut bindings::dentry> {
    crate::error::from_err_ptr(p)
}

/// The flags of a lookup (`LOOKUP_*`), as handed to `->lookup`.
///
/// # Examples
///
/// Each flag is its own bit, so a lookup's flags tell them apart:
///
/// ```
/// use kernel::fs::dentry::LookupFlags;
///
/// let all = [
///     LookupFlags::SHARED,
///     LookupFlags::CREATE,
///     LookupFlags::EXCL,
///     LookupFlags::RENAME_TARGET,
/// ];
/// for (i, a) in all.iter().enumerate() {
///     assert_eq!(a.bits().count_ones(), 1);
///     for (j, b) in all.iter().enumerate() {
///         assert_eq!(a.contains(*b), i == j);
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookupFlags(u32);

impl LookupFlags {
    /// The parent is locked shared (`LOOKUP_SHARED`).
    pub const SHARED: Self = Self(bindings::LOOKUP_SHARED);
    /// The lookup is for creating the object (`LOOKUP_CREATE`).
    pub const CREATE: Self = Self(bindings::LOOKUP_CREATE);
    /// The object must not exist (`LOOKUP_EXCL`).
    pub const EXCL: Self = Self(bindings::LOOKUP_EXCL);
    /// The lookup is for a rename target (`LOOKUP_RENAME_TARGET`).
    pub const RENAME_TARGET: Self = Self(bindings::LOOKUP_RENAME_TARGET);

    pub(crate) fn from_raw(flags: u32) -> Self {
        Self(flags)
    }

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The raw flags.
    pub fn bits(self) -> u32 {
        self.0
    }
}

/// The flags of `renameat2(2)` (`RENAME_*`).
///
/// # Examples
///
/// A file system that knows only `RENAME_NOREPLACE` refuses the others:
///
/// ```
/// use kernel::fs::dentry::RenameFlags;
///
/// let known = [RenameFlags::NOREPLACE];
/// assert_eq!(RenameFlags::NOREPLACE.unknown(&known), 0);
/// assert_ne!(RenameFlags::WHITEOUT.unknown(&known), 0);
/// assert!(RenameFlags::EXCHANGE.contains(RenameFlags::EXCHANGE));
/// assert!(!RenameFlags::EXCHANGE.contains(RenameFlags::NOREPLACE));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenameFlags(u32);

impl RenameFlags {
    /// Fail if the target exists (`RENAME_NOREPLACE`).
    pub const NOREPLACE: Self = Self(bindings::RENAME_NOREPLACE);
    /// Swap source and target (`RENAME_EXCHANGE`).
    pub const EXCHANGE: Self = Self(bindings::RENAME_EXCHANGE);
    /// Leave a whiteout at the source (`RENAME_WHITEOUT`).
    pub const WHITEOUT: Self = Self(bindings::RENAME_WHITEOUT);

    pub(crate) fn from_raw(flags: u32) -> Self {
        Self(flags)
    }

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no flags are set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The flags that are not in `known`.
    pub fn unknown(self, known: &[Self]) -> u32 {
        known.iter().fold(self.0, |f, k| f & !k.0)
    }
}
