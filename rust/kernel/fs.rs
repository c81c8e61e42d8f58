// SPDX-License-Identifier: GPL-2.0

//! Kernel file systems.
//!
//! Besides [`File`], this module holds the abstractions a file system is
//! written with: its type and registration, its superblocks, inodes and
//! dentries, and the operation tables the VFS calls it through. They cover
//! what an in-memory or store-backed file system needs to create, look up,
//! link, remove and rename names, concurrently, with the dcache primitives
//! that let lookups run under a directory lock held shared
//! (`d_alloc_parallel()`, `d_alloc_noblock()`, `d_duplicate()`,
//! `LOOKUP_SHARED`).
//!
//! # Object model
//!
//! As in C, and not one trait for everything:
//!
//! - a [`FileSystem`] is a file system type: its name, its mount parameters
//!   ([`param`]), and the setup and teardown of a [`SuperBlock`]. A
//!   [`Registration`], usually made by [`module_fs!`](crate::module_fs),
//!   registers it;
//! - each [`Inode`] carries the file system's [`FileSystem::InodeData`] and
//!   the operation tables of its type, chosen when it is set up
//!   ([`inode::Type`]): the [`inode::Operations`] of directories and
//!   regular files, the [`dir::Operations`] of open directories, the
//!   [`address_space::Operations`] that move file contents, and the
//!   [`xattr::Operations`] of the whole superblock;
//! - a [`Dentry`] names an inode in its parent directory. The VFS hands
//!   operations views of dentries whose type says what may be done with
//!   them: a [`dentry::Entry`] to read, a [`dentry::NewEntry`] to complete
//!   exactly once, a [`dentry::InLookup`] owned while a lookup runs;
//! - counted references, [`InodeRef`] and [`DentryRef`], borrow their
//!   superblock, so that none outlives it.
//!
//! # Locking
//!
//! The VFS takes a directory's `i_rwsem` before calling into the file
//! system, and the callback receives a token, [`inode::Locked`], that
//! proves which mode it holds: [`inode::Shared`] for `->lookup` and for
//! reading a directory, [`inode::Update`] for operations that create,
//! remove or rename a name (the directory at least shared, those names
//! exclusively: see [`SuperBlock::set_par_dirops`]), and
//! [`inode::Exclusive`] for the inodes the operations change. Only an exclusive token
//! changes sizes, link counts and times, an update's token those of its
//! directory, under the inode's `i_lock`, and the dcache operations that
//! need a lock ask for the matching token. Names are read
//! only through views whose lock keeps them stable. A rename's extra locks
//! and dcache work are in [`rename`]. No Rust code runs in RCU-walk mode.
//!
//! # Two kinds of file system
//!
//! In ramfs and tmpfs, the dcache *is* the namespace: each name is a
//! dentry pinned in the dcache ([`inode::New::init_persistent`],
//! [`dentry::NewEntry::make_persistent`]), removed with libfs's helpers
//! ([`dentry::Entry::simple_unlink`], [`rename::simple_rename`]);
//! directories are read from the dcache ([`dir::Ops::simple`]), and the
//! page cache is the only copy of the contents ([`address_space::Ops::ram`]).
//! `samples/rust/rust_ramfs.rs` in the rustfs kit is ramfs written that
//! way, and the place to start.
//!
//! A file system with a store of its own treats the dcache as a cache,
//! which `->lookup` fills again after reclaim, concurrently with other
//! lookups under a shared directory lock: rustfs (`rust/rustfs/` in the
//! kit) is one, and drives every path of these bindings.
//!
//! # Examples
//!
//! A file system with one empty, read-only directory.
//!
//! ```
//! use kernel::fs::{
//!     dentry::{LookupFlags, NewEntry, Spliced},
//!     dir::{self, DirEmitter},
//!     inode::{self, Attrs, InodeFlags, Iget, LookupLock, Params, Shared, Time, Type},
//!     param,
//!     sb, FileSystem, InodeRef, SuperBlock,
//! };
//! use kernel::prelude::*;
//! use kernel::task::{Kgid, Kuid};
//!
//! struct EmptyFs;
//!
//! impl FileSystem for EmptyFs {
//!     const NAME: &'static CStr = c"emptyfs";
//!     const PARAMS: &'static param::Table = &param::Table::EMPTY;
//!     type Options = ();
//!     type Data = ();
//!     type InodeData = ();
//!
//!     fn parse_param(_opts: &mut (), _param: &param::Param<'_>) -> Result {
//!         Ok(())
//!     }
//!
//!     fn fill_super(sb: &SuperBlock<Self, sb::New>, _opts: ()) -> Result {
//!         sb.set_params(&sb::Params {
//!             magic: 0x454d5054,
//!             blocksize_bits: 12,
//!             maxbytes: 0,
//!             time_gran: 1,
//!             max_links: 0,
//!         })
//!     }
//!
//!     fn init_root(sb: &SuperBlock<Self>) -> Result<InodeRef<'_, Self>> {
//!         let Iget::New(new) = sb.iget_locked(1)? else {
//!             return Err(EEXIST);
//!         };
//!         let now = Time::now();
//!         new.init(Params {
//!             typ: Type::Dir(inode::Ops::new::<Root>(), dir::Ops::new::<Root>()),
//!             attrs: Attrs {
//!                 mode: 0o555,
//!                 uid: Kuid::GLOBAL_ROOT,
//!                 gid: Kgid::GLOBAL_ROOT,
//!                 nlink: 2,
//!                 size: 0,
//!                 atime: now,
//!                 mtime: now,
//!                 ctime: now,
//!                 flags: InodeFlags::default(),
//!             },
//!             owner_dir: None,
//!             data: (),
//!         })
//!     }
//!
//!     fn reconfigure(_sb: &SuperBlock<Self>, _opts: (), _log: &param::Log<'_>) -> Result {
//!         Ok(())
//!     }
//! }
//!
//! struct Root;
//!
//! #[vtable]
//! impl inode::Operations for Root {
//!     type FileSystem = EmptyFs;
//!
//!     // Every name is missing: complete the lookup negative.
//!     fn lookup<'a>(
//!         _dir: LookupLock<'a, EmptyFs>,
//!         dentry: NewEntry<'a, EmptyFs>,
//!         _flags: LookupFlags,
//!     ) -> Result<Spliced<'a, EmptyFs>> {
//!         dentry.splice_alias(None)
//!     }
//! }
//!
//! #[vtable]
//! impl dir::Operations for Root {
//!     type FileSystem = EmptyFs;
//!
//!     fn read_dir(
//!         file: &dir::DirFile<EmptyFs>,
//!         _dir: &inode::Locked<'_, EmptyFs, Shared>,
//!         emitter: &mut DirEmitter,
//!     ) -> Result {
//!         emitter.emit_dots(file);
//!         Ok(())
//!     }
//! }
//! ```
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/dcache.h`](srctree/include/linux/dcache.h).

pub mod file;
pub use self::file::{File, LocalFile};

mod kiocb;
pub use self::kiocb::Kiocb;

pub mod address_space;
pub mod dentry;
pub mod dir;
mod filesystem;
pub mod inode;
pub mod param;
pub mod rename;
pub mod sb;
pub mod xattr;

pub use self::dentry::{Dentry, DentryRef};
pub use self::filesystem::{FileSystem, ModuleData, Registration, Stat};
pub use self::inode::{Inode, InodeRef};
pub use self::sb::SuperBlock;
