// SPDX-License-Identifier: GPL-2.0

//! Filesystem parameters (mount options).
//!
//! A file system describes its parameters with a static [`Table`], built by
//! [`fs_param_table!`](crate::fs_param_table). The VFS parses each parameter against it with
//! `fs_parse()`, which already rejects unknown keys and malformed values with
//! a message, and the file system receives the result as a [`Param`].
//!
//! C headers: [`include/linux/fs_parser.h`](srctree/include/linux/fs_parser.h) and
//! [`include/linux/fs_context.h`](srctree/include/linux/fs_context.h).

use crate::{
    bindings, fmt,
    prelude::*,
    str::CString,
    task::{Kgid, Kuid},
};
use core::marker::PhantomData;

/// One parameter in a [`Table`]: its name, its type and the option number
/// that [`Param::opt`] returns for it.
///
/// The constructors mirror the C `fsparam_*()` macros.
#[repr(transparent)]
pub struct Spec(bindings::fs_parameter_spec);

// SAFETY: A `Spec` only holds pointers to `'static` strings and C functions and is never
// mutated, so sharing it between threads is fine.
unsafe impl Sync for Spec {}

impl Spec {
    const fn new(
        name: &'static CStr,
        opt: u8,
        type_: bindings::fs_param_type,
        flags: u32,
        data: usize,
    ) -> Self {
        Self(bindings::fs_parameter_spec {
            name: crate::str::as_char_ptr_in_const_context(name),
            type_,
            opt,
            flags: flags as u16,
            data: data as *const c_void,
        })
    }

    /// A flag without a value (`fsparam_flag`).
    pub const fn flag(name: &'static CStr, opt: u8) -> Self {
        Self::new(name, opt, None, 0, 0)
    }

    /// A flag that may be negated as `noNAME` (`fsparam_flag_no`); see [`Param::negated`].
    pub const fn flag_no(name: &'static CStr, opt: u8) -> Self {
        Self::new(name, opt, None, bindings::fs_param_neg_with_no, 0)
    }

    /// A decimal `u32` (`fsparam_u32`); see [`Param::as_u32`].
    pub const fn u32(name: &'static CStr, opt: u8) -> Self {
        Self::new(name, opt, Some(bindings::fs_param_is_u32), 0, 0)
    }

    /// An octal `u32` (`fsparam_u32oct`), as used for permission modes.
    pub const fn u32oct(name: &'static CStr, opt: u8) -> Self {
        Self::new(name, opt, Some(bindings::fs_param_is_u32), 0, 8)
    }

    /// A `u64` (`fsparam_u64`); see [`Param::as_u64`].
    pub const fn u64(name: &'static CStr, opt: u8) -> Self {
        Self::new(name, opt, Some(bindings::fs_param_is_u64), 0, 0)
    }

    /// A string (`fsparam_string`); see [`Param::as_str`].
    pub const fn string(name: &'static CStr, opt: u8) -> Self {
        Self::new(name, opt, Some(bindings::fs_param_is_string), 0, 0)
    }

    /// A user id, mapped through the mounter's user namespace (`fsparam_uid`).
    pub const fn uid(name: &'static CStr, opt: u8) -> Self {
        Self::new(name, opt, Some(bindings::fs_param_is_uid), 0, 0)
    }

    /// A group id, mapped through the mounter's user namespace (`fsparam_gid`).
    pub const fn gid(name: &'static CStr, opt: u8) -> Self {
        Self::new(name, opt, Some(bindings::fs_param_is_gid), 0, 0)
    }

    /// The terminating entry. Use [`fs_param_table!`](crate::fs_param_table), which adds it.
    pub const END: Self = Self(pin_init::zeroed());
}

/// A parameter table: a slice of [`Spec`] ending with [`Spec::END`], as
/// `fs_parse()` expects.
///
/// # Invariants
///
/// The last entry of `0` is [`Spec::END`].
pub struct Table(&'static [Spec]);

impl Table {
    /// Creates a table from `specs`.
    ///
    /// # Safety
    ///
    /// The last element of `specs` must be [`Spec::END`].
    pub const unsafe fn new(specs: &'static [Spec]) -> Self {
        // INVARIANT: The caller guarantees the terminator.
        Self(specs)
    }

    /// An empty table: the file system takes no parameters.
    pub const EMPTY: Self = Self(&[Spec::END]);

    pub(crate) const fn as_ptr(&self) -> *const bindings::fs_parameter_spec {
        self.0.as_ptr().cast()
    }
}

/// Builds a [`Table`] from [`Spec`]s, adding the terminator.
///
/// # Examples
///
/// ```
/// use kernel::{fs::param::{Spec, Table}, fs_param_table};
///
/// const OPT_MODE: u8 = 0;
/// const OPT_SIZE: u8 = 1;
/// static PARAMS: Table = fs_param_table![
///     Spec::u32oct(c"mode", OPT_MODE),
///     Spec::u64(c"size", OPT_SIZE),
/// ];
/// # let _ = &PARAMS;
/// ```
#[macro_export]
macro_rules! fs_param_table {
    ($($spec:expr),* $(,)?) => {{
        const SPECS: &[$crate::fs::param::Spec] = &[$($spec,)* $crate::fs::param::Spec::END];
        // SAFETY: `SPECS` ends with `Spec::END`.
        unsafe { $crate::fs::param::Table::new(SPECS) }
    }};
}

/// The error log of a mount or remount: `mount(2)` users see its messages
/// in the kernel log, `fsconfig(2)` users read them from the context.
///
/// # Invariants
///
/// `log` is the `p_log` of a context that is valid for `'a`.
pub struct Log<'a> {
    log: *mut bindings::p_log,
    _p: PhantomData<&'a ()>,
}

impl Log<'_> {
    /// # Safety
    ///
    /// `log` must be the `p_log` of a context that is valid for `'a`.
    pub(crate) unsafe fn from_raw(log: *mut bindings::p_log) -> Self {
        // INVARIANT: By the safety requirements.
        Self {
            log,
            _p: PhantomData,
        }
    }

    /// Logs `msg` as an error, prefixed by `what`, and returns `EINVAL` for
    /// the caller to return to the VFS (like C's `invalfc()`).
    pub fn invalf(&self, what: &CStr, msg: fmt::Arguments<'_>) -> Error {
        let log = self.log;
        match CString::try_from_fmt(msg) {
            // SAFETY: `log` is valid (type invariant), and the format takes
            // two C strings, which are what is passed.
            Ok(s) => unsafe {
                bindings::logfc(
                    (*log).log,
                    (*log).prefix,
                    b'e' as c_char,
                    c"%s: %s".as_char_ptr(),
                    what.as_char_ptr(),
                    s.as_char_ptr(),
                )
            },
            // SAFETY: As above, with one C string.
            Err(_) => unsafe {
                bindings::logfc(
                    (*log).log,
                    (*log).prefix,
                    b'e' as c_char,
                    c"%s: invalid".as_char_ptr(),
                    what.as_char_ptr(),
                )
            },
        }
        EINVAL
    }
}

/// A parameter that `fs_parse()` matched against the file system's [`Table`].
///
/// The value accessors read what the matching [`Spec`] asked `fs_parse()` to
/// produce; using an accessor for another type gives a meaningless value, never
/// undefined behaviour.
///
/// # Invariants
///
/// `fc` and `param` are valid for `'a`, and `result` is what `fs_parse()` returned for them.
pub struct Param<'a> {
    fc: *mut bindings::fs_context,
    param: *mut bindings::fs_parameter,
    opt: u8,
    result: bindings::fs_parse_result,
    _p: PhantomData<&'a ()>,
}

impl<'a> Param<'a> {
    /// Parses `param` against `table`. Returns `Err(ENOPARAM)` for a key the table does not
    /// know, which the VFS turns into "Unknown parameter".
    ///
    /// # Safety
    ///
    /// `fc` and `param` must be valid for `'a`, as in `fs_context_operations::parse_param`.
    pub(crate) unsafe fn parse(
        fc: *mut bindings::fs_context,
        param: *mut bindings::fs_parameter,
        table: &Table,
    ) -> Result<Self> {
        let mut result: bindings::fs_parse_result = pin_init::zeroed();
        // SAFETY: `fc` and `param` are valid by the safety requirements, and `table` is
        // terminated by its type invariant. `fs_parse()` is a `static inline` wrapper of this.
        let opt =
            unsafe { bindings::__fs_parse(&raw mut (*fc).log, table.as_ptr(), param, &mut result) };
        let opt = crate::error::to_result(opt).map(|()| opt)?;
        // INVARIANT: `result` was filled in by `fs_parse()` for `fc` and `param`.
        Ok(Self {
            fc,
            param,
            opt: opt as u8,
            result,
            _p: PhantomData,
        })
    }

    /// The option number of the matching [`Spec`].
    pub fn opt(&self) -> u8 {
        self.opt
    }

    /// The parameter's name, as given by the user.
    pub fn key(&self) -> &'a CStr {
        // SAFETY: `param` is valid for `'a` and its key is a NUL-terminated string.
        unsafe { CStr::from_char_ptr((*self.param).key) }
    }

    /// Whether a [`Spec::flag_no`] parameter was given as `noNAME`.
    pub fn negated(&self) -> bool {
        self.result.negated
    }

    /// The value of a [`Spec::u32`] or [`Spec::u32oct`] parameter.
    pub fn as_u32(&self) -> u32 {
        // SAFETY: Every bit pattern is a valid `u32`, and the union is fully initialised.
        unsafe { self.result.__bindgen_anon_1.uint_32 }
    }

    /// The value of a [`Spec::u64`] parameter.
    pub fn as_u64(&self) -> u64 {
        // SAFETY: Every bit pattern is a valid `u64`, and the union is fully initialised.
        unsafe { self.result.__bindgen_anon_1.uint_64 }
    }

    /// The value of a [`Spec::uid`] parameter.
    pub fn as_uid(&self) -> Kuid {
        // SAFETY: `kuid_t` is a plain integer, and the union is fully initialised.
        Kuid::from_raw(unsafe { self.result.__bindgen_anon_1.uid })
    }

    /// The value of a [`Spec::gid`] parameter.
    pub fn as_gid(&self) -> Kgid {
        // SAFETY: `kgid_t` is a plain integer, and the union is fully initialised.
        Kgid::from_raw(unsafe { self.result.__bindgen_anon_1.gid })
    }

    /// The value of a [`Spec::string`] parameter.
    pub fn as_str(&self) -> Option<&'a CStr> {
        // SAFETY: `param` is valid for `'a`.
        let p = unsafe { &*self.param };
        if p.type_() != bindings::fs_value_type_fs_value_is_string {
            return None;
        }
        // SAFETY: For `fs_value_is_string`, `string` is a NUL-terminated string owned by
        // `param`, which outlives `'a`.
        Some(unsafe { CStr::from_char_ptr(p.__bindgen_anon_1.string) })
    }

    /// Logs "`key`: `msg`" as an error of this mount and returns `EINVAL`;
    /// see [`Log::invalf`].
    pub fn invalf(&self, msg: fmt::Arguments<'_>) -> Error {
        // SAFETY: `fc` is valid for `'a` (type invariant).
        let log = unsafe { Log::from_raw(&raw mut (*self.fc).log) };
        log.invalf(self.key(), msg)
    }
}
