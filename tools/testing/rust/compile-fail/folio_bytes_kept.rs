// SPDX-License-Identifier: GPL-2.0
// expect: lifetime may not live long enough
//! A folio's bytes under writeback are mapped only for the call to
//! `write_back`: they cannot be kept for later.
#![allow(dead_code)]

use kernel::fs::address_space::FolioBytes;

fn misuse<'a>(data: &'a FolioBytes<'a>) -> &'a FolioBytes<'static> {
    data
}
