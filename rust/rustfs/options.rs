// SPDX-License-Identifier: GPL-2.0

//! Mount options.

use kernel::{
    fs::param::{global_root_uid, uid_in_init_ns, Kgid, Log, Param, Spec, Table},
    fs_param_table,
    prelude::*,
    seq_file::{seq_print, SeqFile},
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

/// The options given to one mount or remount; `None` where not given.
#[derive(Default)]
pub(crate) struct Options {
    mode: Option<u16>,
    uid: Option<Kuid>,
    gid: Option<Kgid>,
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
        self.uid.unwrap_or_else(global_root_uid)
    }

    /// Group of the root directory.
    pub(crate) fn gid(&self) -> Kgid {
        self.gid.unwrap_or(Kgid::GLOBAL_ROOT)
    }

    /// Shows the options that differ from the defaults, as tmpfs does.
    pub(crate) fn show(&self, m: &SeqFile) {
        if self.mode() != 0o755 {
            seq_print!(m, ",mode={:o}", self.mode());
        }
        let uid = uid_in_init_ns(self.uid());
        if uid != 0 {
            seq_print!(m, ",uid={uid}");
        }
        let gid = self.gid().in_init_ns();
        if gid != 0 {
            seq_print!(m, ",gid={gid}");
        }
    }

    /// Checks what a remount asks for. The root's attributes are set only at
    /// mount time; chmod and chown change them afterwards.
    pub(crate) fn check_remount(&self, log: &Log<'_>) -> Result {
        if self.mode.is_some() || self.uid.is_some() || self.gid.is_some() {
            return Err(log.invalf(
                c"remount",
                fmt!("mode, uid and gid apply at mount time only"),
            ));
        }
        Ok(())
    }
}
