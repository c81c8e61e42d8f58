/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Headers of the VFS abstractions (rust/kernel/fs/), included from
 * rust/bindings/bindings_helper.h, and the constants bindgen cannot
 * evaluate on its own.
 */

#include <linux/dcache.h>
#include <linux/falloc.h>
#include <linux/fileattr.h>
#include <linux/filelock.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/xattr.h>

const unsigned int RUST_CONST_HELPER_LOOKUP_SHARED = LOOKUP_SHARED;
const unsigned int RUST_CONST_HELPER_LOOKUP_CREATE = LOOKUP_CREATE;
const unsigned int RUST_CONST_HELPER_LOOKUP_EXCL = LOOKUP_EXCL;
const unsigned int RUST_CONST_HELPER_LOOKUP_RENAME_TARGET = LOOKUP_RENAME_TARGET;
const unsigned long RUST_CONST_HELPER_SB_POSIXACL = SB_POSIXACL;
const slab_flags_t RUST_CONST_HELPER_SLAB_ACCOUNT = SLAB_ACCOUNT;
const slab_flags_t RUST_CONST_HELPER_SLAB_RECLAIM_ACCOUNT = SLAB_RECLAIM_ACCOUNT;
const fgf_t RUST_CONST_HELPER_FGP_WRITEBEGIN = FGP_WRITEBEGIN;
const fmode_t RUST_CONST_HELPER_FMODE_OPENED = FMODE_OPENED;
const fmode_t RUST_CONST_HELPER_FMODE_CAN_ODIRECT = FMODE_CAN_ODIRECT;
const gfp_t RUST_CONST_HELPER_GFP_HIGHUSER = GFP_HIGHUSER;
