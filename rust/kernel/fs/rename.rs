// SPDX-License-Identifier: GPL-2.0

//! Renames: the flags, the locks a rename holds, and what a rename does to
//! the dcache besides moving its source.
//!
//! `->rename` gets the source and target [`Entry`]s, [`Update`] tokens of
//! both directories and, in [`RenameLocks`], the tokens of the inodes the
//! VFS locked. A rename within one directory of a file system that opts in
//! to parallel directory operations holds the directory shared and both
//! names; any other holds both directories exclusively
//! ([`RenameLocks::names_locked`]). Two dcache operations belong to a
//! rename in progress and need its locks, so they take the [`RenameLocks`]
//! as proof:
//!
//! - [`Entry::duplicate`] makes an in-lookup duplicate of the source for a
//!   whiteout (`RENAME_WHITEOUT`), filled with [`Duplicate::fill`];
//! - [`Entry::silly_rename`] moves a target still in use out of the way, as
//!   NFS does, with [`SillyRename::commit`].
//!
//! The type has `FS_RENAME_DOES_D_MOVE`: the bindings move the dentries
//! after a successful rename, and complete or undo both of the above
//! whatever the callback returns.
//!
//! A file system whose names are its persistent dentries renames with
//! [`simple_rename`], as ramfs does with libfs's.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h) and
//! [`include/linux/dcache.h`](srctree/include/linux/dcache.h).

use crate::{
    bindings,
    error::to_result,
    fs::{
        dentry::{from_err_ptr, Entry, InLookup, NoBlockError, Parallel},
        inode::{Exclusive, Locked, New, Operations, Params, Type, Update},
        xattr::InitXattrs,
        Dentry, FileSystem, Inode,
    },
    impl_flags,
    prelude::*,
};
use core::{cell::Cell, ptr::NonNull};

impl_flags!(
    /// The flags of `renameat2(2)` (`RENAME_*`).
    ///
    /// # Examples
    ///
    /// A file system that knows only `RENAME_NOREPLACE` refuses the others,
    /// named or not:
    ///
    /// ```
    /// use kernel::fs::rename::{RenameFlag, RenameFlags};
    ///
    /// let known = u32::from(RenameFlags::from(RenameFlag::NoReplace));
    /// let refused = |f: RenameFlags| u32::from(f) & !known != 0;
    /// assert!(refused(RenameFlag::Exchange | RenameFlag::Whiteout));
    /// assert!(!refused(RenameFlag::NoReplace.into()));
    /// assert!(!refused(RenameFlags::empty()));
    /// ```
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct RenameFlags(u32);

    /// One flag of `renameat2(2)`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum RenameFlag {
        /// Fail if the target exists (`RENAME_NOREPLACE`).
        NoReplace = bindings::RENAME_NOREPLACE,
        /// Swap source and target (`RENAME_EXCHANGE`).
        Exchange = bindings::RENAME_EXCHANGE,
        /// Leave a whiteout at the source (`RENAME_WHITEOUT`).
        Whiteout = bindings::RENAME_WHITEOUT,
    }
);

impl RenameFlags {
    /// The flags the VFS passed; `do_renameat2()` refuses any other.
    fn from_raw(flags: u32) -> Self {
        Self(flags)
    }
}

/// The source and target inodes of a rename that the VFS holds locked.
///
/// Only the rename trampoline makes one, so it also proves that a rename is
/// running.
///
/// # Invariants
///
/// `old` and `new` are the source and target dentries of a rename in
/// progress on this thread, pinned for `'a`: with both parents locked by
/// `lock_rename()`, or, if `names_locked`, with their common parent locked
/// shared and both names locked (`DCACHE_PAR_UPDATE`) by
/// `start_renaming()`. `exchange` says whether it is `RENAME_EXCHANGE`, and
/// `source` and `target` hold the tokens of the inodes `vfs_rename()`
/// locked.
#[non_exhaustive]
pub struct RenameLocks<'a, T: FileSystem> {
    /// The inode being renamed, unless it is a directory staying in its
    /// parent.
    pub source: Option<Locked<'a, T, Exclusive>>,
    /// The inode being replaced or exchanged, if any, unless it is a
    /// directory the VFS leaves unlocked.
    pub target: Option<Locked<'a, T, Exclusive>>,
    /// The source dentry.
    old: *mut bindings::dentry,
    /// The target dentry.
    new: *mut bindings::dentry,
    /// Whether this is `RENAME_EXCHANGE`.
    exchange: bool,
    /// Whether the VFS locked the names rather than the directories.
    names_locked: bool,
    /// The rename's flags.
    flags: RenameFlags,
    /// The dcache changes the trampoline completes or undoes.
    state: RenameState,
}

impl<T: FileSystem> RenameLocks<'_, T> {
    /// Whether the VFS locked the rename's two names, and their directory
    /// shared, rather than both directories exclusively: for a rename
    /// within one directory of a file system that opted in to parallel
    /// directory operations ([`SuperBlock::set_par_dirops`]). Lookups in
    /// the directory, and updates of its other names, then run beside the
    /// rename.
    ///
    /// [`SuperBlock::set_par_dirops`]: crate::fs::SuperBlock::set_par_dirops
    pub fn names_locked(&self) -> bool {
        self.names_locked
    }

    /// Sets the ctime of the renamed inode, and of the replaced or
    /// exchanged one if any, to the current time, as
    /// `simple_rename_timestamp()` does: also where the VFS leaves the
    /// inode unlocked (a directory that stays in its parent, and so is
    /// missing from [`RenameLocks::source`] or [`RenameLocks::target`]),
    /// since a rename changes it all the same.
    pub fn touch_ctimes(&self) {
        for d in [self.old, self.new] {
            // SAFETY: `old` and `new` are pinned for the rename (type
            // invariant). Their inodes stay: only `d_delete()` or a create
            // of the name changes `d_inode`, and both need the parent's
            // lock or the name's, which the rename holds; a silly-rename
            // moves `new` with its inode, and a whiteout is another dentry.
            let inode = unsafe { (*d).d_inode };
            if !inode.is_null() {
                // SAFETY: The inode is live (see above). Its lock may not
                // be held, as in `simple_rename_timestamp()` and
                // `ext4_rename()`: another writer of its time at the same
                // moment (a `chmod(2)` of the directory, or an update in it
                // under `par_dirops`) races this one as it races theirs, on
                // two plain integers, which may then hold the seconds of one
                // current time and the nanoseconds of the other.
                unsafe { bindings::inode_set_ctime_current(inode) };
            }
        }
    }
}

impl<'a, T: FileSystem> Entry<'a, T> {
    /// Makes an in-lookup duplicate of this dentry, the source of the rename
    /// in progress, with the same parent and name (`d_duplicate()`), for a
    /// whiteout: once the source is moved away, lookups of the name wait
    /// for the duplicate rather than finding the name free. `parent` is the
    /// parent's token; the rename holds it exclusively, or shared with this
    /// name locked. Not for an exchange (`EINVAL`), and only once (`EBUSY`).
    ///
    /// Once filled ([`Duplicate::fill`]), the rename owns the duplicate: it is
    /// instantiated only if the rename succeeds, and its lookup ended in any
    /// case, so that the source and a filled duplicate are never both left
    /// hashed. Dropped unfilled, it ends its lookup at once.
    pub fn duplicate<'r>(
        &self,
        parent: &Locked<'_, T, Update>,
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
        if st.whiteout_taken.get() || st.simple_done.get() {
            return Err(EBUSY);
        }
        // SAFETY: The dentry is hashed, we hold a reference and the rename
        // holds its parent's lock exclusively, or shared with its name
        // locked (type invariant of `renaming`, whose source it is).
        let d = from_err_ptr(unsafe { bindings::d_duplicate(self.as_raw()) })?;
        st.whiteout_taken.set(true);
        // INVARIANT: `d_duplicate()` returns a new in-lookup dentry whose
        // reference and in-lookup state are ours.
        Ok(Duplicate {
            // SAFETY: As above, on this dentry's superblock.
            guard: unsafe { InLookup::from_raw(NonNull::new(d).ok_or(ENOMEM)?) },
            renaming,
        })
    }

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
    /// lookup. `dir` is the directory's token.
    ///
    /// `candidates` gives the names to try, free in the file system's
    /// namespace, until it returns `None` (`EBUSY`): a name being looked up
    /// (`d_alloc_noblock()` would block), or positive in the dcache, is
    /// skipped, and so is a negative dentry in the dcache when the rename
    /// holds its names rather than the directory
    /// ([`RenameLocks::names_locked`]), as its name may be being updated.
    /// The last name it gave is the one taken.
    ///
    /// Nothing changes until [`SillyRename::commit`]; the file system moves
    /// the object in its own namespace in between. After a commit, the
    /// bindings move the source onto the duplicate if the rename succeeds,
    /// and end the duplicate's lookup in any case. Not for a directory, nor
    /// an exchange (`EINVAL`), and only once per rename (`EBUSY`).
    pub fn silly_rename<'s, N: AsRef<[u8]>>(
        &'s mut self,
        dir: &Locked<'_, T, Update>,
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
        if st.silly_taken.get() || st.simple_done.get() {
            return Err(EBUSY);
        }
        // SAFETY: The parent is pinned by the dentry.
        let parent = unsafe { Dentry::<T>::from_raw(parent_raw) };
        let to = loop {
            let name = candidates().ok_or(EBUSY)?;
            match parent.alloc_noblock(name.as_ref()) {
                Ok(Parallel::Found(d)) if d.inode().is_some() || renaming.names_locked => continue,
                Ok(p) => break p,
                Err(NoBlockError::WouldBlock) => continue,
                Err(NoBlockError::Other(err)) => return Err(err),
            }
        };
        // SAFETY: The target is hashed (it has not been moved: this is the
        // first silly-rename), we hold a reference and the rename holds its
        // parent's lock exclusively, or shared with its name locked (type
        // invariant of `renaming`).
        let d = from_err_ptr(unsafe { bindings::d_duplicate(self.as_raw()) })?;
        st.silly_taken.set(true);
        // INVARIANT: As in `duplicate()`.
        // SAFETY: As in `duplicate()`.
        let dup = unsafe { InLookup::from_raw(NonNull::new(d).ok_or(ENOMEM)?) };
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
/// in the same directory, hashed or in-lookup for us; in-lookup if the
/// rename holds its names rather than the directory.
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
            Parallel::InLookup(g) => g.dentry().as_raw(),
            Parallel::Found(d) => d.as_raw(),
        };
        // SAFETY: Both dentries are pinned, in the same directory, whose
        // lock the rename holds exclusively, or shared with the target's
        // name locked and `to` in-lookup for us (type invariant), as it
        // holds the target's inode lock; `d_move()` ends `to`'s in-lookup
        // state, if any, so dropping `to` only puts it.
        unsafe { bindings::d_move(self.target.as_raw(), to) };
        // The rename trampoline moves the source onto the duplicate, and
        // ends its lookup.
        // INVARIANT: The reference and the in-lookup state move into the
        // state.
        let dup = self.dup.into_raw();
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
struct RenameState {
    /// Whether [`Entry::duplicate`] was called.
    whiteout_taken: Cell<bool>,
    /// A filled whiteout: the duplicate and its inode.
    whiteout_dup: Cell<*mut bindings::dentry>,
    whiteout_inode: Cell<*mut bindings::inode>,
    /// Whether [`Entry::silly_rename`] succeeded.
    silly_taken: Cell<bool>,
    /// A committed silly-rename: the target's duplicate.
    silly_dup: Cell<*mut bindings::dentry>,
    /// Whether [`simple_rename`] succeeded.
    simple_done: Cell<bool>,
}

impl RenameState {
    const fn new() -> Self {
        Self {
            whiteout_taken: Cell::new(false),
            whiteout_dup: Cell::new(core::ptr::null_mut()),
            whiteout_inode: Cell::new(core::ptr::null_mut()),
            silly_taken: Cell::new(false),
            silly_dup: Cell::new(core::ptr::null_mut()),
            simple_done: Cell::new(false),
        }
    }

    /// Ends a committed silly-rename's lookup and drops its reference.
    fn end_silly(&self) {
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
    fn end_whiteout(&self, ok: bool) {
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
///
/// # Invariants
///
/// `guard` is an in-lookup duplicate of the source of the rename that
/// `renaming` describes, made by `d_duplicate()` under the source's parent
/// lock, and the only one of that rename (`whiteout_taken` is set).
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
        let d = self.guard.dentry().as_raw();
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
        st.whiteout_dup.set(self.guard.into_raw());
        Ok(())
    }
}

/// Renames `old` to `new` as libfs's `simple_rename()` does, for a file
/// system whose names are its persistent dentries (see
/// [`NewEntry::make_persistent`]): it changes the link counts and the times,
/// and removes a replaced target's name as [`Entry::simple_unlink`] or
/// [`Entry::simple_rmdir`] would; the bindings then move the dentries,
/// which keep their persistence. It knows `RENAME_NOREPLACE` and
/// `RENAME_EXCHANGE`, of the rename's own flags, and gives `EINVAL` for
/// others; for entries and directories that are not this rename's; after a
/// duplicate or a silly-rename; for a replaced target that is not
/// persistent; and for a link count that would have to drop below 0, or
/// rise from it. Directories must count links as ramfs's do (see
/// [`Entry::simple_rmdir`]).
///
/// Once it has succeeded, the rename is done, and `EBUSY` refuses a second
/// call, a duplicate and a silly-rename: if `->rename` still returns an
/// error, the bindings warn, move the dentries all the same, and report
/// success, since the link counts and the target's name have changed.
///
/// [`NewEntry::make_persistent`]: crate::fs::dentry::NewEntry::make_persistent
pub fn simple_rename<T: FileSystem>(
    old_dir: &Locked<'_, T, Exclusive>,
    old: &Entry<'_, T>,
    new_dir: &Locked<'_, T, Exclusive>,
    new: &Entry<'_, T>,
    renaming: &RenameLocks<'_, T>,
) -> Result {
    let known = u32::from(RenameFlag::NoReplace | RenameFlag::Exchange);
    let st = &renaming.state;
    // SAFETY: `renaming.old` and `renaming.new` are pinned, with both
    // parents stable, for the rename (type invariant).
    let (od, nd) = unsafe {
        (
            (*(*renaming.old).d_parent).d_inode,
            (*(*renaming.new).d_parent).d_inode,
        )
    };
    // What `simple_rename()` drops: a replaced target's links (two for a
    // directory); for a directory that changes parents, a link of one
    // parent, and `new_dir` gains one; an exchange moves a link between
    // the directories. So every link count it touches must be above 0.
    if st.simple_done.get() {
        return Err(EBUSY);
    }
    let replaced = !renaming.exchange && new.inode().is_some();
    // A directory that moves within its parent onto a free name: its
    // parent loses the link, then gets it back, passing through 0 if it
    // has only one.
    let moved_dir = !renaming.exchange && !replaced && old.inode().is_some_and(|i| i.is_dir());
    let target_links = match new.inode() {
        Some(i) if replaced => i.nlink() >= if i.is_dir() { 2 } else { 1 },
        _ => true,
    };
    if old.as_raw() != renaming.old
        || new.as_raw() != renaming.new
        || od != old_dir.as_raw()
        || nd != new_dir.as_raw()
        || u32::from(renaming.flags) & !known != 0
        || st.whiteout_taken.get()
        || st.silly_taken.get()
        || (replaced && !new.is_persistent())
        || !target_links
        || old_dir.nlink() == 0
        || new_dir.nlink() == 0
        || (moved_dir && old_dir.nlink() < 2)
    {
        return Err(EINVAL);
    }
    // SAFETY: These are the dentries of this rename, with every lock
    // `vfs_rename()` takes held (type invariant of `renaming`), under
    // `old_dir` and `new_dir`, and with the rename's own flags. A replaced
    // target is persistent, as `simple_unlink()` expects, and the VFS holds
    // a reference of its own to it; no link count it changes is 0. The nop
    // idmap is the only one the VFS passes: the type has no
    // `FS_ALLOW_IDMAP`.
    to_result(unsafe {
        bindings::simple_rename(
            &raw mut bindings::nop_mnt_idmap,
            old_dir.as_raw(),
            renaming.old,
            new_dir.as_raw(),
            renaming.new,
            renaming.flags.into(),
        )
    })?;
    st.simple_done.set(true);
    Ok(())
}

/// The body of the `->rename` trampoline of operations `U`: runs
/// [`Operations::rename`], then moves the dentries, and completes or undoes
/// what it left in [`RenameLocks`].
///
/// # Safety
///
/// Called from `->rename`, with both directories locked (`lock_rename()`),
/// or their common directory shared and both names locked
/// (`start_renaming()`), and the other locks `vfs_rename()` takes, as it
/// passes them.
pub(crate) unsafe fn rename<U: Operations + ?Sized>(
    old_dir: *mut bindings::inode,
    old: *mut bindings::dentry,
    new_dir: *mut bindings::inode,
    new: *mut bindings::dentry,
    flags: c_uint,
) -> Result {
    // SAFETY: As the function's safety requirements say; the names
    // are stable while both parents, or both names, are locked. Either
    // way, each directory is held at least shared and the names this
    // rename changes exclusively, which is what `Update` tokens prove.
    let (od, o, nd, mut n) = unsafe {
        (
            Locked::<_, Update>::new(Inode::from_raw(old_dir)),
            Entry::from_raw(old),
            Locked::<_, Update>::new(Inode::from_raw(new_dir)),
            Entry::from_raw(new),
        )
    };
    // SAFETY: `old` is pinned, and its flag ours to read (the helper's
    // comment).
    let names_locked = unsafe { bindings::d_update_locked(old) };
    let flags = RenameFlags::from_raw(flags);
    // `vfs_rename()` locks every inode involved but a directory that
    // stays in its parent (and, when exchanging, a target directory
    // in the same parent).
    let cross = old_dir != new_dir;
    let exchange = flags.contains(RenameFlag::Exchange);
    // SAFETY: A pinned inode.
    let is_dir = |i: *mut bindings::inode| unsafe { Inode::<U::FileSystem>::from_raw(i) }.is_dir();
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
            names_locked,
            flags,
            state: RenameState::new(),
        }
    };
    let mut res = U::rename(&od, &o, &nd, &mut n, flags, &inodes);
    let st = &inodes.state;
    if res.is_err() && st.simple_done.get() {
        crate::pr_warn_once!(
            "rust: fs: ->rename failed after simple_rename(); the rename stands\n"
        );
        res = Ok(());
    }
    if res.is_ok() {
        // The type has `FS_RENAME_DOES_D_MOVE`: the move is ours.
        // SAFETY: Both dentries are pinned and their parents locked,
        // exclusively or shared with both names held, as are the inodes
        // `vfs_rename()` locks; a silly-rename's duplicate is in-lookup in
        // `new`'s directory, and `d_move()` ends that state.
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
    // A whiteout's duplicate is filled only if the rename succeeded, and
    // only once the source has left the name, so that the name never has
    // two dentries hashed (lookups wait for the in-lookup duplicate
    // meanwhile). It is never left in lookup.
    st.end_whiteout(res.is_ok());
    // After a failure, a committed silly-rename's target stays at
    // its new name, as the file system's namespace has it.
    st.end_silly();
    res
}
