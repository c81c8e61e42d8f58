// SPDX-License-Identifier: GPL-2.0

//! Mount options.

use kernel::{
    fs::param::{Kgid, Param, Spec, Table},
    fs_param_table,
    prelude::*,
    task::Kuid,
};

const OPT_MODE: u8 = 0;
const OPT_UID: u8 = 1;
const OPT_GID: u8 = 2;

/// The options rustfs accepts.
pub(crate) static PARAMS: Table = fs_param_table![
    Spec::u32oct(c"mode", OPT_MODE),
    Spec::uid(c"uid", OPT_UID),
    Spec::gid(c"gid", OPT_GID),
];

/// Options of one mount.
pub(crate) struct Options {
    /// Permission bits of the root directory.
    pub(crate) mode: u16,
    /// Owner of the root directory.
    pub(crate) uid: Kuid,
    /// Group of the root directory.
    pub(crate) gid: Kgid,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            mode: 0o755,
            uid: Kuid::from_raw(kernel::bindings::kuid_t { val: 0 }),
            gid: Kgid::from_raw(kernel::bindings::kgid_t { val: 0 }),
        }
    }
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
                self.mode = mode as u16;
            }
            OPT_UID => self.uid = p.as_uid(),
            OPT_GID => self.gid = p.as_gid(),
            _ => return Err(EINVAL),
        }
        Ok(())
    }
}
