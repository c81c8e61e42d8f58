// SPDX-License-Identifier: GPL-2.0

//! The inode cache of a file system type: the slab the inodes and their
//! data are allocated from.

use crate::{bindings, fs::FileSystem, prelude::*, sync::atomic::Atomic};
use core::{marker::PhantomData, mem::MaybeUninit, ptr::NonNull};

/// A `struct inode` with the file system's data in front of it, as
/// allocated by the file system's inode cache.
///
/// # Invariants
///
/// `data` is initialised exactly when `has_data` is true. `has_data` is
/// written only while the inode is `I_NEW` or being evicted, when the writer
/// has exclusive access.
#[repr(C)]
pub(crate) struct InodeWithData<T: FileSystem> {
    pub(super) data: MaybeUninit<T::InodeData>,
    pub(super) has_data: bool,
    /// The [`InodeFlags`](super::InodeFlags), as `chattr(1)` sees them: set by `New::init()`,
    /// then changed only under `i_rwsem`, by `->fileattr_set`.
    pub(super) flags: Atomic<u32>,
    cache: *mut bindings::kmem_cache,
    inode: bindings::inode,
}

impl<T: FileSystem> InodeWithData<T> {
    /// Returns the allocation around `inode`.
    ///
    /// # Safety
    ///
    /// `inode` must have been allocated by the inode cache of `T`.
    pub(super) unsafe fn from_inode(inode: *mut bindings::inode) -> *mut Self {
        // SAFETY: By the safety requirements, `inode` is the `inode` field of
        // an `InodeWithData<T>`.
        unsafe { crate::container_of!(inode, Self, inode) }
    }
}

/// The inode cache of a file system type: a slab cache of
/// [`InodeWithData`].
///
/// # Invariants
///
/// `cache` is a slab cache of `InodeWithData<T>` objects whose `inode` was
/// set up by `inode_init_once()`, and it is destroyed exactly once, in
/// [`Drop`].
pub(crate) struct InodeCache<T: FileSystem> {
    cache: NonNull<bindings::kmem_cache>,
    _p: PhantomData<T>,
}

// SAFETY: Slab caches may be used and destroyed from any thread.
unsafe impl<T: FileSystem> Send for InodeCache<T> {}
// SAFETY: As above.
unsafe impl<T: FileSystem> Sync for InodeCache<T> {}

impl<T: FileSystem> InodeCache<T> {
    /// Creates the cache, named after the file system type.
    pub(crate) fn new() -> Result<Self> {
        let mut args = bindings::kmem_cache_args {
            align: core::mem::align_of::<InodeWithData<T>>() as u32,
            ctor: Some(Self::init_once),
            ..pin_init::zeroed()
        };
        // SAFETY: The name is static, `args` is valid for the call, and
        // `init_once` initialises exactly the objects of this cache.
        let cache = unsafe {
            bindings::__kmem_cache_create_args(
                T::NAME.as_char_ptr(),
                core::mem::size_of::<InodeWithData<T>>() as u32,
                &mut args,
                bindings::SLAB_RECLAIM_ACCOUNT | bindings::SLAB_ACCOUNT,
            )
        };
        Ok(Self {
            cache: NonNull::new(cache).ok_or(ENOMEM)?,
            _p: PhantomData,
        })
    }

    /// Returns the raw cache.
    pub(crate) fn as_ptr(&self) -> *mut bindings::kmem_cache {
        self.cache.as_ptr()
    }

    /// # Safety
    ///
    /// Called by the slab allocator with a new object of this cache.
    unsafe extern "C" fn init_once(obj: *mut c_void) {
        let outer = obj.cast::<InodeWithData<T>>();
        // SAFETY: `obj` is a new object of this cache, so an
        // `InodeWithData<T>` we may initialise.
        unsafe {
            (*outer).has_data = false;
            bindings::inode_init_once(&raw mut (*outer).inode);
        }
    }

    /// Allocates an inode on `sb` (the `->alloc_inode` of `T`).
    ///
    /// # Safety
    ///
    /// `sb` must be a live superblock of `T`, and `cache` its type's cache.
    pub(crate) unsafe fn alloc_inode(
        cache: *mut bindings::kmem_cache,
        sb: *mut bindings::super_block,
    ) -> *mut bindings::inode {
        // SAFETY: By the safety requirements.
        let obj = unsafe { bindings::alloc_inode_sb(sb, cache, bindings::GFP_KERNEL) };
        if obj.is_null() {
            return core::ptr::null_mut();
        }
        let outer = obj.cast::<InodeWithData<T>>();
        // SAFETY: A freshly allocated object: `has_data` is false, as set by
        // the constructor or by eviction before it was freed. `free_inode`
        // finds the cache here: the superblock may be gone by then.
        unsafe {
            (*outer).cache = cache;
            (&raw mut (*outer).flags).write(Atomic::new(0));
            &raw mut (*outer).inode
        }
    }

    /// Whether the data of `inode` is initialised.
    ///
    /// # Safety
    ///
    /// `inode` must come from this cache and be being evicted by the caller.
    pub(crate) unsafe fn has_data(inode: *mut bindings::inode) -> bool {
        // SAFETY: By the safety requirements.
        unsafe { (*InodeWithData::<T>::from_inode(inode)).has_data }
    }

    /// Drops the data of an inode being evicted (from `->evict_inode`).
    ///
    /// # Safety
    ///
    /// `inode` must come from this cache and be being evicted by the caller.
    pub(crate) unsafe fn drop_data(inode: *mut bindings::inode) {
        // SAFETY: By the safety requirements, we have exclusive access.
        unsafe {
            let outer = InodeWithData::<T>::from_inode(inode);
            if (*outer).has_data {
                (*outer).has_data = false;
                (*outer).data.assume_init_drop();
            }
        }
    }

    /// Frees an inode (`->free_inode`, after an RCU grace period).
    ///
    /// # Safety
    ///
    /// `inode` must come from this cache and have been evicted.
    pub(crate) unsafe fn free_inode(inode: *mut bindings::inode) {
        // SAFETY: By the safety requirements; eviction dropped the data (or
        // there never was any), so `has_data` is false, as the constructor
        // expects of a free object; the cache lives until `rcu_barrier()`.
        unsafe {
            let outer = InodeWithData::<T>::from_inode(inode);
            bindings::kmem_cache_free((*outer).cache, outer.cast());
        }
    }
}

impl<T: FileSystem> Drop for InodeCache<T> {
    fn drop(&mut self) {
        // SAFETY: The file system is unregistered, so no new inodes appear;
        // `rcu_barrier()` waits for the pending `free_inode` callbacks, after
        // which the cache is empty.
        unsafe {
            bindings::rcu_barrier();
            bindings::kmem_cache_destroy(self.cache.as_ptr());
        }
    }
}
