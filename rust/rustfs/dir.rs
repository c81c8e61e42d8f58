// SPDX-License-Identifier: GPL-2.0

//! Directories: lookup, the operations that change a directory, and readdir.
//!
//! Every creating operation instantiates the dentry it is given with
//! `d_splice_alias()`, whether it is in-lookup, hashed or unhashed, and
//! never calls `d_drop()` first. readdir primes the dcache with
//! `d_alloc_noblock()` for the entries it emits, unless `noprime_dcache`;
//! with `lazy_prime`, a worker looks them up instead, outside readdir.

use crate::{
    sb::{iget, new_attrs, params, sup, RustFs},
    store::{Batch, DirIndex, Name, NewBody, Node, Reservation},
};
use core::fmt::Write;
use kernel::{
    fs::{
        dentry::{Dentry, Entry, LookupFlag, LookupFlags, NewEntry, Parallel, Spliced, NAME_MAX},
        dir::{self, DirEmitter, DirFile, DirType, Prefetch},
        inode::{
            self, Dev, Exclusive, Iget, Inode, Locked, LookupLock, Mode, Opened, Shared, TmpFile,
            Update,
        },
        rename::{Duplicate, RenameFlag, RenameFlags, RenameLocks, SillyRename},
        xattr::SetMode,
    },
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc, Mutex,
    },
    time::{delay::fsleep, Delta},
    types::ScopeGuard,
};

/// Inode and file operations of directories.
pub(crate) struct DirOps;

/// The node of a directory inode, and its index.
fn index(dir: &Inode<RustFs>) -> Result<&kernel::sync::Mutex<DirIndex>> {
    dir.data().dir()
}

/// Fails with `EEXIST` if `dir` has `name`. A creating operation asks the
/// index rather than trusting the negative dentry it was given: with
/// casefold, that dentry speaks for one case only. The VFS locks the name
/// (or the whole directory) from here until the name is in the index: with
/// casefold, which leaves misses unhashed and so unlocked, it locks the
/// whole directory, since `par_dirops` is refused then.
fn absent(dir: &Inode<RustFs>, name: &[u8]) -> Result {
    match index(dir)?.lock().find(name) {
        Some(_) => Err(EEXIST),
        None => Ok(()),
    }
}

/// Sleeps for the debug delay `us` (`lookup_delay_us`, `create_delay_us`):
/// a slow server, which widens the windows in which other threads wait on
/// this one, or run beside it.
fn delay(us: &Atomic<u32>) {
    let us = us.load(Relaxed);
    if us != 0 {
        fsleep(Delta::from_micros(i64::from(us)));
    }
}

/// Creates an object of `body` at `dentry` in `dir`, and instantiates the
/// dentry with it. Nothing changes unless everything that can fail did not.
fn make<'a>(
    dir: &Locked<'_, RustFs, Update>,
    dentry: NewEntry<'a, RustFs>,
    body: NewBody<'_>,
    perm: u16,
    size: i64,
) -> Result<Spliced<'a, RustFs>> {
    let name = dentry.name();
    if name.len() > NAME_MAX {
        return Err(ENAMETOOLONG);
    }
    let sb = dir.super_block();
    let s = sup(sb);
    let _dirop = s.stats.dirop();
    delay(&s.stats.create_delay_us);
    absent(dir, name)?;
    let _change = s.store.changing();
    let mkdir = matches!(body, NewBody::Dir);
    let mut attrs = new_attrs(perm, if mkdir { 2 } else { 1 }, size);
    attrs.flags = dir.flags().inherited();
    let node = s.store.create(body, attrs)?;
    let ino = node.ino;
    let typ = node.dir_type();
    // Until the name is in the index, a failure takes the node out again.
    let forget = ScopeGuard::new(|| s.store.forget(ino));
    let slot = DirIndex::reserve(name, ino, typ)?;
    let Iget::New(new) = sb.iget_locked(ino)? else {
        return Err(EIO);
    };
    let inode = new.init_created(
        params(node.clone(), Some(dir)),
        &dentry,
        &mut |name, value| node.xattr_set(name, Some(value), SetMode::Create),
    )?;
    // `inode_init_owner()` settled the owner and the mode.
    *node.attrs.lock() = inode.attrs();
    index(dir)?.lock().insert(slot);
    forget.dismiss();
    if mkdir {
        // Cannot fail: the store runs out of inodes long before a directory
        // has `u32::MAX` links, which the VFS would refuse (`s_max_links`).
        dir.inc_nlink()?;
    }
    dir.touch();
    s.count_splice(dentry.state());
    dentry.splice_alias(Some(inode))
}

/// unlink and rmdir: removes `dentry`'s name from `dir`, and forgets the
/// object (`victim`) once it has no name left.
fn remove(
    dir: &Locked<'_, RustFs, Update>,
    dentry: &Entry<'_, RustFs>,
    victim: &Locked<'_, RustFs, Exclusive>,
) -> Result {
    let s = sup(dir.super_block());
    let _dirop = s.stats.dirop();
    delay(&s.stats.create_delay_us);
    let _change = s.store.changing();
    unname(dir, dentry.name(), victim)?;
    if sup(dir.super_block()).casefold() {
        // Left hashed, the negative dentry would answer for this case only.
        dentry.d_drop();
    }
    Ok(())
}

/// Removes `name` from `dir` for an object losing a name (`inode`), and
/// forgets the object once it has none left.
fn unname(
    dir: &Locked<'_, RustFs, Update>,
    name: &[u8],
    inode: &Locked<'_, RustFs, Exclusive>,
) -> Result {
    index(dir)?.lock().remove(name).ok_or(ENOENT)?;
    if inode.is_dir() {
        inode.clear_nlink();
        dir.drop_nlink();
    } else {
        if inode.nlink() > 1 {
            sup(dir.super_block()).store.refund_link();
        }
        inode.drop_nlink();
    }
    inode.touch_ctime();
    dir.touch();
    if inode.nlink() == 0 {
        sup(dir.super_block()).store.forget(inode.ino());
    }
    Ok(())
}

#[vtable]
impl inode::Operations for DirOps {
    type FileSystem = RustFs;

    fn lookup<'a>(
        lock: LookupLock<'a, RustFs>,
        dentry: NewEntry<'a, RustFs>,
        flags: LookupFlags,
    ) -> Result<Spliced<'a, RustFs>> {
        let dir = lock.dir();
        let sb = dir.super_block();
        let s = sup(sb);
        s.count().lookups.inc();
        if !flags.contains(LookupFlag::Shared) {
            s.count().lookups_exclusive.inc();
        }
        let name = dentry.name();
        if name.len() > NAME_MAX {
            return Err(ENAMETOOLONG);
        }
        // A slow server, on request: widens the window in which other
        // lookups of the name wait for this one in `d_alloc_parallel()`.
        delay(&s.stats.lookup_delay_us);
        // Copy what we need out of the index, and take no lock into iget.
        let found = {
            let idx = index(dir)?.lock();
            match idx.find(name) {
                None => None,
                Some((_, e)) if e.name.as_slice() == name => Some((e.ino, None)),
                Some((_, e)) => Some((e.ino, Some(Name::new(&e.name)))),
            }
        };
        // The object may have gone since: an update of the name waits for
        // this lookup, but the eviction of a silly-renamed file removes a
        // name without it.
        let inode = match found.map(|(ino, _)| iget(sb, ino)) {
            None => None,
            Some(Err(e)) if e == ENOENT => None,
            Some(inode) => Some(inode?),
        };
        let Some(inode) = inode else {
            if s.casefold() {
                // A negative dentry would answer for this case only.
                return dentry.miss_uncached(&lock);
            }
            s.count_splice(dentry.state());
            return dentry.splice_alias(None);
        };
        let stored = found.and_then(|(_, stored)| stored);
        s.count().lookup_hits.inc();
        match stored {
            None => {
                s.count_splice(dentry.state());
                dentry.splice_alias(Some(inode))
            }
            Some(stored) => {
                // A case-insensitive hit: the dcache gets the stored name.
                s.count().add_ci.inc();
                let (res, _lock) = dentry.add_ci(inode, stored.as_bytes(), lock, flags);
                res
            }
        }
    }

    fn create<'a>(
        dir: &Locked<'_, RustFs, Update>,
        dentry: NewEntry<'a, RustFs>,
        mode: Mode,
    ) -> Result<Spliced<'a, RustFs>> {
        make(dir, dentry, NewBody::File, mode.perm(), 0)
    }

    fn mkdir<'a>(
        dir: &Locked<'_, RustFs, Update>,
        dentry: NewEntry<'a, RustFs>,
        mode: Mode,
    ) -> Result<Spliced<'a, RustFs>> {
        make(dir, dentry, NewBody::Dir, mode.perm(), 0)
    }

    fn mknod<'a>(
        dir: &Locked<'_, RustFs, Update>,
        dentry: NewEntry<'a, RustFs>,
        mode: Mode,
        dev: Dev,
    ) -> Result<Spliced<'a, RustFs>> {
        let typ = mode.file_type();
        match typ {
            DirType::Chr | DirType::Blk | DirType::Fifo | DirType::Sock => {}
            // The VFS sends regular files to ->create; nothing else exists.
            _ => return Err(EINVAL),
        }
        make(dir, dentry, NewBody::Special(typ, dev), mode.perm(), 0)
    }

    fn symlink<'a>(
        dir: &Locked<'_, RustFs, Update>,
        dentry: NewEntry<'a, RustFs>,
        target: &CStr,
    ) -> Result<Spliced<'a, RustFs>> {
        let t = target.to_bytes();
        if t.len() >= kernel::page::PAGE_SIZE {
            return Err(ENAMETOOLONG);
        }
        make(dir, dentry, NewBody::Link(t), 0o777, t.len() as i64)
    }

    fn link<'a>(
        inode: &Locked<'_, RustFs, Exclusive>,
        dir: &Locked<'_, RustFs, Update>,
        dentry: NewEntry<'a, RustFs>,
    ) -> Result<Spliced<'a, RustFs>> {
        let name = dentry.name();
        let _dirop = sup(dir.super_block()).stats.dirop();
        delay(&sup(dir.super_block()).stats.create_delay_us);
        absent(dir, name)?;
        let _change = sup(dir.super_block()).store.changing();
        let slot = DirIndex::reserve(name, inode.ino(), inode.mode().file_type())?;
        let idx = index(dir)?;
        let store = &sup(dir.super_block()).store;
        if inode.nlink() == 0 {
            // An O_TMPFILE getting its first name.
            store.adopt(inode.data())?;
        } else {
            store.charge_link()?;
        }
        idx.lock().insert(slot);
        // Cannot fail: `vfs_link()` checked `s_max_links`, and lets only a
        // linkable `O_TMPFILE` inode through with no links.
        inode.inc_nlink()?;
        inode.touch_ctime();
        dir.touch();
        let s = sup(dir.super_block());
        s.count_splice(dentry.state());
        dentry.splice_alias(Some(inode.get()))
    }

    fn tmpfile<'a>(
        dir: &Inode<RustFs>,
        file: TmpFile<'a, RustFs>,
        mode: Mode,
    ) -> Result<Opened<'a>> {
        let sb = dir.super_block();
        let s = sup(sb);
        let mut attrs = new_attrs(mode.perm(), 1, 0);
        attrs.flags = dir.flags().inherited();
        let _change = s.store.changing();
        let node = s.store.create(NewBody::File, attrs)?;
        let ino = node.ino;
        // Nameless: only the open file keeps it, through the inode.
        s.store.forget(ino);
        let Iget::New(new) = sb.iget_locked(ino)? else {
            return Err(EIO);
        };
        // The owner `inode_init_owner()` picks reaches the store at
        // eviction, if linkat() ever gives the file a name.
        file.open(new, params(node.clone(), Some(dir)), &mut |name, value| {
            node.xattr_set(name, Some(value), SetMode::Create)
        })
    }

    fn unlink(
        dir: &Locked<'_, RustFs, Update>,
        dentry: &Entry<'_, RustFs>,
        victim: &Locked<'_, RustFs, Exclusive>,
    ) -> Result {
        remove(dir, dentry, victim)
    }

    fn rmdir(
        dir: &Locked<'_, RustFs, Update>,
        dentry: &Entry<'_, RustFs>,
        victim: &Locked<'_, RustFs, Exclusive>,
    ) -> Result {
        if !index(victim)?.lock().is_empty() {
            return Err(ENOTEMPTY);
        }
        remove(dir, dentry, victim)
    }

    fn rename(
        old_dir: &Locked<'_, RustFs, Update>,
        old: &Entry<'_, RustFs>,
        new_dir: &Locked<'_, RustFs, Update>,
        new: &mut Entry<'_, RustFs>,
        flags: RenameFlags,
        inodes: &RenameLocks<'_, RustFs>,
    ) -> Result {
        use RenameFlag as F;
        if u32::from(flags) & !RenameFlags::all_bits() != 0 {
            return Err(EINVAL);
        }
        if flags.contains(F::Exchange)
            && (flags.contains(F::NoReplace) || flags.contains(F::Whiteout))
        {
            return Err(EINVAL);
        }
        let oi = old.inode().ok_or(ENOENT)?;
        let cross = old_dir.ino() != new_dir.ino();
        let s = sup(old_dir.super_block());
        let _dirop = s.stats.dirop();
        let _change = s.store.changing();
        if flags.contains(F::Exchange) {
            let ni = new.inode().ok_or(ENOENT)?;
            delay(&s.stats.create_delay_us);
            if cross {
                index(old_dir)?
                    .lock()
                    .repoint(old.name(), ni.ino(), ni.mode().file_type());
                index(new_dir)?
                    .lock()
                    .repoint(new.name(), oi.ino(), oi.mode().file_type());
            } else {
                // At once: readdir may run beside a rename of its directory.
                let mut idx = index(old_dir)?.lock();
                idx.repoint(old.name(), ni.ino(), ni.mode().file_type());
                idx.repoint(new.name(), oi.ino(), oi.mode().file_type());
            }
            if cross && oi.is_dir() != ni.is_dir() {
                let (from, to) = if oi.is_dir() {
                    (old_dir, new_dir)
                } else {
                    (new_dir, old_dir)
                };
                from.drop_nlink();
                to.inc_nlink()?;
            }
            inodes.touch_ctimes();
            old_dir.touch();
            new_dir.touch();
            return Ok(());
        }

        // Everything that can fail, first.
        if flags.contains(F::NoReplace) && new.inode().is_some() {
            return Err(EEXIST);
        }
        if let Some(ni) = new.inode() {
            if ni.is_dir() && !index(ni)?.lock().is_empty() {
                return Err(ENOTEMPTY);
            }
        }
        let replaced = new.inode().is_some();
        if !replaced {
            absent(new_dir, new.name())?;
        }
        let slot = DirIndex::reserve(new.name(), oi.ino(), oi.mode().file_type())?;
        // A silly-rename borrows `new` and changes its name.
        let name = Name::new(new.name());
        let silly = match (new.inode(), &inodes.target) {
            (Some(ni), Some(target))
                if !ni.is_dir()
                    && sup(new_dir.super_block()).cfg.silly_rename.load(Relaxed)
                    && new.in_use(inodes) =>
            {
                Some(Silly::prepare(new_dir, new, target, inodes)?)
            }
            _ => None,
        };
        let whiteout = if flags.contains(F::Whiteout) {
            Some(Whiteout::prepare(old_dir, old, inodes)?)
        } else {
            None
        };

        // Then the changes, which cannot fail.
        match silly {
            Some(silly) => silly.finish(),
            None if replaced => {
                // A replaced target is always locked (`vfs_rename()`).
                unname(new_dir, name.as_bytes(), inodes.target.as_ref().ok_or(EIO)?)?;
            }
            None => {}
        }
        // A slow server between the steps of a rename: the target's name
        // is empty in the index until the source takes it.
        delay(&s.stats.create_delay_us);
        if cross {
            index(old_dir)?.lock().remove(old.name());
            index(new_dir)?.lock().insert(slot);
        } else {
            index(old_dir)?.lock().rename(old.name(), slot);
        }
        if cross && oi.is_dir() {
            old_dir.drop_nlink();
            new_dir.inc_nlink()?;
        }
        inodes.touch_ctimes();
        old_dir.touch();
        new_dir.touch();
        if let Some(w) = whiteout {
            w.finish();
        }
        Ok(())
    }
}

/// Attempts at a free hidden name for a silly-rename before giving up.
const SILLY_TRIES: u32 = 16;

/// The hidden name of silly-renamed object `ino`: like NFS's
/// `.nfs<fileid><counter>`.
pub(crate) fn silly_name(ino: u64, seq: u32) -> Name {
    let mut n = Name::new(b"");
    // 31 bytes always fit.
    let _ = write!(n, ".rustfs{ino:016x}{seq:08x}");
    n
}

/// A rename target still in use, being moved out of the way to a hidden
/// name as NFS does (mount option `silly_rename`), instead of losing its
/// name: the source takes the target's place through an in-lookup
/// duplicate of it (`d_duplicate()`). The hidden name goes at the last
/// close, when the inode is evicted.
struct Silly<'s, 'a, 'b> {
    prep: SillyRename<'s, 'a, RustFs>,
    index: &'b Mutex<DirIndex>,
    target: &'b Locked<'b, RustFs, Exclusive>,
    slot: Reservation,
    dir_ino: u64,
    seq: u32,
}

impl<'s, 'a, 'b> Silly<'s, 'a, 'b> {
    fn prepare(
        dir: &'b Locked<'_, RustFs, Update>,
        new: &'s mut Entry<'a, RustFs>,
        target: &'b Locked<'b, RustFs, Exclusive>,
        renaming: &'s RenameLocks<'s, RustFs>,
    ) -> Result<Self> {
        let s = sup(dir.super_block());
        let index = index(dir)?;
        // Hidden names free in the index; the bindings skip those the
        // dcache has in lookup or positive.
        let mut tries = 0;
        let mut seq = 0;
        let prep = new.silly_rename(dir, renaming, || {
            while tries < SILLY_TRIES {
                tries += 1;
                seq = s.silly_seq.fetch_add(1, Relaxed);
                let name = silly_name(target.ino(), seq);
                if index.lock().find(name.as_bytes()).is_none() {
                    return Some(name);
                }
            }
            None
        })?;
        let name = silly_name(target.ino(), seq);
        let typ = target.mode().file_type();
        Ok(Self {
            prep,
            index,
            target,
            slot: DirIndex::reserve(name.as_bytes(), target.ino(), typ)?,
            dir_ino: dir.ino(),
            seq,
        })
    }

    /// Moves the target to its hidden name, in the store and in the dcache.
    fn finish(self) {
        let mut idx = self.index.lock();
        idx.remove(self.prep.name());
        idx.insert(self.slot);
        drop(idx);
        let node = self.target.data();
        node.silly_seq.store(self.seq, Relaxed);
        node.silly_dir.store(self.dir_ino, Relaxed);
        self.target.touch_ctime();
        self.target.mark_dontcache();
        let c = sup(self.target.super_block()).count();
        c.silly_renames.inc();
        c.duplicates.inc();
        self.prep.commit();
    }
}

/// A whiteout being left behind by `RENAME_WHITEOUT`: an in-lookup
/// duplicate of the old name (`d_duplicate()`), so that the name never
/// looks free to a racing lookup, and the 0:0 character device behind it,
/// labelled by the LSMs and handed to the bindings, which instantiate the
/// duplicate with it once the rename has succeeded. Dropped unfinished, it
/// takes the device out of the store again.
struct Whiteout<'a, 'b> {
    dir: &'a Locked<'b, RustFs, Update>,
    ino: u64,
    slot: Option<Reservation>,
}

impl<'a, 'b> Whiteout<'a, 'b> {
    fn prepare(
        dir: &'a Locked<'b, RustFs, Update>,
        old: &Entry<'_, RustFs>,
        renaming: &'a RenameLocks<'a, RustFs>,
    ) -> Result<Self> {
        let sb = dir.super_block();
        let s = sup(sb);
        // The duplicate first: when the store is full, dropping it ends the
        // lookup it started (a test takes this path).
        let dup = old.duplicate(dir, renaming)?;
        s.count().duplicates.inc();
        let node = s.store.create(
            NewBody::Special(DirType::Chr, Dev::default()),
            new_attrs(0, 1, 0),
        )?;
        let ino = node.ino;
        // A failure takes the device out again, after `dup` ended its
        // lookup.
        Self::fill(dir, old, dup, node).inspect_err(|_| s.store.forget(ino))
    }

    /// Fills `dup` with `node`, the device just made in the store, and
    /// reserves the old name's place in the index for it.
    fn fill(
        dir: &'a Locked<'b, RustFs, Update>,
        old: &Entry<'_, RustFs>,
        dup: Duplicate<'_, RustFs>,
        node: Arc<Node>,
    ) -> Result<Self> {
        let ino = node.ino;
        let slot = DirIndex::reserve(old.name(), ino, DirType::Chr)?;
        let Iget::New(new) = dir.super_block().iget_locked(ino)? else {
            return Err(EIO);
        };
        // The owner `inode_init_owner()` gives it reaches the store at
        // eviction.
        dup.fill(new, params(node.clone(), Some(dir)), &mut |name, value| {
            node.xattr_set(name, Some(value), SetMode::Create)
        })?;
        Ok(Whiteout {
            dir,
            ino,
            slot: Some(slot),
        })
    }

    /// Puts the whiteout under the old name, once the old entry is gone.
    fn finish(mut self) {
        if let (Some(slot), Ok(idx)) = (self.slot.take(), index(self.dir)) {
            idx.lock().insert(slot);
        }
    }
}

impl Drop for Whiteout<'_, '_> {
    fn drop(&mut self) {
        // Unless finished.
        if self.slot.is_some() {
            sup(self.dir.super_block()).store.forget(self.ino);
        }
    }
}

/// Entries read from the index per batch, so that no lock is held while
/// copying to user space or priming the dcache.
const BATCH: usize = 32;

#[vtable]
impl dir::Operations for DirOps {
    type FileSystem = RustFs;

    fn read_dir(
        file: &DirFile<RustFs>,
        dir: &Locked<'_, RustFs, Shared>,
        emitter: &mut DirEmitter,
    ) -> Result {
        if !emitter.emit_dots(file) {
            return Ok(());
        }
        let s = sup(dir.super_block());
        let prime = s.cfg.prime_dcache.load(Relaxed);
        let mut lazy = (prime && s.cfg.lazy_prime.load(Relaxed)).then(Prefetch::new);
        let res = read_batches(dir, emitter, |name, ino| match &mut lazy {
            // Failing to prime is harmless.
            Some(p) => {
                if p.push(name).is_err() {
                    s.count().prime_dropped.inc();
                }
            }
            None if prime => prime_one(file.dentry(), dir, name, ino),
            None => {}
        });
        if let Some(p) = lazy {
            let n = p.len() as u64;
            if file.prefetch(p).is_ok() {
                s.count().prime_queued.add(n);
            } else {
                s.count().prime_dropped.add(n);
            }
        }
        res
    }
}

/// Emits the entries of `dir` from `emitter`'s position on, read from the
/// index in batches, and hands each one emitted to `emitted`.
fn read_batches(
    dir: &Locked<'_, RustFs, Shared>,
    emitter: &mut DirEmitter,
    mut emitted: impl FnMut(&[u8], u64),
) -> Result {
    let mut batch = Batch::new(BATCH)?;
    loop {
        let pos = u64::try_from(emitter.pos()).map_err(|_| EINVAL)?;
        batch.clear();
        index(dir)?.lock().read_from(pos, &mut batch);
        if batch.ents.is_empty() {
            return Ok(());
        }
        for e in &batch.ents {
            let name = batch.name(e);
            emitter.set_pos(e.cookie as i64);
            if !emitter.emit(name, e.ino, e.typ) {
                return Ok(());
            }
            emitted(name, e.ino);
            emitter.set_pos(e.cookie as i64 + 1);
        }
    }
}

/// Puts `name` (object `ino`) in the dcache under `parent`, as NFS's
/// readdirplus does, without waiting for a lookup of it in progress.
fn prime_one(parent: &Dentry<RustFs>, lock: &Locked<'_, RustFs, Shared>, name: &[u8], ino: u64) {
    let sb = parent.super_block();
    let c = sup(sb).count();
    match parent.alloc_noblock(name) {
        Ok(Parallel::InLookup(guard)) => {
            // With `par_dirops`, an unlink may have removed the name since
            // the batch was read, and left its dentry unhashed because the
            // file is open: ask the index again. From here on, an update of
            // the name waits for this lookup. Failing to prime is harmless:
            // the guard ends the lookup.
            let still = index(lock).is_ok_and(|idx| {
                idx.lock()
                    .find(name)
                    .is_some_and(|(_, e)| e.ino == ino && e.name.as_slice() == name)
            });
            if !still {
                return;
            }
            if let Ok(inode) = iget(sb, ino) {
                if guard.splice_alias(Some(inode), lock).is_ok() {
                    c.prime_added.inc();
                }
            }
        }
        Ok(Parallel::Found(_)) => c.prime_cached.inc(),
        Err(kernel::fs::dentry::NoBlockError::WouldBlock) => c.prime_wouldblock.inc(),
        Err(_) => {}
    }
}
