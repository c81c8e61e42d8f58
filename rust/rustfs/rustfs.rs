// SPDX-License-Identifier: GPL-2.0

//! rustfs: an in-memory POSIX file system written in safe Rust.
//!
//! Unlike ramfs and tmpfs, whose dcache *is* the namespace, rustfs keeps its
//! namespace and data in its own store and treats the dcache, icache and page
//! cache purely as caches that can be evicted and rebuilt through `->lookup`.
//! That makes it drive the VFS's parallel-lookup machinery the way a disk or
//! network file system does. See Documentation/filesystems/rustfs.rst.

mod dir;
mod file;
mod options;
mod sb;
mod stats;
mod store;

kernel::module_fs! {
    type: sb::RustFs,
    data: stats::Module,
    name: "rustfs",
    authors: ["rustfs developers"],
    description: "In-memory file system driving the VFS parallel-lookup API",
    license: "GPL",
    alias: ["fs-rustfs"],
}
