// SPDX-License-Identifier: GPL-2.0

//! Extended attributes in the `user.`, `trusted.` and `security.` namespaces.
//!
//! A file system implements [`Operations`] over full names (`user.foo`);
//! [`Handlers`] turns that into the `xattr_handler`s of its superblocks,
//! installed with [`SuperBlock::set_xattr_handlers`]. The VFS checks
//! permissions before calling in (`trusted.` needs `CAP_SYS_ADMIN`, `user.`
//! only exists on regular files and directories), and the LSMs and the
//! capability code check `security.` (without an LSM that says otherwise,
//! `security.capability` needs `CAP_SETFCAP` and the other names
//! `CAP_SYS_ADMIN`); listing hides `trusted.` names from those who cannot
//! read them, as `simple_xattr_list()` does.
//!
//! New inodes get the `security.` attributes the LSMs give them through
//! [`New::init_created`] and [`TmpFile::open`], which call
//! `security_inode_init_security()`.
//!
//! POSIX ACLs ([`SuperBlock::enable_posix_acls`]) are stored through the
//! same [`Operations`], as `system.posix_acl_access` and
//! `system.posix_acl_default` in their extended attributes' format, ids as
//! the initial user namespace sees them. The VFS routes those names to the
//! bindings' `->get_inode_acl` and `->set_acl`, never to the handlers, and
//! caches what they return. A new inode inherits its ACLs from its
//! directory's default ACL when it is created, and takes the umask there
//! (`posix_acl_create()`); `chmod` rewrites the access ACL
//! (`posix_acl_chmod()`).
//!
//! [`New::init_created`]: super::inode::New::init_created
//! [`SuperBlock::set_xattr_handlers`]: super::SuperBlock::set_xattr_handlers
//! [`SuperBlock::enable_posix_acls`]: super::SuperBlock::enable_posix_acls
//! [`TmpFile::open`]: super::inode::TmpFile::open
//!
//! C headers: [`include/linux/xattr.h`](srctree/include/linux/xattr.h),
//! [`include/linux/security.h`](srctree/include/linux/security.h).

use super::{
    inode::{Exclusive, Locked},
    FileSystem, Inode,
};
use crate::{
    bindings,
    error::{from_result, to_result},
    prelude::*,
};
use core::marker::PhantomData;

mod acl;

pub(crate) use acl::init_acls;
#[cfg(CONFIG_FS_POSIX_ACL)]
pub(crate) use acl::{get_inode_acl, set_acl};

/// The longest name, prefix included (`XATTR_NAME_MAX`).
pub const NAME_MAX: usize = 255;

/// The largest value (`XATTR_SIZE_MAX`).
const XATTR_SIZE_MAX: usize = 65536;

/// Where the extended attributes a new inode starts with go: called with
/// each full name and value, the labels the LSMs give it
/// (`security.SMACK64`) and the ACLs it inherits
/// (`system.posix_acl_access`). `EOPNOTSUPP` from it drops a label
/// silently, as `security_inode_init_security()` does; any other error, and
/// any error for an ACL, fails the creation: a dropped ACL could grant what
/// the directory's default ACL denies.
pub type InitXattrs<'a> = &'a mut dyn FnMut(&[u8], &[u8]) -> Result;

/// How [`Operations::set`] may treat an existing attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetMode {
    /// Create or replace.
    Any,
    /// Fail with `EEXIST` if it exists (`XATTR_CREATE`).
    Create,
    /// Fail with `ENODATA` unless it exists (`XATTR_REPLACE`).
    Replace,
}

/// Collects the names [`Operations::list`] reports.
pub struct List<'a> {
    buf: Option<&'a mut [u8]>,
    used: usize,
    trusted: bool,
}

impl List<'_> {
    /// Reports `name`, a full name. `trusted.` names are skipped for
    /// callers without `CAP_SYS_ADMIN`.
    pub fn add(&mut self, name: &[u8]) -> Result {
        if name.starts_with(b"trusted.") && !self.trusted {
            return Ok(());
        }
        let end = self.used + name.len() + 1;
        if let Some(buf) = self.buf.as_deref_mut() {
            let dst = buf.get_mut(self.used..end).ok_or(ERANGE)?;
            dst[..name.len()].copy_from_slice(name);
            dst[name.len()] = 0;
        }
        self.used = end;
        Ok(())
    }
}

/// Extended attributes of inodes of file system `FileSystem`.
#[vtable]
pub trait Operations {
    /// The file system these operations belong to.
    type FileSystem: FileSystem;

    /// Copies the value of `name` into `buf`, or, if `buf` is empty,
    /// returns its size. `ENODATA` if there is none, `ERANGE` if `buf` is
    /// too small.
    fn get(inode: &Inode<Self::FileSystem>, name: &[u8], buf: &mut [u8]) -> Result<usize>;

    /// Sets `name` to `value`, or removes it when `value` is `None`. The VFS
    /// holds the inode locked.
    fn set(
        inode: &Locked<'_, Self::FileSystem, Exclusive>,
        name: &[u8],
        value: Option<&[u8]>,
        mode: SetMode,
    ) -> Result;

    /// Reports every name to `list`.
    fn list(inode: &Inode<Self::FileSystem>, list: &mut List<'_>) -> Result;
}

/// An `xattr_handler` that also gives its file system's [`Operations`] by
/// full name, so that one `->listxattr`, and the POSIX ACL operations,
/// serve every inode type.
#[repr(C)]
pub(crate) struct Handler {
    raw: bindings::xattr_handler,
    list: unsafe fn(*mut bindings::inode, &mut List<'_>) -> Result,
    get_full: unsafe fn(*mut bindings::inode, &[u8], &mut [u8]) -> Result<usize>,
    set_full: unsafe fn(*mut bindings::inode, &[u8], Option<&[u8]>) -> Result,
}

impl Handler {
    /// The handlers of `sb`, if it has ours.
    ///
    /// # Safety
    ///
    /// `sb` must be a pinned superblock of a file system of these bindings.
    unsafe fn of<'a>(sb: *const bindings::super_block) -> Option<&'a Handler> {
        // SAFETY: `s_xattr` is set before the superblock is live and never
        // changes; it is null or our static, NULL-terminated table.
        let handlers = unsafe { (*sb).s_xattr };
        // SAFETY: As above.
        if handlers.is_null() || unsafe { (*handlers).is_null() } {
            return None;
        }
        // SAFETY: Every handler in the table is the `raw` field of a
        // `Handler` (`repr(C)`, first field), and static.
        Some(unsafe { &*(*handlers).cast::<Handler>() })
    }
}

/// The `xattr_handler`s of file system `T`, for
/// [`SuperBlock::set_xattr_handlers`](super::SuperBlock::set_xattr_handlers).
///
/// # Invariants
///
/// The pointer is a static, `NULL`-terminated table of `Handler`s for
/// operations of file system `T`.
pub struct Handlers<T: FileSystem>(*const *const bindings::xattr_handler, PhantomData<T>);

impl<T: FileSystem> Handlers<T> {
    /// The handlers of operations `U`.
    pub const fn new<U: Operations<FileSystem = T> + ?Sized>() -> Self {
        Self(Table::<U>::LIST.as_ptr(), PhantomData)
    }

    /// The raw, static, `NULL`-terminated table.
    pub(crate) fn as_raw(&self) -> *const *const bindings::xattr_handler {
        self.0
    }
}

/// Whether `sb` has the handlers of these bindings.
///
/// # Safety
///
/// `sb` must be a pinned superblock of a file system of these bindings.
pub(crate) unsafe fn has_handlers(sb: *const bindings::super_block) -> bool {
    // SAFETY: By the safety requirements.
    unsafe { Handler::of(sb) }.is_some()
}

struct Table<U: Operations + ?Sized>(PhantomData<U>);

impl<U: Operations + ?Sized> Table<U> {
    const USER: Handler = Self::handler(c"user.");
    const TRUSTED: Handler = Self::handler(c"trusted.");
    const SECURITY: Handler = Self::handler(c"security.");
    const LIST: &'static [*const bindings::xattr_handler; 4] = &[
        core::ptr::from_ref(&Self::USER).cast(),
        core::ptr::from_ref(&Self::TRUSTED).cast(),
        core::ptr::from_ref(&Self::SECURITY).cast(),
        core::ptr::null(),
    ];

    const fn handler(prefix: &'static CStr) -> Handler {
        Handler {
            raw: bindings::xattr_handler {
                prefix: crate::str::as_char_ptr_in_const_context(prefix),
                get: Some(Self::get),
                set: Some(Self::set),
                ..pin_init::zeroed()
            },
            list: Self::list,
            get_full: Self::get_full,
            set_full: Self::set_full,
        }
    }

    /// Puts the handler's prefix and `name` together in `full`.
    ///
    /// # Safety
    ///
    /// `handler` must be one of ours and `name` a NUL-terminated string.
    unsafe fn full_name<'a>(
        handler: *const bindings::xattr_handler,
        name: *const c_char,
        full: &'a mut [u8; NAME_MAX + 1],
    ) -> Result<&'a [u8]> {
        // SAFETY: Our handlers have static, NUL-terminated prefixes; `name`
        // is NUL-terminated by the safety requirements.
        let (p, n) = unsafe {
            (
                CStr::from_char_ptr((*handler).prefix).to_bytes(),
                CStr::from_char_ptr(name).to_bytes(),
            )
        };
        let len = p.len() + n.len();
        if len > NAME_MAX {
            return Err(ERANGE);
        }
        full[..p.len()].copy_from_slice(p);
        full[p.len()..len].copy_from_slice(n);
        Ok(&full[..len])
    }

    /// # Safety
    ///
    /// Called by the VFS with a pinned inode of this file system.
    unsafe extern "C" fn get(
        handler: *const bindings::xattr_handler,
        _dentry: *mut bindings::dentry,
        inode: *mut bindings::inode,
        name: *const c_char,
        buffer: *mut c_void,
        size: usize,
    ) -> c_int {
        let mut full = [0u8; NAME_MAX + 1];
        from_result(|| {
            // SAFETY: As the function's safety requirements say.
            let (name, inode) = unsafe {
                (
                    Self::full_name(handler, name, &mut full)?,
                    Inode::<U::FileSystem>::from_raw(inode),
                )
            };
            let buf: &mut [u8] = if buffer.is_null() || size == 0 {
                &mut []
            } else {
                // SAFETY: The VFS gives a kernel buffer of `size` bytes.
                unsafe { core::slice::from_raw_parts_mut(buffer.cast(), size) }
            };
            let len = buf.len();
            let n = U::get(inode, name, buf)?;
            // The VFS copies `n` bytes out of the buffer.
            if n > XATTR_SIZE_MAX || (len != 0 && n > len) {
                return Err(ERANGE);
            }
            // At most `XATTR_SIZE_MAX`: no wrap.
            Ok(n as c_int)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS with a pinned inode of this file system, locked
    /// exclusively (`__vfs_setxattr_locked()`).
    unsafe extern "C" fn set(
        handler: *const bindings::xattr_handler,
        _idmap: *mut bindings::mnt_idmap,
        _dentry: *mut bindings::dentry,
        inode: *mut bindings::inode,
        name: *const c_char,
        value: *const c_void,
        size: usize,
        flags: c_int,
    ) -> c_int {
        let mut full = [0u8; NAME_MAX + 1];
        from_result(|| {
            // SAFETY: As the function's safety requirements say.
            let (name, inode) = unsafe {
                (
                    Self::full_name(handler, name, &mut full)?,
                    Locked::<'_, U::FileSystem, Exclusive>::new(Inode::from_raw(inode)),
                )
            };
            let value = if value.is_null() {
                None
            } else {
                // SAFETY: The VFS gives a kernel buffer of `size` bytes.
                Some(unsafe { core::slice::from_raw_parts(value.cast::<u8>(), size) })
            };
            let mode = match flags as u32 {
                0 => SetMode::Any,
                bindings::XATTR_CREATE => SetMode::Create,
                bindings::XATTR_REPLACE => SetMode::Replace,
                _ => return Err(EINVAL),
            };
            U::set(&inode, name, value, mode)?;
            inode.touch_ctime();
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// `inode` must be a pinned inode of this file system.
    unsafe fn list(inode: *mut bindings::inode, list: &mut List<'_>) -> Result {
        // SAFETY: By the safety requirements.
        U::list(unsafe { Inode::from_raw(inode) }, list)
    }

    /// # Safety
    ///
    /// `inode` must be a pinned inode of this file system.
    unsafe fn get_full(inode: *mut bindings::inode, name: &[u8], buf: &mut [u8]) -> Result<usize> {
        // SAFETY: By the safety requirements.
        U::get(unsafe { Inode::from_raw(inode) }, name, buf)
    }

    /// # Safety
    ///
    /// `inode` must be a pinned inode of this file system, locked
    /// exclusively.
    unsafe fn set_full(inode: *mut bindings::inode, name: &[u8], value: Option<&[u8]>) -> Result {
        // SAFETY: By the safety requirements.
        let inode = unsafe { Locked::<'_, U::FileSystem, Exclusive>::new(Inode::from_raw(inode)) };
        U::set(&inode, name, value, SetMode::Any)
    }
}

/// `->listxattr` of every inode of a file system with [`Handlers`].
///
/// # Safety
///
/// Called by the VFS with a pinned positive dentry.
pub(crate) unsafe extern "C" fn listxattr(
    dentry: *mut bindings::dentry,
    buffer: *mut c_char,
    size: usize,
) -> isize {
    // SAFETY: The dentry and its superblock are pinned, and the superblock
    // is of a file system of these bindings, whose operations these are.
    let (inode, handler) = unsafe { ((*dentry).d_inode, Handler::of((*dentry).d_sb)) };
    let Some(handler) = handler else {
        return 0;
    };
    let buf = if buffer.is_null() || size == 0 {
        None
    } else {
        // SAFETY: The VFS gives a kernel buffer of `size` bytes.
        Some(unsafe { core::slice::from_raw_parts_mut(buffer.cast::<u8>(), size) })
    };
    let mut list = List {
        buf,
        used: 0,
        // Listing is no privileged operation, so it is not audited; as in
        // `simple_xattr_list()`, CAP_SYS_ADMIN only shows "trusted." names.
        // SAFETY: Only reads the current task's credentials and the static
        // `init_user_ns`.
        trusted: unsafe {
            bindings::ns_capable_noaudit(
                &raw mut bindings::init_user_ns,
                bindings::CAP_SYS_ADMIN as c_int,
            )
        },
    };
    // SAFETY: `inode` is the pinned inode of `dentry`, of the file system
    // whose handlers these are.
    match unsafe { (handler.list)(inode, &mut list) } {
        Ok(()) => list.used as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// Lets the LSMs label a new inode (`security_inode_init_security()`), and
/// passes each extended attribute they give it to `store`.
///
/// # Safety
///
/// `inode` must be a new, initialised inode that nothing can reach by name
/// yet, `dir` the pinned directory it is being created in, and `qstr` null
/// (a file with no name, `O_TMPFILE`) or its name, valid for the call.
pub(crate) unsafe fn init_security(
    inode: *mut bindings::inode,
    dir: *mut bindings::inode,
    qstr: *const bindings::qstr,
    store: InitXattrs<'_>,
) -> Result {
    let mut store = store;
    // SAFETY: By the safety requirements; `initxattrs()` only runs during
    // the call, while `store` lives.
    to_result(unsafe {
        bindings::security_inode_init_security(
            inode,
            dir,
            qstr,
            Some(initxattrs),
            (&raw mut store).cast(),
        )
    })
}

/// The `initxattrs` callback of [`init_security`].
///
/// # Safety
///
/// `xattrs` must be an array ended by an entry with a null name, and
/// `data` the `InitXattrs` that [`init_security`] passed, for the call.
unsafe extern "C" fn initxattrs(
    _inode: *mut bindings::inode,
    xattrs: *const bindings::xattr,
    data: *mut c_void,
) -> c_int {
    const PREFIX: &[u8] = b"security.";
    // SAFETY: By the safety requirements.
    let store = unsafe { &mut *data.cast::<InitXattrs<'_>>() };
    let mut full = [0u8; NAME_MAX + 1];
    full[..PREFIX.len()].copy_from_slice(PREFIX);
    let mut x = xattrs;
    // SAFETY: The array is ended by a null name (safety requirements), and
    // each entry before it has a NUL-terminated name and `value_len` bytes
    // of value, as the LSMs fill them in.
    while let Some((name, value)) = unsafe {
        (!(*x).name.is_null()).then(|| {
            (
                CStr::from_char_ptr((*x).name).to_bytes(),
                if (*x).value.is_null() {
                    &[][..]
                } else {
                    core::slice::from_raw_parts((*x).value.cast::<u8>(), (*x).value_len)
                },
            )
        })
    } {
        let len = PREFIX.len() + name.len();
        if len > NAME_MAX {
            return ERANGE.to_errno();
        }
        full[PREFIX.len()..len].copy_from_slice(name);
        if let Err(e) = store(&full[..len], value) {
            return e.to_errno();
        }
        // SAFETY: `x` is not the last entry, which has a null name.
        x = unsafe { x.add(1) };
    }
    0
}
