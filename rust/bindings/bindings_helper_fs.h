/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Headers of the VFS abstractions (rust/kernel/fs/), included from
 * rust/bindings/bindings_helper.h.
 */

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/statfs.h>
