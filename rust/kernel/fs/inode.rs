// SPDX-License-Identifier: GPL-2.0

//! Inodes.
//!
//! An [`Inode`] carries per-file-system data of type
//! [`FileSystem::INodeData`], co-allocated with the `struct inode` in an
//! inode cache that [`Registration`](super::filesystem::Registration) owns.
//! The data is dropped when the inode is evicted, and the memory is freed
//! through the RCU-delayed `->free_inode`, so RCU path walkers that still
//! look at the inode never see freed memory.
//!
//! Inodes are reached through a counted [`InodeRef`], or borrowed from a
//! dentry or a callback; no `&mut Inode` is ever handed out, since other
//! threads may hold references at any time. A freshly allocated inode is a
//! [`New`]: it is locked (`I_NEW`), invisible to other lookups until
//! initialised, and dropping it without initialisation calls `iget_failed()`.
//!
//! Each inode gets the operation tables of its type, as in C: an
//! [`Ops`] built from an [`Operations`] implementation for directories and
//! regular files, a [`dir::Ops`] or the page-cache file operations, and an
//! [`address_space::Ops`].
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h).

use super::{
    address_space,
    dentry::{Entry, LookupFlags, NewEntry, RenameFlags, RenameState, Spliced},
    dir,
    filesystem::FileSystem,
    param::Kgid,
    sb::SuperBlock,
    xattr::{self, InitXattrs}, //
};
use crate::{
    bindings,
    error::{from_result, to_result, VTABLE_DEFAULT_ERROR},
    impl_flags,
    prelude::*,
    str::CStr,
    sync::atomic::{Atomic, Relaxed},
    task::Kuid,
    types::{ForeignOwnable, Opaque},
};
use core::{
    marker::PhantomData,
    mem::{ManuallyDrop, MaybeUninit},
    ops::Deref,
    ptr::NonNull,
};

/// An inode of file system `T`.
///
/// # Invariants
///
/// `inner` is a live inode of a superblock of file system `T`, allocated by
/// that file system's inode cache (so it is the `inode` field of an
/// [`INodeWithData`]), with `i_count >= 1` or the inode otherwise pinned
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
            (*INodeWithData::<T>::from_inode(self.as_raw()))
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
    pub fn data(&self) -> &T::INodeData {
        // SAFETY: The inode came from our inode cache and is initialised, so
        // its data is too (type invariant); it is dropped only at eviction,
        // after every borrow of the inode has ended.
        unsafe {
            (*INodeWithData::<T>::from_inode(self.as_raw()))
                .data
                .assume_init_ref()
        }
    }

    /// The file type and permission bits (`i_mode`).
    pub fn mode(&self) -> u16 {
        // SAFETY: The inode is live; `i_mode` is read racily, as by the VFS.
        unsafe { core::ptr::read_volatile(&raw const (*self.as_raw()).i_mode) }
    }

    /// Whether this is a directory (`S_ISDIR()`); the file type never
    /// changes.
    pub fn is_dir(&self) -> bool {
        u32::from(self.mode()) & bindings::S_IFMT == bindings::S_IFDIR
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
                mode: self.mode() & bindings::S_IALLUGO as u16,
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
    pub fn data(&self) -> &'a T::INodeData {
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

/// The type of a new inode, with the operation tables that go with it.
pub enum Type<T: FileSystem> {
    /// A directory.
    Dir(Ops<T>, dir::Ops<T>),
    /// A regular file whose contents go through the page cache.
    Reg(Ops<T>, address_space::Ops<T>),
    /// A symbolic link whose target is read through the page cache, as the
    /// contents of page 0 (`page_get_link()`).
    Lnk(address_space::Ops<T>),
    /// A character device, with its device number (`dev_t`).
    Chr(u32),
    /// A block device, with its device number (`dev_t`).
    Blk(u32),
    /// A FIFO.
    Fifo,
    /// A socket.
    Sock,
}

/// Initial state of an inode, for [`New::init`].
pub struct Params<'b, T: FileSystem> {
    /// The type, which sets the file type bits of `i_mode`.
    pub typ: Type<T>,
    /// The stored attributes.
    pub attrs: Attrs,
    /// For an inode being created in directory `dir`, `Some(dir)`: the owner,
    /// the group and the set-group-ID bit then follow the creating task and
    /// `dir`, as `inode_init_owner()` sets them, instead of `attrs`.
    pub owner_dir: Option<&'b Inode<T>>,
    /// The file system's data for the inode.
    pub data: T::INodeData,
}

/// A new, locked (`I_NEW`) inode returned by `iget_locked()`.
///
/// It must be initialised with [`New::init`]; dropping it instead calls
/// `iget_failed()`, which unhashes and releases it.
///
/// # Invariants
///
/// `inode` is an `I_NEW` inode of file system `T` on the superblock borrowed
/// for `'a`, whose data is not initialised (but between [`New::setup`] and
/// [`New::unlock`]), and we own a reference to it.
pub struct New<'a, T: FileSystem> {
    inode: NonNull<bindings::inode>,
    _p: PhantomData<&'a SuperBlock<T>>,
}

impl<'a, T: FileSystem> New<'a, T> {
    /// The inode number.
    pub fn ino(&self) -> u64 {
        // SAFETY: `i_ino` was set by `iget_locked()` and is immutable.
        unsafe { (*self.inode.as_ptr()).i_ino }
    }

    /// The raw superblock.
    pub(crate) fn sb_raw(&self) -> *mut bindings::super_block {
        // SAFETY: `i_sb` is set at allocation and immutable.
        unsafe { (*self.inode.as_ptr()).i_sb }
    }

    /// Sets the inode up with `params` and unlocks it, making it visible to
    /// every other `iget_locked()` caller. Parameters out of range (see
    /// [`Params`]) give `EINVAL`, and the inode goes as if dropped.
    pub fn init(self, params: Params<'_, T>) -> Result<InodeRef<'a, T>> {
        // SAFETY: `self` is unlocked right away, or dropped on failure, when
        // the data was not initialised.
        unsafe { self.setup(params) }?;
        Ok(self.unlock())
    }

    /// Sets up an inode being created under `entry`'s name, as
    /// [`New::init`] does, and lets the LSMs label it before it is unlocked
    /// (`security_inode_init_security()`): each `security.` extended
    /// attribute they give it goes to `store`, to be kept with it. On
    /// failure, the inode goes with no links. `store` runs while the inode
    /// is `I_NEW`, so it must not look the inode up: that would wait for
    /// itself.
    pub fn init_created(
        self,
        params: Params<'_, T>,
        entry: &NewEntry<'_, T>,
        store: InitXattrs<'_>,
    ) -> Result<InodeRef<'a, T>> {
        let d = entry.as_raw();
        // SAFETY: The entry's dentry is pinned; `d_sb` never changes.
        if unsafe { (*d).d_sb } != self.sb_raw() {
            return Err(EXDEV);
        }
        // SAFETY: The entry's dentry is pinned, and its parent and name are
        // stable: the parent is locked, or the dentry in-lookup.
        let (dir, name) = unsafe {
            (
                (*(*d).d_parent).d_inode,
                &raw const (*d).__bindgen_anon_1.d_name,
            )
        };
        // SAFETY: `dir` is pinned by the entry, and `name` stays valid while
        // the entry is borrowed.
        unsafe { self.init_secure(params, dir, name, store) }
    }

    /// [`New::init`], with the LSMs' say before the unlock.
    ///
    /// # Safety
    ///
    /// `dir` must be the pinned directory the inode is being created in, and
    /// `name` null or its name, valid for the call.
    pub(crate) unsafe fn init_secure(
        self,
        params: Params<'_, T>,
        dir: *mut bindings::inode,
        name: *const bindings::qstr,
        store: InitXattrs<'_>,
    ) -> Result<InodeRef<'a, T>> {
        let inode = self.inode.as_ptr();
        // SAFETY: `self` is unlocked below (a panic in `store` does not
        // unwind), or dropped on failure, when the data was not initialised.
        unsafe { self.setup(params) }?;
        let mut store = store;
        // SAFETY: The inode is initialised and still `I_NEW`: nobody else
        // can reach it; `dir` and `name` by the safety requirements. The
        // ACLs first, as `shmem_mknod()` does: the LSMs may look at the
        // mode.
        let res = unsafe {
            xattr::init_acls(inode, dir, &mut store)
                .and_then(|()| xattr::init_security(inode, dir, name, store))
        };
        if res.is_err() {
            // SAFETY: As above; the last `iput()` then evicts it at once,
            // as `discard_new_inode()` would.
            unsafe { bindings::clear_nlink(inode) };
        }
        let inode = self.unlock();
        res.map(|()| inode)
    }

    /// Unlocks the inode, set up by [`New::setup`].
    fn unlock(self) -> InodeRef<'a, T> {
        let this = ManuallyDrop::new(self);
        // SAFETY: The inode is `I_NEW` and initialised (the callers set it
        // up).
        unsafe { bindings::unlock_new_inode(this.inode.as_ptr()) };
        // INVARIANT: The inode and its data are initialised; our reference
        // moves into the `InodeRef`, and `this` is not dropped, so
        // `iget_failed()` is not called.
        InodeRef {
            inode: this.inode.cast(),
            _p: PhantomData,
        }
    }

    /// Sets the inode up with `params`, leaving it `I_NEW`, or fails with
    /// `EINVAL`, having changed nothing, if they are out of range.
    ///
    /// # Safety
    ///
    /// On success the data is initialised: `self` must then be unlocked with
    /// [`New::unlock`], not dropped.
    unsafe fn setup(&self, params: Params<'_, T>) -> Result {
        let inode = self.inode.as_ptr();
        let a = params.attrs;
        // SAFETY: The superblock outlives its inodes; `s_maxbytes` is set
        // before any inode is made.
        let maxbytes = unsafe { (*(*inode).i_sb).s_maxbytes };
        if !(0..=maxbytes).contains(&a.size) || !a.times_valid() {
            return Err(EINVAL);
        }
        let perm = a.mode & bindings::S_IALLUGO as u16;
        // SAFETY: The inode is `I_NEW`, so we have exclusive access to it, it
        // came from our inode cache, and the operation tables are static.
        unsafe {
            let outer = INodeWithData::<T>::from_inode(inode);
            (*outer).data.write(params.data);
            (*outer).has_data = true;
            (*outer).flags.store(a.flags.into(), Relaxed);
            bindings::inode_set_flags(inode, a.flags.i_flags(), I_FLAGS_MASK);
            let (fmt, iop, fop, aop) = match params.typ {
                Type::Dir(i, f) => (bindings::S_IFDIR, i.0, f.0, None),
                Type::Reg(i, a) => (bindings::S_IFREG, i.0, a.1, Some(a.0)),
                Type::Lnk(a) => (
                    bindings::S_IFLNK,
                    core::ptr::from_ref(&OtherOps::<T>::SYMLINK),
                    core::ptr::null(),
                    Some(a.0),
                ),
                Type::Chr(dev) => special::<T>(inode, bindings::S_IFCHR, perm, dev),
                Type::Blk(dev) => special::<T>(inode, bindings::S_IFBLK, perm, dev),
                Type::Fifo => special::<T>(inode, bindings::S_IFIFO, perm, 0),
                Type::Sock => special::<T>(inode, bindings::S_IFSOCK, perm, 0),
            };
            (*inode).i_mode = fmt as u16 | perm;
            if !iop.is_null() {
                (*inode).i_op = iop;
            }
            if !fop.is_null() {
                (*inode).__bindgen_anon_3.i_fop = fop;
            }
            if let Some(aop) = aop {
                (*(*inode).i_mapping).a_ops = aop;
            }
            if fmt == bindings::S_IFLNK {
                // `page_get_link()` maps page 0 of the link's own mapping.
                bindings::inode_nohighmem(inode);
            }
            bindings::set_nlink(inode, a.nlink);
            (*inode).i_uid = a.uid.into_raw();
            (*inode).i_gid = a.gid.into_raw();
            if let Some(dir) = params.owner_dir {
                // No `FS_ALLOW_IDMAP`: the VFS only ever passes the nop idmap.
                bindings::inode_init_owner(
                    &raw mut bindings::nop_mnt_idmap,
                    inode,
                    dir.as_raw(),
                    (*inode).i_mode,
                );
            }
            bindings::i_size_write(inode, a.size);
            (*inode).i_atime_sec = a.atime.sec;
            (*inode).i_atime_nsec = a.atime.nsec;
            (*inode).i_mtime_sec = a.mtime.sec;
            (*inode).i_mtime_nsec = a.mtime.nsec;
            (*inode).i_ctime_sec = a.ctime.sec;
            (*inode).i_ctime_nsec = a.ctime.nsec;
        }
        Ok(())
    }
}

/// Sets up a special inode: `init_special_inode()` picks its file operations.
///
/// # Safety
///
/// `inode` must be `I_NEW` and owned by the caller.
unsafe fn special<T: FileSystem>(
    inode: *mut bindings::inode,
    fmt: u32,
    perm: u16,
    dev: u32,
) -> (
    u32,
    *const bindings::inode_operations,
    *const bindings::file_operations,
    Option<*const bindings::address_space_operations>,
) {
    // SAFETY: By the safety requirements.
    unsafe { bindings::init_special_inode(inode, fmt as u16 | perm, dev) };
    (
        fmt,
        core::ptr::from_ref(&OtherOps::<T>::SPECIAL),
        core::ptr::null(),
        None,
    )
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
    /// inode that the caller initialises (`iget_locked()`). It waits while
    /// the inode is someone's `New`: a thread that holds the `New` of `ino`
    /// itself would wait for itself.
    pub fn get_or_create_inode(&self, ino: u64) -> Result<Lookup<'_, T>> {
        // SAFETY: The superblock is live (type invariant).
        let inode =
            NonNull::new(unsafe { bindings::iget_locked(self.as_raw(), ino) }).ok_or(ENOMEM)?;
        // SAFETY: `iget_locked()` returned a referenced inode.
        let state = unsafe { bindings::inode_state_read_once(inode.as_ptr()) };
        if state & bindings::inode_state_flags_enum_I_NEW != 0 {
            // INVARIANT: The inode is `I_NEW`, fresh from our cache (so its
            // data is not initialised), on this superblock, and we own the
            // reference `iget_locked()` returned.
            Ok(Lookup::New(New {
                inode,
                _p: PhantomData,
            }))
        } else {
            // INVARIANT: `iget_locked()` waits for `I_NEW` to clear, so the
            // inode is initialised; we own the reference it returned.
            Ok(Lookup::Cached(InodeRef {
                inode: inode.cast(),
                _p: PhantomData,
            }))
        }
    }
}

/// A `struct inode` with the file system's data in front of it, as
/// allocated by the file system's inode cache.
///
/// # Invariants
///
/// `data` is initialised exactly when `has_data` is true. `has_data` is
/// written only while the inode is `I_NEW` or being evicted, when the writer
/// has exclusive access.
#[repr(C)]
pub(crate) struct INodeWithData<T: FileSystem> {
    data: MaybeUninit<T::INodeData>,
    has_data: bool,
    /// The [`InodeFlags`], as `chattr(1)` sees them: set by `New::init()`,
    /// then changed only under `i_rwsem`, by `->fileattr_set`.
    flags: Atomic<u32>,
    cache: *mut bindings::kmem_cache,
    inode: bindings::inode,
}

impl<T: FileSystem> INodeWithData<T> {
    /// Returns the allocation around `inode`.
    ///
    /// # Safety
    ///
    /// `inode` must have been allocated by the inode cache of `T`.
    unsafe fn from_inode(inode: *mut bindings::inode) -> *mut Self {
        // SAFETY: By the safety requirements, `inode` is the `inode` field of
        // an `INodeWithData<T>`.
        unsafe { crate::container_of!(inode, Self, inode) }
    }
}

/// The inode cache of a file system type: a slab cache of
/// [`INodeWithData`].
///
/// # Invariants
///
/// `cache` is a slab cache of `INodeWithData<T>` objects whose `inode` was
/// set up by `inode_init_once()`, and it is destroyed exactly once, in
/// [`Drop`].
pub(crate) struct InodeCache<T: FileSystem> {
    cache: NonNull<bindings::kmem_cache>,
    _p: PhantomData<T>,
}

// SAFETY: Slab caches may be used and destroyed from any thread.
unsafe impl<T: FileSystem> Send for InodeCache<T> {}
// SAFETY: As above.
unsafe impl<T: FileSystem> Sync for InodeCache<T> {}

impl<T: FileSystem> InodeCache<T> {
    /// Creates the cache, named after the file system type.
    pub(crate) fn new() -> Result<Self> {
        let mut args = bindings::kmem_cache_args {
            align: core::mem::align_of::<INodeWithData<T>>() as u32,
            ctor: Some(Self::init_once),
            ..pin_init::zeroed()
        };
        // SAFETY: The name is static, `args` is valid for the call, and
        // `init_once` initialises exactly the objects of this cache.
        let cache = unsafe {
            bindings::__kmem_cache_create_args(
                T::NAME.as_char_ptr(),
                core::mem::size_of::<INodeWithData<T>>() as u32,
                &mut args,
                bindings::SLAB_RECLAIM_ACCOUNT | bindings::SLAB_ACCOUNT,
            )
        };
        Ok(Self {
            cache: NonNull::new(cache).ok_or(ENOMEM)?,
            _p: PhantomData,
        })
    }

    /// Returns the raw cache.
    pub(crate) fn as_ptr(&self) -> *mut bindings::kmem_cache {
        self.cache.as_ptr()
    }

    /// # Safety
    ///
    /// Called by the slab allocator with a new object of this cache.
    unsafe extern "C" fn init_once(obj: *mut c_void) {
        let outer = obj.cast::<INodeWithData<T>>();
        // SAFETY: `obj` is a new object of this cache, so an
        // `INodeWithData<T>` we may initialise.
        unsafe {
            (*outer).has_data = false;
            bindings::inode_init_once(&raw mut (*outer).inode);
        }
    }

    /// Allocates an inode on `sb` (the `->alloc_inode` of `T`).
    ///
    /// # Safety
    ///
    /// `sb` must be a live superblock of `T`, and `cache` its type's cache.
    pub(crate) unsafe fn alloc_inode(
        cache: *mut bindings::kmem_cache,
        sb: *mut bindings::super_block,
    ) -> *mut bindings::inode {
        // SAFETY: By the safety requirements.
        let obj = unsafe { bindings::alloc_inode_sb(sb, cache, bindings::GFP_KERNEL) };
        if obj.is_null() {
            return core::ptr::null_mut();
        }
        let outer = obj.cast::<INodeWithData<T>>();
        // SAFETY: A freshly allocated object: `has_data` is false, as set by
        // the constructor or by eviction before it was freed. `free_inode`
        // finds the cache here: the superblock may be gone by then.
        unsafe {
            (*outer).cache = cache;
            (&raw mut (*outer).flags).write(Atomic::new(0));
            &raw mut (*outer).inode
        }
    }

    /// Whether the data of `inode` is initialised.
    ///
    /// # Safety
    ///
    /// `inode` must come from this cache and be being evicted by the caller.
    pub(crate) unsafe fn has_data(inode: *mut bindings::inode) -> bool {
        // SAFETY: By the safety requirements.
        unsafe { (*INodeWithData::<T>::from_inode(inode)).has_data }
    }

    /// Drops the data of an inode being evicted (from `->evict_inode`).
    ///
    /// # Safety
    ///
    /// `inode` must come from this cache and be being evicted by the caller.
    pub(crate) unsafe fn drop_data(inode: *mut bindings::inode) {
        // SAFETY: By the safety requirements, we have exclusive access.
        unsafe {
            let outer = INodeWithData::<T>::from_inode(inode);
            if (*outer).has_data {
                (*outer).has_data = false;
                (*outer).data.assume_init_drop();
            }
        }
    }

    /// Frees an inode (`->free_inode`, after an RCU grace period).
    ///
    /// # Safety
    ///
    /// `inode` must come from this cache and have been evicted.
    pub(crate) unsafe fn free_inode(inode: *mut bindings::inode) {
        // SAFETY: By the safety requirements; eviction dropped the data (or
        // there never was any), so `has_data` is false, as the constructor
        // expects of a free object; the cache lives until `rcu_barrier()`.
        unsafe {
            let outer = INodeWithData::<T>::from_inode(inode);
            bindings::kmem_cache_free((*outer).cache, outer.cast());
        }
    }
}

impl<T: FileSystem> Drop for InodeCache<T> {
    fn drop(&mut self) {
        // SAFETY: The file system is unregistered, so no new inodes appear;
        // `rcu_barrier()` waits for the pending `free_inode` callbacks, after
        // which the cache is empty.
        unsafe {
            bindings::rcu_barrier();
            bindings::kmem_cache_destroy(self.cache.as_ptr());
        }
    }
}

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
/// [`NewEntry::add_ci`](super::dentry::NewEntry::add_ci), takes the token by
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

/// Operations on inodes of file system `FileSystem`: the
/// `inode_operations` of directories and regular files.
///
/// Directory-modifying operations run with the parent directory locked
/// exclusively, as the [`Locked`] token they receive says; `lookup` runs
/// with the lock that [`LookupLock`] says.
#[vtable]
pub trait Operations {
    /// The file system these operations belong to.
    type FileSystem: FileSystem;

    /// Looks `dentry` up in `dir`, and completes it, positive or negative,
    /// with [`NewEntry::splice_alias`] or [`NewEntry::add_ci`], or leaves a
    /// miss uncached with [`NewEntry::miss_uncached`].
    fn lookup<'a>(
        _dir: LookupLock<'a, Self::FileSystem>,
        _dentry: NewEntry<'a, Self::FileSystem>,
        _flags: LookupFlags,
    ) -> Result<Spliced<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a regular file with permission bits `mode` at `dentry`, and
    /// instantiates `dentry` with it. So do the other creating operations.
    fn create<'a>(
        _dir: &Locked<'_, Self::FileSystem, Exclusive>,
        _dentry: NewEntry<'a, Self::FileSystem>,
        _mode: u16,
    ) -> Result<Spliced<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a directory at `dentry`.
    fn mkdir<'a>(
        _dir: &Locked<'_, Self::FileSystem, Exclusive>,
        _dentry: NewEntry<'a, Self::FileSystem>,
        _mode: u16,
    ) -> Result<Spliced<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a special file (`mode` has the file type) at `dentry`.
    fn mknod<'a>(
        _dir: &Locked<'_, Self::FileSystem, Exclusive>,
        _dentry: NewEntry<'a, Self::FileSystem>,
        _mode: u16,
        _dev: u32,
    ) -> Result<Spliced<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a symbolic link to `target` at `dentry`.
    fn symlink<'a>(
        _dir: &Locked<'_, Self::FileSystem, Exclusive>,
        _dentry: NewEntry<'a, Self::FileSystem>,
        _target: &CStr,
    ) -> Result<Spliced<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Links `old`, an inode the VFS holds locked, at `dentry`.
    fn link<'a>(
        _old: &Locked<'_, Self::FileSystem, Exclusive>,
        _dir: &Locked<'_, Self::FileSystem, Exclusive>,
        _dentry: NewEntry<'a, Self::FileSystem>,
    ) -> Result<Spliced<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Removes the name `dentry`, which is not a directory, of `victim`,
    /// its inode, which the VFS holds locked.
    fn unlink(
        _dir: &Locked<'_, Self::FileSystem, Exclusive>,
        _dentry: &Entry<'_, Self::FileSystem>,
        _victim: &Locked<'_, Self::FileSystem, Exclusive>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Removes the directory `dentry`, which the VFS has checked is one;
    /// `victim` is its inode, which the VFS holds locked.
    fn rmdir(
        _dir: &Locked<'_, Self::FileSystem, Exclusive>,
        _dentry: &Entry<'_, Self::FileSystem>,
        _victim: &Locked<'_, Self::FileSystem, Exclusive>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Renames `old` in `old_dir` to `new` in `new_dir` (the same directory,
    /// or another one: the VFS holds both locks, and `s_vfs_rename_mutex`
    /// across directories). `new` is negative unless it is replaced.
    /// `inodes` has the tokens of the source and target inodes the VFS
    /// locked: all but a directory that stays in its parent.
    ///
    /// The bindings move the dentries after it succeeds (the type has
    /// `FS_RENAME_DOES_D_MOVE`): the source onto the target, onto the
    /// target's duplicate after a silly-rename ([`Entry::silly_rename`]),
    /// or they swap them for an exchange; and they fill a whiteout's
    /// duplicate ([`Entry::duplicate`]).
    fn rename(
        _old_dir: &Locked<'_, Self::FileSystem, Exclusive>,
        _old: &Entry<'_, Self::FileSystem>,
        _new_dir: &Locked<'_, Self::FileSystem, Exclusive>,
        _new: &mut Entry<'_, Self::FileSystem>,
        _flags: RenameFlags,
        _inodes: &RenameLocks<'_, Self::FileSystem>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates an unnamed regular file in `dir` and opens it as `file`
    /// (`O_TMPFILE`). The VFS does not lock `dir`: nothing gets a name.
    fn tmpfile<'a>(
        _dir: &Inode<Self::FileSystem>,
        _file: TmpFile<'a, Self::FileSystem>,
        _mode: u16,
    ) -> Result<Opened<'a>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Changes the size of a regular file to `size`, before the page cache
    /// is truncated (`setattr` with `ATTR_SIZE`). The other attributes are
    /// kept in the inode, by the VFS's `setattr_copy()`. Without it, a
    /// regular file cannot be truncated (`EOPNOTSUPP`): the page cache alone
    /// would be, and the old contents would come back.
    fn truncate(_inode: &Inode<Self::FileSystem>, _size: i64) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// An inode operations table of file system `T`.
pub struct Ops<T: FileSystem>(*const bindings::inode_operations, PhantomData<T>);

impl<T: FileSystem> Clone for Ops<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: FileSystem> Copy for Ops<T> {}

impl<T: FileSystem> Ops<T> {
    /// The table of operations `U`.
    pub const fn new<U: Operations<FileSystem = T> + ?Sized>() -> Self {
        Self(&Table::<U>::TABLE, PhantomData)
    }
}

struct Table<U: Operations + ?Sized>(PhantomData<U>);

impl<U: Operations + ?Sized> Table<U> {
    const TABLE: bindings::inode_operations = bindings::inode_operations {
        lookup: if U::HAS_LOOKUP {
            Some(Self::lookup)
        } else {
            None
        },
        create: if U::HAS_CREATE {
            Some(Self::create)
        } else {
            None
        },
        mkdir: if U::HAS_MKDIR {
            Some(Self::mkdir)
        } else {
            None
        },
        mknod: if U::HAS_MKNOD {
            Some(Self::mknod)
        } else {
            None
        },
        symlink: if U::HAS_SYMLINK {
            Some(Self::symlink)
        } else {
            None
        },
        link: if U::HAS_LINK { Some(Self::link) } else { None },
        unlink: if U::HAS_UNLINK {
            Some(Self::unlink)
        } else {
            None
        },
        rmdir: if U::HAS_RMDIR {
            Some(Self::rmdir)
        } else {
            None
        },
        rename: if U::HAS_RENAME {
            Some(Self::rename)
        } else {
            None
        },
        setattr: Some(Self::setattr),
        getattr: Some(getattr::<U::FileSystem>),
        fileattr_get: Some(fileattr_get::<U::FileSystem>),
        fileattr_set: Some(fileattr_set::<U::FileSystem>),
        tmpfile: if U::HAS_TMPFILE {
            Some(Self::tmpfile)
        } else {
            None
        },
        update_time: Some(update_time),
        listxattr: Some(xattr::listxattr),
        get_inode_acl: GET_INODE_ACL,
        set_acl: SET_ACL,
        ..pin_init::zeroed()
    };

    /// # Safety
    ///
    /// Called by the VFS with a pinned directory and a file being opened on
    /// a new, unhashed dentry in it.
    unsafe extern "C" fn tmpfile(
        _idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        file: *mut bindings::file,
        mode: bindings::umode_t,
    ) -> c_int {
        from_result(|| {
            // SAFETY: As the function's safety requirements say.
            let (dir, file) = unsafe {
                (
                    Inode::from_raw(dir),
                    TmpFile {
                        file,
                        _p: PhantomData,
                    },
                )
            };
            let raw = file.file;
            U::tmpfile(dir, file, mode)?;
            // `Opened<'a>` is only made by a successful `finish_open()` of
            // this file; check anyway, as `vfs_tmpfile()` relies on it.
            // SAFETY: The file is valid for the call.
            if unsafe { (*raw).f_mode } & bindings::FMODE_OPENED == 0 {
                crate::pr_warn!("rust: fs: ->tmpfile did not open its file\n");
                return Err(EIO);
            }
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS with `dir` locked as `flags` says, and `dentry` a
    /// negative, in-lookup or unhashed dentry in it.
    unsafe extern "C" fn lookup(
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        flags: c_uint,
    ) -> *mut bindings::dentry {
        let flags = LookupFlags::from_raw(flags);
        // SAFETY: The VFS pins `dir` and holds its lock for the call, in the
        // mode `LOOKUP_SHARED` tells.
        let lock = unsafe {
            let dir = Inode::from_raw(dir);
            if flags.contains(LookupFlags::SHARED) {
                LookupLock::Shared(Locked::new(dir))
            } else {
                LookupLock::Exclusive(Locked::new(dir))
            }
        };
        // SAFETY: `dentry` is negative, in `dir`, and exclusively ours to
        // complete: in-lookup for us, or unhashed with `dir` locked.
        let dentry = unsafe { NewEntry::from_raw(dentry) };
        match U::lookup(lock, dentry, flags) {
            Ok(spliced) => spliced.into_raw(),
            Err(e) => e.to_ptr(),
        }
    }

    /// # Safety
    ///
    /// Called by the VFS with `dir` locked exclusively and `dentry` negative.
    unsafe extern "C" fn create(
        _idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        mode: bindings::umode_t,
    ) -> c_int {
        from_result(|| {
            // SAFETY: As the function's safety requirements say.
            let (dir, dentry) = unsafe {
                (
                    Locked::new(Inode::from_raw(dir)),
                    NewEntry::from_raw(dentry),
                )
            };
            let raw = dentry.as_raw();
            let spliced = U::create(&dir, dentry, mode)?;
            // SAFETY: `raw` is the pinned dentry the operation was given.
            unsafe { check_created(raw, spliced) }
        })
    }

    /// # Safety
    ///
    /// Called by the VFS with `dir` locked exclusively and `dentry` negative.
    unsafe extern "C" fn mkdir(
        _idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        mode: bindings::umode_t,
    ) -> *mut bindings::dentry {
        // SAFETY: As the function's safety requirements say.
        let (dir, dentry) = unsafe {
            (
                Locked::new(Inode::from_raw(dir)),
                NewEntry::from_raw(dentry),
            )
        };
        let raw = dentry.as_raw();
        let spliced = match U::mkdir(&dir, dentry, mode) {
            Ok(spliced) => spliced,
            Err(e) => return e.to_ptr(),
        };
        // The VFS and stacked file systems expect a positive directory.
        let res = spliced.alias().map_or(raw, |a| a.as_raw());
        // SAFETY: `res` is the pinned dentry the VFS gave, or the alias the
        // splice returned, which `spliced` holds; `d_inode` is stable under
        // the parent's lock, and a positive dentry pins its inode.
        let made = unsafe { (*res).d_inode };
        if made.is_null() {
            crate::pr_warn!("rust: fs: ->mkdir left its dentry negative\n");
            return EIO.to_ptr();
        }
        // SAFETY: As above.
        if !unsafe { Inode::<U::FileSystem>::from_raw(made) }.is_dir() {
            crate::pr_warn!("rust: fs: ->mkdir made something other than a directory\n");
            return EIO.to_ptr();
        }
        spliced.into_raw()
    }

    /// # Safety
    ///
    /// Called by the VFS with `dir` locked exclusively and `dentry` negative.
    unsafe extern "C" fn mknod(
        _idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        mode: bindings::umode_t,
        dev: bindings::dev_t,
    ) -> c_int {
        from_result(|| {
            // SAFETY: As the function's safety requirements say.
            let (dir, dentry) = unsafe {
                (
                    Locked::new(Inode::from_raw(dir)),
                    NewEntry::from_raw(dentry),
                )
            };
            let raw = dentry.as_raw();
            let spliced = U::mknod(&dir, dentry, mode, dev)?;
            // SAFETY: `raw` is the pinned dentry the operation was given.
            unsafe { check_created(raw, spliced) }
        })
    }

    /// # Safety
    ///
    /// Called by the VFS with `dir` locked exclusively, `dentry` negative and
    /// `target` a NUL-terminated string.
    unsafe extern "C" fn symlink(
        _idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        target: *const c_char,
    ) -> c_int {
        from_result(|| {
            // SAFETY: As the function's safety requirements say.
            let (dir, dentry, target) = unsafe {
                (
                    Locked::new(Inode::from_raw(dir)),
                    NewEntry::from_raw(dentry),
                    CStr::from_char_ptr(target),
                )
            };
            let raw = dentry.as_raw();
            let spliced = U::symlink(&dir, dentry, target)?;
            // SAFETY: `raw` is the pinned dentry the operation was given.
            unsafe { check_created(raw, spliced) }
        })
    }

    /// # Safety
    ///
    /// Called by the VFS with `dir` locked exclusively, `dentry` negative,
    /// and `old` a pinned positive dentry whose inode is locked.
    unsafe extern "C" fn link(
        old: *mut bindings::dentry,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
    ) -> c_int {
        from_result(|| {
            // SAFETY: As the function's safety requirements say.
            let (old, dir, dentry) = unsafe {
                (
                    Locked::new(Inode::from_raw((*old).d_inode)),
                    Locked::new(Inode::from_raw(dir)),
                    NewEntry::from_raw(dentry),
                )
            };
            let raw = dentry.as_raw();
            let spliced = U::link(&old, &dir, dentry)?;
            // SAFETY: `raw` is the pinned dentry the operation was given.
            unsafe { check_created(raw, spliced) }
        })
    }

    /// # Safety
    ///
    /// Called by the VFS with `dir` and the inode of `dentry` locked.
    unsafe extern "C" fn unlink(dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> c_int {
        from_result(|| {
            // SAFETY: As the function's safety requirements say.
            let (dir, dentry, victim) = unsafe {
                (
                    Locked::new(Inode::from_raw(dir)),
                    Entry::from_raw(dentry),
                    Locked::new(Inode::from_raw((*dentry).d_inode)),
                )
            };
            U::unlink(&dir, &dentry, &victim)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS with `dir` and the inode of `dentry` locked.
    unsafe extern "C" fn rmdir(dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> c_int {
        from_result(|| {
            // SAFETY: As the function's safety requirements say.
            let (dir, dentry, victim) = unsafe {
                (
                    Locked::new(Inode::from_raw(dir)),
                    Entry::from_raw(dentry),
                    Locked::new(Inode::from_raw((*dentry).d_inode)),
                )
            };
            U::rmdir(&dir, &dentry, &victim)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS with both directories locked (`lock_rename()`).
    unsafe extern "C" fn rename(
        _idmap: *mut bindings::mnt_idmap,
        old_dir: *mut bindings::inode,
        old: *mut bindings::dentry,
        new_dir: *mut bindings::inode,
        new: *mut bindings::dentry,
        flags: c_uint,
    ) -> c_int {
        from_result(|| {
            // SAFETY: As the function's safety requirements say; the names
            // are stable while both parents are locked.
            let (od, o, nd, mut n) = unsafe {
                (
                    Locked::new(Inode::from_raw(old_dir)),
                    Entry::from_raw(old),
                    Locked::new(Inode::from_raw(new_dir)),
                    Entry::from_raw(new),
                )
            };
            let flags = RenameFlags::from_raw(flags);
            // `vfs_rename()` locks every inode involved but a directory that
            // stays in its parent (and, when exchanging, a target directory
            // in the same parent).
            let cross = old_dir != new_dir;
            let exchange = flags.contains(RenameFlags::EXCHANGE);
            // SAFETY: A pinned inode.
            let is_dir =
                |i: *mut bindings::inode| unsafe { Inode::<U::FileSystem>::from_raw(i) }.is_dir();
            // SAFETY: Both dentries are pinned; `old` is positive, and `new`
            // positive only if it is replaced or exchanged.
            let (source, target) = unsafe { ((*old).d_inode, (*new).d_inode) };
            let source_locked = !is_dir(source) || cross;
            let target_locked = !target.is_null() && (!is_dir(target) || cross || !exchange);
            // SAFETY: By `vfs_rename()`'s locking, as above, for the call.
            let inodes = unsafe {
                RenameLocks {
                    source: source_locked.then(|| Locked::new(Inode::from_raw(source))),
                    target: target_locked.then(|| Locked::new(Inode::from_raw(target))),
                    old,
                    new,
                    exchange,
                    state: RenameState::new(),
                }
            };
            let res = U::rename(&od, &o, &nd, &mut n, flags, &inodes);
            let st = &inodes.state;
            // A whiteout's duplicate is filled only if the rename succeeded,
            // and never left in lookup.
            st.end_whiteout(res.is_ok());
            if res.is_ok() {
                // The type has `FS_RENAME_DOES_D_MOVE`: the move is ours.
                // SAFETY: Both dentries are pinned and their parents locked,
                // as are the inodes `vfs_rename()` locks; a silly-rename's
                // duplicate is in-lookup in `new`'s directory, and `d_move()`
                // ends that state.
                unsafe {
                    if !st.silly_dup.get().is_null() {
                        bindings::d_move(old, st.silly_dup.get());
                    } else if exchange {
                        bindings::d_exchange(old, new);
                    } else {
                        bindings::d_move(old, new);
                    }
                }
            }
            // After a failure, a committed silly-rename's target stays at
            // its new name, as the file system's namespace has it.
            st.end_silly();
            res?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS with the inode of `dentry` locked.
    unsafe extern "C" fn setattr(
        idmap: *mut bindings::mnt_idmap,
        dentry: *mut bindings::dentry,
        attr: *mut bindings::iattr,
    ) -> c_int {
        from_result(|| {
            // SAFETY: `dentry` is positive and pinned, and `attr` valid, for
            // the call; this is `simple_setattr()` with the store's truncate
            // ahead of the page cache's.
            unsafe {
                to_result(bindings::setattr_prepare(idmap, dentry, attr))?;
                let raw = (*dentry).d_inode;
                let inode = Inode::<U::FileSystem>::from_raw(raw);
                let mut resized = false;
                if (*attr).ia_valid & bindings::ATTR_SIZE != 0 {
                    if !U::HAS_TRUNCATE {
                        return Err(EOPNOTSUPP);
                    }
                    resized = (*attr).ia_size != bindings::i_size_read(raw);
                    U::truncate(inode, (*attr).ia_size)?;
                    bindings::truncate_setsize(raw, (*attr).ia_size);
                }
                // Not `mark_inode_dirty()`: see `update_time()`.
                bindings::setattr_copy(idmap, raw, attr);
                if resized {
                    // truncate(2) passes `ATTR_SIZE` alone, so a file system
                    // that changes the size stamps the times, as
                    // `shmem_setattr()` does.
                    let now = bindings::inode_set_ctime_current(raw);
                    bindings::inode_set_mtime_to_ts(raw, now);
                }
                acl_chmod(idmap, dentry, attr)
            }
        })
    }
}

/// The source and target inodes of a rename that the VFS holds locked.
///
/// Only the rename trampoline makes one, so it also proves that a rename is
/// running.
#[non_exhaustive]
pub struct RenameLocks<'a, T: FileSystem> {
    /// The inode being renamed, unless it is a directory staying in its
    /// parent.
    pub source: Option<Locked<'a, T, Exclusive>>,
    /// The inode being replaced or exchanged, if any, unless it is a
    /// directory the VFS leaves unlocked.
    pub target: Option<Locked<'a, T, Exclusive>>,
    /// The source dentry.
    pub(crate) old: *mut bindings::dentry,
    /// The target dentry.
    pub(crate) new: *mut bindings::dentry,
    /// Whether this is `RENAME_EXCHANGE`.
    pub(crate) exchange: bool,
    /// The dcache changes the trampoline completes or undoes.
    pub(crate) state: RenameState,
}

/// After a creating operation returned `spliced`: the VFS expects `dentry`
/// to be positive, and only ever gets back the dentry it passed.
///
/// # Safety
///
/// `dentry` must be the pinned dentry the operation was given.
unsafe fn check_created<T: FileSystem>(
    dentry: *mut bindings::dentry,
    spliced: Spliced<'_, T>,
) -> Result<c_int> {
    // `d_splice_alias()` only returns another dentry for a directory, which
    // these operations do not create; `drop` puts it back.
    let alias = spliced.alias().is_some();
    drop(spliced);
    // SAFETY: By the safety requirements; `d_inode` is stable under the
    // parent's lock, which the VFS holds.
    if alias || unsafe { (*dentry).d_inode }.is_null() {
        crate::pr_warn!("rust: fs: a creating operation left its dentry negative\n");
        return Err(EIO);
    }
    Ok(0)
}

/// The proof that [`TmpFile::open`] opened the file, which `->tmpfile`
/// returns. Invariant in `'a`, so that the proof of one call cannot be
/// returned by another.
pub struct Opened<'a>(PhantomData<fn(&'a ()) -> &'a ()>);

/// A file being opened with `O_TMPFILE`, on a new dentry that gets no name.
///
/// # Invariants
///
/// `file` is a file being opened by `vfs_tmpfile()`, whose `f_path.dentry`
/// is a new negative dentry, for `'a`.
pub struct TmpFile<'a, T: FileSystem> {
    file: *mut bindings::file,
    _p: PhantomData<&'a SuperBlock<T>>,
}

impl<'a, T: FileSystem> TmpFile<'a, T> {
    /// Sets `new` up with `params`, a regular file with one link, attaches
    /// it to the file and opens it. `d_tmpfile()` takes the link away, so
    /// the inode goes when the file is closed, unless `linkat(2)` gives it a
    /// name first. Taking a [`New`] inode makes sure it has no name already.
    ///
    /// The LSMs label the inode first, as [`New::init_created`] says; the
    /// `security.` extended attributes they give it go to `store`.
    pub fn open(
        self,
        new: New<'_, T>,
        params: Params<'_, T>,
        store: InitXattrs<'_>,
    ) -> Result<Opened<'a>> {
        if params.attrs.nlink != 1 || !matches!(params.typ, Type::Reg(..)) {
            return Err(EINVAL);
        }
        // SAFETY: The file's path and the new inode are pinned (type
        // invariants); `d_sb` and `i_sb` never change.
        let (dentry, same) = unsafe {
            let dentry = (*self.file).__bindgen_anon_1.f_path.dentry;
            (dentry, (*dentry).d_sb == (*new.inode.as_ptr()).i_sb)
        };
        if !same {
            return Err(EXDEV);
        }
        // SAFETY: The file's dentry and its parent, the directory, are
        // pinned for the call (type invariant).
        let dir = unsafe { (*(*dentry).d_parent).d_inode };
        // SAFETY: `dir` is pinned; a file with no name passes none.
        let raw = unsafe { new.init_secure(params, dir, core::ptr::null(), store) }?.into_raw();
        // SAFETY: The dentry is new and negative (type invariant) and the
        // inode new, with one link. This is `d_tmpfile()` without its
        // `mark_inode_dirty()` (see `update_time()`): `d_instantiate()`
        // takes over the inode reference. `self` is consumed, so this
        // happens once.
        unsafe {
            bindings::drop_nlink(raw);
            bindings::d_mark_tmpfile(self.file, raw);
            bindings::d_instantiate(dentry, raw);
            to_result(bindings::finish_open(self.file, dentry, None))?;
        }
        Ok(Opened(PhantomData))
    }
}

/// Records new timestamps in the inode without marking it dirty.
///
/// The attributes of an inode live in the inode while it is cached, and go
/// back to the file system's store in `->evict_inode`. A dirty inode would
/// gain nothing from that, and lose a lot: with no writeback for a `nodev`
/// superblock, the inode cache's shrinker never evicts a dirty inode.
///
/// # Safety
///
/// Called by the VFS for a live inode, with the locks `->update_time` runs
/// under.
unsafe extern "C" fn update_time(
    inode: *mut bindings::inode,
    typ: bindings::fs_update_time,
    flags: c_uint,
) -> c_int {
    // SAFETY: As the function's safety requirements say.
    let dirty = unsafe { bindings::inode_update_time(inode, typ, flags) };
    dirty.min(0)
}

/// `->setattr` of symbolic links and special files: `simple_setattr()`
/// without `mark_inode_dirty()` (see `update_time()`). The VFS refuses to
/// truncate them before getting here.
///
/// # Safety
///
/// Called by the VFS with the inode of `dentry` locked.
unsafe extern "C" fn setattr_no_size(
    idmap: *mut bindings::mnt_idmap,
    dentry: *mut bindings::dentry,
    attr: *mut bindings::iattr,
) -> c_int {
    from_result(|| {
        // SAFETY: As the function's safety requirements say.
        unsafe {
            to_result(bindings::setattr_prepare(idmap, dentry, attr))?;
            if (*attr).ia_valid & bindings::ATTR_SIZE != 0 {
                return Err(EOPNOTSUPP);
            }
            bindings::setattr_copy(idmap, (*dentry).d_inode, attr);
            acl_chmod(idmap, dentry, attr)
        }
    })
}

/// After a `setattr` that changed the mode, rewrites the access ACL to match
/// (`posix_acl_chmod()`, a no-op without POSIX ACLs), as `shmem_setattr()`
/// does.
///
/// # Safety
///
/// `dentry` must be positive, pinned and its inode locked exclusively by a
/// `setattr` that applied `attr`.
unsafe fn acl_chmod(
    idmap: *mut bindings::mnt_idmap,
    dentry: *mut bindings::dentry,
    attr: *const bindings::iattr,
) -> Result<c_int> {
    #[cfg(CONFIG_FS_POSIX_ACL)]
    // SAFETY: By the safety requirements.
    unsafe {
        let mode = (*(*dentry).d_inode).i_mode;
        // Symbolic links have no ACLs (and the VFS changes no link's mode).
        if (*attr).ia_valid & bindings::ATTR_MODE != 0
            && u32::from(mode) & bindings::S_IFMT != bindings::S_IFLNK
        {
            to_result(bindings::posix_acl_chmod(idmap, dentry, mode))?;
        }
    }
    #[cfg(not(CONFIG_FS_POSIX_ACL))]
    let _ = (idmap, dentry, attr);
    Ok(0)
}

/// `->get_inode_acl` and `->set_acl` of inodes that may have POSIX ACLs:
/// those in the extended attributes (see [`xattr`]).
#[cfg(CONFIG_FS_POSIX_ACL)]
const GET_INODE_ACL: Option<
    unsafe extern "C" fn(*mut bindings::inode, c_int, bool) -> *mut bindings::posix_acl,
> = Some(xattr::get_inode_acl);
#[cfg(CONFIG_FS_POSIX_ACL)]
const SET_ACL: Option<
    unsafe extern "C" fn(
        *mut bindings::mnt_idmap,
        *mut bindings::dentry,
        *mut bindings::posix_acl,
        c_int,
    ) -> c_int,
> = Some(xattr::set_acl);
#[cfg(not(CONFIG_FS_POSIX_ACL))]
const GET_INODE_ACL: Option<
    unsafe extern "C" fn(*mut bindings::inode, c_int, bool) -> *mut bindings::posix_acl,
> = None;
#[cfg(not(CONFIG_FS_POSIX_ACL))]
const SET_ACL: Option<
    unsafe extern "C" fn(
        *mut bindings::mnt_idmap,
        *mut bindings::dentry,
        *mut bindings::posix_acl,
        c_int,
    ) -> c_int,
> = None;

/// The inode operations of the inodes without [`Operations`] of file system
/// `T`.
struct OtherOps<T: FileSystem>(PhantomData<T>);

impl<T: FileSystem> OtherOps<T> {
    /// Symbolic links: the target is page 0.
    const SYMLINK: bindings::inode_operations = bindings::inode_operations {
        get_link: Some(bindings::page_get_link),
        setattr: Some(setattr_no_size),
        getattr: Some(getattr::<T>),
        update_time: Some(update_time),
        listxattr: Some(xattr::listxattr),
        ..pin_init::zeroed()
    };

    /// Devices, FIFOs and sockets.
    const SPECIAL: bindings::inode_operations = bindings::inode_operations {
        setattr: Some(setattr_no_size),
        getattr: Some(getattr::<T>),
        update_time: Some(update_time),
        listxattr: Some(xattr::listxattr),
        get_inode_acl: GET_INODE_ACL,
        set_acl: SET_ACL,
        ..pin_init::zeroed()
    };
}

/// The `S_*` flags of `i_flags` that [`InodeFlags`] stand for.
const I_FLAGS_MASK: c_uint = bindings::S_APPEND | bindings::S_IMMUTABLE | bindings::S_NOATIME;

/// `->fileattr_get` of directories and regular files: the [`InodeFlags`],
/// for `FS_IOC_GETFLAGS` and `FS_IOC_FSGETXATTR` (xfs_io's `stat`).
///
/// # Safety
///
/// Called by the VFS with a pinned positive dentry of file system `T` and
/// `fa` valid for writes.
unsafe extern "C" fn fileattr_get<T: FileSystem>(
    dentry: *mut bindings::dentry,
    fa: *mut bindings::file_kattr,
) -> c_int {
    // SAFETY: As the function's safety requirements say.
    unsafe {
        let inode = Inode::<T>::from_raw((*dentry).d_inode);
        bindings::fileattr_fill_flags(fa, inode.flags().0);
    }
    0
}

/// `->fileattr_set` of directories and regular files: the [`InodeFlags`],
/// as `shmem_fileattr_set()` sets them. `vfs_fileattr_set()` holds
/// `i_rwsem`, checked the caller's right to change them
/// (`CAP_LINUX_IMMUTABLE` for append-only and immutable), and turned xfs
/// flags into these.
///
/// # Safety
///
/// Called by the VFS with a pinned positive dentry of file system `T`, its
/// inode locked, and `fa` valid.
unsafe extern "C" fn fileattr_set<T: FileSystem>(
    _idmap: *mut bindings::mnt_idmap,
    dentry: *mut bindings::dentry,
    fa: *mut bindings::file_kattr,
) -> c_int {
    // SAFETY: As the function's safety requirements say; the inode came
    // from the inode cache of `T`, and its lock serialises writers of
    // `flags` and `i_flags`.
    unsafe {
        if bindings::fileattr_has_fsx(fa) || (*fa).flags & !InodeFlags::ALL != 0 {
            return EOPNOTSUPP.to_errno();
        }
        let inode = (*dentry).d_inode;
        let flags = InodeFlags((*fa).flags);
        (*INodeWithData::<T>::from_inode(inode))
            .flags
            .store(flags.into(), Relaxed);
        bindings::inode_set_flags(inode, flags.i_flags(), I_FLAGS_MASK);
        bindings::inode_set_ctime_current(inode);
    }
    0
}

/// `->getattr` of every inode: `generic_fillattr()`, the [`InodeFlags`]
/// that `statx(2)` reports as in `shmem_getattr()`, then
/// [`FileSystem::getattr`].
///
/// # Safety
///
/// Called by the VFS with a pinned positive dentry of file system `T` in
/// `path`, and `stat` valid for writes, for the call.
unsafe extern "C" fn getattr<T: FileSystem>(
    idmap: *mut bindings::mnt_idmap,
    path: *const bindings::path,
    stat: *mut bindings::kstat,
    request_mask: u32,
    _query_flags: c_uint,
) -> c_int {
    from_result(|| {
        // SAFETY: As the function's safety requirements say.
        let inode = unsafe {
            let raw = (*(*path).dentry).d_inode;
            bindings::generic_fillattr(idmap, request_mask, raw, stat);
            Inode::<T>::from_raw(raw)
        };
        // SAFETY: `stat` is valid for reads and writes for the call.
        unsafe {
            (*stat).attributes |= inode.flags().statx_attributes();
            (*stat).attributes_mask |= InodeFlags::STATX_ATTRIBUTES_MASK;
        }
        // INVARIANT: `stat` is valid for writes for the call.
        T::getattr(inode, &mut Kstat(stat))?;
        Ok(0)
    })
}

/// The attributes `stat(2)` and `statx(2)` return, filled from the inode by
/// the VFS, for [`FileSystem::getattr`] to complete with what only the file
/// system knows.
///
/// # Invariants
///
/// The pointer is a `struct kstat` valid for writes while this exists.
pub struct Kstat(*mut bindings::kstat);

impl Kstat {
    /// Sets the number of 512-byte blocks the object occupies.
    pub fn set_blocks(&mut self, blocks: u64) {
        // SAFETY: Valid for writes (type invariant).
        unsafe { (*self.0).blocks = blocks };
    }

    /// Sets the creation ("birth") time, and reports it (`STATX_BTIME`).
    /// Nanoseconds past a second are clamped.
    pub fn set_btime(&mut self, t: Time) {
        let nsec = t.nsec.min(999_999_999);
        // SAFETY: Valid for writes (type invariant).
        unsafe {
            (*self.0).btime = bindings::timespec64 {
                tv_sec: t.sec,
                // Below one billion: no wrap.
                tv_nsec: nsec as isize,
            };
            (*self.0).result_mask |= bindings::STATX_BTIME;
        }
    }
}
