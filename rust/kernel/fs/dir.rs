// SPDX-License-Identifier: GPL-2.0

//! Directory file operations: reading directories.
//!
//! `->iterate_shared` runs with the directory's `i_rwsem` held shared, as the
//! [`Locked`] token it gets says, and with the open [`DirFile`], whose position
//! is the directory cookie: a file system that keeps cursor state per open
//! file finds it there. Entries go out through a [`DirEmitter`].
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h).

use super::{
    inode::{Locked, Shared},
    Dentry, FileSystem, Inode,
};
use crate::{bindings, error::from_result, prelude::*, types::Opaque};
use core::marker::PhantomData;

mod prefetch;

pub(crate) use prefetch::{wait_for_prefetches, Pending};
pub use prefetch::{Prefetch, MAX_NAMES as MAX_PREFETCH};

/// The type of a directory entry, as `readdir` reports it (`DT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum DirType {
    /// Unknown.
    Unknown = bindings::DT_UNKNOWN,
    /// A FIFO.
    Fifo = bindings::DT_FIFO,
    /// A character device.
    Chr = bindings::DT_CHR,
    /// A directory.
    Dir = bindings::DT_DIR,
    /// A block device.
    Blk = bindings::DT_BLK,
    /// A regular file.
    Reg = bindings::DT_REG,
    /// A symbolic link.
    Lnk = bindings::DT_LNK,
    /// A socket.
    Sock = bindings::DT_SOCK,
    /// A whiteout (a character device 0:0).
    Wht = bindings::DT_WHT,
}

impl DirType {
    /// The entry type of a file of mode `mode` (`fs_umode_to_dtype()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::fs::dir::DirType;
    ///
    /// assert_eq!(DirType::from_mode(0o040755), DirType::Dir);
    /// assert_eq!(DirType::from_mode(0o100644), DirType::Reg);
    /// assert_eq!(DirType::from_mode(0o020000), DirType::Chr);
    /// assert_eq!(DirType::from_mode(0o120777), DirType::Lnk);
    /// assert_eq!(DirType::from_mode(0o777), DirType::Unknown);
    /// ```
    pub fn from_mode(mode: u16) -> Self {
        match u32::from(mode) & bindings::S_IFMT {
            bindings::S_IFIFO => Self::Fifo,
            bindings::S_IFCHR => Self::Chr,
            bindings::S_IFDIR => Self::Dir,
            bindings::S_IFBLK => Self::Blk,
            bindings::S_IFREG => Self::Reg,
            bindings::S_IFLNK => Self::Lnk,
            bindings::S_IFSOCK => Self::Sock,
            _ => Self::Unknown,
        }
    }
}

/// Where `readdir` puts the entries it emits (`struct dir_context`).
///
/// Its position is the cookie of the next entry to emit; the file system
/// advances it with [`DirEmitter::set_pos`] after each entry it emitted.
///
/// # Invariants
///
/// `inner` is a live `dir_context` of a `readdir` in progress, used only by
/// this thread.
#[repr(transparent)]
pub struct DirEmitter(Opaque<bindings::dir_context>);

impl DirEmitter {
    /// # Safety
    ///
    /// `ctx` must be a `dir_context` valid and used only by the caller for
    /// `'a`.
    unsafe fn from_raw<'a>(ctx: *mut bindings::dir_context) -> &'a mut Self {
        // SAFETY: By the safety requirements, and `Self` is `repr(transparent)`.
        unsafe { &mut *ctx.cast() }
    }

    /// The position: the cookie of the next entry to emit.
    pub fn pos(&self) -> i64 {
        // SAFETY: The context is ours (type invariant).
        unsafe { (*self.0.get()).pos }
    }

    /// Moves the position to `pos`.
    pub fn set_pos(&mut self, pos: i64) {
        // SAFETY: The context is ours (type invariant).
        unsafe { (*self.0.get()).pos = pos };
    }

    /// Emits "." and "..", at positions 0 and 1, as needed. Returns `false`
    /// when the caller's buffer is full.
    pub fn emit_dots<T: FileSystem>(&mut self, file: &DirFile<T>) -> bool {
        // SAFETY: The context is ours and `file` is the directory being read.
        unsafe { bindings::dir_emit_dots(file.as_raw(), self.0.get()) }
    }

    /// Emits one entry at the current position. Returns `false` when the
    /// caller's buffer is full: the entry was not emitted, and `readdir`
    /// must stop and keep the position.
    pub fn emit(&mut self, name: &[u8], ino: u64, typ: DirType) -> bool {
        let Ok(len) = i32::try_from(name.len()) else {
            return false;
        };
        // SAFETY: The context is ours; `name` is valid for `len` bytes.
        unsafe { bindings::dir_emit(self.0.get(), name.as_ptr().cast(), len, ino, typ as u32) }
    }
}

/// An open directory of file system `T`, as `->iterate_shared` gets it.
///
/// # Invariants
///
/// `inner` is an open `struct file` of a directory of file system `T`.
#[repr(transparent)]
pub struct DirFile<T: FileSystem> {
    inner: Opaque<bindings::file>,
    _p: PhantomData<T>,
}

impl<T: FileSystem> DirFile<T> {
    /// Returns the raw `struct file`.
    pub fn as_raw(&self) -> *mut bindings::file {
        self.inner.get()
    }

    /// The file as the kernel crate's generic [`File`](super::file::File),
    /// for its credentials and flags.
    pub fn file(&self) -> &super::file::File {
        // SAFETY: The file is open and pinned by the caller of the callback
        // for as long as `self` is borrowed.
        unsafe { super::file::File::from_raw_file(self.as_raw()) }
    }

    /// The directory's dentry.
    pub fn dentry(&self) -> &Dentry<T> {
        // SAFETY: An open file pins its path, of file system `T`.
        unsafe { Dentry::from_raw((*self.as_raw()).__bindgen_anon_1.f_path.dentry) }
    }
}

/// Operations on open directories of file system `FileSystem`.
#[vtable]
pub trait Operations {
    /// The file system these operations belong to.
    type FileSystem: FileSystem;

    /// Emits the entries of `dir` from `emitter`'s position on.
    fn read_dir(
        file: &DirFile<Self::FileSystem>,
        dir: &Locked<'_, Self::FileSystem, Shared>,
        emitter: &mut DirEmitter,
    ) -> Result;
}

/// A directory file operations table of file system `T`.
///
/// # Invariants
///
/// The pointer is a static `file_operations` table whose callbacks are
/// the trampolines of directory operations of file system `T`, or libfs's
/// `simple_dir_operations`.
pub struct Ops<T: FileSystem>(pub(crate) *const bindings::file_operations, PhantomData<T>);

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

    /// libfs's operations for directories whose entries are the children
    /// the dcache has (`simple_dir_operations`): `readdir` walks them with
    /// a cursor (`dcache_readdir()`). For a file system whose names are
    /// its persistent dentries (see
    /// [`NewEntry::make_persistent`](super::dentry::NewEntry::make_persistent)).
    pub fn simple() -> Self {
        // INVARIANT: Only the table's address is taken.
        Self(&raw const bindings::simple_dir_operations, PhantomData)
    }
}

struct Table<U: Operations + ?Sized>(PhantomData<U>);

impl<U: Operations + ?Sized> Table<U> {
    const TABLE: bindings::file_operations = bindings::file_operations {
        llseek: Some(bindings::generic_file_llseek),
        read: Some(bindings::generic_read_dir),
        iterate_shared: Some(Self::iterate_shared),
        fsync: Some(bindings::noop_fsync),
        // Directory delegations, as `simple_offset_dir_operations` has.
        #[cfg(CONFIG_FILE_LOCKING)]
        setlease: Some(bindings::generic_setlease),
        ..pin_init::zeroed()
    };

    /// # Safety
    ///
    /// Called by the VFS with an open directory of this file system, its
    /// `i_rwsem` held shared, and a `dir_context` for this call.
    unsafe extern "C" fn iterate_shared(
        file: *mut bindings::file,
        ctx: *mut bindings::dir_context,
    ) -> c_int {
        from_result(|| {
            // SAFETY: As the function's safety requirements say; `DirFile` is
            // `repr(transparent)` over `struct file`.
            let (file, dir, emitter) = unsafe {
                let f = &*file.cast::<DirFile<U::FileSystem>>();
                let inode = Inode::from_raw((*file).f_inode);
                (f, Locked::new(inode), DirEmitter::from_raw(ctx))
            };
            U::read_dir(file, &dir, emitter)?;
            Ok(0)
        })
    }
}
