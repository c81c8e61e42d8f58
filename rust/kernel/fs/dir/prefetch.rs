// SPDX-License-Identifier: GPL-2.0

//! Lookups deferred from readdir to a worker: readdirplus done lazily.
//!
//! `->iterate_shared` runs with the directory locked, so a file system that
//! primes the dcache there can only do it with `d_alloc_noblock()`, one
//! inode at a time, on the reader's time. [`DirFile::prefetch`] hands the
//! names to a worker instead, which looks each up as a path walk would,
//! with `lookup_noperm_unlocked()`: `d_alloc_parallel()` under the
//! directory's lock held shared, then `->lookup`. A lookup of the same name
//! by the reader meanwhile waits for the worker's in `d_alloc_parallel()`,
//! or the other way round: the name is looked up once.
//!
//! A prefetch holds a reference to the directory's dentry, which must be
//! gone before the superblock is shut down: `->kill_sb` waits for the
//! superblock's own prefetches with [`wait_for_prefetches`], and for no
//! other. Each superblock queues its prefetches on a list of its own, which
//! one work item at a time drains: however many a superblock queues, and
//! however long they block (on a directory's lock, a slow `->lookup`, its
//! memory cgroup), they take one worker, and hold up no other superblock.
//! Nothing can queue one once `->kill_sb` has begun, since queueing takes an
//! open file, which keeps the superblock active; and the worker skips the
//! lookups of a superblock that is no longer active.

use super::DirFile;
use crate::{
    bindings,
    fs::{dentry::NAME_MAX, sb::Info, FileSystem},
    impl_has_work, new_work,
    prelude::*,
    sync::atomic::{Atomic, Full, Relaxed},
    workqueue::{self, Work, WorkItem},
};
use core::ptr::NonNull;

/// The most names one [`Prefetch`] takes.
pub const MAX_NAMES: usize = 1024;

/// The most names a superblock's prefetches may hold, beyond which
/// [`DirFile::prefetch`] refuses more.
const MAX_PENDING: usize = 16 * MAX_NAMES;

/// The most prefetches a superblock may have queued.
const MAX_BATCHES: usize = 64;

/// Names for [`DirFile::prefetch`], packed: a length byte, then the name.
///
/// # Invariants
///
/// `buf` holds `count` names, each a length byte and that many bytes.
#[derive(Default)]
pub struct Prefetch {
    buf: KVec<u8>,
    count: usize,
}

impl Prefetch {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name`, a single path component; fails with `ENOSPC` once the
    /// list holds [`MAX_NAMES`].
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::fs::dir::Prefetch;
    ///
    /// let mut p = Prefetch::new();
    /// p.push(b"a")?;
    /// assert_eq!(p.push(b"a/b"), Err(EINVAL));
    /// assert_eq!(p.push(&[b'x'; 256]), Err(ENAMETOOLONG));
    /// assert_eq!(p.len(), 1);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn push(&mut self, name: &[u8]) -> Result {
        crate::fs::dentry::qstr(name)?;
        if self.count >= MAX_NAMES {
            return Err(ENOSPC);
        }
        let len = u8::try_from(name.len()).map_err(|_| ENAMETOOLONG)?;
        self.buf.reserve(1 + name.len(), GFP_KERNEL_ACCOUNT)?;
        self.buf.push(len, GFP_KERNEL_ACCOUNT)?;
        self.buf.extend_from_slice(name, GFP_KERNEL_ACCOUNT)?;
        // INVARIANT: A length byte and the name were added.
        self.count += 1;
        Ok(())
    }

    /// The number of names.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there is no name.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn names(&self) -> impl Iterator<Item = &[u8]> {
        let mut rest = &self.buf[..];
        core::iter::from_fn(move || {
            let (&len, tail) = rest.split_first()?;
            let (name, tail) = tail.split_at_checked(usize::from(len))?;
            rest = tail;
            Some(name)
        })
    }
}

const _: () = assert!(NAME_MAX <= u8::MAX as usize);

impl<T: FileSystem> DirFile<T> {
    /// Looks `names` up in this directory in a worker, outside the readdir
    /// that emitted them, so that the stat(2)s that often follow a readdir
    /// find them in the dcache.
    ///
    /// The lookups run with the file's credentials and without permission
    /// checks, as readdir's priming of the dcache does, and are charged to
    /// the caller's memory cgroup. Fails with `EBUSY` when the superblock's
    /// prefetches hold too many names already: a prefetch is only a hint.
    pub fn prefetch(&self, names: Prefetch) -> Result {
        if names.is_empty() {
            return Ok(());
        }
        // SAFETY: The open file pins its dentry, a directory, and keeps its
        // `Ready` superblock active.
        unsafe { submit(self.as_raw(), names) }
    }
}

/// The prefetches a superblock has queued, in its `Info`.
pub(crate) struct Pending {
    batches: KVec<KBox<Batch>>,
    /// Whether a work item is queued or running to drain `batches`.
    draining: bool,
}

impl Pending {
    /// An empty list, with room for every batch it may hold.
    pub(crate) fn new() -> Result<Self> {
        Ok(Self {
            batches: KVec::with_capacity(MAX_BATCHES, GFP_KERNEL_ACCOUNT)?,
            draining: false,
        })
    }
}

/// Queues the lookups of `names` in the directory of `file`.
///
/// # Safety
///
/// `file` must be an open directory of a `Ready` superblock of a file
/// system whose `->kill_sb` calls [`wait_for_prefetches`] first.
unsafe fn submit(file: *mut bindings::file, names: Prefetch) -> Result {
    // SAFETY: The file is open, so its path and credentials are set.
    let (dir, cred) = unsafe { ((*file).__bindgen_anon_1.f_path.dentry, (*file).f_cred) };
    // SAFETY: A dentry's superblock is immutable and outlives it.
    let sb = unsafe { (*dir).d_sb };
    // SAFETY: `sb` is `Ready`: `s_fs_info` points to its `Info` until
    // `->kill_sb`, which cannot begin while the file is open.
    let info = unsafe { &*(*sb).s_fs_info.cast::<Info>() };
    let n = names.len();
    if info.prefetching.fetch_add(n, Relaxed) + n > MAX_PENDING {
        // SAFETY: We counted `n`; the open file keeps `info`.
        unsafe { release(info, n) };
        return Err(EBUSY);
    }
    let batch = KBox::new(
        Batch {
            // SAFETY: The open file pins `dir`, so a reference may be taken.
            dir: unsafe { NonNull::new_unchecked(bindings::dget(dir)) },
            // SAFETY: As above for the file's credentials.
            cred: unsafe { bindings::get_cred(cred) },
            // SAFETY: Takes a reference to the current task's memory
            // cgroup, or gives null.
            memcg: unsafe { bindings::get_mem_cgroup_from_current() },
            names,
        },
        GFP_KERNEL_ACCOUNT,
    );
    let res = batch.map_err(Error::from).and_then(|batch| {
        let mut pending = info.pending.lock();
        // No allocation under the lock: the list has room for them all.
        pending
            .batches
            .push_within_capacity(batch)
            .map_err(|_| EBUSY)?;
        if !pending.draining {
            let drainer = KBox::pin_init(
                pin_init!(Drainer {
                    work <- new_work!("Drainer::work"),
                    info: NonNull::from(info),
                }),
                GFP_KERNEL_ACCOUNT,
            );
            match drainer {
                // A box is always queued: a new one cannot be queued already.
                // SAFETY: `system_dfl_wq` is set up at boot and never freed.
                Ok(d) => unsafe { workqueue::Queue::from_raw(bindings::system_dfl_wq) }.enqueue(d),
                Err(e) => {
                    // INVARIANT: Nothing drains the list: leave it empty.
                    drop(pending.batches.pop());
                    return Err(e);
                }
            }
            // INVARIANT: The drainer is queued.
            pending.draining = true;
        }
        Ok(())
    });
    if res.is_err() {
        // Any batch we made was dropped, with its references.
        // SAFETY: We counted `n`; the open file keeps `info`.
        unsafe { release(info, n) };
    }
    res
}

/// Uncounts `n` names of the prefetches of `info`, and wakes `->kill_sb` if
/// none is left.
///
/// # Safety
///
/// `info` must be the live `Info` of a superblock, with at least `n` names
/// counted. It may be freed once the count is 0: the caller must not use it
/// after this, and this uses it only through a raw pointer after the count.
unsafe fn release(info: *const Info, n: usize) {
    // SAFETY: `info` is live until the count is 0, which `fetch_sub` below
    // makes it; `count` stays a raw pointer after that.
    let count = unsafe { (*info).prefetching.as_ptr() };
    // Full ordering: the count must be visible before the waker looks for a
    // waiter, as `wake_up_var()` requires.
    // SAFETY: `count` points to the live counter of an `Atomic<usize>`.
    if unsafe { Atomic::<usize>::from_ptr(count) }.fetch_sub(n, Full) == n {
        // SAFETY: `wake_up_var()` only hashes the address; it does not
        // read what is there, which may be freed by now.
        unsafe { bindings::wake_up_var(count.cast()) };
    }
}

/// Waits until the prefetches of a superblock are done.
///
/// # Safety
///
/// `info` must be the `Info` of a superblock whose last active reference
/// is gone, so that none of its files is open.
pub(crate) unsafe fn wait_for_prefetches(info: &Info) {
    const _: () = assert!(size_of::<usize>() == size_of::<bindings::atomic_long_t>());
    // SAFETY: The counter is an atomic of the size of `atomic_long_t`; the
    // waker calls `wake_up_var()` on it when it reaches 0.
    unsafe { bindings::wait_var_event_zero(info.prefetching.as_ptr().cast()) };
}

/// The lookups of one readdir.
///
/// # Invariants
///
/// We own a reference to `dir`, a directory dentry of a `Ready` superblock
/// whose `->kill_sb` waits for the batch, to `cred`, and to `memcg` if it
/// is not null. `names` is counted in the superblock's `Info::prefetching`
/// until the batch's drainer releases it, after the batch is dropped.
struct Batch {
    dir: NonNull<bindings::dentry>,
    cred: *const bindings::cred,
    memcg: *mut bindings::mem_cgroup,
    names: Prefetch,
}

// SAFETY: The batch owns its references, which any thread may use and drop.
unsafe impl Send for Batch {}

impl Batch {
    /// Looks the names up, unless the superblock is no longer active.
    fn run(&self) {
        let dir = self.dir.as_ptr();
        // SAFETY: We hold a reference to `dir` (type invariant).
        let sb = unsafe { (*dir).d_sb };
        // SAFETY: The superblock outlives the batch (type invariant), and
        // `s_active` is an atomic `int`.
        let active = unsafe { Atomic::<i32>::from_ptr(&raw mut (*sb).s_active.counter) };
        // SAFETY: `cred` and `memcg` (null or referenced) are ours (type
        // invariant); both are restored below, as the API requires.
        let (old_cred, old_memcg) = unsafe {
            (
                bindings::override_creds(self.cred),
                bindings::set_active_memcg(self.memcg),
            )
        };
        for name in self.names.names() {
            // Once unmounted, `->kill_sb` waits for us: stop. `s_active`
            // never rises again from 0.
            if active.load(Relaxed) == 0 {
                break;
            }
            let mut q = crate::fs::dentry::make_qstr(name, 0);
            // SAFETY: We hold a reference to `dir`, a directory whose
            // superblock outlives the batch (type invariant); `q` is a
            // name `Prefetch::push` checked, hashed by the call, and
            // outlives it.
            let d = unsafe { bindings::lookup_noperm_unlocked(&mut q, dir) };
            // A name gone meanwhile, or no memory: nothing to do.
            if let Ok(d) = crate::error::from_err_ptr(d) {
                // SAFETY: The lookup returned a reference we own.
                unsafe { bindings::dput(d) };
            }
        }
        // SAFETY: Reclaims from the cgroup we charged if it went over its
        // high limit, as its own tasks would on their way back to user
        // space, which a worker never takes (not once unmounted, which
        // would hold up `->kill_sb`); then restores what we replaced.
        unsafe {
            if active.load(Relaxed) != 0 {
                bindings::mem_cgroup_handle_over_high(bindings::GFP_KERNEL);
            }
            bindings::set_active_memcg(old_memcg);
            bindings::revert_creds(old_cred);
        }
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        // SAFETY: We own these references (type invariant).
        unsafe {
            bindings::dput(self.dir.as_ptr());
            bindings::put_cred(self.cred);
            bindings::mem_cgroup_put(self.memcg);
        }
    }
}

/// The work item that drains a superblock's list of batches.
///
/// # Invariants
///
/// `info` is the `Info` of a superblock whose `draining` is set while this
/// is queued or running; it stays live until the drainer releases the
/// names of the last batch it took, which it does last.
#[pin_data]
struct Drainer {
    #[pin]
    work: Work<Drainer>,
    info: NonNull<Info>,
}

// SAFETY: `Info` is `Sync`; the drainer only shares it.
unsafe impl Send for Drainer {}

impl_has_work! {
    impl HasWork<Self> for Drainer { self.work }
}

impl WorkItem for Drainer {
    type Pointer = Pin<KBox<Drainer>>;

    fn run(this: Pin<KBox<Drainer>>) {
        let info = this.info.as_ptr();
        let mut done = 0;
        loop {
            let batch = {
                // SAFETY: `info` is live while we have names to release
                // (type invariant), or batches to take, which are counted.
                let mut pending = unsafe { (*info).pending.lock() };
                match pending.batches.pop() {
                    Some(b) => b,
                    None => {
                        // INVARIANT: Nothing is left to drain; a new batch
                        // queues a new drainer.
                        pending.draining = false;
                        break;
                    }
                }
            };
            batch.run();
            done += batch.names.len();
            drop(batch);
        }
        if done > 0 {
            // SAFETY: We counted the names of the batches we took and
            // dropped, and touch `info` no more.
            unsafe { release(info, done) };
        }
    }
}
