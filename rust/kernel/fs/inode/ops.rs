// SPDX-License-Identifier: GPL-2.0

//! The `inode_operations` of each inode type, and their trampolines.

use super::{
    stat::{fileattr_get, fileattr_set, getattr},
    Dev, Exclusive, Locked, LookupLock, Mode, Opened, TmpFile, Update,
};
use crate::{
    bindings,
    error::{from_result, to_result, VTABLE_DEFAULT_ERROR},
    fs::{
        dentry::{Entry, LookupFlag, LookupFlags, NewEntry, Spliced},
        rename::{self, RenameFlags, RenameLocks},
        xattr, FileSystem, Inode,
    },
    prelude::*,
    str::CStr,
};
use core::marker::PhantomData;

/// Operations on inodes of file system `FileSystem`: the
/// `inode_operations` of directories and regular files.
///
/// The operations that create, remove or rename a name run with the parent
/// directories locked for an update of those names ([`Update`]):
/// exclusively, or, in a file system that opts in to parallel directory
/// operations, shared with the names locked (for a rename, within one
/// directory only). `lookup` runs with the lock that [`LookupLock`] says.
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

    /// Creates a regular file at `dentry`, and instantiates `dentry` with
    /// it. So do the other creating operations. The VFS has applied the
    /// umask to `mode` (unless POSIX ACLs are on), which has `S_IFREG`
    /// and the permission bits ([`Mode::perm`]).
    fn create<'a>(
        _dir: &Locked<'_, Self::FileSystem, Update>,
        _dentry: NewEntry<'a, Self::FileSystem>,
        _mode: Mode,
    ) -> Result<Spliced<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a directory at `dentry`; `mode` has `S_IFDIR` and the
    /// permission bits (`vfs_prepare_mode()`).
    fn mkdir<'a>(
        _dir: &Locked<'_, Self::FileSystem, Update>,
        _dentry: NewEntry<'a, Self::FileSystem>,
        _mode: Mode,
    ) -> Result<Spliced<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a special file at `dentry`, of the type that `mode` has
    /// ([`Mode::file_type`]): a device, a FIFO or a socket.
    fn mknod<'a>(
        _dir: &Locked<'_, Self::FileSystem, Update>,
        _dentry: NewEntry<'a, Self::FileSystem>,
        _mode: Mode,
        _dev: Dev,
    ) -> Result<Spliced<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a symbolic link to `target` at `dentry`.
    fn symlink<'a>(
        _dir: &Locked<'_, Self::FileSystem, Update>,
        _dentry: NewEntry<'a, Self::FileSystem>,
        _target: &CStr,
    ) -> Result<Spliced<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Links `old`, an inode the VFS holds locked, at `dentry`.
    fn link<'a>(
        _old: &Locked<'_, Self::FileSystem, Exclusive>,
        _dir: &Locked<'_, Self::FileSystem, Update>,
        _dentry: NewEntry<'a, Self::FileSystem>,
    ) -> Result<Spliced<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Removes the name `dentry`, which is not a directory, of `victim`,
    /// its inode, which the VFS holds locked.
    fn unlink(
        _dir: &Locked<'_, Self::FileSystem, Update>,
        _dentry: &Entry<'_, Self::FileSystem>,
        _victim: &Locked<'_, Self::FileSystem, Exclusive>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Removes the directory `dentry`, which the VFS has checked is one;
    /// `victim` is its inode, which the VFS holds locked.
    fn rmdir(
        _dir: &Locked<'_, Self::FileSystem, Update>,
        _dentry: &Entry<'_, Self::FileSystem>,
        _victim: &Locked<'_, Self::FileSystem, Exclusive>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Renames `old` in `old_dir` to `new` in `new_dir` (the same directory,
    /// or another one). The VFS holds both directories' locks, and
    /// `s_vfs_rename_mutex` across directories; or, within one directory of
    /// a file system that opted in to parallel directory operations, the
    /// directory's lock shared and both names
    /// ([`RenameLocks::names_locked`]): hence the [`Update`] tokens.
    /// `new` is negative unless it is replaced.
    /// `inodes` has the tokens of the source and target inodes the VFS
    /// locked: all but a directory that stays in its parent.
    ///
    /// The bindings move the dentries after it succeeds (the type has
    /// `FS_RENAME_DOES_D_MOVE`): the source onto the target, onto the
    /// target's duplicate after a silly-rename ([`Entry::silly_rename`]),
    /// or they swap them for an exchange; and they fill a whiteout's
    /// duplicate ([`Entry::duplicate`]).
    fn rename(
        _old_dir: &Locked<'_, Self::FileSystem, Update>,
        _old: &Entry<'_, Self::FileSystem>,
        _new_dir: &Locked<'_, Self::FileSystem, Update>,
        _new: &mut Entry<'_, Self::FileSystem>,
        _flags: RenameFlags,
        _inodes: &RenameLocks<'_, Self::FileSystem>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates an unnamed regular file in `dir` and opens it as `file`
    /// (`O_TMPFILE`), with the permission bits of `mode`. The VFS does not
    /// lock `dir`: nothing gets a name.
    fn tmpfile<'a>(
        _dir: &Inode<Self::FileSystem>,
        _file: TmpFile<'a, Self::FileSystem>,
        _mode: Mode,
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
///
/// # Invariants
///
/// The pointer is a static `inode_operations` table whose callbacks are
/// the trampolines of operations of file system `T`.
pub struct Ops<T: FileSystem>(pub(crate) *const bindings::inode_operations, PhantomData<T>);

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
            U::tmpfile(dir, file, Mode::from_raw(mode))?;
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
        let lock =
            unsafe { LookupLock::new(Inode::from_raw(dir), flags.contains(LookupFlag::Shared)) };
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
    /// Called by the VFS with `dir` locked for an update of the name of
    /// `dentry` (`start_dirop()`), and `dentry` negative.
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
            let spliced = U::create(&dir, dentry, Mode::from_raw(mode))?;
            // SAFETY: `raw` is the pinned dentry the operation was given.
            unsafe { check_created(raw, spliced) }
        })
    }

    /// # Safety
    ///
    /// Called by the VFS with `dir` locked for an update of the name of
    /// `dentry` (`start_dirop()`), and `dentry` negative.
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
        let spliced = match U::mkdir(&dir, dentry, Mode::from_raw(mode)) {
            Ok(spliced) => spliced,
            Err(e) => return e.to_ptr(),
        };
        // The VFS and stacked file systems expect a positive directory.
        let res = spliced.alias().map_or(raw, |a| a.as_raw());
        // SAFETY: `res` is the pinned dentry the VFS gave, or the alias the
        // splice returned, which `spliced` holds; `d_inode` is stable under
        // the parent's lock (and the name's: the VFS splices no alias onto a
        // locked name), and a positive dentry pins its inode.
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
    /// Called by the VFS with `dir` locked for an update of the name of
    /// `dentry` (`start_dirop()`), and `dentry` negative.
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
            let spliced = U::mknod(&dir, dentry, Mode::from_raw(mode), Dev::from_raw(dev))?;
            // SAFETY: `raw` is the pinned dentry the operation was given.
            unsafe { check_created(raw, spliced) }
        })
    }

    /// # Safety
    ///
    /// Called by the VFS with `dir` locked for an update of the name of
    /// `dentry`, `dentry` negative and `target` a NUL-terminated string.
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
    /// Called by the VFS with `dir` locked for an update of the name of
    /// `dentry`, `dentry` negative, and `old` a pinned positive dentry whose
    /// inode is locked exclusively.
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
    /// Called by the VFS with `dir` locked for an update of the name of
    /// `dentry`, and the inode of `dentry` locked exclusively.
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
    /// Called by the VFS with `dir` locked for an update of the name of
    /// `dentry`, and the inode of `dentry` locked exclusively.
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
    /// Called by the VFS with both directories locked (`lock_rename()`), or
    /// their common directory shared and both names locked.
    unsafe extern "C" fn rename(
        _idmap: *mut bindings::mnt_idmap,
        old_dir: *mut bindings::inode,
        old: *mut bindings::dentry,
        new_dir: *mut bindings::inode,
        new: *mut bindings::dentry,
        flags: c_uint,
    ) -> c_int {
        // SAFETY: As the function's safety requirements say.
        match unsafe { rename::rename::<U>(old_dir, old, new_dir, new, flags) } {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
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
                    // As ext4: no `->page_mkwrite` makes room for a page
                    // between the store's truncation and the page cache's,
                    // which would leave room charged past the end.
                    let mapping = (*raw).i_mapping;
                    bindings::filemap_invalidate_lock(mapping);
                    let res = U::truncate(inode, (*attr).ia_size);
                    if res.is_ok() {
                        bindings::truncate_setsize(raw, (*attr).ia_size);
                    }
                    bindings::filemap_invalidate_unlock(mapping);
                    res?;
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

/// Records new timestamps in the inode without marking it dirty.
///
/// The attributes of an inode live in the inode while it is cached, and go
/// back to the file system's store in `->evict_inode`. A dirty inode would
/// gain nothing from that, and lose: the inode cache's shrinker skips dirty
/// inodes until a writeback has cleaned them.
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
pub(super) struct OtherOps<T: FileSystem>(PhantomData<T>);

impl<T: FileSystem> OtherOps<T> {
    /// Symbolic links: the target is page 0.
    pub(super) const SYMLINK: bindings::inode_operations = bindings::inode_operations {
        get_link: Some(bindings::page_get_link),
        setattr: Some(setattr_no_size),
        getattr: Some(getattr::<T>),
        update_time: Some(update_time),
        listxattr: Some(xattr::listxattr),
        ..pin_init::zeroed()
    };

    /// Devices, FIFOs and sockets.
    pub(super) const SPECIAL: bindings::inode_operations = bindings::inode_operations {
        setattr: Some(setattr_no_size),
        getattr: Some(getattr::<T>),
        update_time: Some(update_time),
        listxattr: Some(xattr::listxattr),
        get_inode_acl: GET_INODE_ACL,
        set_acl: SET_ACL,
        ..pin_init::zeroed()
    };
}
