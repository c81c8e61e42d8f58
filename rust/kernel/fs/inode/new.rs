// SPDX-License-Identifier: GPL-2.0

//! New inodes: set up while `I_NEW`, then unlocked.

use super::{
    ops::OtherOps, stat::I_FLAGS_MASK, Attrs, Dev, Exclusive, InodeRef, InodeWithData, Locked, Ops,
};
use crate::{
    bindings,
    fs::{
        address_space,
        dentry::{NewEntry, Spliced},
        dir,
        xattr::{self, InitXattrs},
        FileSystem, Inode, SuperBlock,
    },
    prelude::*,
    sync::atomic::Relaxed,
};
use core::{marker::PhantomData, mem::ManuallyDrop, ptr::NonNull};

/// The type of a new inode, with the operation tables that go with it.
pub enum Type<T: FileSystem> {
    /// A directory.
    Dir(Ops<T>, dir::Ops<T>),
    /// A regular file whose contents go through the page cache.
    Reg(Ops<T>, address_space::Ops<T>),
    /// A symbolic link whose target is read through the page cache, as the
    /// contents of page 0 (`page_get_link()`).
    Lnk(address_space::Ops<T>),
    /// A character device, with its device number.
    Chr(Dev),
    /// A block device, with its device number.
    Blk(Dev),
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
    pub data: T::InodeData,
}

/// A new, locked (`I_NEW`) inode returned by `iget_locked()`.
///
/// It must be initialised with [`New::init`]; dropping it instead calls
/// `iget_failed()`, which unhashes and releases it.
///
/// # Invariants
///
/// `inode` is an `I_NEW` inode of file system `T` on the superblock borrowed
/// for `'a`, whose data is not initialised (but between `New::setup()` and
/// `New::unlock()`), and we own a reference to it.
pub struct New<'a, T: FileSystem> {
    inode: NonNull<bindings::inode>,
    _p: PhantomData<&'a SuperBlock<T>>,
}

impl<'a, T: FileSystem> New<'a, T> {
    /// Takes over an inode `iget_locked()` returned `I_NEW`.
    ///
    /// # Safety
    ///
    /// `inode` must be an `I_NEW` inode fresh from the inode cache of `T`,
    /// on a superblock that outlives the result, whose reference the caller
    /// owns.
    pub(crate) unsafe fn from_raw(inode: NonNull<bindings::inode>) -> Self {
        // INVARIANT: By the safety requirements.
        Self {
            inode,
            _p: PhantomData,
        }
    }

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
    /// [`Params`]), and a regular file whose contents are written back to a
    /// store on a superblock without a backing device (see
    /// [`address_space::Ops::new`]), give `EINVAL`, and the inode goes as if
    /// dropped.
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
        // SAFETY: `self` is unlocked below (a panic in `store` does not
        // unwind), or dropped on failure, when the data was not initialised.
        unsafe { self.setup(params) }?;
        // SAFETY: Set up, and `dir` and `name` by the safety requirements.
        let res = unsafe { self.label(dir, name, store) };
        let inode = self.unlock();
        res.map(|()| inode)
    }

    /// Sets up an inode being created under `entry`'s name, as
    /// [`New::init_created`] does, and instantiates `entry` with it for
    /// good ([`NewEntry::make_persistent`]) before unlocking it, as
    /// `d_instantiate_new()` does: nothing can find the inode before, so
    /// the name is its first, as a directory's must be. `dir` must be the
    /// entry's parent, and a directory must have at least two links, for
    /// "." and its name (`EINVAL`). On failure, the inode goes with no
    /// links.
    pub fn init_persistent<'e>(
        self,
        params: Params<'_, T>,
        entry: NewEntry<'e, T>,
        dir: &Locked<'_, T, Exclusive>,
        store: InitXattrs<'_>,
    ) -> Result<Spliced<'e, T>> {
        let d = entry.as_raw();
        // SAFETY: The entry's dentry is pinned; `d_sb` never changes, and
        // its parent and name are stable: the parent is locked, or the
        // dentry in-lookup.
        let (sb, parent, name) = unsafe {
            (
                (*d).d_sb,
                (*(*d).d_parent).d_inode,
                &raw const (*d).__bindgen_anon_1.d_name,
            )
        };
        if sb != self.sb_raw() {
            return Err(EXDEV);
        }
        // A directory counts its "." and its parent's entry:
        // `simple_rmdir()` drops both.
        let dir_links = matches!(params.typ, Type::Dir(..)) && params.attrs.nlink < 2;
        if parent != dir.as_raw() || dir_links {
            return Err(EINVAL);
        }
        // SAFETY: `self` is unlocked below, or dropped on failure, when the
        // data was not initialised.
        unsafe { self.setup(params) }?;
        // SAFETY: Set up; `parent` is pinned and locked, and `name` valid
        // while `entry` lives.
        if let Err(e) = unsafe { self.label(parent, name, store) } {
            drop(self.unlock());
            return Err(e);
        }
        let this = ManuallyDrop::new(self);
        let inode = this.inode.as_ptr();
        // SAFETY: The dentry is negative and ours to instantiate (type
        // invariant of `NewEntry`, which is consumed), and its parent is
        // locked exclusively; the inode is set up and still `I_NEW`, so no
        // dentry has it. A directory's `i_rwsem` gets its lockdep class
        // first, as in `d_instantiate_new()`: `unlock_new_inode()` would
        // re-initialise it once the name is visible and the lock may be in
        // use, and now finds nothing to do. `d_make_persistent()` takes
        // over our reference; then the dentry pins the inode, which is
        // unlocked, and `this` is not dropped.
        unsafe {
            bindings::lockdep_annotate_inode_mutex_key(inode);
            bindings::d_make_persistent(d, inode);
            bindings::unlock_new_inode(inode);
        }
        Ok(Spliced::instantiated())
    }

    /// Lets the POSIX ACLs and the LSMs set up an inode that [`New::setup`]
    /// set up, for a name `name` in `dir`, or clears its links if they
    /// fail, so that it goes at its last put.
    ///
    /// # Safety
    ///
    /// The inode must be set up, and `dir` and `name` as for
    /// [`New::init_secure`].
    unsafe fn label(
        &self,
        dir: *mut bindings::inode,
        name: *const bindings::qstr,
        store: InitXattrs<'_>,
    ) -> Result {
        let inode = self.inode.as_ptr();
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
        res
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
    /// `EINVAL`, having changed nothing, if they are out of range or need a
    /// backing device the superblock lacks.
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
        // Contents kept in a store are written back to it through the
        // superblock's backing device (`SuperBlock::setup_bdi()`); the no-op
        // device of a `nodev` superblock would never write them.
        let store = matches!(params.typ, Type::Reg(_, a) if !a.2);
        // SAFETY: `inode_init_always()` pointed `i_mapping` at the inode's
        // own mapping, whose `host` it is.
        if store && !unsafe { bindings::mapping_can_writeback((*inode).i_mapping) } {
            return Err(EINVAL);
        }
        let perm = a.mode & bindings::S_IALLUGO as u16;
        // SAFETY: The inode is `I_NEW`, so we have exclusive access to it, it
        // came from our inode cache, and the operation tables are static.
        unsafe {
            let outer = InodeWithData::<T>::from_inode(inode);
            (*outer).data.write(params.data);
            (*outer).has_data = true;
            (*outer).flags.store(a.flags.into(), Relaxed);
            bindings::inode_set_flags(inode, a.flags.i_flags(), I_FLAGS_MASK);
            let ram = matches!(params.typ, Type::Reg(_, a) | Type::Lnk(a) if a.2);
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
                Type::Fifo => special::<T>(inode, bindings::S_IFIFO, perm, Dev::default()),
                Type::Sock => special::<T>(inode, bindings::S_IFSOCK, perm, Dev::default()),
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
            if ram {
                // As `ramfs_get_inode()`: the page cache is the only copy.
                bindings::mapping_set_gfp_mask((*inode).i_mapping, bindings::GFP_HIGHUSER);
                bindings::mapping_set_unevictable((*inode).i_mapping);
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
    dev: Dev,
) -> (
    u32,
    *const bindings::inode_operations,
    *const bindings::file_operations,
    Option<*const bindings::address_space_operations>,
) {
    // SAFETY: By the safety requirements.
    unsafe { bindings::init_special_inode(inode, fmt as u16 | perm, dev.as_raw()) };
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

/// The result of [`SuperBlock::iget_locked`].
pub enum Iget<'a, T: FileSystem> {
    /// The inode was in the inode cache, initialised.
    Cached(InodeRef<'a, T>),
    /// The inode was not cached: this thread must initialise it.
    New(New<'a, T>),
}
