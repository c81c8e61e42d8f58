// SPDX-License-Identifier: GPL-2.0

//! Inodes, and the operations on them.
//!
//! An [`Inode`] carries per-file-system data of type
//! [`FileSystem::InodeData`], co-allocated with the `struct inode` in an
//! inode cache that [`Registration`](super::Registration) owns. The data is
//! dropped when the inode is evicted, and the memory is freed through the
//! RCU-delayed `->free_inode`, so RCU path walkers that still look at the
//! inode never see freed memory.
//!
//! Inodes are reached through a counted [`InodeRef`], or borrowed from a
//! dentry or a callback; no `&mut Inode` is ever handed out, since other
//! threads may hold references at any time. A freshly allocated inode is a
//! [`New`]: it is locked (`I_NEW`), invisible to other lookups until
//! initialised, and dropping it without initialisation calls `iget_failed()`.
//! An inode's `i_rwsem` is held through a [`Locked`] token, which is what
//! lets a callback change the inode.
//!
//! Each inode gets the operation tables of its type, as in C: an
//! [`Ops`] built from an [`Operations`] implementation for directories and
//! regular files, a [`dir::Ops`](super::dir::Ops) or the page-cache file
//! operations, and an [`address_space::Ops`](super::address_space::Ops).
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h).

use super::{dir::DirType, sb::SuperBlock, FileSystem};
use crate::{
    bindings,
    error::to_result,
    impl_flags,
    page::PAGE_SIZE,
    prelude::*,
    sync::atomic::Relaxed,
    task::{Kgid, Kuid},
    types::{ForeignOwnable, Opaque},
};
use core::{marker::PhantomData, mem::ManuallyDrop, ops::Deref, ptr::NonNull};

mod cache;
mod lock;
mod mode;
mod new;
mod ops;
mod stat;
mod tmpfile;

pub(crate) use cache::{InodeCache, InodeWithData};
pub use lock::{Exclusive, LockMode, Locked, LookupLock, Shared, Update};
pub use mode::{Dev, Mode};
pub use new::{Iget, New, Params, Type};
pub use ops::{Operations, Ops};
pub use stat::Kstat;
pub use tmpfile::{Opened, TmpFile};

/// An inode of file system `T`.
///
/// # Invariants
///
/// `inner` is a live inode of a superblock of file system `T`, allocated by
/// that file system's inode cache (so it is the `inode` field of an
/// `InodeWithData`), with `i_count >= 1` or the inode otherwise pinned
/// (for example by a dentry or a callback) while a `&Inode<T>` exists. Its
/// data is initialised unless the inode is still `I_NEW`, and no `&Inode<T>`
/// to an `I_NEW` inode is handed out.
#[repr(transparent)]
pub struct Inode<T: FileSystem> {
    inner: Opaque<bindings::inode>,
    _p: PhantomData<T>,
}

// SAFETY: Inodes are shared between all threads by the VFS, and every method
// of `Inode` takes whatever lock the field it touches requires; the data is
// `Send + Sync`.
unsafe impl<T: FileSystem> Send for Inode<T> {}
// SAFETY: As above.
unsafe impl<T: FileSystem> Sync for Inode<T> {}

/// A timestamp: seconds and nanoseconds since the epoch.
#[derive(Copy, Clone, Default, PartialEq, Eq, Debug)]
pub struct Time {
    /// Seconds.
    pub sec: i64,
    /// Nanoseconds, below one billion.
    pub nsec: u32,
}

impl Time {
    /// The current time, as the VFS stamps files (coarse-grained).
    pub fn now() -> Self {
        let mut ts = bindings::timespec64::default();
        // SAFETY: `ts` is valid for writes.
        unsafe { bindings::ktime_get_coarse_real_ts64(&mut ts) };
        Self {
            sec: ts.tv_sec,
            nsec: ts.tv_nsec as u32,
        }
    }
}

impl_flags!(
    /// The inode flags users set with `chattr(1)` (`FS_IOC_SETFLAGS`), of
    /// those tmpfs has; the VFS enforces them.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct InodeFlags(u32);

    /// One inode flag.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum InodeFlag {
        /// Opened for writing only to append (`FS_APPEND_FL`, `chattr +a`).
        Append = bindings::FS_APPEND_FL,
        /// No change at all (`FS_IMMUTABLE_FL`, `chattr +i`).
        Immutable = bindings::FS_IMMUTABLE_FL,
        /// No access-time updates (`FS_NOATIME_FL`, `chattr +A`).
        NoAtime = bindings::FS_NOATIME_FL,
        /// Skipped by dump(8) (`FS_NODUMP_FL`, `chattr +d`); no other effect.
        NoDump = bindings::FS_NODUMP_FL,
    }
);

impl InodeFlags {
    const ALL: u32 = bindings::FS_APPEND_FL
        | bindings::FS_IMMUTABLE_FL
        | bindings::FS_NOATIME_FL
        | bindings::FS_NODUMP_FL;

    /// The `STATX_ATTR_*` attributes some of these flags stand for.
    const STATX_ATTRIBUTES_MASK: u64 = (bindings::STATX_ATTR_APPEND
        | bindings::STATX_ATTR_IMMUTABLE
        | bindings::STATX_ATTR_NODUMP) as u64;

    /// The `STATX_ATTR_*` attributes that stand for these flags.
    fn statx_attributes(self) -> u64 {
        let mut a = 0;
        if self.contains(InodeFlag::Append) {
            a |= bindings::STATX_ATTR_APPEND;
        }
        if self.contains(InodeFlag::Immutable) {
            a |= bindings::STATX_ATTR_IMMUTABLE;
        }
        if self.contains(InodeFlag::NoDump) {
            a |= bindings::STATX_ATTR_NODUMP;
        }
        a.into()
    }

    /// The flags a new inode takes from its directory, as on tmpfs
    /// (`SHMEM_FL_INHERITED`).
    pub fn inherited(self) -> Self {
        self & (InodeFlag::NoDump | InodeFlag::NoAtime)
    }

    /// The `S_*` flags of `i_flags` that stand for these flags.
    fn i_flags(self) -> c_uint {
        let mut f = 0;
        if self.contains(InodeFlag::Append) {
            f |= bindings::S_APPEND;
        }
        if self.contains(InodeFlag::Immutable) {
            f |= bindings::S_IMMUTABLE;
        }
        if self.contains(InodeFlag::NoAtime) {
            f |= bindings::S_NOATIME;
        }
        f
    }
}

/// The attributes of an inode that a file system stores.
#[derive(Copy, Clone)]
pub struct Attrs {
    /// The permission bits, with `S_ISUID`, `S_ISGID` and `S_ISVTX`.
    pub mode: u16,
    /// The owner.
    pub uid: Kuid,
    /// The group.
    pub gid: Kgid,
    /// The number of links.
    pub nlink: u32,
    /// The size in bytes, from 0 to the superblock's maximum file size.
    pub size: i64,
    /// Last access.
    pub atime: Time,
    /// Last modification of the contents.
    pub mtime: Time,
    /// Last change of the inode.
    pub ctime: Time,
    /// The inode flags.
    pub flags: InodeFlags,
}

impl Attrs {
    /// Whether each time has fewer than a billion nanoseconds.
    fn times_valid(&self) -> bool {
        [self.atime, self.mtime, self.ctime]
            .iter()
            .all(|t| i64::from(t.nsec) < crate::time::NSEC_PER_SEC)
    }
}

impl<T: FileSystem> Inode<T> {
    /// Creates a reference from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be an initialised (not `I_NEW`) inode of file system `T`
    /// that stays pinned for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::inode) -> &'a Self {
        // SAFETY: By the safety requirements, and `Self` is `repr(transparent)`.
        unsafe { &*ptr.cast() }
    }

    /// Returns the raw `struct inode`.
    pub fn as_raw(&self) -> *mut bindings::inode {
        self.inner.get()
    }

    /// The inode number.
    pub fn ino(&self) -> u64 {
        // SAFETY: `i_ino` is immutable once the inode is hashed or initialised.
        unsafe { (*self.as_raw()).i_ino }
    }

    /// The [`InodeFlags`], as `chattr(1)` sees them.
    pub fn flags(&self) -> InodeFlags {
        // SAFETY: The inode was allocated by the inode cache of `T`, and is
        // pinned. `flags` is atomic: reading it without `i_rwsem`, which
        // its writers hold, is no data race.
        InodeFlags(unsafe {
            (*InodeWithData::<T>::from_inode(self.as_raw()))
                .flags
                .load(Relaxed)
        })
    }

    /// The superblock this inode belongs to.
    pub fn super_block(&self) -> &SuperBlock<T> {
        // SAFETY: `i_sb` is immutable, and an inode pins its superblock, which
        // is `Ready`: inodes are only made through a `Ready` superblock.
        unsafe { SuperBlock::from_raw((*self.as_raw()).i_sb) }
    }

    /// The file system's data for this inode.
    pub fn data(&self) -> &T::InodeData {
        // SAFETY: The inode came from our inode cache and is initialised, so
        // its data is too (type invariant); it is dropped only at eviction,
        // after every borrow of the inode has ended.
        unsafe {
            (*InodeWithData::<T>::from_inode(self.as_raw()))
                .data
                .assume_init_ref()
        }
    }

    /// The file type and permission bits (`i_mode`).
    pub fn mode(&self) -> Mode {
        // SAFETY: The inode is live; `i_mode` is read racily, as by the VFS.
        Mode::from_raw(unsafe { core::ptr::read_volatile(&raw const (*self.as_raw()).i_mode) })
    }

    /// Whether this is a directory (`S_ISDIR()`); the file type never
    /// changes.
    pub fn is_dir(&self) -> bool {
        self.mode().is_dir()
    }

    /// The number of links (`i_nlink`).
    pub fn nlink(&self) -> u32 {
        // SAFETY: The inode is live; `i_nlink` is read racily, as by the VFS.
        unsafe { core::ptr::read_volatile(&raw const (*self.as_raw()).__bindgen_anon_1.i_nlink) }
    }

    /// The size in bytes (`i_size_read()`).
    pub fn size(&self) -> i64 {
        // SAFETY: The inode is live, and `i_size_read()` may run unlocked.
        unsafe { bindings::i_size_read(self.as_raw()) }
    }

    /// Reads every stored attribute. Only the owner of the locks that guard
    /// them sees a consistent snapshot; eviction is such an owner.
    pub fn attrs(&self) -> Attrs {
        let i = self.as_raw();
        // SAFETY: The inode is live; the fields are read racily, as
        // `generic_fillattr()` does.
        unsafe {
            let rd = |p: *const i64| core::ptr::read_volatile(p);
            let rn = |p: *const u32| core::ptr::read_volatile(p);
            Attrs {
                mode: self.mode().perm(),
                uid: Kuid::from_raw(core::ptr::read_volatile(&raw const (*i).i_uid)),
                gid: Kgid::from_raw(core::ptr::read_volatile(&raw const (*i).i_gid)),
                nlink: self.nlink(),
                size: self.size(),
                atime: Time {
                    sec: rd(&raw const (*i).i_atime_sec),
                    nsec: rn(&raw const (*i).i_atime_nsec),
                },
                mtime: Time {
                    sec: rd(&raw const (*i).i_mtime_sec),
                    nsec: rn(&raw const (*i).i_mtime_nsec),
                },
                ctime: Time {
                    sec: rd(&raw const (*i).i_ctime_sec),
                    nsec: rn(&raw const (*i).i_ctime_nsec),
                },
                flags: self.flags(),
            }
        }
    }

    /// Writes `target` as the target of a new symbolic link set up with
    /// [`address_space::Ops::ram`], whose page cache is the only copy of it
    /// (`page_symlink()`), before the link gets a name. `EINVAL` for another
    /// inode, for one whose target is written already, and for an empty
    /// target; `ENAMETOOLONG` for a target longer than a page; `EBUSY` if
    /// the inode is locked, as no new link is.
    ///
    /// [`address_space::Ops::ram`]: super::address_space::Ops::ram
    pub fn page_symlink(&self, target: &CStr) -> Result {
        let len = target.to_bytes_with_nul().len();
        let inode = self.as_raw();
        // SAFETY: The inode is initialised, so `i_mapping` and its `a_ops`
        // no longer change.
        let ram = unsafe { (*(*inode).i_mapping).a_ops } == &raw const bindings::ram_aops;
        if self.mode().file_type() != DirType::Lnk || !ram || len < 2 {
            return Err(EINVAL);
        }
        if len > PAGE_SIZE {
            return Err(ENAMETOOLONG);
        }
        // SAFETY: The inode is pinned (type invariant). A trylock, not a
        // lock: the caller may hold it, as a token for an inode the VFS
        // locked. It serialises the writers of the size, which
        // `page_symlink()` sets through `ram_aops` (`simple_write_end()`),
        // and makes the check that nothing was written and the write one
        // step.
        if unsafe { bindings::inode_trylock(inode) } == 0 {
            return Err(EBUSY);
        }
        // SAFETY: We hold the lock; `len` fits `c_int`, being at most a
        // page.
        unsafe {
            let res = if bindings::i_size_read(inode) != 0 {
                Err(EINVAL)
            } else {
                to_result(bindings::page_symlink(
                    inode,
                    target.as_char_ptr(),
                    len as c_int,
                ))
            };
            bindings::inode_unlock(inode);
            res
        }
    }

    /// Evicts the inode as soon as its last user is gone, instead of keeping
    /// it cached, and its dentries as soon as theirs are
    /// (`d_mark_dontcache()`): for a file that must go at its last close,
    /// such as a silly-renamed one.
    pub fn mark_dontcache(&self) {
        // SAFETY: The inode is pinned (type invariant); the function takes
        // the locks it needs.
        unsafe { bindings::d_mark_dontcache(self.as_raw()) };
    }

    /// Takes a counted reference.
    pub fn get(&self) -> InodeRef<'_, T> {
        // SAFETY: The inode is pinned (type invariant), as `ihold()` requires.
        unsafe { bindings::ihold(self.as_raw()) };
        // INVARIANT: `ihold()` took the reference the result owns, and the
        // superblock outlives the borrow of `self`.
        InodeRef {
            inode: NonNull::from(self),
            _p: PhantomData,
        }
    }
}

/// An inode the caller keeps alive without holding a reference to it, so it
/// offers no way to take one:
/// - an inode being evicted, as [`FileSystem::evict_inode`] sees it, has no
///   references left;
/// - an inode whose pages are written back, as
///   [`address_space::Operations::write_back`] sees it, is pinned by
///   `I_SYNC` and may have none: `ihold()` requires `i_count >= 1`, and the
///   put of a reference taken there could be the last one, whose eviction
///   waits for the writeback that the same thread is doing.
///
/// For the same reason it does not give its superblock, through which the
/// inode could be looked up.
///
/// # Invariants
///
/// `inode` is an initialised inode of file system `T`, with its data in
/// place, that the caller keeps from being freed for `'a`.
///
/// [`address_space::Operations::write_back`]: super::address_space::Operations::write_back
pub struct Unreferenced<'a, T: FileSystem> {
    inode: &'a Inode<T>,
}

impl<'a, T: FileSystem> Unreferenced<'a, T> {
    /// # Safety
    ///
    /// `inode` must be an initialised inode of `T`, with its data in place,
    /// that the caller keeps from being freed for `'a`: it runs the inode's
    /// eviction, or its writeback.
    pub(crate) unsafe fn new(inode: *mut bindings::inode) -> Self {
        // INVARIANT: By the safety requirements.
        Self {
            // SAFETY: By the safety requirements, the inode stays allocated.
            inode: unsafe { Inode::from_raw(inode) },
        }
    }

    /// The inode number.
    pub fn ino(&self) -> u64 {
        self.inode.ino()
    }

    /// The number of links.
    pub fn nlink(&self) -> u32 {
        self.inode.nlink()
    }

    /// The stored attributes.
    pub fn attrs(&self) -> Attrs {
        self.inode.attrs()
    }

    /// The size in bytes (`i_size_read()`).
    pub fn size(&self) -> i64 {
        self.inode.size()
    }

    /// The file system's data for the inode.
    pub fn data(&self) -> &'a T::InodeData {
        self.inode.data()
    }

    /// The file system's data for the superblock. Not the superblock itself:
    /// a lookup of this inode through it would take a reference, whose put
    /// could be the last and wait for the eviction or writeback in progress.
    pub fn fs_data(&self) -> <T::Data as ForeignOwnable>::Borrowed<'a> {
        self.inode.super_block().data()
    }
}

/// A counted reference to an inode, for as long as its superblock is borrowed.
///
/// Dropping it calls `iput()`, which may sleep.
///
/// # Invariants
///
/// `inode` is an initialised inode of file system `T` on the superblock
/// borrowed for `'a`, and we own one reference (`i_count`) to it.
pub struct InodeRef<'a, T: FileSystem> {
    inode: NonNull<Inode<T>>,
    _p: PhantomData<&'a SuperBlock<T>>,
}

// SAFETY: The reference may be dropped on any thread; `Inode` is `Sync`.
unsafe impl<T: FileSystem> Send for InodeRef<'_, T> {}
// SAFETY: `&InodeRef` only gives `&Inode`, which is `Sync`.
unsafe impl<T: FileSystem> Sync for InodeRef<'_, T> {}

impl<T: FileSystem> InodeRef<'_, T> {
    /// Takes over a reference the caller owns.
    ///
    /// # Safety
    ///
    /// `inode` must be an initialised inode of file system `T`, on a
    /// superblock that outlives the result, whose reference the caller owns.
    pub(crate) unsafe fn from_raw(inode: NonNull<bindings::inode>) -> Self {
        // INVARIANT: By the safety requirements.
        Self {
            inode: inode.cast(),
            _p: PhantomData,
        }
    }

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
