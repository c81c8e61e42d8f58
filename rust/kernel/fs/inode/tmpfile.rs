// SPDX-License-Identifier: GPL-2.0

//! `O_TMPFILE`: a new inode opened on a dentry that gets no name.

use super::{New, Params, Type};
use crate::{
    bindings,
    error::to_result,
    fs::{xattr::InitXattrs, FileSystem, SuperBlock},
    prelude::*,
};
use core::marker::PhantomData;

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
    pub(super) file: *mut bindings::file,
    pub(super) _p: PhantomData<&'a SuperBlock<T>>,
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
            (dentry, (*dentry).d_sb == new.sb_raw())
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
        // `mark_inode_dirty()` (see `update_time()` in `inode::ops`): `d_instantiate()`
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
