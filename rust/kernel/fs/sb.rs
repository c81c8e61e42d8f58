// SPDX-License-Identifier: GPL-2.0

//! Superblocks.
//!
//! A superblock is [`New`] while [`FileSystem::fill_super`] sets it up, and
//! [`Ready`] once its per-superblock data is in place; only a `Ready`
//! superblock gives access to that data or makes inodes.
//!
//! C headers: [`include/linux/fs/super_types.h`](srctree/include/linux/fs/super_types.h).

use super::{
    dir::Pending,
    inode::{self, Dev, Iget},
    xattr::{self, Handlers},
    FileSystem, InodeRef,
};
use crate::{
    bindings,
    error::to_result,
    ffi::c_ulong,
    prelude::*,
    sync::{atomic::Atomic, Mutex},
    types::{ForeignOwnable, Opaque},
};
use core::{marker::PhantomData, ptr::NonNull};

/// Typestate of a superblock being set up by [`FileSystem::fill_super`].
pub struct New;

/// Typestate of a superblock whose `s_fs_info` holds the file system's data.
pub struct Ready;

mod private {
    pub trait Sealed {}
    impl Sealed for super::New {}
    impl Sealed for super::Ready {}
}

/// A superblock state: [`New`] or [`Ready`].
pub trait State: private::Sealed {}
impl State for New {}
impl State for Ready {}

/// A superblock of file system `T`, in state `S`.
///
/// # Invariants
///
/// `inner` is a live superblock of file system `T`. In state [`Ready`], its
/// `s_fs_info` points to an `Info` whose `data` was returned by
/// `T::Data::into_foreign()`; both stay valid until the superblock is killed.
#[repr(transparent)]
pub struct SuperBlock<T: FileSystem, S: State = Ready> {
    inner: Opaque<bindings::super_block>,
    _p: PhantomData<(T, S)>,
}

// SAFETY: A superblock is shared by all threads of the VFS; the methods of
// `SuperBlock` are safe to call concurrently, and `data()` hands out a borrow
// of `T::Data`, which is `Sync`.
unsafe impl<T: FileSystem, S: State> Sync for SuperBlock<T, S> {}

/// What `s_fs_info` of a [`Ready`] superblock points to: the file system's
/// data, and the bindings' own state of the superblock.
#[pin_data]
pub(crate) struct Info {
    /// From `T::Data::into_foreign()`.
    pub(crate) data: *mut c_void,
    /// The names of this superblock's prefetches that are not done yet
    /// ([`DirFile::prefetch`](super::dir::DirFile::prefetch)).
    pub(crate) prefetching: Atomic<usize>,
    /// The prefetches queued and not yet taken by a worker.
    #[pin]
    pub(crate) pending: Mutex<Pending>,
}

// SAFETY: `data` is only turned back into `T::Data`, which is `Send + Sync`,
// by `->kill_sb`; the rest is synchronised.
unsafe impl Send for Info {}
// SAFETY: As above.
unsafe impl Sync for Info {}

/// Parameters of a new superblock, for [`SuperBlock::set_params`].
pub struct Params {
    /// The file system's magic number (`statfs(2)`'s `f_type`).
    pub magic: c_ulong,
    /// Log2 of the block size.
    pub blocksize_bits: u8,
    /// The largest file size.
    pub maxbytes: i64,
    /// The granularity of timestamps, in nanoseconds.
    pub time_gran: u32,
    /// The most links an inode may have (`s_max_links`), which the VFS
    /// checks before `link`, `mkdir` and `rename` (`EMLINK`); 0 for no
    /// limit.
    pub max_links: u32,
}

impl<T: FileSystem, S: State> SuperBlock<T, S> {
    /// Creates a reference from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be a superblock of file system `T` in state `S` that stays
    /// live for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::super_block) -> &'a Self {
        // SAFETY: By the safety requirements, and `Self` is `repr(transparent)`.
        unsafe { &*ptr.cast() }
    }

    /// Returns the raw `struct super_block`.
    pub fn as_raw(&self) -> *mut bindings::super_block {
        self.inner.get()
    }

    /// The device number (`s_dev`): for a `nodev` file system, an anonymous
    /// one, as `/proc/self/mountinfo` and `stat(2)`'s `st_dev` show it.
    pub fn dev(&self) -> Dev {
        // SAFETY: `s_dev` is set before `fill_super` runs and never changes.
        Dev::from_raw(unsafe { (*self.as_raw()).s_dev })
    }
}

impl<T: FileSystem> SuperBlock<T, New> {
    /// Sets the superblock's basic parameters. The block size must be between
    /// 512 bytes and a page, and the time granularity between 1 ns and 1 s.
    pub fn set_params(&self, p: &Params) -> Result {
        if !(9..=crate::page::PAGE_SHIFT as u8).contains(&p.blocksize_bits)
            || !(1..=1_000_000_000).contains(&p.time_gran)
        {
            return Err(EINVAL);
        }
        let sb = self.as_raw();
        // SAFETY: A `New` superblock is only reachable from `fill_super`, which
        // runs with `s_umount` held for writing before `SB_BORN` is set, so
        // nobody else looks at these fields yet.
        unsafe {
            (*sb).s_magic = p.magic;
            (*sb).s_blocksize_bits = p.blocksize_bits;
            (*sb).s_blocksize = 1 << p.blocksize_bits;
            (*sb).s_maxbytes = p.maxbytes;
            (*sb).s_time_gran = p.time_gran;
            (*sb).s_max_links = p.max_links;
        }
        Ok(())
    }

    /// Gives the superblock a backing device of its own
    /// (`super_setup_bdi()`), through which `fsync(2)`, `msync(2)`,
    /// `sync(2)` and the flusher threads write dirty folios back, with
    /// `writepages`. A `nodev` superblock otherwise has the no-op device,
    /// which writes nothing back, so regular files whose contents go to a
    /// store ([`address_space::Ops::new`](super::address_space::Ops::new))
    /// cannot be set up there. Fails with `EBUSY` the second time.
    pub fn setup_bdi(&self) -> Result {
        let sb = self.as_raw();
        // SAFETY: As in `set_params()`; the VFS releases the device when the
        // superblock goes (`SB_I_PERSB_BDI`), and only once: a second one
        // would leak the first.
        unsafe {
            if (*sb).s_iflags & bindings::SB_I_PERSB_BDI as usize != 0 {
                return Err(EBUSY);
            }
            to_result(bindings::super_setup_bdi(sb))
        }
    }

    /// Installs the extended-attribute handlers (`s_xattr`).
    pub fn set_xattr_handlers(&self, h: Handlers<T>) {
        // SAFETY: A `New` superblock is only reachable from `fill_super`,
        // before anyone else looks at it; the handlers are static.
        unsafe { (*self.as_raw()).s_xattr = h.as_raw() };
    }

    /// Turns POSIX ACLs on (`SB_POSIXACL`), stored through the handlers
    /// installed with [`SuperBlock::set_xattr_handlers`]: the VFS then
    /// checks them, and leaves the umask to the creation of each inode.
    /// [`xattr::Operations`] then also get and set the `system.posix_acl_access`
    /// and `system.posix_acl_default` names. `EOPNOTSUPP` without
    /// `CONFIG_FS_POSIX_ACL`, `EINVAL` before the handlers are installed.
    pub fn enable_posix_acls(&self) -> Result {
        if !cfg!(CONFIG_FS_POSIX_ACL) {
            return Err(EOPNOTSUPP);
        }
        // SAFETY: The superblock is pinned, and ours.
        if !unsafe { xattr::has_handlers(self.as_raw()) } {
            return Err(EINVAL);
        }
        // SAFETY: `fill_super` runs with `s_umount` held exclusively, as
        // every file system that sets flags there relies on.
        unsafe { (*self.as_raw()).s_flags |= bindings::SB_POSIXACL };
        Ok(())
    }

    /// Opts in to parallel directory operations (`SB_I_PAR_DIROPS`): the
    /// VFS then locks a directory shared, and the name exclusively, for an
    /// operation that creates or removes one name, and both names for a
    /// rename within the directory, so that updates of different names of
    /// one directory run in parallel, and beside lookups and readdir. The
    /// file system keeps each directory's state consistent under its own
    /// locks: the operations get [`Update`] tokens, which change the
    /// directory's link count and times only under its `i_lock`. It must
    /// hash what `->lookup` gives it, since an unhashed miss has no dentry
    /// to lock, and names that differ in case only would have a lock each:
    /// [`NewEntry::miss_uncached`] and [`NewEntry::add_ci`] then fail with
    /// `EINVAL`. `EOPNOTSUPP` on a kernel without the lifted series, whose
    /// VFS cannot do it.
    ///
    /// [`Update`]: super::inode::Update
    /// [`NewEntry::miss_uncached`]: super::dentry::NewEntry::miss_uncached
    /// [`NewEntry::add_ci`]: super::dentry::NewEntry::add_ci
    pub fn set_par_dirops(&self) -> Result {
        // SAFETY: A `New` superblock is only reachable from `fill_super`,
        // which runs with `s_umount` held for writing, before any directory
        // operation; the flag is never cleared, which
        // `Locked::<Update>::exclusive()` relies on.
        to_result(unsafe { bindings::sb_set_par_dirops(self.as_raw()) })
    }
}

impl<T: FileSystem> SuperBlock<T, Ready> {
    /// The file system's per-superblock data.
    pub fn data(&self) -> <T::Data as ForeignOwnable>::Borrowed<'_> {
        // SAFETY: `data` came from `into_foreign()` (type invariant) and is
        // only turned back by `from_foreign()` when the superblock is
        // killed, after every user of `&self` is gone.
        unsafe { T::Data::borrow(self.info().data) }
    }

    /// The bindings' state of the superblock.
    pub(crate) fn info(&self) -> &Info {
        // SAFETY: `s_fs_info` points to an `Info` until the superblock is
        // killed (type invariant), which outlives `&self`.
        unsafe { &*(*self.as_raw()).s_fs_info.cast::<Info>() }
    }

    /// Finds inode `ino` in the inode cache, or allocates it as a
    /// [`inode::New`] inode that the caller initialises (`iget_locked()`). It waits while
    /// the inode is someone's `New`: a thread that holds the `New` of `ino`
    /// itself would wait for itself.
    pub fn iget_locked(&self, ino: u64) -> Result<Iget<'_, T>> {
        // SAFETY: The superblock is live (type invariant).
        let inode =
            NonNull::new(unsafe { bindings::iget_locked(self.as_raw(), ino) }).ok_or(ENOMEM)?;
        // SAFETY: `iget_locked()` returned a referenced inode.
        let state = unsafe { bindings::inode_state_read_once(inode.as_ptr()) };
        if state & bindings::inode_state_flags_enum_I_NEW != 0 {
            // INVARIANT: The inode is `I_NEW`, fresh from our cache (so its
            // data is not initialised), on this superblock, and we own the
            // reference `iget_locked()` returned.
            // SAFETY: As above.
            Ok(Iget::New(unsafe { inode::New::from_raw(inode) }))
        } else {
            // INVARIANT: `iget_locked()` waits for `I_NEW` to clear, so the
            // inode is initialised; we own the reference it returned.
            // SAFETY: As above.
            Ok(Iget::Cached(unsafe { InodeRef::from_raw(inode) }))
        }
    }
}
