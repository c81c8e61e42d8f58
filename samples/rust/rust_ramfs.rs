// SPDX-License-Identifier: GPL-2.0

//! ramfs in Rust: the dcache is the namespace, and the page cache holds the
//! contents.
//!
//! This is `fs/ramfs/inode.c` on the `kernel::fs` bindings, and the place to
//! start reading them. As in ramfs, there is no store at all:
//!
//! - every name is a dentry that the dcache keeps until the name is removed
//!   ([`NewEntry::make_persistent`], [`Entry::simple_unlink`],
//!   [`rename::simple_rename`]), so `->lookup` never finds anything the
//!   dcache does not already have;
//! - directories are read from the dcache (`dir::Ops::simple()`);
//! - regular files and symbolic links keep their contents in unevictable
//!   page-cache pages (`address_space::Ops::ram()`);
//! - an inode lives as long as its names and open files: each name's dentry
//!   holds it, and it has no other record.
//!
//! Unlike ramfs, it refuses unknown mount options, as tmpfs does, and its
//! root belongs to root rather than to the mounter.
//!
//! rustfs (`rust/rustfs/`) is the other end: its dcache is a cache, which
//! it rebuilds through `->lookup` from a store of its own.

use kernel::{
    fs::{
        address_space,
        dentry::{Entry, LookupFlags, NewEntry, Spliced, NAME_MAX},
        dir::{self, DirType},
        inode::{
            self, Attrs, Dev, Exclusive, Iget, InodeFlags, Locked, LookupLock, Mode, New, Opened,
            Params, Time, TmpFile, Type, Update,
        },
        param::{Log, Param, Spec, Table},
        rename::{self, RenameFlags, RenameLocks},
        sb, FileSystem, Inode, InodeRef, SuperBlock,
    },
    fs_param_table,
    page::PAGE_SHIFT,
    prelude::*,
    seq_file::{seq_print, SeqFile},
    sync::atomic::{Atomic, Relaxed},
    task::{Kgid, Kuid},
};

/// `RAMFS_MAGIC`.
const MAGIC: c_ulong = 0x858458f6;
const DEFAULT_MODE: u16 = 0o755;

const OPT_MODE: u8 = 0;
static PARAMS: Table = fs_param_table![Spec::u32oct(c"mode", OPT_MODE)];

/// The options of a mount: the root directory's permissions.
#[derive(Default)]
struct Options {
    mode: Option<u16>,
}

/// A mounted instance.
struct Info {
    mode: u16,
    /// The number of the next inode, as `get_next_ino()` gives ramfs its.
    next_ino: Atomic<u64>,
}

struct RamFs;

impl FileSystem for RamFs {
    const NAME: &'static CStr = c"rust_ramfs";
    const PARAMS: &'static Table = &PARAMS;
    type Options = Options;
    type Data = KBox<Info>;
    type InodeData = ();

    fn parse_param(opts: &mut Options, param: &Param<'_>) -> Result {
        if param.opt() == OPT_MODE {
            opts.mode = Some((param.as_u32() & 0o7777) as u16);
        }
        Ok(())
    }

    fn fill_super(sb: &SuperBlock<Self, sb::New>, opts: Options) -> Result<KBox<Info>> {
        sb.set_params(&sb::Params {
            magic: MAGIC,
            blocksize_bits: PAGE_SHIFT as u8,
            maxbytes: i64::MAX,
            time_gran: 1,
            max_links: 0,
        })?;
        let info = Info {
            mode: opts.mode.unwrap_or(DEFAULT_MODE),
            next_ino: Atomic::new(1),
        };
        Ok(KBox::new(info, GFP_KERNEL)?)
    }

    fn init_root(sb: &SuperBlock<Self>) -> Result<InodeRef<'_, Self>> {
        let mode = Mode::new(DirType::Dir, sb.data().mode);
        new_inode(sb)?.init(params(None, mode, Dev::default())?)
    }

    // A remount changes nothing, as on ramfs, which has no
    // `->reconfigure`.
    fn reconfigure(_sb: &SuperBlock<Self>, _opts: Options, _log: &Log<'_>) -> Result {
        Ok(())
    }

    fn show_options(sb: &SuperBlock<Self>, m: &SeqFile) -> Result {
        let mode = sb.data().mode;
        if mode != DEFAULT_MODE {
            seq_print!(m, ",mode={mode:o}");
        }
        Ok(())
    }
}

/// A new inode, locked until it is set up.
fn new_inode(sb: &SuperBlock<RamFs>) -> Result<New<'_, RamFs>> {
    match sb.iget_locked(sb.data().next_ino.fetch_add(1, Relaxed))? {
        Iget::New(new) => Ok(new),
        // Numbers are not reused, so the inode cache cannot have it.
        Iget::Cached(_) => Err(EEXIST),
    }
}

/// What `ramfs_get_inode()` sets up: an inode of `mode`'s type, owned as a
/// file created in `dir` is (`inode_init_owner()`), or by root.
fn params(dir: Option<&Inode<RamFs>>, mode: Mode, dev: Dev) -> Result<Params<'_, RamFs>> {
    let typ = match mode.file_type() {
        DirType::Dir => Type::Dir(inode::Ops::new::<Dir>(), dir::Ops::simple()),
        DirType::Reg => Type::Reg(inode::Ops::new::<File>(), address_space::Ops::ram()),
        DirType::Lnk => Type::Lnk(address_space::Ops::ram()),
        DirType::Chr => Type::Chr(dev),
        DirType::Blk => Type::Blk(dev),
        DirType::Fifo => Type::Fifo,
        DirType::Sock => Type::Sock,
        _ => return Err(EINVAL),
    };
    let now = Time::now();
    Ok(Params {
        typ,
        attrs: Attrs {
            mode: mode.perm(),
            uid: Kuid::GLOBAL_ROOT,
            gid: Kgid::GLOBAL_ROOT,
            // A directory's "." is a link too.
            nlink: if mode.is_dir() { 2 } else { 1 },
            size: 0,
            atime: now,
            mtime: now,
            ctime: now,
            flags: InodeFlags::default(),
        },
        owner_dir: dir,
        data: (),
    })
}

/// The LSMs label each new inode; the extended attributes they give it are
/// dropped, as ramfs drops them.
fn no_xattrs(_name: &[u8], _value: &[u8]) -> Result {
    Ok(())
}

/// Directories.
struct Dir;

/// The directory's exclusive token. ramfs changes names with libfs's
/// helpers, which change the directory's link count and times unlocked,
/// so it does not opt in to parallel directory operations, and the VFS
/// locks its directories exclusively for every update.
fn exclusive<'a>(dir: &'a Locked<'_, RamFs, Update>) -> Result<Locked<'a, RamFs, Exclusive>> {
    dir.exclusive().ok_or(EINVAL)
}

#[vtable]
impl inode::Operations for Dir {
    type FileSystem = RamFs;

    // Every name is in the dcache, so this one does not exist; and the miss
    // is not worth keeping (`simple_lookup()`).
    fn lookup<'a>(
        dir: LookupLock<'a, RamFs>,
        dentry: NewEntry<'a, RamFs>,
        _flags: LookupFlags,
    ) -> Result<Spliced<'a, RamFs>> {
        if dentry.name().len() > NAME_MAX {
            return Err(ENAMETOOLONG);
        }
        dentry.miss_uncached(&dir)
    }

    fn create<'a>(
        dir: &Locked<'_, RamFs, Update>,
        dentry: NewEntry<'a, RamFs>,
        mode: Mode,
    ) -> Result<Spliced<'a, RamFs>> {
        Self::mknod(dir, dentry, mode, Dev::default())
    }

    fn mkdir<'a>(
        dir: &Locked<'_, RamFs, Update>,
        dentry: NewEntry<'a, RamFs>,
        mode: Mode,
    ) -> Result<Spliced<'a, RamFs>> {
        let excl = exclusive(dir)?;
        // The new directory's ".." links to `dir`.
        excl.inc_nlink()?;
        let res = Self::mknod(dir, dentry, mode, Dev::default());
        if res.is_err() {
            excl.drop_nlink();
        }
        res
    }

    fn mknod<'a>(
        dir: &Locked<'_, RamFs, Update>,
        dentry: NewEntry<'a, RamFs>,
        mode: Mode,
        dev: Dev,
    ) -> Result<Spliced<'a, RamFs>> {
        let dir = &exclusive(dir)?;
        let params = params(Some(dir), mode, dev)?;
        let spliced =
            new_inode(dir.super_block())?.init_persistent(params, dentry, dir, &mut no_xattrs)?;
        dir.touch();
        Ok(spliced)
    }

    fn symlink<'a>(
        dir: &Locked<'_, RamFs, Update>,
        dentry: NewEntry<'a, RamFs>,
        target: &CStr,
    ) -> Result<Spliced<'a, RamFs>> {
        let dir = &exclusive(dir)?;
        let params = params(Some(dir), Mode::new(DirType::Lnk, 0o777), Dev::default())?;
        let inode = new_inode(dir.super_block())?.init_created(params, &dentry, &mut no_xattrs)?;
        // Should it get no name, it goes at its last put, links or not.
        inode.mark_dontcache();
        inode.page_symlink(target)?;
        let spliced = dentry.make_persistent(inode, dir)?;
        dir.touch();
        Ok(spliced)
    }

    fn link<'a>(
        old: &Locked<'_, RamFs, Exclusive>,
        dir: &Locked<'_, RamFs, Update>,
        dentry: NewEntry<'a, RamFs>,
    ) -> Result<Spliced<'a, RamFs>> {
        let dir = &exclusive(dir)?;
        old.inc_nlink()?;
        let spliced = match dentry.make_persistent(old.get(), dir) {
            Ok(spliced) => spliced,
            Err(e) => {
                old.drop_nlink();
                return Err(e);
            }
        };
        old.touch_ctime();
        dir.touch();
        Ok(spliced)
    }

    fn unlink(
        dir: &Locked<'_, RamFs, Update>,
        dentry: &Entry<'_, RamFs>,
        victim: &Locked<'_, RamFs, Exclusive>,
    ) -> Result {
        let dir = &exclusive(dir)?;
        dentry.simple_unlink(dir, victim)
    }

    fn rmdir(
        dir: &Locked<'_, RamFs, Update>,
        dentry: &Entry<'_, RamFs>,
        victim: &Locked<'_, RamFs, Exclusive>,
    ) -> Result {
        let dir = &exclusive(dir)?;
        dentry.simple_rmdir(dir, victim)
    }

    fn rename(
        old_dir: &Locked<'_, RamFs, Update>,
        old: &Entry<'_, RamFs>,
        new_dir: &Locked<'_, RamFs, Update>,
        new: &mut Entry<'_, RamFs>,
        _flags: RenameFlags,
        renaming: &RenameLocks<'_, RamFs>,
    ) -> Result {
        let (old_dir, new_dir) = (&exclusive(old_dir)?, &exclusive(new_dir)?);
        rename::simple_rename(old_dir, old, new_dir, new, renaming)
    }

    fn tmpfile<'a>(dir: &Inode<RamFs>, file: TmpFile<'a, RamFs>, mode: Mode) -> Result<Opened<'a>> {
        let params = params(Some(dir), mode, Dev::default())?;
        file.open(new_inode(dir.super_block())?, params, &mut no_xattrs)
    }
}

/// Regular files.
struct File;

#[vtable]
impl inode::Operations for File {
    type FileSystem = RamFs;

    // The page cache is the only copy, and the bindings truncate it.
    fn truncate(_inode: &Inode<RamFs>, _size: i64) -> Result {
        Ok(())
    }
}

kernel::module_fs! {
    type: RamFs,
    name: "rust_ramfs",
    authors: ["rustfs developers"],
    description: "ramfs in Rust, on the kernel::fs bindings",
    license: "GPL",
    alias: ["fs-rust_ramfs"],
}
