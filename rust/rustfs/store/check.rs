// SPDX-License-Identifier: GPL-2.0

//! The consistency checker: walks a store and verifies what the rest of
//! rustfs assumes of it.
//!
//! - The two trees of each directory index agree, cookies are in range,
//!   names are valid, and no two names of a directory match (fold equal,
//!   under casefold).
//! - Every entry names an object in the store, with the object's type.
//! - Every object in the store has a name; a directory has exactly one (the
//!   root none), and following those names up leads to the root.
//! - Link counts equal the names (for a directory: two, plus one per
//!   subdirectory), and sizes match the stored contents. While an inode is
//!   cached these attributes live in the inode, so only an object whose
//!   inode is not cached is checked for them; at unmount that is every one.
//! - A file's chunk count matches its chunks, each a page or reserved
//!   (empty), with nothing but zeroes past the size in the chunk the size
//!   ends in; the count `stat(2)` reads without the file's lock matches
//!   too.
//! - The usage counters match what is stored (an inode for each object,
//!   and for each name of a file past its first), exactly when no object
//!   without a name (an open unlinked file) holds some of it.
//!
//! The walk takes one lock at a time and never allocates under one, so it
//! may run beside any operation; [`Changes`](super::Changes) tells whether
//! one ran during the walk, and then the walk is retried.

use super::{hash, Body, DirEnt, DirIndex, FileData, Node, Store, CHUNK, ROOT_INO};
use core::fmt::{self, Write};
use kernel::{
    alloc::KVVec,
    fs::{address_space::resched_point, dentry::NAME_MAX},
    prelude::*,
    str::BStr,
    sync::{
        atomic::{Full, Relaxed},
        Arc,
    },
    time::{delay::fsleep, Delta},
};

/// Violations kept for the report; more are only counted.
const SHOWN: usize = 16;

/// Walks tried before giving up on a store that keeps changing.
const TRIES: u32 = 8;

/// The longest violation reported; the rest is cut off.
const LINE_MAX: usize = 200;

/// One violation, formatted without allocating: the walk holds locks.
struct Line {
    len: usize,
    buf: [u8; LINE_MAX],
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let n = s.len().min(LINE_MAX - self.len);
        self.buf[self.len..][..n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// What a walk found.
struct Findings {
    lines: KVec<Line>,
    violations: usize,
}

impl Findings {
    fn add(&mut self, args: fmt::Arguments<'_>) {
        self.violations += 1;
        let mut l = Line {
            len: 0,
            buf: [0; LINE_MAX],
        };
        // `Line` truncates rather than fail.
        let _ = l.write_fmt(args);
        // Room was reserved for `SHOWN` lines; the others are only counted.
        let _ = self.lines.push_within_capacity(l);
    }
}

/// The result of a check.
pub(crate) enum Outcome {
    /// Objects and names checked, and the violations found (reported in
    /// the kernel log).
    Done {
        nodes: usize,
        names: usize,
        violations: usize,
    },
    /// The store changed during every walk tried.
    Busy,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Done {
                nodes,
                names,
                violations: 0,
            } => write!(f, "ok: {nodes} objects, {names} names"),
            Self::Done {
                nodes,
                names,
                violations,
            } => write!(
                f,
                "failed: {violations} violations in {nodes} objects, {names} names"
            ),
            Self::Busy => write!(f, "busy: the file system kept changing"),
        }
    }
}

/// What the walk learns of each object from the directories naming it.
#[derive(Clone, Copy, Default)]
struct Seen {
    names: u32,
    subdirs: u32,
    /// The directory naming a directory, 0 if none yet.
    parent: u64,
    /// A directory known to lead up to the root.
    connected: bool,
}

impl Store {
    /// Checks the store, retrying while operations change it, and reports
    /// each violation in the kernel log. `last` is the check at unmount:
    /// no inode is left, so every link count, size and charge must match.
    pub(super) fn check(&self, last: bool) -> Result<Outcome> {
        let changes = &self.usage.changes;
        let mut f = Findings {
            lines: KVec::with_capacity(SHOWN, GFP_KERNEL)?,
            violations: 0,
        };
        for _ in 0..TRIES {
            // A full barrier each, as in `Changing::drop`.
            let done = changes.done.fetch_add(0, Full);
            if changes.busy.fetch_add(0, Full) != 0 {
                fsleep(Delta::from_millis(1));
                continue;
            }
            f.lines.clear();
            f.violations = 0;
            let (nodes, names) = self.walk(&mut f, last)?;
            if changes.busy.fetch_add(0, Full) != 0 || changes.done.fetch_add(0, Full) != done {
                continue;
            }
            if f.violations != 0 {
                pr_err!(
                    "{}: check failed: {} violations in {nodes} objects\n",
                    &*self.who,
                    f.violations
                );
                for l in &f.lines {
                    pr_err!(
                        "{}: check: {}\n",
                        &*self.who,
                        BStr::from_bytes(&l.buf[..l.len])
                    );
                }
            }
            return Ok(Outcome::Done {
                nodes,
                names,
                violations: f.violations,
            });
        }
        Ok(Outcome::Busy)
    }

    /// The objects of the store, in inode number order.
    fn snapshot(&self) -> Result<KVVec<Arc<Node>>> {
        loop {
            let count = self.nodes.lock().iter().count();
            // Allocated without the lock: memory reclaim may evict an inode,
            // which may take it.
            let mut all = KVVec::with_capacity(count + 16, GFP_KERNEL)?;
            let nodes = self.nodes.lock();
            if nodes
                .values()
                .all(|n| all.push_within_capacity(n.clone()).is_ok())
            {
                return Ok(all);
            }
        }
    }

    /// One walk: returns how many objects and names it saw.
    fn walk(&self, f: &mut Findings, last: bool) -> Result<(usize, usize)> {
        let nodes = self.snapshot()?;
        let mut seen = KVVec::from_elem(Seen::default(), nodes.len(), GFP_KERNEL)?;
        let at = |ino: u64| nodes.binary_search_by_key(&ino, |n| n.ino).ok();
        let mut names = 0;
        let mut bytes = 0usize;
        for (i, node) in nodes.iter().enumerate() {
            // Stores can be large, and no lock is held here.
            resched_point()?;
            match &node.body {
                Body::Dir(d) => {
                    names += d.lock().check(node.ino, f, |f, e| {
                        let Some(c) = at(e.ino) else {
                            f.add(fmt!(
                                "dir {}: {} names object {}, not in the store",
                                node.ino,
                                BStr::from_bytes(&e.name),
                                e.ino
                            ));
                            return;
                        };
                        if nodes[c].dir_type() != e.typ {
                            f.add(fmt!(
                                "dir {}: {} has another type than object {}",
                                node.ino,
                                BStr::from_bytes(&e.name),
                                e.ino
                            ));
                        }
                        seen[c].names += 1;
                        if matches!(nodes[c].body, Body::Dir(_)) {
                            seen[c].parent = node.ino;
                            seen[i].subdirs += 1;
                        }
                    });
                }
                Body::File(d) => {
                    let data = d.lock();
                    data.check(node.ino, f);
                    if node.allocated() != data.allocated() as u64 {
                        f.add(fmt!(
                            "file {}: stat(2) counts {} bytes of chunks, {} stored",
                            node.ino,
                            node.allocated(),
                            data.allocated()
                        ));
                    }
                    bytes += data.allocated();
                }
                Body::Link(t) => bytes += t.len(),
                Body::Special(..) => {}
            }
            bytes += node
                .xattrs
                .lock()
                .iter()
                .map(|(n, v)| n.len() + v.len())
                .sum::<usize>();
        }
        for (node, s) in nodes.iter().zip(seen.iter()) {
            node.check_counts(s, last, f);
        }
        for i in 0..nodes.len() {
            if matches!(nodes[i].body, Body::Dir(_)) {
                check_path(i, &nodes, &mut seen, f);
            }
        }
        if at(ROOT_INO).is_none() {
            f.add(fmt!("no root directory"));
        }
        let (used, inodes) = self.usage.used();
        // The names of a file past its first count as inodes too.
        let extra: u64 = nodes
            .iter()
            .zip(seen.iter())
            .filter(|(n, _)| !matches!(n.body, Body::Dir(_)))
            .map(|(_, s)| u64::from(s.names.saturating_sub(1)))
            .sum();
        let count = nodes.len() as u64 + extra;
        if inodes < count || (last && inodes != count) {
            f.add(fmt!(
                "{inodes} inodes counted for {} objects and {extra} more names",
                nodes.len()
            ));
        } else if inodes == count && used != bytes as u64 {
            // Otherwise an object without a name holds bytes too.
            f.add(fmt!("{used} bytes counted for {bytes} stored"));
        }
        Ok((nodes.len(), names))
    }
}

/// Follows the names of directory `nodes[i]` up: they must lead to the
/// root. Each directory found connected is marked, so that each path is
/// followed once.
fn check_path(i: usize, nodes: &[Arc<Node>], seen: &mut [Seen], f: &mut Findings) {
    let find = |ino: u64| nodes.binary_search_by_key(&ino, |n| n.ino).ok();
    let mut cur = i;
    // At most one step per directory: more means a loop.
    let connected = (0..=nodes.len()).find_map(|_| {
        if nodes[cur].ino == ROOT_INO || seen[cur].connected {
            return Some(true);
        }
        match find(seen[cur].parent) {
            Some(up) => {
                cur = up;
                None
            }
            None => Some(false),
        }
    });
    if connected != Some(true) {
        f.add(fmt!("dir {} is not connected to the root", nodes[i].ino));
        return;
    }
    let mut cur = i;
    while nodes[cur].ino != ROOT_INO && !seen[cur].connected {
        seen[cur].connected = true;
        match find(seen[cur].parent) {
            Some(up) => cur = up,
            None => break,
        }
    }
}

impl Node {
    /// Checks the names, and, if they are in the store (no inode of the node
    /// is cached), the link count and the size, against what the walk saw.
    fn check_counts(&self, s: &Seen, last: bool, f: &mut Findings) {
        let ino = self.ino;
        let is_dir = matches!(self.body, Body::Dir(_));
        let dir_names = if ino == ROOT_INO { 0 } else { 1 };
        if is_dir && s.names != dir_names {
            f.add(fmt!("dir {ino} has {} names", s.names));
        }
        if !is_dir && s.names == 0 {
            f.add(fmt!("object {ino} has no name"));
        }
        if self.cached.load(Relaxed) {
            if last {
                f.add(fmt!("object {ino} is marked cached at unmount"));
            }
            return;
        }
        let attrs = *self.attrs.lock();
        let want = if is_dir { 2 + s.subdirs } else { s.names };
        if attrs.nlink != want {
            f.add(fmt!("object {ino}: nlink {} for {want}", attrs.nlink));
        }
        let len = match &self.body {
            Body::File(d) => d.lock().len(),
            Body::Link(t) => t.len(),
            _ => return,
        };
        if usize::try_from(attrs.size) != Ok(len) {
            f.add(fmt!("object {ino}: size {} for {len} stored", attrs.size));
        }
    }
}

impl FileData {
    fn check(&self, ino: u64, f: &mut Findings) {
        let mut chunks = 0;
        for (&i, c) in self.chunks.iter() {
            chunks += 1;
            // Empty: reserved, to be allocated at its first writeback.
            if !c.is_empty() && c.len() != CHUNK {
                f.add(fmt!("file {ino}: chunk {i} has {} bytes", c.len()));
            }
        }
        if chunks != self.count {
            f.add(fmt!(
                "file {ino}: {} chunks counted, {chunks} stored",
                self.count
            ));
        }
        // Preallocated chunks further out are all zeroes too, but may be
        // gigabytes: only the one the size ends in is read.
        if let Some(c) = self.chunks.get(&(self.len / CHUNK)) {
            if c.get(self.len % CHUNK..)
                .is_some_and(|t| t.iter().any(|&b| b != 0))
            {
                f.add(fmt!(
                    "file {ino}: bytes past the size {} are not zero",
                    self.len
                ));
            }
        }
    }
}

impl DirIndex {
    /// Checks the index of directory `dir` and calls `each` with every
    /// entry; returns the number of entries.
    fn check(
        &self,
        dir: u64,
        f: &mut Findings,
        mut each: impl FnMut(&mut Findings, &DirEnt),
    ) -> usize {
        let mut n = 0;
        for (&cookie, e) in self.by_cookie.iter() {
            n += 1;
            let name = BStr::from_bytes(&e.name);
            if cookie < 2 || cookie >= self.next_cookie {
                f.add(fmt!("dir {dir}: {name} has cookie {cookie}"));
            }
            if e.name.is_empty()
                || e.name.len() > NAME_MAX
                || e.name.iter().any(|&b| b == b'/' || b == 0)
                || e.name[..] == *b"."
                || e.name[..] == *b".."
            {
                f.add(fmt!("dir {dir}: invalid name {name}"));
            }
            if self
                .by_hash
                .get(&(hash(&e.name, self.casefold), cookie))
                .is_none()
            {
                f.add(fmt!("dir {dir}: {name} is missing from the hash tree"));
            }
            // `find` meets the entry of lowest cookie first.
            if let Some((first, _)) = self.find(&e.name) {
                if first != cookie {
                    f.add(fmt!("dir {dir}: {name} matches an earlier name"));
                }
            }
            each(f, e);
        }
        let hashed = self.by_hash.iter().count();
        if hashed != n {
            f.add(fmt!("dir {dir}: {n} entries but {hashed} hashes"));
        }
        n
    }
}
