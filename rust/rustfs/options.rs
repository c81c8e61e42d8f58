// SPDX-License-Identifier: GPL-2.0

//! Mount options.

use kernel::{
    fs::{
        param::{Log, Param, Spec, Table},
        Stat,
    },
    fs_param_table,
    prelude::*,
    seq_file::{seq_print, SeqFile},
    task::{Kgid, Kuid},
};

const OPT_MODE: u8 = 0;
const OPT_UID: u8 = 1;
const OPT_GID: u8 = 2;
const OPT_SIZE: u8 = 3;
const OPT_NR_INODES: u8 = 4;
const OPT_CASEFOLD: u8 = 5;
const OPT_PRIME_DCACHE: u8 = 6;
const OPT_LOOKUP_DELAY_US: u8 = 7;
const OPT_SILLY_RENAME: u8 = 8;
const OPT_CREATE_DELAY_US: u8 = 9;
const OPT_LAZY_PRIME: u8 = 10;
const OPT_PAR_DIROPS: u8 = 11;

/// The longest `lookup_delay_us` or `create_delay_us`: one second.
pub(crate) const MAX_DELAY_US: u32 = 1_000_000;

/// The options rustfs accepts.
pub(crate) static PARAMS: Table = fs_param_table![
    Spec::u32oct(c"mode", OPT_MODE),
    Spec::uid(c"uid", OPT_UID),
    Spec::gid(c"gid", OPT_GID),
    Spec::string(c"size", OPT_SIZE),
    Spec::string(c"nr_inodes", OPT_NR_INODES),
    Spec::flag(c"casefold", OPT_CASEFOLD),
    Spec::flag_no(c"prime_dcache", OPT_PRIME_DCACHE),
    Spec::u32(c"lookup_delay_us", OPT_LOOKUP_DELAY_US),
    Spec::flag_no(c"silly_rename", OPT_SILLY_RENAME),
    Spec::u32(c"create_delay_us", OPT_CREATE_DELAY_US),
    Spec::flag_no(c"lazy_prime", OPT_LAZY_PRIME),
    Spec::flag(c"par_dirops", OPT_PAR_DIROPS),
];

/// The options given to one mount or remount; `None` where not given.
#[derive(Default)]
pub(crate) struct Options {
    mode: Option<u16>,
    uid: Option<Kuid>,
    gid: Option<Kgid>,
    pub(crate) size: Option<u64>,
    pub(crate) nr_inodes: Option<u64>,
    casefold: Option<bool>,
    par_dirops: Option<bool>,
    pub(crate) prime_dcache: Option<bool>,
    pub(crate) lazy_prime: Option<bool>,
    pub(crate) lookup_delay_us: Option<u32>,
    pub(crate) create_delay_us: Option<u32>,
    pub(crate) silly_rename: Option<bool>,
}

/// Parses a number with an optional binary suffix (k, m, g, t, p, e), as
/// tmpfs's `size=` and `nr_inodes=` take it (`memparse()`).
fn parse_size(s: &[u8]) -> Option<u64> {
    let (digits, shift) = match s.last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 10),
        b'm' | b'M' => (&s[..s.len() - 1], 20),
        b'g' | b'G' => (&s[..s.len() - 1], 30),
        b't' | b'T' => (&s[..s.len() - 1], 40),
        b'p' | b'P' => (&s[..s.len() - 1], 50),
        b'e' | b'E' => (&s[..s.len() - 1], 60),
        _ => (s, 0),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    n.checked_mul(1 << shift)
}

/// Parses `size=`: bytes as [`parse_size`] takes them, or a percentage of
/// RAM (`50%`), rounded up to whole pages as tmpfs does, since the store
/// allocates file contents by the page.
fn parse_bytes(s: &[u8]) -> Option<u64> {
    let page = kernel::page::PAGE_SIZE as u64;
    let bytes = match s.strip_suffix(b"%") {
        Some(pct) => {
            let pct = parse_size(pct)?;
            Stat::ram_pages().checked_mul(pct)?.checked_mul(page)? / 100
        }
        None => parse_size(s)?,
    };
    bytes.checked_next_multiple_of(page)
}

impl Options {
    /// Records one parsed parameter.
    pub(crate) fn parse(&mut self, p: &Param<'_>) -> Result {
        match p.opt() {
            OPT_MODE => {
                let mode = p.as_u32();
                if mode > 0o7777 {
                    return Err(p.invalf(fmt!("{mode:o} is not a permission mode (at most 7777)")));
                }
                self.mode = Some(mode as u16);
            }
            OPT_UID => self.uid = Some(p.as_uid()),
            OPT_GID => self.gid = Some(p.as_gid()),
            OPT_SIZE => {
                let s = p.as_str().ok_or(EINVAL)?;
                let Some(n) = parse_bytes(s.to_bytes()) else {
                    return Err(p.invalf(fmt!(
                        "'{}' is not a size (a number with an optional k, m, g, t, p or e \
                         suffix, or a percentage of RAM)",
                        s.to_str().unwrap_or("?")
                    )));
                };
                self.size = Some(n);
            }
            OPT_NR_INODES => {
                let s = p.as_str().ok_or(EINVAL)?;
                let Some(n) = parse_size(s.to_bytes()) else {
                    return Err(p.invalf(fmt!(
                        "'{}' is not a number with an optional k, m, g, t, p or e suffix",
                        s.to_str().unwrap_or("?")
                    )));
                };
                self.nr_inodes = Some(n);
            }
            OPT_CASEFOLD | OPT_PAR_DIROPS => {
                // Names that differ in case only are different dentries,
                // each with its own name lock.
                let other = if p.opt() == OPT_CASEFOLD {
                    self.par_dirops
                } else {
                    self.casefold
                };
                if other.is_some() {
                    return Err(p.invalf(fmt!("casefold and par_dirops exclude each other")));
                }
                if p.opt() == OPT_CASEFOLD {
                    self.casefold = Some(true);
                } else {
                    self.par_dirops = Some(true);
                }
            }
            OPT_PRIME_DCACHE => self.prime_dcache = Some(!p.negated()),
            OPT_LAZY_PRIME => self.lazy_prime = Some(!p.negated()),
            OPT_SILLY_RENAME => self.silly_rename = Some(!p.negated()),
            OPT_LOOKUP_DELAY_US | OPT_CREATE_DELAY_US => {
                let us = p.as_u32();
                if us > MAX_DELAY_US {
                    return Err(
                        p.invalf(fmt!("{us} is too long a delay (at most {MAX_DELAY_US} us)"))
                    );
                }
                if p.opt() == OPT_LOOKUP_DELAY_US {
                    self.lookup_delay_us = Some(us);
                } else {
                    self.create_delay_us = Some(us);
                }
            }
            _ => return Err(EINVAL),
        }
        Ok(())
    }

    /// Permission bits of the root directory.
    pub(crate) fn mode(&self) -> u16 {
        self.mode.unwrap_or(0o755)
    }

    /// Owner of the root directory.
    pub(crate) fn uid(&self) -> Kuid {
        self.uid.unwrap_or(Kuid::GLOBAL_ROOT)
    }

    /// Group of the root directory.
    pub(crate) fn gid(&self) -> Kgid {
        self.gid.unwrap_or(Kgid::GLOBAL_ROOT)
    }

    /// Whether names are compared without regard to ASCII case.
    pub(crate) fn casefold(&self) -> bool {
        self.casefold.unwrap_or(false)
    }

    /// Whether directory operations on different names run in parallel.
    pub(crate) fn par_dirops(&self) -> bool {
        self.par_dirops.unwrap_or(false)
    }

    /// Shows the mount-time options that differ from the defaults.
    pub(crate) fn show(&self, m: &SeqFile) {
        if self.mode() != 0o755 {
            seq_print!(m, ",mode={:o}", self.mode());
        }
        let uid = self.uid().in_init_ns();
        if uid != 0 {
            seq_print!(m, ",uid={uid}");
        }
        let gid = self.gid().in_init_ns();
        if gid != 0 {
            seq_print!(m, ",gid={gid}");
        }
        if self.casefold() {
            seq_print!(m, ",casefold");
        }
        if self.par_dirops() {
            seq_print!(m, ",par_dirops");
        }
    }

    /// Checks what a remount asks for against the options of the mount,
    /// `mounted`. The root's attributes, the name comparison and the
    /// directory locking are set at mount time only (chmod and chown change
    /// the root afterwards): a remount may repeat them, as
    /// `mount -o remount` does with what /proc/mounts shows, but not change
    /// them.
    pub(crate) fn check_remount(&self, mounted: &Options, log: &Log<'_>) -> Result {
        let differs = self.mode.is_some_and(|m| m != mounted.mode())
            || self.uid.is_some_and(|u| u != mounted.uid())
            || self
                .gid
                .is_some_and(|g| g.in_init_ns() != mounted.gid().in_init_ns());
        if differs {
            return Err(log.invalf(
                c"remount",
                fmt!("mode, uid and gid apply at mount time only"),
            ));
        }
        if self.casefold.is_some_and(|c| c != mounted.casefold()) {
            return Err(log.invalf(c"remount", fmt!("casefold applies at mount time only")));
        }
        if self.par_dirops.is_some_and(|c| c != mounted.par_dirops()) {
            return Err(log.invalf(c"remount", fmt!("par_dirops applies at mount time only")));
        }
        Ok(())
    }
}
