// SPDX-License-Identifier: GPL-2.0

//! `stat(2)` and the inode flags of `chattr(1)`: `->getattr`,
//! `->fileattr_get` and `->fileattr_set`.

use super::{InodeFlags, InodeWithData, Time};
use crate::{
    bindings,
    error::from_result,
    fs::{dir::DirType, FileSystem, Inode},
    prelude::*,
    sync::atomic::Relaxed,
};

/// The `S_*` flags of `i_flags` that [`InodeFlags`] stand for.
pub(super) const I_FLAGS_MASK: c_uint =
    bindings::S_APPEND | bindings::S_IMMUTABLE | bindings::S_NOATIME;

/// `->fileattr_get` of directories and regular files: the [`InodeFlags`],
/// for `FS_IOC_GETFLAGS` and `FS_IOC_FSGETXATTR` (xfs_io's `stat`).
///
/// # Safety
///
/// Called by the VFS with a pinned positive dentry of file system `T` and
/// `fa` valid for writes.
pub(super) unsafe extern "C" fn fileattr_get<T: FileSystem>(
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
pub(super) unsafe extern "C" fn fileattr_set<T: FileSystem>(
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
        (*InodeWithData::<T>::from_inode(inode))
            .flags
            .store(flags.into(), Relaxed);
        bindings::inode_set_flags(inode, flags.i_flags(), I_FLAGS_MASK);
        bindings::inode_set_ctime_current(inode);
    }
    0
}

/// `->getattr` of every inode: `generic_fillattr()`, the [`InodeFlags`]
/// that `statx(2)` reports as in `shmem_getattr()`, the blocks of a
/// regular file whose pages are its only copy (`address_space::Ops::ram()`)
/// as ramfs's `simple_getattr()` counts them, then [`FileSystem::getattr`].
///
/// # Safety
///
/// Called by the VFS with a pinned positive dentry of file system `T` in
/// `path`, and `stat` valid for writes, for the call.
pub(super) unsafe extern "C" fn getattr<T: FileSystem>(
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
        // SAFETY: `stat` is valid for reads and writes for the call; the
        // inode's mapping and its `a_ops` are set for good once it is
        // initialised, and `nrpages` is read racily, as by
        // `simple_getattr()`.
        unsafe {
            (*stat).attributes |= inode.flags().statx_attributes();
            (*stat).attributes_mask |= InodeFlags::STATX_ATTRIBUTES_MASK;
            let mapping = (*inode.as_raw()).i_mapping;
            if (*mapping).a_ops == &raw const bindings::ram_aops
                && inode.mode().file_type() == DirType::Reg
            {
                let pages = core::ptr::read_volatile(&raw const (*mapping).nrpages);
                (*stat).blocks = (pages as u64) << (crate::page::PAGE_SHIFT - 9);
            }
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
