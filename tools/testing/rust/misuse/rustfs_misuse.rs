// SPDX-License-Identifier: GPL-2.0

//! rustfs_misuse: a file system in safe Rust that breaks, on purpose, the
//! kernel rules the bindings check at run time, so that `make check` sees
//! each check refuse cleanly (tools/testing/vm/tests/rustfs-misuse).
//!
//! - `mount -o root_not_dir`: `init_root` returns a socket (`ENOTDIR`).
//! - `mkdir` makes a socket, not a directory (`EIO`); the socket stays.
//! - Creating `set_size_negative` or `set_size_huge` sets the directory's
//!   size out of range (`EINVAL`, `EFBIG`); creating `bad_nsec` or
//!   `bad_size` initialises the inode with a time or a size out of range
//!   (`EINVAL`); creating `no_bdi` sets up a regular file whose contents
//!   a store keeps, on a superblock without a backing device to write them
//!   back (`EINVAL`).
//! - `mkdir root_alias` makes the directory it is in persistent under the
//!   new name, a second alias of a directory (`EINVAL`).
//! - Unlinking removes a name that is not persistent with
//!   `simple_unlink()`, which must fail with `EINVAL` (`d_make_discardable()`
//!   would WARN); then it takes the victim's last link, and adds one back,
//!   which must fail with `ENOENT`: only then does the unlink succeed.
//!
//! Any other name is created as a FIFO, which opens without a driver. A
//! check that lets its misuse through gives `EUCLEAN` instead, or the
//! kernel's own warning.

use kernel::{
    fs::{
        address_space::{self, FolioBytes},
        dentry::{Entry, LookupFlags, NewEntry, Spliced},
        dir::{self, DirEmitter, DirFile},
        inode::{
            self, Attrs, Exclusive, Iget, Inode, InodeFlags, InodeRef, Locked, LookupLock, Mode,
            Params, Shared, Time, Type, Unreferenced, Update,
        },
        param::{Log, Param, Spec, Table},
        sb::{self, SuperBlock},
        FileSystem,
    },
    fs_param_table,
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
    task::{Kgid, Kuid},
};

kernel::module_fs! {
    type: Misuse,
    name: "rustfs_misuse",
    authors: ["rustfs developers"],
    description: "Breaks the VFS rules the Rust bindings check at run time",
    license: "GPL",
}

const MAXBYTES: i64 = 1 << 40;
const OPT_ROOT_NOT_DIR: u8 = 0;

static PARAMS: Table = fs_param_table![Spec::flag(c"root_not_dir", OPT_ROOT_NOT_DIR)];

#[derive(Default)]
struct Options {
    root_not_dir: bool,
}

struct Misuse;

struct Data {
    next_ino: Atomic<u64>,
    root_not_dir: bool,
}

fn attrs(mode: u16, nlink: u32) -> Attrs {
    let now = Time::now();
    Attrs {
        mode,
        uid: Kuid::GLOBAL_ROOT,
        gid: Kgid::GLOBAL_ROOT,
        nlink,
        size: 0,
        atime: now,
        mtime: now,
        ctime: now,
        flags: InodeFlags::default(),
    }
}

fn new_inode(sb: &SuperBlock<Misuse>, typ: Type<Misuse>, a: Attrs) -> Result<InodeRef<'_, Misuse>> {
    let ino = sb.data().next_ino.fetch_add(1, Relaxed);
    match sb.iget_locked(ino)? {
        Iget::New(new) => new.init(Params {
            typ,
            attrs: a,
            owner_dir: None,
            data: (),
        }),
        Iget::Cached(_) => Err(EIO),
    }
}

impl FileSystem for Misuse {
    const NAME: &'static CStr = c"rustfs_misuse";
    const PARAMS: &'static Table = &PARAMS;
    type Options = Options;
    type Data = KBox<Data>;
    type InodeData = ();

    fn parse_param(opts: &mut Options, param: &Param<'_>) -> Result {
        opts.root_not_dir = param.opt() == OPT_ROOT_NOT_DIR;
        Ok(())
    }

    fn fill_super(sb: &SuperBlock<Self, sb::New>, opts: Options) -> Result<KBox<Data>> {
        sb.set_params(&sb::Params {
            magic: 0x6d697375,
            blocksize_bits: 12,
            maxbytes: MAXBYTES,
            time_gran: 1,
            max_links: 0,
        })?;
        let data = Data {
            next_ino: Atomic::new(1),
            root_not_dir: opts.root_not_dir,
        };
        Ok(KBox::new(data, GFP_KERNEL)?)
    }

    fn init_root(sb: &SuperBlock<Self>) -> Result<InodeRef<'_, Self>> {
        let typ = if sb.data().root_not_dir {
            Type::Sock
        } else {
            Type::Dir(inode::Ops::new::<DirOps>(), dir::Ops::new::<DirOps>())
        };
        new_inode(sb, typ, attrs(0o755, 2))
    }

    fn reconfigure(_sb: &SuperBlock<Self>, _opts: Options, _log: &Log<'_>) -> Result {
        Ok(())
    }
}

struct DirOps;

struct FileOps;

#[vtable]
impl inode::Operations for FileOps {
    type FileSystem = Misuse;
}

const FILE_DATA: address_space::Ops<Misuse> = address_space::Ops::new::<FileOps>();

#[vtable]
impl address_space::Operations for FileOps {
    type FileSystem = Misuse;

    fn read(_inode: &Inode<Misuse>, _pos: i64, buf: &mut [u8]) -> Result {
        buf.fill(0);
        Ok(())
    }

    fn grow(_inode: &Inode<Misuse>, _size: i64) {}

    fn write_back(_inode: &Unreferenced<'_, Misuse>, _pos: i64, _data: &FolioBytes<'_>) -> Result {
        Ok(())
    }
}

#[vtable]
impl inode::Operations for DirOps {
    type FileSystem = Misuse;

    fn lookup<'a>(
        _dir: LookupLock<'a, Misuse>,
        dentry: NewEntry<'a, Misuse>,
        _flags: LookupFlags,
    ) -> Result<Spliced<'a, Misuse>> {
        // The dcache is the namespace, as on ramfs.
        dentry.splice_alias(None)
    }

    fn create<'a>(
        dir: &Locked<'_, Misuse, Update>,
        dentry: NewEntry<'a, Misuse>,
        mode: Mode,
    ) -> Result<Spliced<'a, Misuse>> {
        // Misuse does not opt in to parallel directory operations.
        let dir = &dir.exclusive().ok_or(EINVAL)?;
        let mut a = attrs(mode.perm(), 1);
        match dentry.name() {
            b"set_size_negative" => {
                dir.set_size(-1)?;
                return Err(EUCLEAN);
            }
            b"set_size_huge" => {
                dir.set_size(MAXBYTES + 1)?;
                return Err(EUCLEAN);
            }
            b"bad_nsec" => a.mtime.nsec = 1_000_000_000,
            b"bad_size" => a.size = -1,
            b"no_bdi" => {
                // Contents written back to a store, on a superblock with no
                // backing device to write them back.
                let typ = Type::Reg(inode::Ops::new::<FileOps>(), FILE_DATA);
                new_inode(dir.super_block(), typ, a)?;
                return Err(EUCLEAN);
            }
            _ => {}
        }
        let inode = new_inode(dir.super_block(), Type::Fifo, a)?;
        dentry.splice_alias(Some(inode))
    }

    fn mkdir<'a>(
        dir: &Locked<'_, Misuse, Update>,
        dentry: NewEntry<'a, Misuse>,
        mode: Mode,
    ) -> Result<Spliced<'a, Misuse>> {
        // Misuse does not opt in to parallel directory operations.
        let dir = &dir.exclusive().ok_or(EINVAL)?;
        if dentry.name() == b"root_alias" {
            dentry.make_persistent(dir.get(), dir)?;
            return Err(EUCLEAN);
        }
        let inode = new_inode(dir.super_block(), Type::Sock, attrs(mode.perm(), 1))?;
        dentry.splice_alias(Some(inode))
    }

    fn unlink(
        dir: &Locked<'_, Misuse, Update>,
        dentry: &Entry<'_, Misuse>,
        victim: &Locked<'_, Misuse, Exclusive>,
    ) -> Result {
        // Misuse does not opt in to parallel directory operations.
        let dir = &dir.exclusive().ok_or(EINVAL)?;
        match dentry.simple_unlink(dir, victim) {
            Err(e) if e == EINVAL => {}
            Err(e) => return Err(e),
            Ok(()) => return Err(EUCLEAN),
        }
        victim.drop_nlink();
        match victim.inc_nlink() {
            Err(e) if e == ENOENT => {}
            Err(e) => return Err(e),
            Ok(()) => {
                victim.drop_nlink();
                return Err(EUCLEAN);
            }
        }
        dir.touch();
        Ok(())
    }
}

#[vtable]
impl dir::Operations for DirOps {
    type FileSystem = Misuse;

    fn read_dir(
        file: &DirFile<Misuse>,
        _dir: &Locked<'_, Misuse, Shared>,
        emitter: &mut DirEmitter,
    ) -> Result {
        emitter.emit_dots(file);
        Ok(())
    }
}
