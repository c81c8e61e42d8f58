// SPDX-License-Identifier: GPL-2.0

//! The store: rustfs's namespace and data, which the VFS caches only mirror.
//!
//! Every object is a [`Node`], kept by inode number in [`Store`] for as long
//! as it has a name; an open inode keeps its node alive through its inode
//! data after the last name is gone. A directory's entries live in a
//! [`DirIndex`]: a cookie-ordered tree gives readdir stable positions under
//! concurrent inserts and deletes, and a tree keyed by name hash gives
//! logarithmic lookup.
//!
//! While an inode is cached, its attributes live in the inode; the node's
//! copy is brought up to date when the inode is evicted.

use kernel::{
    fs::{
        address_space::{self, FolioBytes},
        dentry::NAME_MAX,
        dir::DirType,
        inode::{Attrs, Dev, Time},
        xattr::{List, SetMode},
    },
    new_mutex,
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
    str::CString,
    sync::{
        atomic::{Atomic, Full, Relaxed},
        Arc, Mutex,
    },
};

mod check;
use check::Outcome;

/// The inode number of the root directory.
pub(crate) const ROOT_INO: u64 = 1;

/// What an object is, with what only that kind has.
pub(crate) enum Body {
    /// A directory and its entries.
    Dir(Pin<KBox<Mutex<DirIndex>>>),
    /// A regular file's contents.
    File(Pin<KBox<Mutex<FileData>>>),
    /// A symbolic link's target.
    Link(KVec<u8>),
    /// A device, FIFO or socket: its type and device number.
    Special(DirType, Dev),
}

/// Extended attributes: (full name, value).
type XattrList = KVec<(KVec<u8>, KVec<u8>)>;

/// One object of the file system.
pub(crate) struct Node {
    pub(crate) ino: u64,
    pub(crate) body: Body,
    /// For a silly-renamed object: the inode number of the directory that
    /// has its hidden name, and the sequence number in that name; 0 if not.
    pub(crate) silly_dir: Atomic<u64>,
    pub(crate) silly_seq: Atomic<u32>,
    /// When the object was created (`statx(2)`'s `stx_btime`).
    pub(crate) btime: Time,
    /// Whether an inode of the node is in the inode cache, where its
    /// attributes live meanwhile.
    pub(crate) cached: Atomic<bool>,
    /// The attributes, as of the last eviction of the inode.
    pub(crate) attrs: Pin<KBox<Mutex<Attrs>>>,
    /// A regular file's chunk count, as its [`FileData`] has it, for
    /// `stat(2)`, which then takes no lock.
    chunks: Atomic<u64>,
    /// Extended attributes: (full name, value); few per node.
    xattrs: Pin<KBox<Mutex<XattrList>>>,
    usage: Arc<Usage>,
}

impl Node {
    /// The type of the node, as readdir shows it.
    pub(crate) fn dir_type(&self) -> DirType {
        match &self.body {
            Body::Dir(_) => DirType::Dir,
            Body::File(_) => DirType::Reg,
            Body::Link(_) => DirType::Lnk,
            Body::Special(typ, _) => *typ,
        }
    }

    /// The directory index of a directory node.
    pub(crate) fn dir(&self) -> Result<&Mutex<DirIndex>> {
        match &self.body {
            Body::Dir(d) => Ok(d),
            _ => Err(ENOTDIR),
        }
    }

    /// The contents of a regular file node.
    pub(crate) fn file(&self) -> Result<&Mutex<FileData>> {
        match &self.body {
            Body::File(f) => Ok(f),
            _ => Err(EINVAL),
        }
    }

    /// Sets the size of a regular file's contents: growing makes a hole,
    /// which costs nothing; otherwise the chunks wholly past the new end
    /// are freed and refunded against `size=`.
    pub(crate) fn set_len(&self, data: &mut FileData, len: usize) {
        let freed = data.set_len(len);
        self.freed(freed);
    }

    /// Refunds `n` chunks a file no longer has.
    fn freed(&self, n: usize) {
        self.chunks.fetch_sub(n as u64, Relaxed);
        self.usage.refund_bytes(n * CHUNK);
    }

    /// The bytes a regular file's chunks take, reserved ones too.
    pub(crate) fn allocated(&self) -> u64 {
        self.chunks.load(Relaxed) * CHUNK as u64
    }

    /// Reserves the chunks that `[pos, pos + len)` falls in, charging them
    /// against `size=`, so that a [`FileData::write_back`] there cannot fail
    /// for want of room. On failure nothing is left reserved or charged.
    pub(crate) fn reserve(&self, data: &mut FileData, pos: usize, len: usize) -> Result {
        self.make_room(data, pos, len, false)
    }

    /// [`Node::reserve`] for `fallocate(2)`, over a range a user chooses:
    /// it yields the CPU as it goes, and gives up for a task being killed,
    /// as `shmem_fallocate()` does. Writeback must never fail for a signal,
    /// so only this takes one.
    pub(crate) fn preallocate(&self, data: &mut FileData, pos: usize, len: usize) -> Result {
        self.make_room(data, pos, len, true)
    }

    fn make_room(&self, data: &mut FileData, pos: usize, len: usize, killable: bool) -> Result {
        if len == 0 {
            return Ok(());
        }
        let end = pos.checked_add(len).ok_or(EFBIG)?;
        let (first, last) = (pos / CHUNK, (end - 1) / CHUNK);
        // Charged at once: a range too large for `size=` fails before
        // anything is allocated.
        let missing = last - first + 1 - data.chunks_in(first, last);
        let bytes = missing.checked_mul(CHUNK).ok_or(ENOSPC)?;
        self.usage.charge_bytes(bytes)?;
        // The new chunks go into a tree of their own, and into the file
        // only once all are reserved: a failure frees exactly those, never
        // a chunk reserved before, which may wait for a writeback.
        let mut made = RBTree::new();
        let res = (first..=last).try_for_each(|i| {
            if killable {
                address_space::resched_point()?;
            }
            if data.chunks.get(&i).is_none() {
                add_chunk(&mut made, i)?;
            }
            Ok(())
        });
        if let Err(e) = res {
            drop(made);
            self.usage.refund_bytes(bytes);
            return Err(e);
        }
        while let Some(cur) = made.cursor_front_mut() {
            let (_, node) = cur.remove_current();
            data.chunks.insert(node);
            data.count += 1;
        }
        self.chunks.fetch_add(missing as u64, Relaxed);
        Ok(())
    }

    /// Makes `[pos, pos + len)` read as zeroes, freeing the chunks wholly
    /// inside it (`FALLOC_FL_PUNCH_HOLE`); the size stays.
    pub(crate) fn punch(&self, data: &mut FileData, pos: usize, len: usize) {
        let freed = data.punch(pos, len);
        self.freed(freed);
    }
}

/// The size of the chunks file contents are kept in.
const CHUNK: usize = kernel::page::PAGE_SIZE;

/// Adds chunk `i` to `chunks`, reserved: its memory is allocated when it is
/// first written back, so that `write(2)` costs no more than on tmpfs.
fn add_chunk(chunks: &mut RBTree<usize, KVec<u8>>, i: usize) -> Result {
    let node = RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?;
    chunks.insert(node.into_node(i, KVec::new()));
    Ok(())
}

/// A regular file's contents: chunks of a page, reserved when first written
/// and kept by index in a tree, so that a hole, however large, takes no
/// memory (tmpfs stores a one-byte write at 1 TiB in one page).
///
/// # Invariants
///
/// Every chunk is empty (reserved, charged, and read as zeroes) or `CHUNK`
/// bytes; `count` is the number of chunks; the bytes of a chunk past `len`
/// are zero.
pub(crate) struct FileData {
    len: usize,
    count: usize,
    chunks: RBTree<usize, KVec<u8>>,
}

/// A large file's chunks go one at a time, with a chance to reschedule
/// between them: the last close of an unlinked 100 GiB file frees millions.
impl Drop for FileData {
    fn drop(&mut self) {
        while let Some(cur) = self.chunks.cursor_front_mut() {
            drop(cur.remove_current());
            address_space::cond_resched();
        }
    }
}

impl FileData {
    fn new() -> Self {
        Self {
            len: 0,
            count: 0,
            chunks: RBTree::new(),
        }
    }

    /// The size in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The bytes of memory the chunks take.
    pub(crate) fn allocated(&self) -> usize {
        self.count * CHUNK
    }

    /// Removes chunk `i`, if there, returning whether it was.
    fn remove_chunk(&mut self, i: usize) -> bool {
        let gone = self.chunks.remove(&i).is_some();
        self.count -= usize::from(gone);
        gone
    }

    /// The number of chunks in `first..=last`.
    fn chunks_in(&self, first: usize, last: usize) -> usize {
        let mut n = 0;
        let mut from = first;
        while let Some(cur) = self.chunks.cursor_lower_bound(&from) {
            let i = *cur.current().0;
            if i > last {
                break;
            }
            n += 1;
            match i.checked_add(1) {
                Some(next) => from = next,
                None => break,
            }
        }
        n
    }

    /// Zeroes `[at, to)`, which lies within one chunk, if it is there.
    fn zero(&mut self, at: usize, to: usize) {
        if let Some(c) = self.chunks.get_mut(&(at / CHUNK)) {
            if !c.is_empty() {
                c[at % CHUNK..][..to - at].fill(0);
            }
        }
    }

    /// Zeroes `[pos, pos + len)` and frees the chunks wholly inside it;
    /// returns how many it freed.
    fn punch(&mut self, pos: usize, len: usize) -> usize {
        let end = pos.saturating_add(len);
        let (first_whole, past_whole) = (pos.div_ceil(CHUNK), end / CHUNK);
        if first_whole > past_whole {
            self.zero(pos, end);
            return 0;
        }
        if pos % CHUNK != 0 {
            self.zero(pos, first_whole * CHUNK);
        }
        if end % CHUNK != 0 {
            self.zero(past_whole * CHUNK, end);
        }
        let mut freed = 0;
        while let Some(cur) = self.chunks.cursor_lower_bound(&first_whole) {
            let i = *cur.current().0;
            if i >= past_whole {
                break;
            }
            self.remove_chunk(i);
            freed += 1;
            address_space::cond_resched();
        }
        freed
    }

    /// Sets the size. Unless it grows, frees the chunks wholly past the new
    /// end, preallocated ones too, and zeroes the rest of the last one, as
    /// `shmem_setattr()` does; returns the number of chunks freed.
    fn set_len(&mut self, len: usize) -> usize {
        let mut freed = 0;
        if len <= self.len {
            let keep = len.div_ceil(CHUNK);
            while let Some(cur) = self.chunks.cursor_lower_bound(&keep) {
                let i = *cur.current().0;
                self.remove_chunk(i);
                freed += 1;
                address_space::cond_resched();
            }
            if len % CHUNK != 0 {
                self.zero(len, keep * CHUNK);
            }
        }
        self.len = len;
        freed
    }

    /// Copies `buf.len()` bytes from `pos`, with zeroes for holes and past
    /// the end.
    pub(crate) fn read(&self, pos: usize, buf: &mut [u8]) {
        let mut done = 0;
        while done < buf.len() {
            let at = pos.saturating_add(done);
            let n = (CHUNK - at % CHUNK).min(buf.len() - done);
            let dst = &mut buf[done..done + n];
            match self.chunks.get(&(at / CHUNK)) {
                Some(c) if at < self.len && !c.is_empty() => {
                    dst.copy_from_slice(&c[at % CHUNK..][..n])
                }
                _ => dst.fill(0),
            }
            done += n;
        }
    }

    /// Stores `src` at `pos`, in the chunks [`Node::reserve`] made, never
    /// past the size; allocates a reserved chunk first written here
    /// (`ENOMEM`, with nothing stored).
    pub(crate) fn write_back(&mut self, pos: usize, src: &FolioBytes<'_>) -> Result {
        let len = src.len().min(self.len.saturating_sub(pos));
        let mut done = 0;
        while done < len {
            let at = pos + done;
            let n = (CHUNK - at % CHUNK).min(len - done);
            if let Some(c) = self.chunks.get_mut(&(at / CHUNK)) {
                if c.is_empty() {
                    // Charged to the folio's memory cgroup, which the
                    // bindings make the active one for the writeback (see
                    // `write_back`), as tmpfs charges its pages to the
                    // writer's.
                    c.extend_with(CHUNK, 0, GFP_KERNEL_ACCOUNT)?;
                }
                src.copy_to(done, &mut c[at % CHUNK..][..n]);
            }
            done += n;
        }
        Ok(())
    }

    /// Grows the size to `len`, for a write that ends there.
    pub(crate) fn grow(&mut self, len: usize) {
        self.len = self.len.max(len);
    }
}

impl Node {
    /// Copies the value of extended attribute `name` into `buf`, or returns
    /// its size if `buf` is empty.
    pub(crate) fn xattr_get(&self, name: &[u8], buf: &mut [u8]) -> Result<usize> {
        let x = self.xattrs.lock();
        let (_, v) = x
            .iter()
            .find(|(n, _)| n.as_slice() == name)
            .ok_or(ENODATA)?;
        if !buf.is_empty() {
            buf.get_mut(..v.len()).ok_or(ERANGE)?.copy_from_slice(v);
        }
        Ok(v.len())
    }

    /// Sets, or with `None` removes, extended attribute `name`. The bytes
    /// of names and values count against `size=`.
    pub(crate) fn xattr_set(&self, name: &[u8], value: Option<&[u8]>, mode: SetMode) -> Result {
        let mut x = self.xattrs.lock();
        let pos = x.iter().position(|(n, _)| n.as_slice() == name);
        match (pos, mode) {
            (Some(_), SetMode::Create) => return Err(EEXIST),
            (None, SetMode::Replace) => return Err(ENODATA),
            _ => {}
        }
        let Some(value) = value else {
            let (n, v) = x.remove(pos.ok_or(ENODATA)?)?;
            self.usage.refund_bytes(n.len() + v.len());
            return Ok(());
        };
        let mut v = KVec::with_capacity(value.len(), GFP_KERNEL_ACCOUNT)?;
        v.extend_from_slice(value, GFP_KERNEL_ACCOUNT)?;
        match pos {
            Some(i) => {
                let old = x[i].1.len();
                if value.len() > old {
                    self.usage.charge_bytes(value.len() - old)?;
                } else {
                    self.usage.refund_bytes(old - value.len());
                }
                x[i].1 = v;
            }
            None => {
                let mut n = KVec::with_capacity(name.len(), GFP_KERNEL_ACCOUNT)?;
                n.extend_from_slice(name, GFP_KERNEL_ACCOUNT)?;
                x.reserve(1, GFP_KERNEL_ACCOUNT)?;
                self.usage.charge_bytes(name.len() + value.len())?;
                // Cannot fail: room was reserved.
                x.push((n, v), GFP_KERNEL)?;
            }
        }
        Ok(())
    }

    /// Reports the names of the extended attributes.
    pub(crate) fn xattr_list(&self, list: &mut List<'_>) -> Result {
        for (n, _) in self.xattrs.lock().iter() {
            list.add(n)?;
        }
        Ok(())
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        // The last reference may go after the operation that removed the
        // node: the refunds are a change of their own.
        let _change = self.usage.changing();
        // Nobody else has the node, so the locks are free; `try_lock` tells
        // lockdep so: eviction may drop a node from memory reclaim, and
        // both locks are held around allocations elsewhere.
        let mut bytes = match &self.body {
            Body::File(f) => f.try_lock().map_or(0, |d| d.allocated()),
            Body::Link(l) => l.len(),
            _ => 0,
        };
        if let Some(x) = self.xattrs.try_lock() {
            for (n, v) in x.iter() {
                bytes += n.len() + v.len();
            }
        }
        self.usage.refund_bytes(bytes);
        self.usage.inodes.fetch_sub(1, Relaxed);
    }
}

/// Space and inode accounting against the `size=` and `nr_inodes=` limits.
pub(crate) struct Usage {
    bytes: Atomic<u64>,
    inodes: Atomic<u64>,
    /// Limits; 0 means none.
    pub(crate) max_bytes: Atomic<u64>,
    pub(crate) max_inodes: Atomic<u64>,
    changes: Changes,
}

impl Usage {
    /// Reserves `n` bytes, or fails with `ENOSPC` without reserving any:
    /// never, even for a moment, past the limit, so that a request far too
    /// large fails alone rather than other writers.
    fn charge_bytes(&self, n: usize) -> Result {
        let max = self.max_bytes.load(Relaxed);
        let mut old = self.bytes.load(Relaxed);
        loop {
            let new = old.checked_add(n as u64).ok_or(ENOSPC)?;
            if max != 0 && new > max {
                return Err(ENOSPC);
            }
            match self.bytes.cmpxchg(old, new, Relaxed) {
                Ok(_) => return Ok(()),
                Err(cur) => old = cur,
            }
        }
    }

    fn refund_bytes(&self, n: usize) {
        self.bytes.fetch_sub(n as u64, Relaxed);
    }

    /// Reserves an inode, or fails with `ENOSPC`.
    fn charge_inode(&self) -> Result {
        let max = self.max_inodes.load(Relaxed);
        let old = self.inodes.fetch_add(1, Relaxed);
        if max != 0 && old + 1 > max {
            self.inodes.fetch_sub(1, Relaxed);
            return Err(ENOSPC);
        }
        Ok(())
    }

    /// Marks a change to the store until the result is dropped.
    fn changing(&self) -> Changing<'_> {
        self.changes.busy.fetch_add(1, Full);
        Changing(&self.changes)
    }

    /// Bytes and inodes in use.
    pub(crate) fn used(&self) -> (u64, u64) {
        (self.bytes.load(Relaxed), self.inodes.load(Relaxed))
    }
}

/// One entry of a directory.
pub(crate) struct DirEnt {
    pub(crate) name: KVec<u8>,
    pub(crate) ino: u64,
    pub(crate) typ: DirType,
}

/// A copy of a name, made without allocating: the index lock must not be
/// held around allocations, since eviction, which may run from memory
/// reclaim, takes it to remove silly-renamed names.
#[derive(Clone, Copy)]
pub(crate) struct Name {
    len: u8,
    buf: [u8; NAME_MAX],
}

impl Name {
    /// Copies `name`, which must fit (every stored name does).
    pub(crate) fn new(name: &[u8]) -> Self {
        let mut n = Self {
            len: 0,
            buf: [0; NAME_MAX],
        };
        let len = name.len().min(NAME_MAX);
        n.buf[..len].copy_from_slice(&name[..len]);
        n.len = len as u8;
        n
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }
}

impl AsRef<[u8]> for Name {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl core::fmt::Write for Name {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let at = usize::from(self.len);
        let to = at + s.len();
        self.buf
            .get_mut(at..to)
            .ok_or(core::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = to as u8;
        Ok(())
    }
}

/// An entry as readdir gets it; its name is in the [`Batch`]'s bytes.
pub(crate) struct Listed {
    pub(crate) cookie: u64,
    pub(crate) ino: u64,
    pub(crate) typ: DirType,
    start: u16,
    len: u8,
}

/// Entries copied out of a [`DirIndex`], so that readdir holds no lock
/// while it copies them to user space or primes the dcache.
pub(crate) struct Batch {
    pub(crate) ents: KVec<Listed>,
    names: KVec<u8>,
}

impl Batch {
    /// Room for `n` entries and their names, allocated now: the index's
    /// lock is not held while allocating.
    pub(crate) fn new(n: usize) -> Result<Self> {
        // A name's offset in the buffer is a `u16`.
        if n * NAME_MAX > usize::from(u16::MAX) {
            return Err(EINVAL);
        }
        Ok(Self {
            ents: KVec::with_capacity(n, GFP_KERNEL)?,
            names: KVec::with_capacity(n * NAME_MAX, GFP_KERNEL)?,
        })
    }

    /// Empties it, for the next batch.
    pub(crate) fn clear(&mut self) {
        self.ents.clear();
        self.names.clear();
    }

    /// The name of `l`, an entry of this batch.
    pub(crate) fn name(&self, l: &Listed) -> &[u8] {
        &self.names[usize::from(l.start)..][..usize::from(l.len)]
    }
}

/// The entries of one directory.
///
/// Cookies start at 2 (0 and 1 are "." and "..") and only grow, so a
/// readdir position stays valid whatever is inserted or removed meanwhile;
/// an entry renamed within the directory keeps its cookie.
pub(crate) struct DirIndex {
    next_cookie: u64,
    by_cookie: RBTree<u64, DirEnt>,
    /// (hash of the name, cookie): lookups scan the entries of one hash.
    by_hash: RBTree<(u64, u64), ()>,
    /// Fold ASCII case when comparing names.
    casefold: bool,
}

/// Allocations for one insertion, made before the index is changed so that
/// the insertion itself cannot fail.
pub(crate) struct Reservation {
    ent: DirEnt,
    cookie_node: RBTreeNodeReservation<u64, DirEnt>,
    hash_node: RBTreeNodeReservation<(u64, u64), ()>,
}

/// FNV-1a of `name`, case-folded if `fold`.
fn hash(name: &[u8], fold: bool) -> u64 {
    name.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        let b = if fold { b.to_ascii_lowercase() } else { b };
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

impl DirIndex {
    fn new(casefold: bool) -> Self {
        Self {
            next_cookie: 2,
            by_cookie: RBTree::new(),
            by_hash: RBTree::new(),
            casefold,
        }
    }

    fn same(&self, a: &[u8], b: &[u8]) -> bool {
        if self.casefold {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    }

    /// Finds `name`: its cookie and entry.
    pub(crate) fn find(&self, name: &[u8]) -> Option<(u64, &DirEnt)> {
        let h = hash(name, self.casefold);
        let mut next = 0;
        loop {
            let cur = self.by_hash.cursor_lower_bound(&(h, next))?;
            let (&(kh, cookie), ()) = cur.current();
            if kh != h {
                return None;
            }
            if let Some(e) = self.by_cookie.get(&cookie) {
                if self.same(&e.name, name) {
                    return Some((cookie, e));
                }
            }
            next = cookie + 1;
        }
    }

    /// Whether the directory has no entries.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_cookie.is_empty()
    }

    /// Makes the allocations for inserting `name`.
    pub(crate) fn reserve(name: &[u8], ino: u64, typ: DirType) -> Result<Reservation> {
        let mut n = KVec::with_capacity(name.len(), GFP_KERNEL_ACCOUNT)?;
        n.extend_from_slice(name, GFP_KERNEL_ACCOUNT)?;
        Ok(Reservation {
            ent: DirEnt { name: n, ino, typ },
            cookie_node: RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?,
            hash_node: RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?,
        })
    }

    /// Inserts a reserved entry; the caller checked the name is not there.
    pub(crate) fn insert(&mut self, r: Reservation) {
        let cookie = self.next_cookie;
        self.next_cookie += 1;
        self.insert_at(cookie, r);
    }

    /// Replaces the entry `old` with a reserved one, at `old`'s cookie: a
    /// rename within the directory does not move the entry past a readdir
    /// in progress, so a readdir that renames each entry it meets and back
    /// (fstests' generic/736) meets each entry once instead of forever.
    pub(crate) fn rename(&mut self, old: &[u8], r: Reservation) {
        match self.find(old).map(|(cookie, _)| cookie) {
            Some(cookie) => {
                if let Some(ent) = self.by_cookie.remove(&cookie) {
                    self.by_hash
                        .remove(&(hash(&ent.name, self.casefold), cookie));
                }
                self.insert_at(cookie, r);
            }
            None => self.insert(r),
        }
    }

    fn insert_at(&mut self, cookie: u64, r: Reservation) {
        let h = hash(&r.ent.name, self.casefold);
        self.by_cookie
            .insert(r.cookie_node.into_node(cookie, r.ent));
        self.by_hash.insert(r.hash_node.into_node((h, cookie), ()));
    }

    /// Removes `name`, returning its entry.
    pub(crate) fn remove(&mut self, name: &[u8]) -> Option<DirEnt> {
        let (cookie, _) = self.find(name)?;
        let ent = self.by_cookie.remove(&cookie)?;
        self.by_hash
            .remove(&(hash(&ent.name, self.casefold), cookie));
        Some(ent)
    }

    /// Points the entry `name` at another object.
    pub(crate) fn repoint(&mut self, name: &[u8], ino: u64, typ: DirType) {
        if let Some((cookie, _)) = self.find(name) {
            if let Some(e) = self.by_cookie.get_mut(&cookie) {
                e.ino = ino;
                e.typ = typ;
            }
        }
    }

    /// Copies the entries from cookie `pos` on into `out`, as many as it
    /// has room for: it does not allocate.
    pub(crate) fn read_from(&self, pos: u64, out: &mut Batch) {
        let mut next = pos;
        while let Some(cur) = self.by_cookie.cursor_lower_bound(&next) {
            let (&cookie, e) = cur.current();
            let start = out.names.len();
            if out.ents.len() == out.ents.capacity() || start + e.name.len() > out.names.capacity()
            {
                break;
            }
            // Within the capacity checked above: nothing is allocated.
            if out.names.extend_from_slice(&e.name, GFP_NOWAIT).is_err() {
                break;
            }
            let l = Listed {
                cookie,
                ino: e.ino,
                typ: e.typ,
                start: start as u16,
                len: e.name.len() as u8,
            };
            if out.ents.push_within_capacity(l).is_err() {
                out.names.truncate(start);
                break;
            }
            next = cookie + 1;
        }
    }
}

/// The nodes by inode number.
type NodeMap = RBTree<u64, Arc<Node>>;

/// All objects of one superblock, by inode number.
pub(crate) struct Store {
    next_ino: Atomic<u64>,
    nodes: Pin<KBox<Mutex<NodeMap>>>,
    pub(crate) usage: Arc<Usage>,
    casefold: bool,
    /// The instance's name, for the checker's reports.
    who: CString,
}

/// Counts the operations changing the store, so that the checker can tell
/// a walk that saw one store from a walk that raced with a change: each
/// object is consistent under its own lock, but an operation changes
/// several (a name, a link count, the usage) one after the other. Every
/// operation writes it: it gets a cache line of its own.
#[repr(align(64))]
struct Changes {
    /// Operations in progress.
    busy: Atomic<u64>,
    /// Operations finished.
    done: Atomic<u64>,
}

/// An operation changing the store, from [`Store::changing`] to its drop.
#[must_use = "the change is marked only while this lives"]
pub(crate) struct Changing<'a>(&'a Changes);

impl Drop for Changing<'_> {
    fn drop(&mut self) {
        // Fully ordered, as is the increment in `Store::changing`: a walk
        // that saw any of the changes sees `busy` or `done` move.
        self.0.done.fetch_add(1, Full);
        self.0.busy.fetch_sub(1, Full);
    }
}

/// What a new node is made of.
pub(crate) enum NewBody<'a> {
    Dir,
    File,
    Link(&'a [u8]),
    Special(DirType, Dev),
}

impl Store {
    /// An empty store with the given limits (0: none).
    pub(crate) fn new(
        max_bytes: u64,
        max_inodes: u64,
        casefold: bool,
        who: CString,
    ) -> Result<Self> {
        Ok(Self {
            next_ino: Atomic::new(ROOT_INO),
            nodes: KBox::pin_init(new_mutex!(RBTree::new()), GFP_KERNEL)?,
            usage: Arc::new(
                Usage {
                    bytes: Atomic::new(0),
                    inodes: Atomic::new(0),
                    max_bytes: Atomic::new(max_bytes),
                    max_inodes: Atomic::new(max_inodes),
                    changes: Changes {
                        busy: Atomic::new(0),
                        done: Atomic::new(0),
                    },
                },
                GFP_KERNEL,
            )?,
            casefold,
            who,
        })
    }

    /// Marks an operation that changes the store (names, link counts,
    /// sizes, contents, usage) until the result is dropped: the checker
    /// does not trust a walk during which one ran.
    pub(crate) fn changing(&self) -> Changing<'_> {
        self.usage.changing()
    }

    /// `stats/check`: checks the store, and shows the outcome.
    pub(crate) fn show_check(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.check(false) {
            Ok(outcome) => writeln!(f, "{outcome}"),
            Err(e) => writeln!(f, "error: {}", e.to_errno()),
        }
    }

    /// Makes a node and adds it to the store. It takes an inode, and for a
    /// symbolic link the bytes of the target, from the limits.
    pub(crate) fn create(&self, body: NewBody<'_>, attrs: Attrs) -> Result<Arc<Node>> {
        // Allocate first: nothing is charged until the node exists, and the
        // node's `Drop` refunds what it was charged.
        let body = match body {
            NewBody::Dir => Body::Dir(KBox::pin_init(
                new_mutex!(DirIndex::new(self.casefold)),
                GFP_KERNEL_ACCOUNT,
            )?),
            NewBody::File => Body::File(KBox::pin_init(
                new_mutex!(FileData::new()),
                GFP_KERNEL_ACCOUNT,
            )?),
            NewBody::Link(target) => {
                let mut t = KVec::new();
                t.extend_from_slice(target, GFP_KERNEL_ACCOUNT)?;
                Body::Link(t)
            }
            NewBody::Special(typ, dev) => Body::Special(typ, dev),
        };
        let btime = attrs.ctime;
        let attrs = KBox::pin_init(new_mutex!(attrs), GFP_KERNEL_ACCOUNT)?;
        let xattrs = KBox::pin_init(new_mutex!(KVec::new()), GFP_KERNEL_ACCOUNT)?;
        let slot = RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?;
        self.usage.charge_inode()?;
        if let Body::Link(t) = &body {
            if let Err(e) = self.usage.charge_bytes(t.len()) {
                self.usage.inodes.fetch_sub(1, Relaxed);
                return Err(e);
            }
        }
        let node = Arc::new(
            Node {
                ino: self.next_ino.fetch_add(1, Relaxed),
                body,
                silly_dir: Atomic::new(0),
                silly_seq: Atomic::new(0),
                btime,
                cached: Atomic::new(false),
                attrs,
                chunks: Atomic::new(0),
                xattrs,
                usage: self.usage.clone(),
            },
            GFP_KERNEL_ACCOUNT,
        )?;
        self.nodes
            .lock()
            .insert(slot.into_node(node.ino, node.clone()));
        Ok(node)
    }

    /// The node with inode number `ino`.
    pub(crate) fn get(&self, ino: u64) -> Option<Arc<Node>> {
        self.nodes.lock().get(&ino).cloned()
    }

    /// Takes a node with no name (an `O_TMPFILE` being linked) back into
    /// the store.
    pub(crate) fn adopt(&self, node: &Arc<Node>) -> Result {
        let slot = RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?;
        let mut nodes = self.nodes.lock();
        if nodes.get(&node.ino).is_none() {
            nodes.insert(slot.into_node(node.ino, node.clone()));
        }
        Ok(())
    }

    /// Charges a name of an object beyond its first to the inode limit, as
    /// tmpfs does (`shmem_link()`): it pins a dentry and an index entry
    /// that nothing reclaims while the name exists.
    pub(crate) fn charge_link(&self) -> Result {
        self.usage.charge_inode()
    }

    /// Refunds [`Store::charge_link`] when such a name goes.
    pub(crate) fn refund_link(&self) {
        self.usage.inodes.fetch_sub(1, Relaxed);
    }

    /// Drops the store's reference to a node that lost its last name.
    pub(crate) fn forget(&self, ino: u64) {
        let node = self.nodes.lock().remove(&ino);
        // Freed outside the lock.
        drop(node);
    }
}

/// Unmounting checks the store one last time, with every inode evicted.
impl Drop for Store {
    fn drop(&mut self) {
        // Unless the mount failed before there was anything to check.
        if self.get(ROOT_INO).is_none() {
            return;
        }
        match self.check(true) {
            Ok(Outcome::Done { .. }) => {}
            Ok(Outcome::Busy) => pr_warn!("{}: not checked at unmount: busy\n", &*self.who),
            Err(e) => pr_warn!(
                "{}: not checked at unmount: error {}\n",
                &*self.who,
                e.to_errno()
            ),
        }
    }
}
