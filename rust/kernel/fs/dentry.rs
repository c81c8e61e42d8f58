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
//!   VFS holds locked, exclusively or shared with the name locked for an
//!   update (or, for the source of a rename, whose inode it holds locked,
//!   which keeps the name too);
//! - [`NewEntry`]: a negative dentry handed to `->lookup` or to a creating
//!   operation, to be completed exactly once: with
//!   [`NewEntry::splice_alias`], or, in a file system whose namespace is the
//!   dcache, with [`NewEntry::make_persistent`], which pins it there until
//!   [`Entry::simple_unlink`] or [`Entry::simple_rmdir`] removes the name.
//!   It may be in-lookup, hashed or unhashed: both accept all three, so no
//!   operation calls `d_drop()` first. The operation returns the [`Spliced`]
//!   proof that only completing it gives, so it can neither forget to, nor
//!   hand the VFS another dentry;
//! - [`InLookup`]: an owned guard for a dentry this thread put in the
//!   in-lookup state with [`Dentry::alloc_noblock`] or
//!   [`Entry::duplicate`]. It gives exclusive
//!   rights to the name until it is consumed by [`InLookup::splice_alias`],
//!   under the parent's lock, or by [`InLookup::done`]; dropping it calls
//!   `d_lookup_done()`, so no path can leave a dentry in lookup.
//!
//! No Rust code runs in RCU-walk mode: the bindings install no
//! `->d_revalidate`, `->d_hash`, `->d_compare` or `->permission`.
//!
//! C headers: [`include/linux/dcache.h`](srctree/include/linux/dcache.h).

use crate::{
    bindings,
    fs::{FileSystem, Inode, InodeRef, SuperBlock},
    prelude::*,
    types::Opaque,
};
use core::{marker::PhantomData, mem::ManuallyDrop, ops::Deref, ptr::NonNull};

mod entry;
mod lookup;

pub use entry::{Entry, NegState, NewEntry, Spliced};
pub use lookup::{InLookup, LookupFlag, LookupFlags, NoBlockError, Parallel};

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
    /// dcache already has, without waiting: a lookup of the same name in
    /// progress elsewhere gives [`NoBlockError::WouldBlock`]
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
            // SAFETY: `d_alloc_noblock()` returned a dentry of this
            // superblock whose reference, and in-lookup state if it is in
            // lookup, we own.
            Ok(d) => unsafe { Parallel::from_raw(d) }.map_err(NoBlockError::Other),
            Err(e) if e == EAGAIN => Err(NoBlockError::WouldBlock),
            Err(e) => Err(NoBlockError::Other(e)),
        }
    }
}

/// Checks `name` as a single path component and wraps it in a `qstr`
/// (unhashed).
pub(crate) fn qstr(name: &[u8]) -> Result<bindings::qstr> {
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
pub(crate) fn make_qstr(name: &[u8], hash: u32) -> bindings::qstr {
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
pub(crate) fn from_err_ptr(p: *mut bindings::dentry) -> Result<*mut bindings::dentry> {
    crate::error::from_err_ptr(p)
}
