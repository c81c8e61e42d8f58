// SPDX-License-Identifier: GPL-2.0

//! Lock tokens: proof that this thread holds an inode's `i_rwsem`, shared
//! or exclusively, or a directory's for an update of one of its names.

use crate::{
    bindings,
    fs::{FileSystem, Inode},
    prelude::*,
};
use core::{marker::PhantomData, ops::Deref};

/// Lock mode of a parent-lock token: `i_rwsem` held shared.
pub struct Shared;

/// Lock mode of a parent-lock token: `i_rwsem` held exclusively.
pub struct Exclusive;

/// Lock mode of the parent-lock token of an operation that creates, removes
/// or renames a name: the directory's `i_rwsem` held at least shared, and
/// the names it changes exclusively.
///
/// In a file system that opts in to parallel directory operations
/// ([`SuperBlock::set_par_dirops`]), the VFS holds the directory's lock
/// shared and locks the name alone (`DCACHE_PAR_UPDATE`; both names for a
/// rename within the directory), so updates of other names of the
/// directory run beside this one. Otherwise, and for a rename across
/// directories, it holds the directory's lock exclusively. Either way, the
/// token changes the directory's own link count and times only under the
/// inode's `i_lock`.
///
/// [`SuperBlock::set_par_dirops`]: crate::fs::SuperBlock::set_par_dirops
pub struct Update;

mod private {
    pub trait Sealed {}
    impl Sealed for super::Shared {}
    impl Sealed for super::Exclusive {}
    impl Sealed for super::Update {}
}

/// The lock modes of [`Locked`] tokens: [`Shared`], [`Exclusive`] and
/// [`Update`].
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

impl LockMode for Update {
    unsafe fn assert_held(inode: *mut bindings::inode) {
        // SAFETY: As for `Shared`. Lockdep does not see the name's lock.
        unsafe { bindings::inode_assert_locked(inode) };
    }
}

/// An inode whose `i_rwsem` this thread holds in mode `M` ([`Shared`] or
/// [`Exclusive`]) for `'a`: a directory being searched or changed, or the
/// inode a directory operation changes (a victim of unlink, the source of
/// link).
///
/// It is a token: the VFS took the lock and hands the token to the callback;
/// an operation that drops and retakes the lock, such as
/// [`NewEntry::add_ci`](crate::fs::dentry::NewEntry::add_ci), takes the token by
/// value and gives it back. Only [`Exclusive`] tokens change an inode's
/// size, link count and times, and [`Update`] tokens a directory's link
/// count and times, under its `i_lock`.
///
/// # Invariants
///
/// This thread holds the `i_rwsem` of `inode`, of file system `T`, in mode
/// `M` for as long as the token exists; for [`Update`], at least shared,
/// and exclusively unless the superblock has `SB_I_PAR_DIROPS`.
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

impl<'a, T: FileSystem> Locked<'a, T, Exclusive> {
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
        // SAFETY: We hold the inode's lock exclusively (type invariant).
        unsafe { inc_nlink(self) }
    }

    /// Removes a link (`drop_nlink()`); an inode with no links is freed
    /// when its last reference goes.
    pub fn drop_nlink(&self) {
        // SAFETY: As in `inc_nlink()`.
        unsafe { drop_nlink(self) }
    }

    /// Removes every link (`clear_nlink()`).
    pub fn clear_nlink(&self) {
        // SAFETY: The inode is live, and we hold its lock (type invariant),
        // under which link counts change.
        unsafe { bindings::clear_nlink(self.as_raw()) };
    }

    /// Sets ctime, and mtime too, to the current time, as after a change of
    /// the contents of a directory.
    pub fn touch(&self) {
        // SAFETY: As in `inc_nlink()`.
        unsafe { touch(self) }
    }

    /// Sets ctime to the current time, as after a change of the inode.
    pub fn touch_ctime(&self) {
        // SAFETY: The inode is live, and we hold its lock (type invariant).
        unsafe { bindings::inode_set_ctime_current(self.as_raw()) };
    }

    /// The token of an update of any name of the directory, which the
    /// exclusive lock covers: for code shared by the operations that get
    /// [`Update`] tokens and those that get [`Exclusive`] ones, such as
    /// rename.
    pub fn as_update(&self) -> Locked<'_, T, Update> {
        // INVARIANT: The lock is held exclusively for as long as `self` is
        // borrowed.
        Locked {
            inode: self.inode,
            _m: PhantomData,
        }
    }
}

impl<'a, T: FileSystem> Locked<'a, T, Update> {
    /// Adds a link to the directory, for a new subdirectory's "..", as
    /// [`Locked::inc_nlink`] does, under the inode's `i_lock`: updates of
    /// the directory's other names may run beside this one.
    pub fn inc_nlink(&self) -> Result {
        let _guard = AttrLock::new(self.inode);
        // SAFETY: Writers of the directory's link count hold `i_lock` under
        // a shared `i_rwsem`, as we do, or `i_rwsem` exclusively.
        unsafe { inc_nlink(self.inode) }
    }

    /// Removes a link from the directory, for a removed subdirectory's "..",
    /// under `i_lock`.
    pub fn drop_nlink(&self) {
        let _guard = AttrLock::new(self.inode);
        // SAFETY: As in `inc_nlink()`.
        unsafe { drop_nlink(self.inode) }
    }

    /// Sets the directory's ctime and mtime to the current time, under
    /// `i_lock`.
    pub fn touch(&self) {
        let _guard = AttrLock::new(self.inode);
        // SAFETY: As in `inc_nlink()`.
        unsafe { touch(self.inode) }
    }

    /// The directory's exclusive token, in a file system that did not opt in
    /// to parallel directory operations, where the VFS always locks the
    /// directory exclusively; never in one that did, even where it holds the
    /// lock exclusively (a rename across directories). For helpers that
    /// change a directory's attributes unlocked, such as libfs's.
    pub fn exclusive(&self) -> Option<Locked<'_, T, Exclusive>> {
        // SAFETY: The inode is live, and so is its superblock.
        if unsafe { bindings::sb_par_dirops((*self.as_raw()).i_sb) } {
            return None;
        }
        // SAFETY: Without `SB_I_PAR_DIROPS`, which is set while the
        // superblock is new and never cleared, the VFS holds the lock
        // exclusively for an update (type invariant), for as long as `self`
        // is borrowed.
        Some(unsafe { Locked::new(self.inode) })
    }
}

/// `i_lock` of an inode, held for one change of its attributes: the
/// holders of an [`Update`] token of a directory run beside each other.
///
/// # Invariants
///
/// This thread holds the `i_lock` of `inode` for as long as the guard
/// exists, and runs no code but the bindings' under it.
struct AttrLock<'a, T: FileSystem> {
    inode: &'a Inode<T>,
    _m: PhantomData<*const ()>,
}

impl<'a, T: FileSystem> AttrLock<'a, T> {
    fn new(inode: &'a Inode<T>) -> Self {
        // SAFETY: The inode is live. No caller holds `i_lock` already, and
        // none sleeps or takes another lock before the guard goes: only
        // the private helpers below run under it, which take no lock.
        unsafe { bindings::spin_lock(&raw mut (*inode.as_raw()).i_lock) };
        // INVARIANT: We took `i_lock`.
        Self {
            inode,
            _m: PhantomData,
        }
    }
}

impl<T: FileSystem> Drop for AttrLock<'_, T> {
    fn drop(&mut self) {
        // SAFETY: We hold `i_lock` (type invariant).
        unsafe { bindings::spin_unlock(&raw mut (*self.inode.as_raw()).i_lock) };
    }
}

/// `inc_nlink()`, refusing what it would WARN about.
///
/// # Safety
///
/// The caller serialises the writers of the inode's link count: it holds
/// `i_rwsem` exclusively, or `i_lock` and `i_rwsem` shared.
unsafe fn inc_nlink<T: FileSystem>(inode: &Inode<T>) -> Result {
    match inode.nlink() {
        u32::MAX => return Err(EMLINK),
        0 => {
            // SAFETY: The inode is live.
            let state = unsafe { bindings::inode_state_read_once(inode.as_raw()) };
            if state & bindings::inode_state_flags_enum_I_LINKABLE == 0 {
                return Err(ENOENT);
            }
        }
        _ => {}
    }
    // SAFETY: The inode is live, and writers are serialised (the safety
    // requirements).
    unsafe { bindings::inc_nlink(inode.as_raw()) };
    Ok(())
}

/// `drop_nlink()`, unless the link count is 0 already.
///
/// # Safety
///
/// As for [`inc_nlink`].
unsafe fn drop_nlink<T: FileSystem>(inode: &Inode<T>) {
    if inode.nlink() > 0 {
        // SAFETY: As for `inc_nlink()`, and `i_nlink` is not zero.
        unsafe { bindings::drop_nlink(inode.as_raw()) };
    }
}

/// Sets ctime and mtime to the current time.
///
/// # Safety
///
/// The caller serialises the writers of the inode's times, as for
/// [`inc_nlink`].
unsafe fn touch<T: FileSystem>(inode: &Inode<T>) {
    // SAFETY: The inode is live, and writers are serialised.
    unsafe {
        let now = bindings::inode_set_ctime_current(inode.as_raw());
        bindings::inode_set_mtime_to_ts(inode.as_raw(), now);
    }
}

/// The parent-lock token of a `->lookup`: the parent's `i_rwsem` held at
/// least shared. Whatever mode the VFS took the lock in (exclusively, still,
/// for renames across directories, and for updates in a file system that
/// does not opt in to parallel directory operations), a lookup may rely on
/// no more than this,
/// since lookups of other names run beside it: the lifted design calls
/// `->lookup` with the lock held shared only. Only `->lookup` gets one.
///
/// # Invariants
///
/// `shared` is whether the lock is held shared, as the lookup's flags say
/// (`LOOKUP_SHARED`).
pub struct LookupLock<'a, T: FileSystem> {
    lock: Locked<'a, T, Shared>,
    shared: bool,
}

impl<'a, T: FileSystem> LookupLock<'a, T> {
    /// # Safety
    ///
    /// As for [`Locked::new`] in mode [`Shared`], for a lookup in `dir`;
    /// `shared` must be whether the lock is held shared rather than
    /// exclusively.
    pub(crate) unsafe fn new(dir: &'a Inode<T>, shared: bool) -> Self {
        Self {
            // SAFETY: By the safety requirements.
            lock: unsafe { Locked::new(dir) },
            // INVARIANT: By the safety requirements.
            shared,
        }
    }

    /// The directory being searched.
    pub fn dir(&self) -> &'a Inode<T> {
        self.lock.inode
    }

    /// Whether the VFS holds the lock shared, as `LOOKUP_SHARED` says, for
    /// the helpers that drop and retake it.
    pub(crate) fn is_shared(&self) -> bool {
        self.shared
    }
}

impl<'a, T: FileSystem> Deref for LookupLock<'a, T> {
    type Target = Locked<'a, T, Shared>;

    fn deref(&self) -> &Locked<'a, T, Shared> {
        &self.lock
    }
}
