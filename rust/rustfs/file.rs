// SPDX-License-Identifier: GPL-2.0

//! Regular files and symbolic links: their contents move between the store
//! and the page cache.

use crate::{
    sb::{sup, sup_of, RustFs},
    store::Body,
};
use kernel::{
    fs::{
        address_space::{self, FolioBytes},
        inode::{self, Exclusive, Inode, Locked, Unreferenced},
        xattr::{self, List, SetMode},
    },
    prelude::*,
};

/// Inode operations of regular files.
pub(crate) struct FileOps;

#[vtable]
impl inode::Operations for FileOps {
    type FileSystem = RustFs;

    fn truncate(inode: &Inode<RustFs>, size: i64) -> Result {
        let node = inode.data();
        let file = node.file()?;
        let len = usize::try_from(size).map_err(|_| EFBIG)?;
        let _change = sup(inode.super_block()).store.changing();
        node.set_len(&mut file.lock(), len);
        Ok(())
    }
}

/// The contents of regular files and the targets of symbolic links.
pub(crate) struct Data;

/// The address-space operations of regular files and symbolic links.
pub(crate) const DATA_OPS: address_space::Ops<RustFs> = address_space::Ops::new::<Data>();

/// Copies `src` from offset `pos` into `buf`, zero-filling past its end.
fn copy_out(src: &[u8], pos: usize, buf: &mut [u8]) {
    let start = pos.min(src.len());
    let n = (src.len() - start).min(buf.len());
    buf[..n].copy_from_slice(&src[start..start + n]);
    buf[n..].fill(0);
}

#[vtable]
impl address_space::Operations for Data {
    type FileSystem = RustFs;

    fn read(inode: &Inode<RustFs>, pos: i64, buf: &mut [u8]) -> Result {
        let pos = usize::try_from(pos).map_err(|_| EINVAL)?;
        match &inode.data().body {
            Body::File(f) => f.lock().read(pos, buf),
            Body::Link(target) => copy_out(target, pos, buf),
            _ => return Err(EINVAL),
        }
        Ok(())
    }

    fn write_begin(inode: &Inode<RustFs>, pos: i64, len: usize) -> Result {
        let node = inode.data();
        let file = node.file()?;
        let pos = usize::try_from(pos).map_err(|_| EFBIG)?;
        // The size grows in `grow`, by what was copied: a short copy
        // leaves it where it was.
        let _change = sup(inode.super_block()).store.changing();
        node.reserve(&mut file.lock(), pos, len)
    }

    fn grow(inode: &Inode<RustFs>, size: i64) {
        if let (Ok(file), Ok(size)) = (inode.data().file(), usize::try_from(size)) {
            let _change = sup(inode.super_block()).store.changing();
            file.lock().grow(size);
        }
    }

    fn allocate(inode: &Locked<'_, RustFs, Exclusive>, pos: i64, len: i64, keep: bool) -> Result {
        let node = inode.data();
        let file = node.file()?;
        let pos = usize::try_from(pos).map_err(|_| EINVAL)?;
        let len = usize::try_from(len).map_err(|_| EFBIG)?;
        let end = pos.checked_add(len).ok_or(EFBIG)?;
        let _change = sup(inode.super_block()).store.changing();
        let mut data = file.lock();
        node.preallocate(&mut data, pos, len)?;
        if !keep && end > data.len() {
            node.set_len(&mut data, end);
        }
        Ok(())
    }

    fn punch_hole(inode: &Locked<'_, RustFs, Exclusive>, pos: i64, len: i64) -> Result {
        let node = inode.data();
        let file = node.file()?;
        let pos = usize::try_from(pos).map_err(|_| EINVAL)?;
        let len = usize::try_from(len).map_err(|_| EINVAL)?;
        let _change = sup(inode.super_block()).store.changing();
        node.punch(&mut file.lock(), pos, len);
        Ok(())
    }

    fn write_back(inode: &Unreferenced<'_, RustFs>, pos: i64, src: &FolioBytes<'_>) -> Result {
        let node = inode.data();
        let file = node.file()?;
        let pos = usize::try_from(pos).map_err(|_| EINVAL)?;
        let s = sup_of(inode.fs_data());
        let _change = s.store.changing();
        let mut data = file.lock();
        // A truncate may have shrunk the file since the writeback started:
        // nothing is stored past the size.
        let n = src.len().min(data.len().saturating_sub(pos));
        node.reserve(&mut data, pos, n)?;
        data.write_back(pos, src)?;
        drop(data);
        s.count().writebacks.inc();
        Ok(())
    }
}

/// Extended attributes, kept in the store with the node.
pub(crate) struct Xattrs;

#[vtable]
impl xattr::Operations for Xattrs {
    type FileSystem = RustFs;

    fn get(inode: &Inode<RustFs>, name: &[u8], buf: &mut [u8]) -> Result<usize> {
        inode.data().xattr_get(name, buf)
    }

    fn set(
        inode: &Locked<'_, RustFs, Exclusive>,
        name: &[u8],
        value: Option<&[u8]>,
        mode: SetMode,
    ) -> Result {
        let _change = sup(inode.super_block()).store.changing();
        inode.data().xattr_set(name, value, mode)
    }

    fn list(inode: &Inode<RustFs>, list: &mut List<'_>) -> Result {
        inode.data().xattr_list(list)
    }
}
