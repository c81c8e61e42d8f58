// SPDX-License-Identifier: GPL-2.0

//! The file system type and its superblocks.

use crate::options::{Options, PARAMS};
use kernel::{
    fs::{
        dentry::Root,
        filesystem::FileSystem,
        inode::{Kind, Lookup, Params},
        param::{Log, Param, Table},
        sb::{self, SuperBlock},
    },
    prelude::*,
    seq_file::SeqFile,
};

/// `statfs(2)`'s `f_type` for rustfs: "RUST".
const RUSTFS_MAGIC: c_ulong = 0x5255_5354;
const ROOT_INO: u64 = 1;

pub(crate) struct RustFs;

/// Per-superblock state.
pub(crate) struct Super {
    opts: Options,
}

impl FileSystem for RustFs {
    const NAME: &'static CStr = c"rustfs";
    const PARAMS: &'static Table = &PARAMS;
    type Options = Options;
    type Data = KBox<Super>;

    fn parse_param(opts: &mut Options, param: &Param<'_>) -> Result {
        opts.parse(param)
    }

    fn fill_super(sb: &SuperBlock<Self, sb::New>, opts: Options) -> Result<KBox<Super>> {
        sb.set_params(&sb::Params {
            magic: RUSTFS_MAGIC,
            blocksize_bits: kernel::page::PAGE_SHIFT as u8,
            maxbytes: i64::MAX,
            time_gran: 1,
        })?;
        KBox::new(Super { opts }, GFP_KERNEL).map_err(Into::into)
    }

    fn init_root(sb: &SuperBlock<Self>) -> Result<Root<'_, Self>> {
        let inode = match sb.get_or_create_inode(ROOT_INO)? {
            Lookup::Cached(inode) => inode,
            Lookup::New(new) => {
                let opts = &sb.data().opts;
                new.init(
                    Kind::SimpleDir,
                    Params {
                        mode: opts.mode(),
                        uid: opts.uid(),
                        gid: opts.gid(),
                    },
                )
            }
        };
        Root::try_new(inode)
    }

    fn reconfigure(_sb: &SuperBlock<Self>, opts: Options, log: &Log<'_>) -> Result {
        opts.check_remount(log)
    }

    fn show_options(sb: &SuperBlock<Self>, m: &SeqFile) -> Result {
        sb.data().opts.show(m);
        Ok(())
    }
}
