// SPDX-License-Identifier: GPL-2.0

//! File modes and device numbers.

use crate::{bindings, fs::dir::DirType};

/// A file mode (`umode_t`): the file type bits and the permission bits,
/// with `S_ISUID`, `S_ISGID` and `S_ISVTX`.
///
/// # Examples
///
/// ```
/// use kernel::fs::{dir::DirType, inode::Mode};
///
/// let m = Mode::from_raw(0o040755);
/// assert!(m.is_dir());
/// assert_eq!(m.file_type(), DirType::Dir);
/// assert_eq!(m.perm(), 0o755);
/// assert_eq!(Mode::from_raw(0o104755).perm(), 0o4755);
/// assert_eq!(Mode::from_raw(0o644).file_type(), DirType::Unknown);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Mode(u16);

impl Mode {
    /// The mode of a file of type `typ` with the permission bits of `perm`
    /// ([`Mode::perm`]). A whiteout is a character device, and
    /// [`DirType::Unknown`] gives no type bits.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::fs::{dir::DirType, inode::Mode};
    ///
    /// assert_eq!(Mode::new(DirType::Dir, 0o755), Mode::from_raw(0o040755));
    /// assert_eq!(Mode::new(DirType::Lnk, 0o777).file_type(), DirType::Lnk);
    /// assert_eq!(Mode::new(DirType::Reg, 0o100644).perm(), 0o644);
    /// assert_eq!(Mode::new(DirType::Wht, 0).file_type(), DirType::Chr);
    /// ```
    pub const fn new(typ: DirType, perm: u16) -> Self {
        // `DT_*` is the type bits shifted down (`S_DT()`).
        let typ = match typ {
            DirType::Wht => DirType::Chr,
            t => t,
        };
        Self(((typ as u16) << 12) | (perm & bindings::S_IALLUGO as u16))
    }

    /// A mode from its raw value.
    pub const fn from_raw(mode: u16) -> Self {
        Self(mode)
    }

    /// The raw value.
    pub const fn as_raw(self) -> u16 {
        self.0
    }

    /// The permission bits, with `S_ISUID`, `S_ISGID` and `S_ISVTX`
    /// (`S_IALLUGO`).
    pub const fn perm(self) -> u16 {
        self.0 & bindings::S_IALLUGO as u16
    }

    /// The file type, as `readdir` reports it; [`DirType::Unknown`] if the
    /// mode has no valid type bits (`fs_umode_to_dtype()`).
    pub fn file_type(self) -> DirType {
        DirType::from_mode(self.0)
    }

    /// Whether this is the mode of a directory (`S_ISDIR()`).
    pub const fn is_dir(self) -> bool {
        self.0 as u32 & bindings::S_IFMT == bindings::S_IFDIR
    }
}

/// A device number (`dev_t`): a major and a minor number.
///
/// # Examples
///
/// ```
/// use kernel::fs::inode::Dev;
///
/// let d = Dev::new(8, 1);
/// assert_eq!((d.major(), d.minor()), (8, 1));
/// assert_eq!(Dev::from_raw(d.as_raw()), d);
/// assert_eq!(Dev::new(1 << 12, 0).major(), 0);
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Dev(u32);

impl Dev {
    const MINOR_BITS: u32 = 20;
    const MINOR_MASK: u32 = (1 << Self::MINOR_BITS) - 1;

    /// The device `major:minor` (`MKDEV()`). Only the low 12 bits of
    /// `major` and 20 bits of `minor` fit; the others are dropped.
    pub const fn new(major: u32, minor: u32) -> Self {
        Self((major << Self::MINOR_BITS) | (minor & Self::MINOR_MASK))
    }

    /// A device number from its raw value.
    pub const fn from_raw(dev: u32) -> Self {
        Self(dev)
    }

    /// The raw value.
    pub const fn as_raw(self) -> u32 {
        self.0
    }

    /// The major number (`MAJOR()`).
    pub const fn major(self) -> u32 {
        self.0 >> Self::MINOR_BITS
    }

    /// The minor number (`MINOR()`).
    pub const fn minor(self) -> u32 {
        self.0 & Self::MINOR_MASK
    }
}
