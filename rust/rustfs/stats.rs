// SPDX-License-Identifier: GPL-2.0

//! Per-superblock counters of the VFS paths rustfs drives, and the runtime
//! tunables, in debugfs under `rustfs-<major>:<minor>/stats/`; and the
//! totals of every instance unmounted since the module was loaded, in
//! `rustfs/totals`.

use core::fmt;
use kernel::{
    debugfs,
    fs::ModuleData,
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
    types::ScopeGuard,
};

/// A counter.
pub(crate) struct Counter(Atomic<u64>);

impl Counter {
    const fn new() -> Self {
        Self(Atomic::new(0))
    }

    pub(crate) fn inc(&self) {
        self.0.fetch_add(1, Relaxed);
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }

    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Relaxed);
    }
}

macro_rules! stats {
    ($($(#[doc = $doc:literal])* $name:ident,)*) => {
        /// The counters of one superblock.
        pub(crate) struct Counters {
            $($(#[doc = $doc])* pub(crate) $name: Counter,)*
        }

        impl Counters {
            pub(crate) const fn new() -> Self {
                Self { $($name: Counter::new(),)* }
            }

            /// Adds `other`'s counts to these.
            fn add(&self, other: &Counters) {
                $(self.$name.add(other.$name.get());)*
            }
        }

        /// One `name value` line per counter.
        impl fmt::Debug for Counters {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                $(writeln!(f, "{} {}", stringify!($name), self.$name.get())?;)*
                Ok(())
            }
        }
    };
}

stats! {
    /// Calls of `->lookup`.
    lookups,
    /// Calls of `->lookup` without `LOOKUP_SHARED`: with the directory
    /// locked exclusively.
    lookups_exclusive,
    /// Lookups that found the name.
    lookup_hits,
    /// Inodes read back from the store into the inode cache.
    inode_loads,
    /// Inodes evicted from the inode cache.
    evictions,
    /// `d_splice_alias()` onto an in-lookup dentry.
    splice_in_lookup,
    /// `d_splice_alias()` onto a hashed negative dentry.
    splice_hashed,
    /// `d_splice_alias()` onto an unhashed dentry.
    splice_unhashed,
    /// readdir: dentries added to the dcache by `d_alloc_noblock()`.
    prime_added,
    /// readdir: names the dcache already had.
    prime_cached,
    /// readdir: names another lookup held (`-EWOULDBLOCK`), skipped.
    prime_wouldblock,
    /// readdir: names handed to the prefetch worker (`lazy_prime`).
    prime_queued,
    /// readdir: names not handed to the worker: too many, or no memory.
    prime_dropped,
    /// `d_duplicate()`, for whiteouts and silly-renames.
    duplicates,
    /// Rename targets in use moved to a hidden name (`silly_rename`).
    silly_renames,
    /// Hidden names removed at the last close of their file.
    silly_unlinks,
    /// Case-insensitive hits completed with `d_add_ci()`.
    add_ci,
    /// Dirty folios written back to the store (`->writepages`).
    writebacks,
    /// Operations that create, remove or rename a name and began while
    /// another was in progress: with `par_dirops`, updates of different
    /// names of one directory; else only of different directories.
    dirops_overlapped,
}

/// The debugfs-visible state of one superblock.
pub(crate) struct Stats {
    pub(crate) counters: Counters,
    /// The `->lookup` delay in microseconds (`lookup_delay_us`).
    pub(crate) lookup_delay_us: Atomic<u32>,
    /// The delay of each operation that creates, removes or renames a name,
    /// in microseconds (`create_delay_us`).
    pub(crate) create_delay_us: Atomic<u32>,
    /// Operations that create, remove or rename a name, in progress.
    dirops_in_flight: Atomic<u32>,
}

impl Stats {
    pub(crate) fn new(lookup_delay_us: u32, create_delay_us: u32) -> Self {
        Self {
            counters: Counters::new(),
            lookup_delay_us: Atomic::new(lookup_delay_us),
            create_delay_us: Atomic::new(create_delay_us),
            dirops_in_flight: Atomic::new(0),
        }
    }

    /// Marks an operation that creates, removes or renames a name as in
    /// progress until the guard goes, counting it in `dirops_overlapped` if
    /// another is.
    pub(crate) fn dirop(&self) -> ScopeGuard<&Self, fn(&Self)> {
        if self.dirops_in_flight.fetch_add(1, Relaxed) != 0 {
            self.counters.dirops_overlapped.inc();
        }
        ScopeGuard::new_with_data(self, |s| {
            s.dirops_in_flight.fetch_sub(1, Relaxed);
        })
    }
}

/// The counts of every instance unmounted since the module was loaded.
static TOTALS: Counters = Counters::new();

/// An instance's counts go to the totals when it is unmounted.
impl Drop for Stats {
    fn drop(&mut self) {
        TOTALS.add(&self.counters);
    }
}

/// The module's debugfs directory, `rustfs/`, with `totals`: what the test
/// suite reads once every instance is gone.
#[pin_data]
pub(crate) struct Module {
    #[pin]
    _totals: debugfs::File<&'static Counters>,
    _dir: debugfs::Dir,
}

impl ModuleData for Module {
    fn init() -> impl PinInit<Self, Error> {
        let dir = debugfs::Dir::new(c"rustfs");
        try_pin_init!(Self {
            _totals <- dir.read_only_file(c"totals", &TOTALS),
            _dir: dir,
        }? Error)
    }
}
