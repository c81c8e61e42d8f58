// SPDX-License-Identifier: GPL-2.0

//! The file system type, its superblocks and the inode cache glue.

use crate::{
    dir::{silly_name, DirOps},
    file::{FileOps, Xattrs, DATA_OPS},
    options::{Options, PARAMS},
    stats::Stats,
    store::{Body, NewBody, Node, Store, ROOT_INO},
};
use kernel::{
    debugfs,
    fs::{
        dentry::NegState,
        dir::{self, DirType},
        inode::{
            self, Attrs, Iget, Inode, InodeFlags, InodeRef, Kstat, Params, Time, Type, Unreferenced,
        },
        param::{Log, Param, Table},
        sb::{self, SuperBlock},
        xattr::Handlers,
        FileSystem, Stat,
    },
    prelude::*,
    seq_file::SeqFile,
    str::CString,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc,
    },
    task::{Kgid, Kuid},
};

/// `statfs(2)`'s `f_type` for rustfs: "RUST".
const RUSTFS_MAGIC: c_ulong = 0x5255_5354;

pub(crate) struct RustFs;

/// The settings of a superblock that a remount may change.
pub(crate) struct Config {
    pub(crate) prime_dcache: Atomic<bool>,
    /// Prime from a worker, after readdir (`DirFile::prefetch`).
    pub(crate) lazy_prime: Atomic<bool>,
    pub(crate) silly_rename: Atomic<bool>,
}

/// Per-superblock state, shown in debugfs under `rustfs-<major>:<minor>/`.
#[pin_data]
pub(crate) struct Instance {
    /// Dropping it removes `stats/` and waits for its readers before the
    /// state goes; then `_debugfs`, which holds `stats/`, goes.
    #[pin]
    state: debugfs::Scope<Super>,
    _debugfs: debugfs::Dir,
}

/// Per-superblock state.
pub(crate) struct Super {
    /// Counters and tunables, in `stats/`.
    pub(crate) stats: Stats,
    /// The namespace and data; `stats/check` checks it.
    pub(crate) store: Store,
    pub(crate) cfg: Config,
    /// The sequence number of the next silly-rename's hidden name.
    pub(crate) silly_seq: Atomic<u32>,
    opts: Options,
}

impl Super {
    /// The counters.
    pub(crate) fn count(&self) -> &crate::stats::Counters {
        &self.stats.counters
    }

    /// Whether names match without regard to ASCII case.
    pub(crate) fn casefold(&self) -> bool {
        self.opts.casefold()
    }

    /// Removes the hidden name of a silly-renamed `node` at its last close,
    /// as NFS does; returns whether it was still there. This runs at
    /// eviction, without the directory's lock (and possibly from memory
    /// reclaim), so the index lock is never held around an allocation; a
    /// lookup that found the name just before gets `ENOENT` from `iget`.
    /// The directory's times are left alone: they need its lock.
    fn unlink_silly(&self, node: &Node) -> bool {
        let dir_ino = node.silly_dir.xchg(0, Relaxed);
        if dir_ino == 0 {
            return false;
        }
        let name = silly_name(node.ino, node.silly_seq.load(Relaxed));
        let Some(dir) = self.store.get(dir_ino) else {
            return false;
        };
        let Ok(index) = dir.dir() else {
            return false;
        };
        let mut idx = index.lock();
        // Unless it was unlinked or renamed away meanwhile.
        match idx.find(name.as_bytes()) {
            Some((_, e)) if e.ino == node.ino => {}
            _ => return false,
        }
        idx.remove(name.as_bytes());
        drop(idx);
        self.count().silly_unlinks.inc();
        true
    }

    /// Counts a `d_splice_alias()` onto a dentry in state `st`.
    pub(crate) fn count_splice(&self, st: NegState) {
        let c = self.count();
        match st {
            NegState::InLookup => c.splice_in_lookup.inc(),
            NegState::Hashed => c.splice_hashed.inc(),
            NegState::Unhashed => c.splice_unhashed.inc(),
        }
    }
}

/// The superblock of an inode or dentry of rustfs.
pub(crate) fn sup(sb: &SuperBlock<RustFs>) -> &Super {
    sup_of(sb.data())
}

/// The superblock state in `data`, for an inode that gives no superblock:
/// one being evicted or written back.
pub(crate) fn sup_of(data: Pin<&Instance>) -> &Super {
    &data.get_ref().state
}

/// The operation tables and the attributes of an inode for `node`, which
/// is marked cached: the caller initialises an inode with them.
pub(crate) fn params<'b>(
    node: Arc<Node>,
    owner_dir: Option<&'b Inode<RustFs>>,
) -> Params<'b, RustFs> {
    let typ = match &node.body {
        Body::Dir(_) => Type::Dir(inode::Ops::new::<DirOps>(), dir::Ops::new::<DirOps>()),
        Body::File(_) => Type::Reg(inode::Ops::new::<FileOps>(), DATA_OPS),
        Body::Link(_) => Type::Lnk(DATA_OPS),
        Body::Special(typ, dev) => match typ {
            DirType::Chr => Type::Chr(*dev),
            DirType::Blk => Type::Blk(*dev),
            DirType::Fifo => Type::Fifo,
            _ => Type::Sock,
        },
    };
    let attrs = *node.attrs.lock();
    // Until eviction, the attributes live in the inode.
    node.cached.store(true, Relaxed);
    Params {
        typ,
        attrs,
        owner_dir,
        data: node,
    }
}

/// The inode for `ino`: from the inode cache, or read back from the store.
pub(crate) fn iget(sb: &SuperBlock<RustFs>, ino: u64) -> Result<InodeRef<'_, RustFs>> {
    match sb.iget_locked(ino)? {
        Iget::Cached(inode) => Ok(inode),
        Iget::New(new) => {
            let s = sup(sb);
            // The name was found by its lookup (in-lookup, which updates of
            // the name wait for), which keeps its object in the store; but
            // the eviction of a silly-renamed file removes its name without
            // waiting.
            let node = s.store.get(ino).ok_or(ENOENT)?;
            s.count().inode_loads.inc();
            new.init(params(node, None))
        }
    }
}

/// The space limit without `size=`: half of memory, as for tmpfs, so that
/// no user who may write to the mount can fill it. `size=0` lifts it.
fn default_size() -> u64 {
    Stat::ram_pages() / 2 * kernel::page::PAGE_SIZE as u64
}

/// The inode limit without `nr_inodes=`: as tmpfs's, one per two pages of
/// RAM, so that a user who may write to the mount cannot pin all memory
/// with objects and names.
fn default_inodes() -> u64 {
    Stat::ram_pages() / 2
}

/// Attributes of a new object, before `inode_init_owner()` settles the
/// owner.
pub(crate) fn new_attrs(mode: u16, nlink: u32, size: i64) -> Attrs {
    let now = Time::now();
    Attrs {
        mode,
        uid: Kuid::GLOBAL_ROOT,
        gid: Kgid::GLOBAL_ROOT,
        nlink,
        size,
        atime: now,
        mtime: now,
        ctime: now,
        flags: InodeFlags::default(),
    }
}

impl FileSystem for RustFs {
    const NAME: &'static CStr = c"rustfs";
    const PARAMS: &'static Table = &PARAMS;
    type Options = Options;
    type Data = Pin<KBox<Instance>>;
    type InodeData = Arc<Node>;

    fn parse_param(opts: &mut Options, param: &Param<'_>) -> Result {
        opts.parse(param)
    }

    fn fill_super(sb: &SuperBlock<Self, sb::New>, opts: Options) -> Result<Pin<KBox<Instance>>> {
        sb.set_params(&sb::Params {
            magic: RUSTFS_MAGIC,
            blocksize_bits: kernel::page::PAGE_SHIFT as u8,
            maxbytes: i64::MAX,
            time_gran: 1,
            // The VFS refuses the link that `inc_nlink()` could not add.
            max_links: u32::MAX,
        })?;
        if opts.par_dirops() {
            sb.set_par_dirops().inspect_err(|_| {
                pr_err!("par_dirops needs a kernel with the lifted series (SERIES=lift)\n")
            })?;
        }
        sb.set_xattr_handlers(Handlers::new::<Xattrs>());
        // Always on, as on tmpfs, where the kernel has them.
        match sb.enable_posix_acls() {
            Err(e) if e == EOPNOTSUPP => {}
            r => r?,
        }
        // Dirty folios go back to the store through it: see
        // `Data::write_back`.
        sb.setup_bdi()?;
        let dev = sb.dev();
        let name = CString::try_from_fmt(fmt!("rustfs-{}:{}", dev.major(), dev.minor()))?;
        let debugfs = debugfs::Dir::new(&name);
        let store = Store::new(
            opts.size.unwrap_or_else(default_size),
            opts.nr_inodes.unwrap_or_else(default_inodes),
            opts.casefold(),
            name,
        )?;
        let mut attrs = new_attrs(opts.mode(), 2, 0);
        attrs.uid = opts.uid();
        attrs.gid = opts.gid();
        let root = store.create(NewBody::Dir, attrs)?;
        if root.ino != ROOT_INO {
            return Err(EINVAL);
        }
        let cfg = Config {
            prime_dcache: Atomic::new(opts.prime_dcache.unwrap_or(true)),
            lazy_prime: Atomic::new(opts.lazy_prime.unwrap_or(false)),
            silly_rename: Atomic::new(opts.silly_rename.unwrap_or(false)),
        };
        let state = Super {
            stats: Stats::new(
                opts.lookup_delay_us.unwrap_or(0),
                opts.create_delay_us.unwrap_or(0),
            ),
            store,
            cfg,
            silly_seq: Atomic::new(0),
            opts,
        };
        KBox::pin_init(
            try_pin_init!(Instance {
                state <- debugfs.scope(state, c"stats", |s, d| {
                    d.read_only_file(c"counters", &s.stats.counters);
                    d.read_only_file(c"lookup_delay_us", &s.stats.lookup_delay_us);
                    d.read_only_file(c"create_delay_us", &s.stats.create_delay_us);
                    d.read_callback_file(c"check", &s.store, &Store::show_check);
                }),
                _debugfs: debugfs,
            }? Error),
            GFP_KERNEL,
        )
    }

    fn init_root(sb: &SuperBlock<Self>) -> Result<InodeRef<'_, Self>> {
        iget(sb, ROOT_INO)
    }

    fn reconfigure(sb: &SuperBlock<Self>, opts: Options, log: &Log<'_>) -> Result {
        let s = sup(sb);
        opts.check_remount(&s.opts, log)?;
        let (bytes, inodes) = s.store.usage.used();
        if let Some(size) = opts.size {
            if size != 0 && size < bytes {
                return Err(log.invalf(
                    c"size",
                    fmt!("{size} is less than the {bytes} bytes in use"),
                ));
            }
        }
        if let Some(n) = opts.nr_inodes {
            if n != 0 && n < inodes {
                return Err(log.invalf(
                    c"nr_inodes",
                    fmt!("{n} is less than the {inodes} inodes in use"),
                ));
            }
        }
        // Everything is checked: apply.
        if let Some(size) = opts.size {
            s.store.usage.max_bytes.store(size, Relaxed);
        }
        if let Some(n) = opts.nr_inodes {
            s.store.usage.max_inodes.store(n, Relaxed);
        }
        if let Some(p) = opts.prime_dcache {
            s.cfg.prime_dcache.store(p, Relaxed);
        }
        if let Some(p) = opts.lazy_prime {
            s.cfg.lazy_prime.store(p, Relaxed);
        }
        if let Some(p) = opts.silly_rename {
            s.cfg.silly_rename.store(p, Relaxed);
        }
        if let Some(us) = opts.lookup_delay_us {
            s.stats.lookup_delay_us.store(us, Relaxed);
        }
        if let Some(us) = opts.create_delay_us {
            s.stats.create_delay_us.store(us, Relaxed);
        }
        Ok(())
    }

    fn show_options(sb: &SuperBlock<Self>, m: &SeqFile) -> Result {
        let s = sup(sb);
        s.opts.show(m);
        let max_bytes = s.store.usage.max_bytes.load(Relaxed);
        if max_bytes != default_size() {
            kernel::seq_file::seq_print!(m, ",size={max_bytes}");
        }
        let max_inodes = s.store.usage.max_inodes.load(Relaxed);
        if max_inodes != default_inodes() {
            kernel::seq_file::seq_print!(m, ",nr_inodes={max_inodes}");
        }
        if !s.cfg.prime_dcache.load(Relaxed) {
            kernel::seq_file::seq_print!(m, ",noprime_dcache");
        }
        if s.cfg.lazy_prime.load(Relaxed) {
            kernel::seq_file::seq_print!(m, ",lazy_prime");
        }
        if s.cfg.silly_rename.load(Relaxed) {
            kernel::seq_file::seq_print!(m, ",silly_rename");
        }
        let us = s.stats.lookup_delay_us.load(Relaxed);
        if us != 0 {
            kernel::seq_file::seq_print!(m, ",lookup_delay_us={us}");
        }
        let us = s.stats.create_delay_us.load(Relaxed);
        if us != 0 {
            kernel::seq_file::seq_print!(m, ",create_delay_us={us}");
        }
        Ok(())
    }

    fn statfs(sb: &SuperBlock<Self>, st: &mut Stat) -> Result {
        let usage = &sup(sb).store.usage;
        let (bytes, inodes) = usage.used();
        let page = kernel::page::PAGE_SIZE as u64;
        let used = bytes.div_ceil(page);
        let max_bytes = usage.max_bytes.load(Relaxed);
        // With size=0, the limit is memory; df and fstests skip file
        // systems that report no blocks at all.
        let total = if max_bytes != 0 {
            max_bytes.div_ceil(page)
        } else {
            Stat::ram_pages()
        };
        st.blocks = total.max(used);
        st.bfree = st.blocks - used;
        st.bavail = st.bfree;
        let max_inodes = usage.max_inodes.load(Relaxed);
        if max_inodes != 0 {
            st.files = max_inodes;
            st.ffree = max_inodes.saturating_sub(inodes);
        }
        Ok(())
    }

    fn getattr(inode: &Inode<Self>, stat: &mut Kstat) -> Result {
        let node = inode.data();
        stat.set_btime(node.btime);
        // The inode counts no blocks: the bytes are in the store, which
        // allocates nothing for holes.
        let bytes = match &node.body {
            Body::File(_) => node.allocated(),
            Body::Link(target) => target.len() as u64,
            _ => 0,
        };
        stat.set_blocks(bytes.div_ceil(512));
        Ok(())
    }

    fn evict_inode(inode: &Unreferenced<'_, Self>) {
        let s = sup_of(inode.fs_data());
        s.count().evictions.inc();
        let _change = s.store.changing();
        let mut attrs = inode.attrs();
        // An object with no names left is gone from the store already.
        if attrs.nlink > 0 && s.unlink_silly(inode.data()) {
            attrs.nlink -= 1;
            if attrs.nlink == 0 {
                s.store.forget(inode.ino());
            } else {
                s.store.refund_link();
            }
        }
        if attrs.nlink > 0 {
            *inode.data().attrs.lock() = attrs;
        }
        inode.data().cached.store(false, Relaxed);
    }
}
