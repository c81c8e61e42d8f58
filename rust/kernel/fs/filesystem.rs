// SPDX-License-Identifier: GPL-2.0

//! File system types and their registration.
//!
//! A file system implements [`FileSystem`] and is registered by
//! [`module_fs!`](crate::module_fs). Mounting goes through the `fs_context`
//! API: each parameter is parsed against [`FileSystem::PARAMS`] into
//! [`FileSystem::Options`], which [`FileSystem::fill_super`] then consumes;
//! a remount hands the options it was given to [`FileSystem::reconfigure`].
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h) and
//! [`include/linux/fs_context.h`](srctree/include/linux/fs_context.h).

use super::{
    dir::{self, Pending},
    inode::{Inode, InodeCache, InodeRef, Kstat, Unreferenced},
    param::{Log, Param, Table},
    sb::{self, SuperBlock},
};
use crate::{
    bindings,
    error::{from_result, to_result},
    new_mutex,
    prelude::*,
    seq_file::SeqFile,
    sync::atomic::Atomic,
    types::{ForeignOwnable, Opaque},
};
use core::marker::PhantomData;

/// A file system type.
pub trait FileSystem: Sized + Send + Sync + 'static {
    /// The name of the type, as in `mount -t` and `/proc/filesystems`.
    const NAME: &'static CStr;

    /// The parameters (mount options) the file system accepts.
    const PARAMS: &'static Table;

    /// Options collected from the parameters of one mount.
    type Options: Default + Send;

    /// Per-superblock data, kept in `s_fs_info` until the superblock dies.
    type Data: ForeignOwnable + Send + Sync;

    /// Per-inode data, co-allocated with each inode and dropped when the
    /// inode is evicted.
    type InodeData: Send + Sync;

    /// Records one parameter in `opts`. `fs_parse()` has already checked the
    /// key and the syntax of the value; semantic errors are reported with
    /// [`Param::invalf`].
    fn parse_param(opts: &mut Self::Options, param: &Param<'_>) -> Result;

    /// Sets up a new superblock from the options and returns its data.
    fn fill_super(sb: &SuperBlock<Self, sb::New>, opts: Self::Options) -> Result<Self::Data>;

    /// Returns the root directory of a superblock that `fill_super` set up.
    /// The bindings make its dentry (`d_make_root()`): a root dentry made
    /// anywhere else would be a second alias of a directory, which a later
    /// splice could move into its own subtree.
    fn init_root(sb: &SuperBlock<Self>) -> Result<InodeRef<'_, Self>>;

    /// Applies a remount's options to a mounted superblock, or refuses them
    /// with a message in `log`. `opts` holds what the remount gave, on top of
    /// [`Default`].
    fn reconfigure(sb: &SuperBlock<Self>, opts: Self::Options, log: &Log<'_>) -> Result;

    /// Shows the superblock's options in `/proc/mounts`, each as `,key=value`.
    fn show_options(_sb: &SuperBlock<Self>, _m: &SeqFile) -> Result {
        Ok(())
    }

    /// Fills in the block and inode counts of `statfs(2)`; the rest (type,
    /// block size, name length) comes from the superblock.
    fn statfs(_sb: &SuperBlock<Self>, _stat: &mut Stat) -> Result {
        Ok(())
    }

    /// Completes the attributes `stat(2)` and `statx(2)` return for
    /// `inode`, which the VFS filled from the inode (`->getattr`, after
    /// `generic_fillattr()`): the block count, the creation time.
    fn getattr(_inode: &Inode<Self>, _stat: &mut Kstat) -> Result {
        Ok(())
    }

    /// Called when `inode` is evicted from the inode cache, after its page
    /// cache is gone and before its data is dropped: the last moment to
    /// write its attributes back to the file system's store.
    fn evict_inode(_inode: &Unreferenced<'_, Self>) {}
}

/// The counts `statfs(2)` reports, in blocks of the superblock's block size
/// and in inodes; 0 means "no limit" for the totals, as on tmpfs.
pub struct Stat {
    /// Total blocks.
    pub blocks: u64,
    /// Free blocks.
    pub bfree: u64,
    /// Free blocks for unprivileged users.
    pub bavail: u64,
    /// Total inodes.
    pub files: u64,
    /// Free inodes.
    pub ffree: u64,
}

impl Stat {
    /// The pages of memory in the system (`totalram_pages()`), by which
    /// memory-backed file systems size themselves, as tmpfs does.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::fs::Stat;
    ///
    /// assert!(Stat::ram_pages() > 0);
    /// ```
    pub fn ram_pages() -> u64 {
        // SAFETY: Reads an atomic counter.
        unsafe { bindings::totalram_pages() as u64 }
    }
}

/// A registered file system type.
///
/// While it exists, `T` can be mounted; every mounted instance holds a
/// reference to the owning module, so the module cannot be unloaded while
/// any instance is mounted.
///
/// Superblocks and contexts keep pointers to the `struct file_system_type`
/// inside, and hold only a reference to the owning module, so the
/// registration must live exactly as long as the module; it also embeds
/// lockdep class keys, which must be in static storage. [`module_fs!`]
/// arranges both.
///
/// [`module_fs!`]: crate::module_fs
///
/// # Invariants
///
/// `fs` holds a `struct file_system_type` for `T` that is registered with
/// `register_filesystem()` for the whole life of the `Registration`, and is
/// unregistered exactly once, in [`Drop`], before `inodes` is destroyed.
#[pin_data(PinnedDrop)]
pub struct Registration<T: FileSystem> {
    inodes: InodeCache<T>,
    #[pin]
    fs: Opaque<bindings::file_system_type>,
    _p: PhantomData<T>,
}

// SAFETY: `unregister_filesystem()` may be called from any thread.
unsafe impl<T: FileSystem> Send for Registration<T> {}
// SAFETY: `&Registration` offers nothing that could race.
unsafe impl<T: FileSystem> Sync for Registration<T> {}

impl<T: FileSystem> Registration<T> {
    /// Registers `T`, owned by `module`.
    ///
    /// # Safety
    ///
    /// The registration must be initialised in the static storage of
    /// `module` and dropped only when `module` is unloaded, after its
    /// initialisation succeeded: [`module_fs!`](crate::module_fs) does this.
    pub unsafe fn new(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            inodes: InodeCache::new()?,
            fs <- Opaque::try_ffi_init(|slot: *mut bindings::file_system_type| {
                // `register_filesystem()` BUG()s on a name with a dot.
                if T::NAME.to_bytes().contains(&b'.') {
                    return Err(EINVAL);
                }
                // SAFETY: `slot` is valid for writes, and a zeroed
                // `file_system_type` is a valid, unregistered one.
                unsafe {
                    slot.write(pin_init::zeroed());
                    (*slot).name = T::NAME.as_char_ptr();
                    (*slot).owner = module.as_ptr();
                    (*slot).init_fs_context = Some(Self::init_fs_context);
                    (*slot).parameters = T::PARAMS.as_ptr();
                    (*slot).kill_sb = Some(Self::kill_sb);
                    // `->rename` may move the target itself (silly-rename):
                    // the rename trampoline moves the dentries.
                    (*slot).fs_flags = bindings::FS_RENAME_DOES_D_MOVE as c_int;
                }
                // SAFETY: `slot` is pinned and initialised. If this succeeds,
                // `Drop` unregisters it before the memory goes away.
                // INVARIANT: On success, the type is registered.
                to_result(unsafe { bindings::register_filesystem(slot) })
            }),
            _p: PhantomData,
        })
    }

    const CONTEXT_OPS: bindings::fs_context_operations = bindings::fs_context_operations {
        free: Some(Self::free),
        parse_param: Some(Self::parse_param),
        get_tree: Some(Self::get_tree),
        reconfigure: Some(Self::reconfigure),
        ..pin_init::zeroed()
    };

    const SUPER_OPS: bindings::super_operations = bindings::super_operations {
        alloc_inode: Some(Self::alloc_inode),
        free_inode: Some(Self::free_inode),
        evict_inode: Some(Self::evict_inode),
        statfs: Some(Self::statfs),
        show_options: Some(Self::show_options),
        ..pin_init::zeroed()
    };

    /// # Safety
    ///
    /// Called by the VFS with a pinned dentry of a mounted superblock of this
    /// type.
    unsafe extern "C" fn statfs(
        dentry: *mut bindings::dentry,
        buf: *mut bindings::kstatfs,
    ) -> c_int {
        from_result(|| {
            // SAFETY: As the function's safety requirements say; `buf` is
            // valid for writes for the call.
            unsafe {
                to_result(bindings::simple_statfs(dentry, buf))?;
                let sb = SuperBlock::<T>::from_raw((*dentry).d_sb);
                let mut st = Stat {
                    blocks: 0,
                    bfree: 0,
                    bavail: 0,
                    files: 0,
                    ffree: 0,
                };
                T::statfs(sb, &mut st)?;
                (*buf).f_blocks = st.blocks;
                (*buf).f_bfree = st.bfree;
                (*buf).f_bavail = st.bavail;
                (*buf).f_files = st.files;
                (*buf).f_ffree = st.ffree;
            }
            Ok(0)
        })
    }

    /// The registration of the type of `sb`.
    ///
    /// # Safety
    ///
    /// `sb` must be a live superblock of this type.
    unsafe fn of<'a>(sb: *mut bindings::super_block) -> &'a Self {
        // SAFETY: `s_type` of a superblock of this type is the `fs` field of
        // our registration, which outlives every superblock.
        unsafe { &*crate::container_of!((*sb).s_type.cast::<Opaque<_>>(), Self, fs) }
    }

    /// # Safety
    ///
    /// Called by the VFS for a live superblock of this type.
    unsafe extern "C" fn alloc_inode(sb: *mut bindings::super_block) -> *mut bindings::inode {
        // SAFETY: `sb` is live and of this type.
        let reg = unsafe { Self::of(sb) };
        // SAFETY: `sb` is live and the cache is this type's.
        unsafe { InodeCache::<T>::alloc_inode(reg.inodes.as_ptr(), sb) }
    }

    /// # Safety
    ///
    /// Called by the VFS, after an RCU grace period, for an evicted inode
    /// that `alloc_inode` allocated.
    unsafe extern "C" fn free_inode(inode: *mut bindings::inode) {
        // SAFETY: As the function's safety requirements say.
        unsafe { InodeCache::<T>::free_inode(inode) };
    }

    /// # Safety
    ///
    /// Called by the VFS once, when the inode is evicted.
    unsafe extern "C" fn evict_inode(inode: *mut bindings::inode) {
        // SAFETY: The inode is being evicted, so it is ours alone; its page
        // cache goes first, then the file system sees it while its data is
        // still there (unless it never was initialised), then the data goes.
        unsafe {
            bindings::truncate_inode_pages_final(&raw mut (*inode).i_data);
            if InodeCache::<T>::has_data(inode) {
                T::evict_inode(&Unreferenced::new(inode));
            }
            bindings::clear_inode(inode);
            InodeCache::<T>::drop_data(inode);
        }
    }

    /// Takes the options out of `fc`.
    ///
    /// # Safety
    ///
    /// `fc` must be a context of this type, owned by the caller.
    unsafe fn take_options(fc: *mut bindings::fs_context) -> Result<KBox<T::Options>> {
        // SAFETY: `fs_private` is null or the `KBox<T::Options>` from
        // `init_fs_context`; leaving null behind keeps `free` from freeing it.
        let p = unsafe { core::mem::take(&mut (*fc).fs_private) };
        if p.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: As above.
        Ok(unsafe { KBox::from_raw(p.cast()) })
    }

    /// # Safety
    ///
    /// Called by the VFS with a new `fs_context` for this type.
    unsafe extern "C" fn init_fs_context(fc: *mut bindings::fs_context) -> c_int {
        from_result(|| {
            let opts = KBox::new(T::Options::default(), GFP_KERNEL)?;
            // SAFETY: `fc` is valid and ours to set up. `fs_private` is freed
            // by `free`, or taken over by `fill_super`.
            unsafe {
                (*fc).fs_private = KBox::into_raw(opts).cast();
                (*fc).ops = &Self::CONTEXT_OPS;
            }
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS when `fc` is destroyed.
    unsafe extern "C" fn free(fc: *mut bindings::fs_context) {
        // SAFETY: `fs_private` is null or came from `KBox::into_raw()` in
        // `init_fs_context`; nothing uses it after this.
        unsafe {
            let p = (*fc).fs_private.cast::<T::Options>();
            if !p.is_null() {
                drop(KBox::from_raw(p));
            }
        }
    }

    /// # Safety
    ///
    /// Called by the VFS for each parameter given to `fc`.
    unsafe extern "C" fn parse_param(
        fc: *mut bindings::fs_context,
        param: *mut bindings::fs_parameter,
    ) -> c_int {
        from_result(|| {
            // SAFETY: `fc` and `param` are valid for this call.
            let param = unsafe { Param::parse(fc, param, T::PARAMS)? };
            // SAFETY: `fs_private` is null (options already consumed by a
            // mount) or the `KBox<T::Options>` from `init_fs_context`; a
            // context belongs to one `mount(2)` caller, or is serialised by
            // `uapi_mutex` for `fsconfig(2)`, so this is the only reference.
            let opts = unsafe { (*fc).fs_private.cast::<T::Options>().as_mut() };
            T::parse_param(opts.ok_or(EINVAL)?, &param)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS to mount `fc`.
    unsafe extern "C" fn get_tree(fc: *mut bindings::fs_context) -> c_int {
        // SAFETY: `fc` is valid; every mount makes a new superblock.
        unsafe { bindings::get_tree_nodev(fc, Some(Self::fill_super_callback)) }
    }

    /// # Safety
    ///
    /// Called by `get_tree_nodev()` with a new superblock, `s_umount` held.
    unsafe extern "C" fn fill_super_callback(
        sb: *mut bindings::super_block,
        fc: *mut bindings::fs_context,
    ) -> c_int {
        from_result(|| {
            // SAFETY: `fc` is the context being mounted.
            let opts = unsafe { Self::take_options(fc)? };
            // SAFETY: The superblock is not `SB_BORN` yet and we hold
            // `s_umount` for writing, so nobody else touches it.
            unsafe { (*sb).s_op = &Self::SUPER_OPS };

            // SAFETY: `sb` is a new superblock of this type.
            let new = unsafe { SuperBlock::<T, sb::New>::from_raw(sb) };
            let data = T::fill_super(new, KBox::into_inner(opts))?.into_foreign();
            let info = KBox::pin_init(
                try_pin_init!(sb::Info {
                    data,
                    prefetching: Atomic::new(0),
                    pending <- new_mutex!(Pending::new()?),
                }),
                GFP_KERNEL,
            );
            let info = match info {
                Ok(info) => info,
                Err(e) => {
                    // SAFETY: `data` came from `into_foreign()` just above,
                    // and nothing else has it.
                    drop(unsafe { T::Data::from_foreign(data) });
                    return Err(e);
                }
            };
            // SAFETY: As above. `kill_sb` turns the pointers back into the
            // `KBox<Info>`, which it never moves out of, and `T::Data`.
            unsafe {
                (*sb).s_fs_info = KBox::into_raw(Pin::into_inner_unchecked(info)).cast();
            }

            // SAFETY: `s_fs_info` now points to an `Info` holding `T::Data`:
            // the superblock is `Ready`.
            let ready = unsafe { SuperBlock::<T>::from_raw(sb) };
            let inode = T::init_root(ready)?;
            // SAFETY: The inode is live; `i_sb` is immutable.
            if unsafe { (*inode.as_raw()).i_sb } != sb {
                return Err(EINVAL);
            }
            if !inode.is_dir() {
                return Err(ENOTDIR);
            }
            // SAFETY: `d_make_root()` consumes the inode reference, on failure
            // too.
            let root = unsafe { bindings::d_make_root(inode.into_raw()) };
            if root.is_null() {
                return Err(ENOMEM);
            }
            // SAFETY: The root dentry's reference moves to the superblock.
            unsafe { (*sb).s_root = root };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS to apply a remount's options, with `fc->root` set and
    /// `s_umount` held for writing.
    unsafe extern "C" fn reconfigure(fc: *mut bindings::fs_context) -> c_int {
        from_result(|| {
            // SAFETY: `fc` is the context being applied.
            let opts = unsafe { Self::take_options(fc)? };
            // SAFETY: `fc->root` pins a mounted, hence `Ready`, superblock of
            // this type for the duration of the call.
            let sb = unsafe { SuperBlock::<T>::from_raw((*(*fc).root).d_sb) };
            // SAFETY: `fc` outlives the call.
            let log = unsafe { Log::from_raw(&raw mut (*fc).log) };
            T::reconfigure(sb, KBox::into_inner(opts), &log)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS for a mounted superblock of this type.
    unsafe extern "C" fn show_options(
        m: *mut bindings::seq_file,
        root: *mut bindings::dentry,
    ) -> c_int {
        from_result(|| {
            // SAFETY: `root` is a dentry of a mounted, hence `Ready`,
            // superblock of this type, pinned by the mount being shown.
            let sb = unsafe { SuperBlock::<T>::from_raw((*root).d_sb) };
            // SAFETY: `m` is valid for this call, and only this thread uses it.
            T::show_options(sb, unsafe { SeqFile::from_raw(m) })?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS once, when the superblock is torn down.
    unsafe extern "C" fn kill_sb(sb: *mut bindings::super_block) {
        // SAFETY: `sb` is valid until this returns.
        let (info, dev) = unsafe { ((*sb).s_fs_info.cast::<sb::Info>(), (*sb).s_dev) };
        // `kill_anon_super()` in two halves, so that the data goes before
        // the device number, which it may be named after (debugfs), can be
        // given to a new superblock. `kill_super_notify()` is the one step
        // left out: `deactivate_locked_super()`, our only caller, runs it
        // right after us. A nodev superblock is never looked up by number,
        // so the number may go before it is marked dead.
        if !info.is_null() {
            // Prefetches hold dentries, which must be gone before the
            // shutdown. None can be queued any more: with no active
            // reference left, none of our files is open.
            // SAFETY: `info` is the `Info` of `fill_super`, live until
            // dropped below.
            unsafe { dir::wait_for_prefetches(&*info) };
        }
        // SAFETY: Evicts every inode and dentry; the superblock itself stays
        // allocated until after we return.
        unsafe { bindings::generic_shutdown_super(sb) };
        if !info.is_null() {
            // SAFETY: Set from `KBox::into_raw()` in `fill_super`, its data
            // from `T::Data::into_foreign()`; with every inode and prefetch
            // gone, nothing borrows either any more.
            unsafe {
                let info = KBox::from_raw(info);
                drop(T::Data::from_foreign(info.data));
            }
        }
        // SAFETY: The number came from `set_anon_super()` when the
        // superblock was made, and nothing uses it any more.
        unsafe { bindings::free_anon_bdev(dev) };
    }
}

#[pinned_drop]
impl<T: FileSystem> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: The type is registered (type invariant).
        unsafe { bindings::unregister_filesystem(self.fs.get()) };
    }
}

/// Module-wide state of a file system module, such as debugfs files that
/// outlive each superblock: made by [`module_fs!`](crate::module_fs) before
/// the type is registered, and dropped at unload, when no superblock is
/// left.
pub trait ModuleData: Sized + Send + Sync {
    /// Initialises the state.
    fn init() -> impl PinInit<Self, Error>;
}

/// Declares a kernel module whose one job is to register file system `type`,
/// and optionally to hold module-wide `data` (a [`ModuleData`]).
///
/// The other fields are those of [`module!`](crate::prelude::module); an
/// `alias: ["fs-NAME"]` lets `mount -t NAME` load the module on demand.
///
/// # Examples
///
/// ```ignore
/// kernel::module_fs! {
///     type: MyFs,
///     name: "myfs",
///     authors: ["..."],
///     description: "...",
///     license: "GPL",
///     alias: ["fs-myfs"],
/// }
/// ```
#[macro_export]
macro_rules! module_fs {
    (type: $type:ty, data: $data:ty, $($f:tt)*) => {
        #[$crate::prelude::pin_data]
        struct FsModule {
            // Before the registration, so that nothing can fail once the
            // type is registered and may have been mounted.
            #[pin]
            _data: $data,
            #[pin]
            _fs: $crate::fs::Registration<$type>,
        }

        impl $crate::InPlaceModule for FsModule {
            fn init(
                module: &'static $crate::ThisModule,
            ) -> impl ::pin_init::PinInit<Self, $crate::error::Error> {
                $crate::try_pin_init!(Self {
                    _data <- <$data as $crate::fs::ModuleData>::init(),
                    // SAFETY: `module!` initialises `FsModule` in the module's
                    // static storage and drops it at unload, only if all its
                    // fields were initialised, and this is the last one.
                    _fs <- unsafe { $crate::fs::Registration::new(module) },
                })
            }
        }

        $crate::prelude::module! {
            type: FsModule,
            $($f)*
        }
    };
    (type: $type:ty, $($f:tt)*) => {
        #[$crate::prelude::pin_data]
        struct FsModule {
            #[pin]
            _fs: $crate::fs::Registration<$type>,
        }

        impl $crate::InPlaceModule for FsModule {
            fn init(
                module: &'static $crate::ThisModule,
            ) -> impl ::pin_init::PinInit<Self, $crate::error::Error> {
                $crate::try_pin_init!(Self {
                    // SAFETY: `module!` initialises `FsModule` in the module's
                    // static storage and drops it at unload, only if this,
                    // its only field, was initialised.
                    _fs <- unsafe { $crate::fs::Registration::new(module) },
                })
            }
        }

        $crate::prelude::module! {
            type: FsModule,
            $($f)*
        }
    };
}
