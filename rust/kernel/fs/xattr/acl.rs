// SPDX-License-Identifier: GPL-2.0

//! POSIX ACLs, stored as extended attributes through the file system's
//! [`Operations`]: inherited at creation, read by `->get_inode_acl`, set by
//! `->set_acl`.
//!
//! [`Operations`]: super::Operations

#[cfg(CONFIG_FS_POSIX_ACL)]
use super::Handler;
use super::InitXattrs;
#[cfg(CONFIG_FS_POSIX_ACL)]
use crate::error::{from_result, to_result};
use crate::{bindings, prelude::*};

/// The name under which an ACL of `typ` is stored.
#[cfg(CONFIG_FS_POSIX_ACL)]
fn acl_name(typ: c_int) -> Result<&'static [u8]> {
    match typ as u32 {
        bindings::ACL_TYPE_ACCESS => Ok(b"system.posix_acl_access"),
        bindings::ACL_TYPE_DEFAULT => Ok(b"system.posix_acl_default"),
        _ => Err(EINVAL),
    }
}

/// An ACL in its extended attribute's format (`posix_acl_to_xattr()`), ids
/// as the initial user namespace sees them.
///
/// # Invariants
///
/// `ptr` is a `kmalloc()`ed buffer of `len` initialised bytes, ours.
#[cfg(CONFIG_FS_POSIX_ACL)]
struct AclValue {
    ptr: *mut u8,
    len: usize,
}

#[cfg(CONFIG_FS_POSIX_ACL)]
impl AclValue {
    /// # Safety
    ///
    /// `acl` must be a valid ACL.
    unsafe fn new(acl: *const bindings::posix_acl) -> Result<Self> {
        let mut len = 0;
        // SAFETY: By the safety requirements; `init_user_ns` is static.
        let ptr = unsafe {
            bindings::posix_acl_to_xattr(
                &raw mut bindings::init_user_ns,
                acl,
                &mut len,
                bindings::GFP_KERNEL,
            )
        };
        if ptr.is_null() {
            return Err(ENOMEM);
        }
        // INVARIANT: `posix_acl_to_xattr()` allocated and filled `len` bytes.
        Ok(Self {
            ptr: ptr.cast(),
            len,
        })
    }

    fn as_bytes(&self) -> &[u8] {
        // SAFETY: By the type invariants.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }
}

#[cfg(CONFIG_FS_POSIX_ACL)]
impl Drop for AclValue {
    fn drop(&mut self) {
        // SAFETY: By the type invariants.
        unsafe { bindings::kfree(self.ptr.cast()) };
    }
}

/// Gives a new inode the ACLs it inherits from `dir`'s default ACL, and its
/// mode the umask the VFS leaves to file systems with POSIX ACLs
/// (`posix_acl_create()`, as `simple_acl_create()` does), passing each ACL
/// to `store` as an extended attribute.
///
/// # Safety
///
/// `inode` must be a new, initialised inode that nothing else can reach yet,
/// and `dir` the pinned directory it is being created in.
pub(crate) unsafe fn init_acls(
    inode: *mut bindings::inode,
    dir: *mut bindings::inode,
    store: &mut InitXattrs<'_>,
) -> Result {
    #[cfg(CONFIG_FS_POSIX_ACL)]
    {
        let mut default_acl = core::ptr::null_mut();
        let mut acl = core::ptr::null_mut();
        // SAFETY: By the safety requirements; `posix_acl_create()` gives
        // the new mode, and a reference to each ACL it returns.
        unsafe {
            let mut mode = (*inode).i_mode;
            to_result(bindings::posix_acl_create(
                dir,
                &mut mode,
                &mut default_acl,
                &mut acl,
            ))?;
            (*inode).i_mode = mode;
        }
        let mut res = Ok(());
        for (typ, p) in [
            (bindings::ACL_TYPE_DEFAULT, default_acl),
            (bindings::ACL_TYPE_ACCESS, acl),
        ] {
            if res.is_ok() && !p.is_null() {
                // SAFETY: `p` is a valid ACL whose reference we hold.
                res = unsafe { AclValue::new(p) }
                    .and_then(|v| store(acl_name(typ as c_int)?, v.as_bytes()));
            }
            // SAFETY: Nothing else can reach the inode yet; `p` is null or
            // ours to release, and `set_cached_acl()` takes its own
            // reference. A null caches "no ACL", as `simple_acl_create()`
            // does.
            unsafe {
                if res.is_ok() {
                    bindings::set_cached_acl(inode, typ as c_int, p);
                }
                bindings::posix_acl_release(p);
            }
        }
        res
    }
    #[cfg(not(CONFIG_FS_POSIX_ACL))]
    {
        let _ = (inode, dir, store);
        Ok(())
    }
}

/// `->get_inode_acl` of the inodes of a file system with
/// [`Handlers`](super::Handlers) and POSIX ACLs: reads the ACL's extended
/// attribute through the file system's [`Operations`](super::Operations).
///
/// # Safety
///
/// Called by the VFS with a pinned inode.
#[cfg(CONFIG_FS_POSIX_ACL)]
pub(crate) unsafe extern "C" fn get_inode_acl(
    inode: *mut bindings::inode,
    typ: c_int,
    rcu: bool,
) -> *mut bindings::posix_acl {
    if rcu {
        return ECHILD.to_ptr();
    }
    // SAFETY: The VFS calls this with a pinned inode, through the inode
    // operations of a file system of these bindings.
    let res = unsafe { read_acl(inode, typ) };
    // `-EAGAIN` tells the permission check that there is no ACL, and it
    // would fall back to the mode: the mask, not the ACL's entries.
    res.unwrap_or_else(|e| if e == EAGAIN { EIO } else { e }.to_ptr())
}

/// Reads the ACL of type `typ` of `inode` through its file system's
/// handlers: `NULL` if it has none.
///
/// # Safety
///
/// `inode` must be a pinned inode of a file system of these bindings, on a
/// superblock whose handlers, if any, are this file system's.
#[cfg(CONFIG_FS_POSIX_ACL)]
unsafe fn read_acl(inode: *mut bindings::inode, typ: c_int) -> Result<*mut bindings::posix_acl> {
    let name = acl_name(typ)?;
    // SAFETY: The inode and its superblock are pinned.
    let Some(h) = (unsafe { Handler::of((*inode).i_sb) }) else {
        return Ok(core::ptr::null_mut());
    };
    // The value may change between the size and the copy: the VFS
    // calls this without the inode lock.
    for _ in 0..3 {
        // SAFETY: `inode` is a pinned inode of the handler's file system.
        let len = match unsafe { (h.get_full)(inode, name, &mut []) } {
            Err(e) if e == ENODATA || e == EOPNOTSUPP => return Ok(core::ptr::null_mut()),
            r => r?,
        };
        let mut buf = KVec::from_elem(0u8, len, GFP_KERNEL)?;
        // SAFETY: As above.
        match unsafe { (h.get_full)(inode, name, &mut buf) } {
            Err(e) if e == ERANGE => continue,
            Err(e) if e == ENODATA => return Ok(core::ptr::null_mut()),
            r => buf.truncate(r?),
        }
        // SAFETY: `buf` holds `buf.len()` bytes; `init_user_ns` is
        // static.
        let acl = unsafe {
            bindings::posix_acl_from_xattr(
                &raw mut bindings::init_user_ns,
                buf.as_ptr().cast(),
                buf.len(),
            )
        };
        return crate::error::from_err_ptr(acl);
    }
    Err(EIO)
}

/// `->set_acl` of the inodes of a file system with
/// [`Handlers`](super::Handlers) and POSIX ACLs: `simple_set_acl()`, with
/// the ACL stored as its extended attribute through the file system's
/// [`Operations`](super::Operations) before anything changes.
///
/// # Safety
///
/// Called by the VFS with a pinned positive dentry whose inode is locked
/// exclusively, and `acl` null or valid for the call. (ksmbd's
/// `set_posix_acl()` calls do not lock the inode, as tmpfs's
/// `simple_set_acl()` also assumes; lockdep reports them.)
#[cfg(CONFIG_FS_POSIX_ACL)]
pub(crate) unsafe extern "C" fn set_acl(
    idmap: *mut bindings::mnt_idmap,
    dentry: *mut bindings::dentry,
    acl: *mut bindings::posix_acl,
    typ: c_int,
) -> c_int {
    from_result(|| {
        let name = acl_name(typ)?;
        // SAFETY: The dentry is positive and pinned.
        let inode = unsafe { (*dentry).d_inode };
        // SAFETY: As above.
        let h = unsafe { Handler::of((*inode).i_sb) }.ok_or(EOPNOTSUPP)?;
        let mut acl = acl;
        // SAFETY: The inode is pinned and locked.
        let mut mode = unsafe { (*inode).i_mode };
        if typ as u32 == bindings::ACL_TYPE_ACCESS {
            // SAFETY: As above; this may only replace `acl` with null, when
            // the mode says all it says, and clears `S_ISGID` as a chmod
            // would.
            to_result(unsafe {
                bindings::posix_acl_update_mode(idmap, inode, &mut mode, &mut acl)
            })?;
        }
        // SAFETY: `acl` is valid for the call (safety requirements).
        let value = (!acl.is_null())
            .then(|| unsafe { AclValue::new(acl) })
            .transpose()?;
        // SAFETY: `inode` is of the handler's file system, locked
        // exclusively by the VFS.
        match unsafe { (h.set_full)(inode, name, value.as_ref().map(AclValue::as_bytes)) } {
            // Removing an ACL the inode does not have.
            Err(e) if e == ENODATA && value.is_none() => {}
            r => r?,
        }
        // SAFETY: The inode is pinned and locked; `set_cached_acl()` takes
        // its own reference to `acl`.
        unsafe {
            (*inode).i_mode = mode;
            bindings::inode_set_ctime_current(inode);
            bindings::set_cached_acl(inode, typ, acl);
        }
        Ok(0)
    })
}
