// SPDX-License-Identifier: GPL-2.0

//! Address-space operations for file systems whose data lives in their own
//! store and for which the page cache is only a cache.
//!
//! The file system moves bytes; the bindings handle the folios. The page
//! cache is a write-back cache over the store, as over a disk:
//!
//! - `read_folio` fills a folio from [`Operations::read`];
//! - `write_begin` reserves room with [`Operations::write_begin`], so that a
//!   write fails cleanly (for example with `ENOSPC`) before any byte is
//!   copied, and reads the folio first if the write covers only part of it;
//! - `write_end` leaves the folio dirty, and tells the store of a new size
//!   with [`Operations::grow`];
//! - `writepages` stores dirty folios with [`Operations::write_back`]: on
//!   `fsync(2)` and `sync(2)`, from the flusher threads, and in the last
//!   `iput()` of an inode that is to be evicted. Reclaim and `drop_caches`
//!   drop only clean folios, and only inodes without dirty ones. Stores
//!   through shared writable mappings dirty folios the same way;
//!   `page_mkwrite` makes room for them with [`Operations::write_begin`]
//!   when a page is first written.
//!
//! Writing back needs the superblock's own backing device
//! ([`SuperBlock::setup_bdi`](super::sb::SuperBlock::setup_bdi)): an inode
//! with these operations cannot be set up without one.
//!
//! The table also gives the file operations of regular files, whose
//! `mmap` installs the `page_mkwrite` that calls back into it.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h) and
//! [`include/linux/pagemap.h`](srctree/include/linux/pagemap.h).

use super::{
    inode::{Exclusive, Locked, Unreferenced},
    FileSystem, Inode,
};
use crate::{
    bindings,
    error::{from_result, to_result},
    page::PAGE_SIZE,
    prelude::*,
};
use core::marker::PhantomData;

/// Operations on the contents of inodes of file system `FileSystem`.
#[vtable]
pub trait Operations {
    /// The file system these operations belong to.
    type FileSystem: FileSystem;

    /// Fills `buf` with the contents at `pos`, with zeroes past the end.
    fn read(inode: &Inode<Self::FileSystem>, pos: i64, buf: &mut [u8]) -> Result;

    /// Makes room for `len` bytes at `pos`, so that the
    /// [`Operations::write_back`] of those bytes cannot fail for want of it
    /// (`ENOSPC`). Called with `i_rwsem` held, or, for the first store
    /// through a shared writable mapping into a page that is not dirty
    /// (`->page_mkwrite`), without it: a failure there is `SIGBUS` for the
    /// storing task.
    fn write_begin(_inode: &Inode<Self::FileSystem>, _pos: i64, _len: usize) -> Result {
        Ok(())
    }

    /// A write made the file `size` bytes long, in room that `write_begin`
    /// made; its bytes arrive with [`Operations::write_back`]. Called with
    /// `i_rwsem` held, before `i_size` changes: the store's size follows
    /// `i_size` under the same lock as truncation, so that a writeback,
    /// which runs without it, never stores past a truncation.
    fn grow(inode: &Inode<Self::FileSystem>, size: i64);

    /// Stores `data`, from a dirty folio, at `pos` (`->writepages`): never
    /// past `i_size` as it was when the folio was taken for writeback.
    /// Called without `i_rwsem`, so a truncate may have shrunk the store
    /// meanwhile: bytes past its end are to be dropped. `ENOMEM` keeps the
    /// folio dirty, to be written again, so it must be transient: a sync
    /// retries until it succeeds. Any other error loses the folio's data,
    /// and is reported to `fsync(2)`. The inode may have no references
    /// left: it is pinned by its writeback, and [`Unreferenced`] offers no
    /// way to take one.
    fn write_back(
        inode: &Unreferenced<'_, Self::FileSystem>,
        pos: i64,
        data: &FolioBytes<'_>,
    ) -> Result;

    /// Makes room for `[pos, pos + len)` (`fallocate(2)` with mode 0 or
    /// `FALLOC_FL_KEEP_SIZE`), so that writes there cannot fail for want of
    /// it, and, unless `keep_size`, makes the file at least `pos + len`
    /// long: the bindings update `i_size` after. On failure, the file is to
    /// be as it was. The VFS checked the range against `s_maxbytes`, and
    /// the bindings against `RLIMIT_FSIZE`. Long loops call
    /// [`resched_point`]. Without it, `fallocate(2)` fails with
    /// `EOPNOTSUPP`.
    fn allocate(
        _inode: &Locked<'_, Self::FileSystem, Exclusive>,
        _pos: i64,
        _len: i64,
        _keep_size: bool,
    ) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Makes `[pos, pos + len)` read as zeroes, freeing its room
    /// (`FALLOC_FL_PUNCH_HOLE`); the size stays. The bindings have written
    /// back and dropped the page cache of the range, and keep new folios
    /// out of it until this returns. Without it, punching a hole fails
    /// with `EOPNOTSUPP`.
    fn punch_hole(
        _inode: &Locked<'_, Self::FileSystem, Exclusive>,
        _pos: i64,
        _len: i64,
    ) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }
}

/// Gives up the CPU if a reschedule is due, and fails with `EINTR` if the
/// task has been killed: to be called in each step of a loop whose length
/// a user chooses, such as [`Operations::allocate`] over gigabytes.
pub fn resched_point() -> Result {
    cond_resched();
    // SAFETY: Only reads the current task's signal state.
    if unsafe { bindings::fatal_signal_pending_current() } {
        return Err(EINTR);
    }
    Ok(())
}

/// Gives up the CPU if a reschedule is due (`cond_resched()`): for each
/// step of a loop that a user makes long and that must run to its end,
/// such as freeing a large file's memory on truncate.
pub fn cond_resched() {
    // SAFETY: Sleeping where it is not allowed is the known gap that
    // `kernel::task::might_sleep()` documents too: `might_sleep()` reports
    // it on debug kernels.
    unsafe { bindings::cond_resched() };
}

/// An address-space operations table of file system `T`, and the file
/// operations of regular files that use it.
///
/// # Invariants
///
/// Both pointers are static tables whose callbacks are the trampolines
/// of address-space operations of file system `T`, or the VFS's generic
/// ones; the third field says whether they are [`Ops::ram`]'s.
pub struct Ops<T: FileSystem>(
    pub(crate) *const bindings::address_space_operations,
    pub(crate) *const bindings::file_operations,
    pub(crate) bool,
    PhantomData<T>,
);

impl<T: FileSystem> Clone for Ops<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: FileSystem> Copy for Ops<T> {}

impl<T: FileSystem> Ops<T> {
    /// The table of operations `U`. A regular file set up with it needs a
    /// superblock with its own backing device
    /// ([`SuperBlock::setup_bdi`](super::sb::SuperBlock::setup_bdi)), which
    /// writes its dirty folios back: without one, setting it up fails with
    /// `EINVAL`.
    pub const fn new<U: Operations<FileSystem = T> + ?Sized>() -> Self {
        Self(
            &Table::<U>::TABLE,
            &Table::<U>::FILE_OPS,
            false,
            PhantomData,
        )
    }

    /// Contents in the page cache alone, as ramfs keeps them: libfs's
    /// `ram_aops` and the generic file operations. The pages of an inode
    /// set up with them are unevictable, and go with the inode.
    pub fn ram() -> Self {
        // INVARIANT: Only the address of `ram_aops` is taken.
        Self(
            &raw const bindings::ram_aops,
            &RAM_FILE_OPS,
            true,
            PhantomData,
        )
    }
}

/// The file operations of regular files with [`Ops::ram`], as ramfs's.
const RAM_FILE_OPS: bindings::file_operations = bindings::file_operations {
    llseek: Some(bindings::generic_file_llseek),
    read_iter: Some(bindings::generic_file_read_iter),
    write_iter: Some(bindings::generic_file_write_iter),
    mmap_prepare: Some(bindings::generic_file_mmap_prepare),
    fsync: Some(bindings::noop_fsync),
    splice_read: Some(bindings::filemap_splice_read),
    splice_write: Some(bindings::iter_file_splice_write),
    ..pin_init::zeroed()
};

/// Bytes of a folio being written back, which the file system may copy but
/// not borrow: stores through shared writable mappings, and GUP-pinned
/// writers, may change them meanwhile, without the folio lock.
///
/// # Invariants
///
/// `folio` is a locked folio of at least `len` bytes, which stays locked
/// for `'a`.
pub struct FolioBytes<'a> {
    folio: *mut bindings::folio,
    len: usize,
    _p: PhantomData<&'a [u8]>,
}

impl FolioBytes<'_> {
    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Copies the bytes from `off` into `dst`, as many as both have room
    /// for, and returns how many.
    pub fn copy_to(&self, off: usize, dst: &mut [u8]) -> usize {
        let n = self.len.saturating_sub(off).min(dst.len());
        if n > 0 {
            // SAFETY: By the type invariants the folio is locked and holds
            // `off + n` bytes; `dst` is ours for `n` bytes. The copy is C's,
            // which may race with a store through a mapping, as any
            // writeback's does: such a store dirties the folio again.
            unsafe { bindings::memcpy_from_folio(dst.as_mut_ptr().cast(), self.folio, off, n) };
        }
        n
    }
}

/// Calls `f` with the address and length of the bytes of `folio` in
/// `[off, off + len)` (clamped to the folio), one mapped page at a time,
/// and the offset of each piece in the folio.
///
/// # Safety
///
/// `folio` must be locked by the caller.
unsafe fn for_each_piece(
    folio: *mut bindings::folio,
    mut off: usize,
    len: usize,
    mut f: impl FnMut(usize, *mut u8, usize) -> Result,
) -> Result {
    // SAFETY: The folio is locked, so its size is stable.
    let end = core::cmp::min(off + len, unsafe { bindings::folio_size(folio) });
    while off < end {
        let n = core::cmp::min(end - off, PAGE_SIZE - off % PAGE_SIZE);
        // SAFETY: `off` is within the locked folio; the mapping covers the
        // rest of its page, and we unmap it before mapping the next one.
        let res = unsafe {
            let p = bindings::kmap_local_folio(folio, off);
            let res = f(off, p.cast(), n);
            bindings::kunmap_local(p);
            res
        };
        res?;
        off += n;
    }
    Ok(())
}

struct Table<U: Operations + ?Sized>(PhantomData<U>);

impl<U: Operations + ?Sized> Table<U> {
    const TABLE: bindings::address_space_operations = bindings::address_space_operations {
        read_folio: Some(Self::read_folio),
        write_begin: Some(Self::write_begin),
        write_end: Some(Self::write_end),
        // Folios carry no private data; compaction may move them.
        #[cfg(CONFIG_MIGRATION)]
        migrate_folio: Some(bindings::filemap_migrate_folio),
        dirty_folio: Some(bindings::filemap_dirty_folio),
        writepages: Some(Self::writepages),
        ..pin_init::zeroed()
    };

    /// The file operations of regular files, whose contents are in the page
    /// cache and written back to the store by `writepages`.
    const FILE_OPS: bindings::file_operations = bindings::file_operations {
        open: Some(Self::open),
        llseek: Some(bindings::generic_file_llseek),
        read_iter: Some(Self::read_iter),
        write_iter: Some(Self::write_iter),
        mmap: Some(Self::mmap),
        // Writes the dirty folios back, and waits for them.
        fsync: Some(bindings::simple_fsync_noflush),
        splice_read: Some(bindings::filemap_splice_read),
        splice_write: Some(bindings::iter_file_splice_write),
        fallocate: if U::HAS_ALLOCATE || U::HAS_PUNCH_HOLE {
            Some(Self::fallocate)
        } else {
            None
        },
        // Leases are opt-in: without it, F_SETLEASE fails with EINVAL.
        #[cfg(CONFIG_FILE_LOCKING)]
        setlease: Some(bindings::generic_setlease),
        ..pin_init::zeroed()
    };

    /// `->open` of a regular file: `O_DIRECT` is allowed, and, as on tmpfs,
    /// means buffered I/O. The page cache is the only copy a reader or an
    /// mmap can see besides the store, and it is newer than the store while
    /// dirty, so no I/O could bypass it and stay coherent.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a regular file of this file system being
    /// opened.
    unsafe extern "C" fn open(inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
        // SAFETY: As the function's safety requirements say: until `open`
        // returns, the file is ours.
        unsafe {
            (*file).f_mode |= bindings::FMODE_CAN_ODIRECT;
            bindings::generic_file_open(inode, file)
        }
    }

    /// `->read_iter`: `generic_file_read_iter()` without its `O_DIRECT`
    /// branch, which would call a `->direct_IO` this table does not have.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a kiocb of an open regular file of this file
    /// system and an iterator to fill.
    unsafe extern "C" fn read_iter(
        iocb: *mut bindings::kiocb,
        to: *mut bindings::iov_iter,
    ) -> isize {
        // SAFETY: As the function's safety requirements say.
        unsafe { bindings::filemap_read(iocb, to, 0) }
    }

    /// `->write_iter`: `generic_file_write_iter()` with every write buffered,
    /// `O_DIRECT` ones too, as `shmem_file_write_iter()` does.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a kiocb of an open regular file of this file
    /// system and an iterator to drain.
    unsafe extern "C" fn write_iter(
        iocb: *mut bindings::kiocb,
        from: *mut bindings::iov_iter,
    ) -> isize {
        // SAFETY: As the function's safety requirements say: the file pins
        // its inode, whose `i_rwsem` we take as `generic_file_write_iter()`
        // does, around what it does under it.
        unsafe {
            let file = (*iocb).ki_filp;
            let inode = (*(*file).f_mapping).host;
            bindings::inode_lock(inode);
            let mut ret = bindings::generic_write_checks(iocb, from);
            if ret > 0 {
                ret = match bindings::file_remove_privs(file) {
                    0 => match bindings::file_update_time(file) {
                        0 => bindings::generic_perform_write(iocb, from),
                        e => e as isize,
                    },
                    e => e as isize,
                };
            }
            bindings::inode_unlock(inode);
            if ret > 0 {
                ret = bindings::generic_write_sync(iocb, ret);
            }
            ret
        }
    }

    /// `->fallocate`: the modes tmpfs has, as `shmem_fallocate()` does them.
    /// A hole is punched under `invalidate_lock`, which keeps faults and
    /// reads from bringing folios into the range: the page cache of the
    /// range is dropped first, and partial folios zeroed, then the store
    /// frees it.
    ///
    /// # Safety
    ///
    /// Called by `vfs_fallocate()` with an open regular file of this file
    /// system, a mode whose flags it checked, and a non-empty range within
    /// `s_maxbytes`.
    unsafe extern "C" fn fallocate(
        file: *mut bindings::file,
        mode: c_int,
        offset: bindings::loff_t,
        len: bindings::loff_t,
    ) -> c_long {
        let (keep, punch) = (
            bindings::FALLOC_FL_KEEP_SIZE as c_int,
            bindings::FALLOC_FL_PUNCH_HOLE as c_int,
        );
        if mode & !(keep | punch) != 0
            || (mode & punch != 0 && !U::HAS_PUNCH_HOLE)
            || (mode & punch == 0 && !U::HAS_ALLOCATE)
        {
            return EOPNOTSUPP.to_errno() as c_long;
        }
        // `vfs_fallocate()` checked that this does not overflow.
        let end = offset + len;
        // SAFETY: As the function's safety requirements say: the file pins
        // its inode, whose `i_rwsem` we hold for the token's life.
        let res = unsafe {
            let raw = (*file).f_inode;
            let mapping = (*raw).i_mapping;
            bindings::inode_lock(raw);
            // First, as ext4 does, so that a failure there changes nothing.
            let res = to_result(bindings::file_modified(file)).and_then(|()| {
                let inode = Locked::<U::FileSystem, Exclusive>::new(Inode::from_raw(raw));
                if mode & punch != 0 {
                    bindings::filemap_invalidate_lock(mapping);
                    bindings::truncate_pagecache_range(raw, offset, end - 1);
                    let res = U::punch_hole(&inode, offset, len);
                    bindings::filemap_invalidate_unlock(mapping);
                    res
                } else {
                    // Checked even with `FALLOC_FL_KEEP_SIZE`, as tmpfs does.
                    to_result(bindings::inode_newsize_ok(raw, end))?;
                    U::allocate(&inode, offset, len, mode & keep != 0)?;
                    if mode & keep == 0 && end > bindings::i_size_read(raw) {
                        inode.set_size(end)?;
                    }
                    Ok(())
                }
            });
            bindings::inode_unlock(raw);
            res
        };
        match res {
            Ok(()) => 0,
            Err(e) => e.to_errno() as c_long,
        }
    }

    /// `generic_file_vm_ops`, with a `page_mkwrite` that makes room.
    const VM_OPS: bindings::vm_operations_struct = bindings::vm_operations_struct {
        fault: Some(bindings::filemap_fault),
        map_pages: Some(bindings::filemap_map_pages),
        page_mkwrite: Some(Self::page_mkwrite),
        ..pin_init::zeroed()
    };

    /// `->mmap`: with the `page_mkwrite` below, which makes room for what
    /// a shared writable mapping stores.
    ///
    /// # Safety
    ///
    /// Called by the VFS with an open regular file of this file system and
    /// a VMA being set up.
    unsafe extern "C" fn mmap(
        file: *mut bindings::file,
        vma: *mut bindings::vm_area_struct,
    ) -> c_int {
        // SAFETY: As the function's safety requirements say; the operation
        // tables are static.
        unsafe {
            let ret = bindings::generic_file_mmap(file, vma);
            if ret == 0 {
                (*vma).vm_ops = &Self::VM_OPS;
            }
            ret
        }
    }

    /// `->page_mkwrite`: the first store into a page of a shared writable
    /// mapping reserves the page's room in the store, as tmpfs allocates at
    /// fault time, then does what `filemap_page_mkwrite()` does. Under
    /// `invalidate_lock`, shared, as ext4 does: a hole being punched takes
    /// it, so no store dirties a page of the range between the dropping of
    /// its page cache and the freeing of its room.
    ///
    /// # Safety
    ///
    /// Called by the VFS for a write fault on a VMA that [`Self::mmap`] set
    /// up, which pins the file and its inode.
    unsafe extern "C" fn page_mkwrite(vmf: *mut bindings::vm_fault) -> bindings::vm_fault_t {
        // SAFETY: As the function's safety requirements say.
        unsafe {
            let v = &(*vmf).__bindgen_anon_1;
            let raw = (*(*(*v.vma).vm_file).f_mapping).host;
            let inode = Inode::<U::FileSystem>::from_raw(raw);
            let pos = (v.pgoff as i64) << bindings::PAGE_SHIFT;
            let mapping = (*raw).i_mapping;
            bindings::filemap_invalidate_lock_shared(mapping);
            // Under the lock a truncation takes: past the end, which it may
            // just have moved, `filemap_page_mkwrite()` finds the folio gone.
            let len = (bindings::i_size_read(raw) - pos).clamp(0, PAGE_SIZE as i64);
            let res = if len > 0 {
                U::write_begin(inode, pos, len as usize)
            } else {
                Ok(())
            };
            let ret = match res {
                Ok(()) => bindings::filemap_page_mkwrite(vmf),
                Err(e) if e == ENOMEM => bindings::vm_fault_reason_VM_FAULT_OOM,
                Err(_) => bindings::vm_fault_reason_VM_FAULT_SIGBUS,
            };
            bindings::filemap_invalidate_unlock_shared(mapping);
            ret
        }
    }

    /// # Safety
    ///
    /// Called by the VFS for the mapping of an inode of this file system
    /// that has dirty folios, so it is initialised, pinned by a reference
    /// (`fsync(2)`, `fadvise(2)` and the like hold the file) or by `I_SYNC`
    /// (the flusher, and `write_inode_now()` of the last `iput()`).
    unsafe extern "C" fn writepages(
        mapping: *mut bindings::address_space,
        wbc: *mut bindings::writeback_control,
    ) -> c_int {
        // SAFETY: By the safety requirements, the inode is initialised and
        // stays allocated for the call; its data is in place too, since
        // eviction waits for `I_SYNC` to clear before `->evict_inode`, after
        // which the data goes.
        let (raw, inode) = unsafe {
            let raw = (*mapping).host;
            (raw, Unreferenced::<U::FileSystem>::new(raw))
        };
        let mut err: c_int = 0;
        // `writeback_iter()` keeps the first error only: an `ENOMEM` after
        // another error must still make a sync retry the folio it redirtied.
        let mut redirtied = false;
        let mut folio = core::ptr::null_mut();
        loop {
            // SAFETY: `folio` is null or the folio the previous call returned,
            // which we unlocked; `err` is valid for writes.
            folio = unsafe { bindings::writeback_iter(mapping, wbc, folio, &mut err) };
            if folio.is_null() {
                return if redirtied { ENOMEM.to_errno() } else { err };
            }
            // The error of this folio, for the next `writeback_iter()`.
            err = 0;
            // SAFETY: `writeback_iter()` returned the folio locked, with its
            // dirty bit cleared for us to write it.
            unsafe {
                let pos = bindings::folio_pos(folio);
                // Per folio, under its lock: the file may have grown since
                // the writeback started, and its dirty bit is cleared.
                let size = bindings::i_size_read(raw);
                let len = usize::try_from(size - pos).unwrap_or(0);
                // INVARIANT: The folio is locked until after the calls, and
                // `len` is clamped to it.
                let data = FolioBytes {
                    folio,
                    len: len.min(bindings::folio_size(folio)),
                    _p: PhantomData,
                };
                let res = if data.is_empty() {
                    Ok(())
                } else {
                    Self::store(&inode, folio, pos, &data, (*wbc).sync_mode)
                };
                match res {
                    // Out of memory for now: declined before its writeback
                    // starts, the folio keeps its dirty and to-write tags,
                    // and is written again by the retry of a sync that
                    // waits for it (`do_writepages()`) or by the next
                    // writeback.
                    Err(e) if e == ENOMEM => {
                        bindings::folio_redirty_for_writepage(wbc, folio);
                        bindings::folio_unlock(folio);
                        err = e.to_errno();
                        redirtied = true;
                    }
                    res => {
                        if let Err(e) = res {
                            err = e.to_errno();
                            bindings::mapping_set_error(mapping, err);
                        }
                        // Clears the folio's dirty and to-write tags: the
                        // inode stays dirty, out of reclaim's reach, until
                        // no folio has the dirty one.
                        bindings::__folio_start_writeback(folio, false);
                        bindings::folio_unlock(folio);
                        bindings::folio_end_writeback(folio);
                    }
                }
            }
        }
    }

    /// Calls [`Operations::write_back`] for a locked folio's bytes.
    ///
    /// What the store allocates is charged to the folio's memory cgroup,
    /// not to the flusher's or to the syncing task's, as
    /// `folio_alloc_buffers()` charges buffer heads. A cgroup at its limit
    /// with nothing to reclaim would fail that charge for as long as it
    /// stays so, and `do_writepages()` retries an integrity sync's
    /// `ENOMEM` without end: such a sync, whose caller may be `sync(2)` or
    /// an unmount of another user's, then stores uncharged, as the flusher
    /// did, rather than wait for the cgroup.
    ///
    /// # Safety
    ///
    /// `folio` must be locked, a folio of `inode`'s mapping, and `data` its
    /// bytes.
    unsafe fn store(
        inode: &Unreferenced<'_, U::FileSystem>,
        folio: *mut bindings::folio,
        pos: i64,
        data: &FolioBytes<'_>,
        sync_mode: bindings::writeback_sync_modes,
    ) -> Result {
        // SAFETY: The locked folio keeps its cgroup; the reference taken is
        // put below, and each active cgroup is restored in turn.
        unsafe {
            let memcg = bindings::get_mem_cgroup_from_folio(folio);
            let old = bindings::set_active_memcg(memcg);
            let mut res = U::write_back(inode, pos, data);
            if matches!(res, Err(e) if e == ENOMEM)
                && sync_mode == bindings::writeback_sync_modes_WB_SYNC_ALL
            {
                bindings::set_active_memcg(bindings::root_mem_cgroup_or_null());
                res = U::write_back(inode, pos, data);
            }
            bindings::set_active_memcg(old);
            bindings::mem_cgroup_put(memcg);
            res
        }
    }

    /// Fills a locked folio from the store.
    ///
    /// # Safety
    ///
    /// `folio` must be a locked folio of an inode of this file system.
    unsafe fn fill(folio: *mut bindings::folio) -> Result {
        // SAFETY: By the safety requirements, the folio and its inode are
        // pinned and the folio is ours while locked.
        unsafe {
            let inode = Inode::<U::FileSystem>::from_raw(bindings::folio_inode(folio));
            let pos = bindings::folio_pos(folio);
            for_each_piece(folio, 0, bindings::folio_size(folio), |off, p, n| {
                // A folio that is not up to date has no readers but us.
                U::read(
                    inode,
                    pos + off as i64,
                    core::slice::from_raw_parts_mut(p, n),
                )
            })?;
            bindings::flush_dcache_folio(folio);
        }
        Ok(())
    }

    /// # Safety
    ///
    /// Called by the VFS with a locked folio of an inode of this file system.
    unsafe extern "C" fn read_folio(
        _file: *mut bindings::file,
        folio: *mut bindings::folio,
    ) -> c_int {
        // SAFETY: As the function's safety requirements say.
        let res = unsafe { Self::fill(folio) };
        // SAFETY: The folio is locked; this marks it up to date on success
        // and unlocks it.
        unsafe { bindings::folio_end_read(folio, res.is_ok()) };
        match res {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// Called by the VFS with `i_rwsem` held, for a write of `len` bytes at
    /// `pos` that does not cross a folio boundary.
    unsafe extern "C" fn write_begin(
        _iocb: *const bindings::kiocb,
        mapping: *mut bindings::address_space,
        pos: bindings::loff_t,
        len: c_uint,
        foliop: *mut *mut bindings::folio,
        _fsdata: *mut *mut c_void,
    ) -> c_int {
        from_result(|| {
            // SAFETY: The mapping belongs to a pinned inode of this file
            // system, whose lock the caller holds.
            let inode = unsafe { Inode::<U::FileSystem>::from_raw((*mapping).host) };
            U::write_begin(inode, pos, len as usize)?;
            // SAFETY: The mapping is valid; this returns a locked, referenced
            // folio or an error.
            let folio = unsafe {
                bindings::__filemap_get_folio(
                    mapping,
                    (pos as u64 / PAGE_SIZE as u64) as c_ulong,
                    bindings::FGP_WRITEBEGIN,
                    bindings::mapping_gfp_mask(mapping),
                )
            };
            let folio = crate::error::from_err_ptr(folio)?;
            // SAFETY: The folio is locked and referenced. A part-folio write
            // needs the rest of it: unlike ramfs, a folio that is not up to
            // date may still have data in the store.
            unsafe {
                let whole = pos == bindings::folio_pos(folio)
                    && len as usize >= bindings::folio_size(folio);
                if !bindings::folio_test_uptodate(folio) && !whole {
                    if let Err(e) = Self::fill(folio) {
                        bindings::folio_unlock(folio);
                        bindings::folio_put(folio);
                        return Err(e);
                    }
                    bindings::folio_mark_uptodate(folio);
                }
                *foliop = folio;
            }
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS after copying `copied` of `len` bytes at `pos` into
    /// the folio from `write_begin`, with `i_rwsem` still held. As
    /// `simple_write_end()`, but a short copy into a folio that was not read
    /// is redone.
    unsafe extern "C" fn write_end(
        _iocb: *const bindings::kiocb,
        mapping: *mut bindings::address_space,
        pos: bindings::loff_t,
        len: c_uint,
        mut copied: c_uint,
        folio: *mut bindings::folio,
        _fsdata: *mut c_void,
    ) -> c_int {
        // SAFETY: As the function's safety requirements say.
        unsafe {
            let raw = (*mapping).host;
            if !bindings::folio_test_uptodate(folio) {
                // A whole-folio write into a folio that was not read: a short
                // copy leaves a hole the store does not describe, so it is
                // redone by the caller.
                if copied < len {
                    copied = 0;
                } else {
                    bindings::folio_mark_uptodate(folio);
                }
            }
            if copied > 0 {
                // Written back later, in room `write_begin` made.
                bindings::folio_mark_dirty(folio);
            }
            let end = pos + i64::from(copied);
            if end > bindings::i_size_read(raw) {
                U::grow(Inode::<U::FileSystem>::from_raw(raw), end);
                bindings::i_size_write(raw, end);
            }
            bindings::folio_unlock(folio);
            bindings::folio_put(folio);
        }
        copied as c_int
    }
}
