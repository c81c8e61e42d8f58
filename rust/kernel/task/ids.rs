// SPDX-License-Identifier: GPL-2.0

//! Group identifiers, beside [`Kuid`], and the ids as the initial user
//! namespace sees them, which is how file systems store and show them.
//!
//! C header: [`include/linux/uidgid.h`](srctree/include/linux/uidgid.h).

use super::Kuid;
use crate::bindings;

/// The type of group identifiers (`kgid_t`).
#[derive(Copy, Clone)]
pub struct Kgid {
    kgid: bindings::kgid_t,
}

impl Kgid {
    /// The root group of the initial user namespace (`GLOBAL_ROOT_GID`).
    pub const GLOBAL_ROOT: Self = Self {
        kgid: bindings::kgid_t { val: 0 },
    };

    /// Create a `Kgid` given the raw C type.
    #[inline]
    pub fn from_raw(kgid: bindings::kgid_t) -> Self {
        Self { kgid }
    }

    /// Turn this kgid into the raw C type.
    #[inline]
    pub fn into_raw(self) -> bindings::kgid_t {
        self.kgid
    }

    /// The group id as the initial user namespace sees it, or the overflow
    /// id if it has none there (`from_kgid_munged(&init_user_ns, gid)`).
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::task::Kgid;
    ///
    /// assert_eq!(Kgid::GLOBAL_ROOT.in_init_ns(), 0);
    /// ```
    #[inline]
    pub fn in_init_ns(self) -> u32 {
        // SAFETY: `init_user_ns` is static; the function only reads it.
        unsafe { bindings::from_kgid_munged(&raw mut bindings::init_user_ns, self.kgid) }
    }
}

impl PartialEq for Kgid {
    #[inline]
    fn eq(&self, other: &Kgid) -> bool {
        // SAFETY: Just an FFI call.
        unsafe { bindings::gid_eq(self.kgid, other.kgid) }
    }
}

impl Eq for Kgid {}

impl Kuid {
    /// The root user of the initial user namespace (`GLOBAL_ROOT_UID`).
    pub const GLOBAL_ROOT: Self = Self {
        kuid: bindings::kuid_t { val: 0 },
    };

    /// The user id as the initial user namespace sees it, or the overflow
    /// id if it has none there (`from_kuid_munged(&init_user_ns, uid)`).
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::task::Kuid;
    ///
    /// assert_eq!(Kuid::GLOBAL_ROOT.in_init_ns(), 0);
    /// ```
    #[inline]
    pub fn in_init_ns(self) -> u32 {
        // SAFETY: `init_user_ns` is static; the function only reads it.
        unsafe { bindings::from_kuid_munged(&raw mut bindings::init_user_ns, self.into_raw()) }
    }
}
