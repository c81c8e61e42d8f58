// SPDX-License-Identifier: GPL-2.0

/*
 * Helpers for the VFS abstractions in rust/kernel/fs/: static inline
 * functions of include/linux/{backing-dev,fs,dcache,fileattr,pagemap}.h,
 * include/linux/{cred,highmem,memcontrol,posix_acl,security,uidgid}.h,
 * include/linux/sched/{mm,signal}.h and include/linux/wait_bit.h.
 */

#include <linux/backing-dev.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fileattr.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/memcontrol.h>
#include <linux/pagemap.h>
#include <linux/posix_acl.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/uidgid.h>
#include <linux/wait_bit.h>

__rust_helper enum inode_state_flags_enum
rust_helper_inode_state_read_once(struct inode *inode)
{
	return inode_state_read_once(inode);
}

__rust_helper uid_t rust_helper_from_kuid_munged(struct user_namespace *to,
						 kuid_t uid)
{
	return from_kuid_munged(to, uid);
}

__rust_helper gid_t rust_helper_from_kgid_munged(struct user_namespace *to,
						 kgid_t gid)
{
	return from_kgid_munged(to, gid);
}

__rust_helper bool rust_helper_gid_eq(kgid_t left, kgid_t right)
{
	return gid_eq(left, right);
}

__rust_helper void *rust_helper_alloc_inode_sb(struct super_block *sb,
					       struct kmem_cache *cache,
					       gfp_t gfp)
{
	return alloc_inode_sb(sb, cache, gfp);
}

__rust_helper loff_t rust_helper_i_size_read(const struct inode *inode)
{
	return i_size_read(inode);
}

__rust_helper void rust_helper_i_size_write(struct inode *inode, loff_t i_size)
{
	i_size_write(inode, i_size);
}

__rust_helper struct timespec64
rust_helper_inode_set_mtime_to_ts(struct inode *inode, struct timespec64 ts)
{
	return inode_set_mtime_to_ts(inode, ts);
}

__rust_helper bool rust_helper_fileattr_has_fsx(const struct file_kattr *fa)
{
	return fileattr_has_fsx(fa);
}

__rust_helper void rust_helper_inode_lock(struct inode *inode)
{
	inode_lock(inode);
}

__rust_helper void rust_helper_inode_unlock(struct inode *inode)
{
	inode_unlock(inode);
}

__rust_helper void rust_helper_filemap_invalidate_lock(struct address_space *mapping)
{
	filemap_invalidate_lock(mapping);
}

__rust_helper void
rust_helper_filemap_invalidate_unlock(struct address_space *mapping)
{
	filemap_invalidate_unlock(mapping);
}

__rust_helper void
rust_helper_filemap_invalidate_lock_shared(struct address_space *mapping)
{
	filemap_invalidate_lock_shared(mapping);
}

__rust_helper void
rust_helper_filemap_invalidate_unlock_shared(struct address_space *mapping)
{
	filemap_invalidate_unlock_shared(mapping);
}

__rust_helper void rust_helper_cond_resched(void)
{
	cond_resched();
}

__rust_helper bool rust_helper_fatal_signal_pending_current(void)
{
	return fatal_signal_pending(current);
}

/* For the lock-mode claims of the bindings' tokens. */
__rust_helper void rust_helper_inode_assert_locked(struct inode *inode)
{
	lockdep_assert_held(&inode->i_rwsem);
}

__rust_helper void rust_helper_inode_assert_locked_write(struct inode *inode)
{
	lockdep_assert_held_write(&inode->i_rwsem);
}

__rust_helper ssize_t rust_helper_generic_write_sync(struct kiocb *iocb,
						     ssize_t count)
{
	return generic_write_sync(iocb, count);
}

__rust_helper struct dentry *rust_helper_dget(struct dentry *dentry)
{
	return dget(dentry);
}

__rust_helper int rust_helper_d_in_lookup(const struct dentry *dentry)
{
	return d_in_lookup(dentry);
}

__rust_helper void rust_helper_d_lookup_done(struct dentry *dentry)
{
	d_lookup_done(dentry);
}

__rust_helper bool rust_helper_d_unhashed(const struct dentry *dentry)
{
	return d_unhashed(dentry);
}

__rust_helper bool rust_helper_dir_emit(struct dir_context *ctx,
					const char *name, int namelen,
					u64 ino, unsigned int type)
{
	return dir_emit(ctx, name, namelen, ino, type);
}

__rust_helper bool rust_helper_dir_emit_dots(struct file *file,
					     struct dir_context *ctx)
{
	return dir_emit_dots(file, ctx);
}

__rust_helper struct folio *
rust_helper___filemap_get_folio(struct address_space *mapping, pgoff_t index,
				fgf_t fgp_flags, gfp_t gfp)
{
	return __filemap_get_folio(mapping, index, fgp_flags, gfp);
}

__rust_helper gfp_t rust_helper_mapping_gfp_mask(struct address_space *mapping)
{
	return mapping_gfp_mask(mapping);
}

__rust_helper struct inode *rust_helper_folio_inode(struct folio *folio)
{
	return folio_inode(folio);
}

__rust_helper loff_t rust_helper_folio_pos(const struct folio *folio)
{
	return folio_pos(folio);
}

__rust_helper size_t rust_helper_folio_size(const struct folio *folio)
{
	return folio_size(folio);
}

__rust_helper bool rust_helper_folio_test_uptodate(const struct folio *folio)
{
	return folio_test_uptodate(folio);
}

__rust_helper void rust_helper_folio_mark_uptodate(struct folio *folio)
{
	folio_mark_uptodate(folio);
}

__rust_helper void rust_helper_folio_put(struct folio *folio)
{
	folio_put(folio);
}

__rust_helper void rust_helper_flush_dcache_folio(struct folio *folio)
{
	flush_dcache_folio(folio);
}

__rust_helper void *rust_helper_kmap_local_folio(const struct folio *folio,
						 size_t offset)
{
	return kmap_local_folio(folio, offset);
}

__rust_helper unsigned long rust_helper_totalram_pages(void)
{
	return totalram_pages();
}

__rust_helper void rust_helper_mapping_set_error(struct address_space *mapping,
						 int error)
{
	mapping_set_error(mapping, error);
}

__rust_helper int rust_helper_inode_trylock(struct inode *inode)
{
	return inode_trylock(inode);
}

__rust_helper void rust_helper_mapping_set_gfp_mask(struct address_space *m,
						    gfp_t mask)
{
	mapping_set_gfp_mask(m, mask);
}

__rust_helper void rust_helper_mapping_set_unevictable(struct address_space *mapping)
{
	mapping_set_unevictable(mapping);
}

__rust_helper bool rust_helper_mapping_can_writeback(struct address_space *mapping)
{
	return mapping_can_writeback(mapping);
}

__rust_helper void rust_helper_posix_acl_release(struct posix_acl *acl)
{
	posix_acl_release(acl);
}

#ifndef CONFIG_LOCKDEP
__rust_helper void rust_helper_lockdep_annotate_inode_mutex_key(struct inode *inode)
{
	lockdep_annotate_inode_mutex_key(inode);
}
#endif

#ifndef CONFIG_SECURITY
__rust_helper int
rust_helper_security_inode_init_security(struct inode *inode, struct inode *dir,
					 const struct qstr *qstr,
					 initxattrs initxattrs, void *fs_data)
{
	return security_inode_init_security(inode, dir, qstr, initxattrs,
					    fs_data);
}
#endif

__rust_helper struct mem_cgroup *
rust_helper_get_mem_cgroup_from_folio(struct folio *folio)
{
	return get_mem_cgroup_from_folio(folio);
}

__rust_helper struct mem_cgroup *
rust_helper_set_active_memcg(struct mem_cgroup *memcg)
{
	return set_active_memcg(memcg);
}

__rust_helper struct mem_cgroup *rust_helper_get_mem_cgroup_from_current(void)
{
	return get_mem_cgroup_from_current();
}

__rust_helper const struct cred *
rust_helper_override_creds(const struct cred *override_cred)
{
	return override_creds(override_cred);
}

__rust_helper const struct cred *
rust_helper_revert_creds(const struct cred *revert_cred)
{
	return revert_creds(revert_cred);
}

/* Waits for *@v to be 0; a waker calls wake_up_var(@v). */
__rust_helper void rust_helper_wait_var_event_zero(atomic_long_t *v)
{
	wait_var_event(v, !atomic_long_read_acquire(v));
}

__rust_helper void rust_helper_mem_cgroup_handle_over_high(gfp_t gfp_mask)
{
	mem_cgroup_handle_over_high(gfp_mask);
}

__rust_helper void rust_helper_mem_cgroup_put(struct mem_cgroup *memcg)
{
	mem_cgroup_put(memcg);
}

/* The root memory cgroup, or NULL without CONFIG_MEMCG. */
__rust_helper struct mem_cgroup *rust_helper_root_mem_cgroup_or_null(void)
{
#ifdef CONFIG_MEMCG
	return root_mem_cgroup;
#else
	return NULL;
#endif
}

__rust_helper void rust_helper_memcpy_from_folio(char *to, struct folio *folio,
						 size_t offset, size_t len)
{
	memcpy_from_folio(to, folio, offset, len);
}

/*
 * Parallel directory operations (SB_I_PAR_DIROPS) exist in the lifted
 * series only: without it, directory operations lock the directory
 * exclusively, and a file system cannot ask for anything else.
 */
__rust_helper bool rust_helper_sb_par_dirops(const struct super_block *sb)
{
#ifdef SB_I_PAR_DIROPS
	return sb->s_iflags & SB_I_PAR_DIROPS;
#else
	return false;
#endif
}

__rust_helper int rust_helper_sb_set_par_dirops(struct super_block *sb)
{
#ifdef SB_I_PAR_DIROPS
	sb->s_iflags |= SB_I_PAR_DIROPS;
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

/*
 * Whether the VFS locked @dentry's name for an update (DCACHE_PAR_UPDATE)
 * rather than its directory exclusively.  Only the holder of the name sets
 * or clears the flag, and no one can while the directory is held
 * exclusively, so the answer is stable for the holder of either lock.
 */
__rust_helper bool rust_helper_d_update_locked(const struct dentry *dentry)
{
#ifdef SB_I_PAR_DIROPS
	return data_race(dentry->d_flags & DCACHE_PAR_UPDATE);
#else
	return false;
#endif
}
