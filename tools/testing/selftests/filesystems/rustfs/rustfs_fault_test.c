// SPDX-License-Identifier: GPL-2.0
/*
 * rustfs under allocation failures: every operation, with each of its
 * allocations failing in turn.
 *
 * A sweep runs an operation with /proc/thread-self/fail-nth set to 1, 2,
 * 3, ...: the Nth fault-injection point the task reaches fails (failslab
 * and fail_page_alloc: every slab and page allocation, in rustfs, in the
 * bindings, in the LSM and in the VFS paths they drive), until an
 * operation runs to its end without reaching the Nth.
 * Each try starts with no dentry cached but those its setup made, so that
 * every try takes the same path.  After each the operation has either
 * happened or failed cleanly:
 *
 *  - it returned success, or -1 with ENOMEM;
 *  - the tree is as the result says: a failed create left no name, a
 *    failed rename left both names as they were, a failed write left the
 *    size, a failed setxattr left the old value;
 *  - once it is all removed again, every inode and byte it took from the
 *    limits is back (statvfs(2)): a failure left nothing in the store.
 *
 * Without CONFIG_FAIL_PAGE_ALLOC only slab allocations fail: page-cache
 * folios, vmalloc and kmalloc above two pages come from the page allocator.
 *
 * The VM runner adds the rest: no kernel report and, at the end, no
 * kmemleak.  Each sweep prints how many failure points it reached.
 *
 * Needs rustfs loaded, debugfs, root, and CONFIG_FAILSLAB with
 * CONFIG_FAULT_INJECTION_DEBUG_FS (the debug kernel has them).
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../kselftest_harness.h"

#include "rustfs_util.h"

#define FAILSLAB "/sys/kernel/debug/failslab/"
#define FAIL_PAGE_ALLOC "/sys/kernel/debug/fail_page_alloc/"
/* No operation here reaches this many fault points. */
#define MAX_POINTS 4000

/*
 * The fault-injection knobs the sweep sets, and restores afterwards: fail
 * sleeping allocations too, which are most of them, of every order and in
 * every cache, without a stack trace in the log for each, for hundreds
 * fail.  The page allocator's are optional (CONFIG_FAIL_PAGE_ALLOC).
 */
static const struct {
	const char *path;
	const char *val;
	bool page_alloc;
} knobs[] = {
	{ FAILSLAB "verbose", "0" },
	{ FAILSLAB "ignore-gfp-wait", "N" },
	{ FAILSLAB "cache-filter", "N" },
	{ FAIL_PAGE_ALLOC "verbose", "0", true },
	{ FAIL_PAGE_ALLOC "ignore-gfp-wait", "N", true },
	{ FAIL_PAGE_ALLOC "ignore-gfp-highmem", "N", true },
	{ FAIL_PAGE_ALLOC "min-order", "0", true },
};
#define NKNOBS (sizeof(knobs) / sizeof(knobs[0]))

FIXTURE(fault) {
	char dir[64];
	char path[PATH_MAX];
	char path2[PATH_MAX];
	int nth;		/* /proc/thread-self/fail-nth */
	char saved[NKNOBS][16];	/* the knobs' values, to restore */
	bool page_alloc;	/* fail_page_alloc is there */
	bool knobs_set;
	bool usercopy;		/* fail_usercopy counts too: EFAULT is a clean failure */
	int fd;			/* an operation's file, if it has one */
	ino_t ino, ino2;	/* what setup made, for the checks */
};

static int read_knob(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

static int write_knob(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* Whether the knobs of this fault attribute say it fails nothing at random. */
static bool quiet(const char *dir)
{
	char path[128], buf[16];

	snprintf(path, sizeof(path), "%sprobability", dir);
	return !read_knob(path, buf, sizeof(buf)) && !atoi(buf);
}

/* Mount options, and which operations of the table run with them. */
FIXTURE_VARIANT(fault) {
	const char *opts;
	unsigned int ops;
};

#define ON_DEFAULT	(1 << 0)
#define ON_SILLY	(1 << 1)
#define ON_CASEFOLD	(1 << 2)

FIXTURE_VARIANT_ADD(fault, default) {
	.opts = NULL,
	.ops = ON_DEFAULT,
};

/* Renames onto open files go through d_duplicate() and a hidden name. */
FIXTURE_VARIANT_ADD(fault, silly_rename) {
	.opts = "silly_rename",
	.ops = ON_SILLY,
};

/* Names in another case, and misses that end in d_add_ci(). */
FIXTURE_VARIANT_ADD(fault, casefold) {
	.opts = "casefold",
	.ops = ON_CASEFOLD,
};

FIXTURE_SETUP(fault)
{
	char opts[64];
	size_t i;

	self->nth = -1;
	self->fd = -1;
	if (!rustfs_registered())
		SKIP(return, "rustfs is not loaded");
	self->nth = open("/proc/thread-self/fail-nth", O_RDWR);
	self->page_alloc = !access(FAIL_PAGE_ALLOC, F_OK);
	for (i = 0; i < NKNOBS; i++)
		if ((self->page_alloc || !knobs[i].page_alloc) &&
		    read_knob(knobs[i].path, self->saved[i], sizeof(self->saved[i])))
			SKIP(return, "no %s (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)",
			     knobs[i].path);
	if (self->nth < 0)
		SKIP(return, "no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)");
	/* With ignore-gfp-wait off, random failures would hit everyone. */
	if (!quiet(FAILSLAB) || (self->page_alloc && !quiet(FAIL_PAGE_ALLOC)))
		SKIP(return, "fault injection is in use: a probability is not 0");
	if (!self->page_alloc)
		ksft_print_msg("no fail_page_alloc: only slab allocations fail\n");
	self->usercopy = !access("/sys/kernel/debug/fail_usercopy", F_OK);
	/* See drop_caches(). */
	ASSERT_EQ(0, pin_to_cpu0());
	strcpy(self->dir, "/tmp/rustfs.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	/* An inode limit, so that statvfs(2) counts the store's inodes. */
	snprintf(opts, sizeof(opts), "nr_inodes=1000%s%s", variant->opts ? "," : "",
		 variant->opts ?: "");
	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, opts));
	/* Last, so that nothing fails between this and the teardown. */
	self->knobs_set = true;
	for (i = 0; i < NKNOBS; i++)
		if (self->page_alloc || !knobs[i].page_alloc)
			ASSERT_EQ(0, write_knob(knobs[i].path, knobs[i].val)) TH_LOG("%s", knobs[i].path);
}

FIXTURE_TEARDOWN(fault)
{
	size_t i;

	if (self->knobs_set)
		for (i = 0; i < NKNOBS; i++)
			if (self->page_alloc || !knobs[i].page_alloc)
				write_knob(knobs[i].path, self->saved[i]);
	if (self->nth >= 0)
		close(self->nth);
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

#define P(name) (snprintf(self->path, sizeof(self->path), "%s/%s", self->dir, name), self->path)
#define Q(name) (snprintf(self->path2, sizeof(self->path2), "%s/%s", self->dir, name), self->path2)

/*
 * One operation under the sweep.  setup() builds the state each try starts
 * from, op() is the call under test (its result, and errno), check()
 * says what is wrong with the state after op() returned @rc, or NULL, and
 * cleanup() undoes it all.  None but op() runs with a fault armed.
 */
struct fault_op {
	const char *name;
	unsigned int on;	/* ON_*: the variants it runs in */
	int (*setup)(FIXTURE_DATA(fault) *self);
	long (*op)(FIXTURE_DATA(fault) *self);
	const char *(*check)(FIXTURE_DATA(fault) *self, long rc);
	void (*cleanup)(FIXTURE_DATA(fault) *self);
	/*
	 * Slab allocations only: the page allocator's failure points are
	 * too many here, each try taking a second (every slab refill, for
	 * each of dozens of inodes, is one more).
	 */
	bool slab_only;
	/* If set, run before and after the whole sweep, outside the accounting. */
	int (*prepare)(FIXTURE_DATA(fault) *self);
	void (*finish)(FIXTURE_DATA(fault) *self);
};

static ino_t ino_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? 0 : st.st_ino;
}

static bool exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/* Removes every name in the directory, and the silly-renamed ones with them. */
static void rm_all(FIXTURE_DATA(fault) *self)
{
	char names[8][NAME_MAX + 1];
	struct dirent *e;
	int i, n = 0;
	DIR *d;

	if (self->fd >= 0)
		close(self->fd);
	self->fd = -1;
	d = opendir(self->dir);
	if (!d)
		return;
	while ((e = readdir(d)) && n < 8)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			strcpy(names[n++], e->d_name);
	closedir(d);
	for (i = 0; i < n; i++)
		if (unlink(P(names[i])) && errno == EISDIR)
			rmdir(P(names[i]));
}

/* The number of names in the directory. */
static int count_names(FIXTURE_DATA(fault) *self)
{
	DIR *d = opendir(self->dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* Sets up "a" (a file with a byte), and "b" too if @both; notes their inodes. */
static int make_ab(FIXTURE_DATA(fault) *self, bool both)
{
	if (write_file(P("a"), "A", 1))
		return -1;
	self->ino = ino_of(P("a"));
	self->ino2 = 0;
	if (both) {
		if (write_file(P("b"), "B", 1))
			return -1;
		self->ino2 = ino_of(P("b"));
	}
	return 0;
}

static int setup_none(FIXTURE_DATA(fault) *self)
{
	return 0;
}

static int setup_a(FIXTURE_DATA(fault) *self)
{
	return make_ab(self, false);
}

static int setup_ab(FIXTURE_DATA(fault) *self)
{
	return make_ab(self, true);
}

/* Creations of "a": afterwards it exists with @mode's type, or not at all. */
static const char *check_created(FIXTURE_DATA(fault) *self, long rc, mode_t type)
{
	struct stat st;

	/* readdir too: a lookup may hide an entry it cannot load. */
	if (count_names(self) != !rc)
		return rc ? "the call failed, but left a name" :
			    "the call succeeded, but the directory has no name";
	if (lstat(P("a"), &st))
		return rc ? NULL : "the call succeeded, but the name is missing";
	if (rc)
		return "the call failed, but the name exists";
	return (st.st_mode & S_IFMT) == type ? NULL : "the name has the wrong type";
}

static long op_create(FIXTURE_DATA(fault) *self)
{
	self->fd = open(P("a"), O_CREAT | O_EXCL | O_WRONLY, 0644);
	return self->fd < 0 ? -1 : 0;
}

static const char *check_create(FIXTURE_DATA(fault) *self, long rc)
{
	return check_created(self, rc, S_IFREG);
}

static long op_mkdir(FIXTURE_DATA(fault) *self)
{
	return mkdir(P("a"), 0755);
}

static const char *check_mkdir(FIXTURE_DATA(fault) *self, long rc)
{
	return check_created(self, rc, S_IFDIR);
}

static long op_mknod(FIXTURE_DATA(fault) *self)
{
	return mknod(P("a"), S_IFIFO | 0644, 0);
}

static const char *check_mknod(FIXTURE_DATA(fault) *self, long rc)
{
	return check_created(self, rc, S_IFIFO);
}

static long op_symlink(FIXTURE_DATA(fault) *self)
{
	return symlink("target", P("a"));
}

static const char *check_symlink(FIXTURE_DATA(fault) *self, long rc)
{
	char buf[16] = {};
	const char *bad = check_created(self, rc, S_IFLNK);

	if (bad || rc)
		return bad;
	if (readlink(P("a"), buf, sizeof(buf) - 1) != 6 || strcmp(buf, "target"))
		return "the link has the wrong target";
	return NULL;
}

static long op_tmpfile(FIXTURE_DATA(fault) *self)
{
	self->fd = open(self->dir, O_TMPFILE | O_RDWR, 0644);
	return self->fd < 0 ? -1 : 0;
}

static const char *check_tmpfile(FIXTURE_DATA(fault) *self, long rc)
{
	return count_names(self) == 0 ? NULL : "an O_TMPFILE left a name";
}

static long op_link(FIXTURE_DATA(fault) *self)
{
	return link(P("a"), Q("b"));
}

static const char *check_link(FIXTURE_DATA(fault) *self, long rc)
{
	struct stat st;

	if (lstat(P("a"), &st) || st.st_ino != self->ino)
		return "the old name is gone";
	if (st.st_nlink != (rc ? 1 : 2) || count_names(self) != (rc ? 1 : 2))
		return "the link count, or the number of names, is wrong";
	if (exists(Q("b")) != !rc)
		return rc ? "the call failed, but the new name exists" :
			    "the call succeeded, but the new name is missing";
	if (!rc && ino_of(Q("b")) != self->ino)
		return "the new name is another file";
	return NULL;
}

static long op_unlink(FIXTURE_DATA(fault) *self)
{
	return unlink(P("a"));
}

static const char *check_unlink(FIXTURE_DATA(fault) *self, long rc)
{
	if (exists(P("a")) != !!rc || count_names(self) != !!rc)
		return rc ? "the call failed, but the name is gone" :
			    "the call succeeded, but the name is still there";
	return NULL;
}

static int setup_dir(FIXTURE_DATA(fault) *self)
{
	if (mkdir(P("a"), 0755))
		return -1;
	self->ino = ino_of(P("a"));
	return 0;
}

static long op_rmdir(FIXTURE_DATA(fault) *self)
{
	return rmdir(P("a"));
}

/* rename("a", "b", @flags) from "a" alone or "a" and "b". */
static long do_rename(FIXTURE_DATA(fault) *self, unsigned int flags)
{
	return syscall(SYS_renameat2, AT_FDCWD, P("a"), AT_FDCWD, Q("b"), flags);
}

static long op_rename(FIXTURE_DATA(fault) *self)
{
	return do_rename(self, 0);
}

static long op_rename_noreplace(FIXTURE_DATA(fault) *self)
{
	return do_rename(self, RENAME_NOREPLACE);
}

static long op_rename_exchange(FIXTURE_DATA(fault) *self)
{
	return do_rename(self, RENAME_EXCHANGE);
}

static long op_rename_whiteout(FIXTURE_DATA(fault) *self)
{
	return do_rename(self, RENAME_WHITEOUT);
}

/* After a rename of "a" onto "b": both as they were, or "a" moved. */
static const char *check_moved(FIXTURE_DATA(fault) *self, long rc)
{
	ino_t a = ino_of(P("a")), b = ino_of(Q("b"));
	int names = count_names(self);

	if (rc)
		return a == self->ino && b == self->ino2 && names == 1 + !!self->ino2 ? NULL :
			"the call failed, but the names changed";
	if (b != self->ino)
		return "the call succeeded, but the new name is not the file";
	if (a)
		return "the call succeeded, but the old name is still there";
	/* With the old "b" open, silly_rename keeps it under a hidden name. */
	if (names != 1 && !(self->fd >= 0 && names == 2))
		return "the call succeeded, but left a name too many";
	return NULL;
}

static const char *check_exchanged(FIXTURE_DATA(fault) *self, long rc)
{
	ino_t a = ino_of(P("a")), b = ino_of(Q("b"));

	if (count_names(self) != 2)
		return "the number of names changed";
	if (rc)
		return a == self->ino && b == self->ino2 ? NULL :
			"the call failed, but the names changed";
	return a == self->ino2 && b == self->ino ? NULL :
		"the call succeeded, but the names were not exchanged";
}

static const char *check_whiteout(FIXTURE_DATA(fault) *self, long rc)
{
	struct stat st;

	if (count_names(self) != (rc ? 1 : 2))
		return "the number of names is wrong";
	if (rc)
		return ino_of(P("a")) == self->ino && !exists(Q("b")) ? NULL :
			"the call failed, but the names changed";
	if (ino_of(Q("b")) != self->ino)
		return "the call succeeded, but the new name is not the file";
	if (lstat(P("a"), &st) || !S_ISCHR(st.st_mode) || st.st_rdev)
		return "the call succeeded, but left no whiteout";
	return NULL;
}

/* "a" open for writing, empty. */
static int setup_open(FIXTURE_DATA(fault) *self)
{
	self->fd = open(P("a"), O_CREAT | O_RDWR, 0644);
	return self->fd < 0 ? -1 : 0;
}

#define WRITE_AT (5 * 4096 + 100)
#define WRITE_LEN (3 * 4096)

static char write_buf[WRITE_LEN];

static int setup_write(FIXTURE_DATA(fault) *self)
{
	/* Touched here, so that op_write() takes no page fault on it. */
	memset(write_buf, 'w', sizeof(write_buf));
	return setup_open(self);
}

static long op_write(FIXTURE_DATA(fault) *self)
{
	return pwrite(self->fd, write_buf, sizeof(write_buf), WRITE_AT);
}

/* A write may be short: what it says it wrote is there, and no more. */
static const char *check_write(FIXTURE_DATA(fault) *self, long rc)
{
	static char buf[WRITE_AT + WRITE_LEN];
	long want = rc < 0 ? 0 : WRITE_AT + rc;
	struct stat st;
	long i;

	if (fstat(self->fd, &st) || st.st_size != (rc > 0 ? want : 0))
		return "the size does not match what the write returned";
	if (rc <= 0)
		return NULL;
	if (pread(self->fd, buf, sizeof(buf), 0) != want)
		return "cannot read back what was written";
	for (i = 0; i < want; i++)
		if (buf[i] != (i < WRITE_AT ? 0 : 'w'))
			return "the contents are wrong";
	return NULL;
}

static void cleanup(FIXTURE_DATA(fault) *self);

#define MAP_LEN (2 * 4096)

static char *map;

/* "a", mapped shared and dirtied: ->page_mkwrite made room for it. */
static int setup_msync(FIXTURE_DATA(fault) *self)
{
	if (setup_open(self) || ftruncate(self->fd, MAP_LEN))
		return -1;
	map = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	if (map == MAP_FAILED) {
		map = NULL;
		return -1;
	}
	memset(map, 'm', MAP_LEN);
	return 0;
}

/* ->writepages stores the dirty folios. */
static long op_msync(FIXTURE_DATA(fault) *self)
{
	return msync(map, MAP_LEN, MS_SYNC);
}

/*
 * A failed allocation in writeback loses nothing: the folio stays dirty,
 * and a sync that waits retries it.  (rustfs reserves the room when the
 * page is first dirtied, and allocates it at the first writeback.)  Read
 * back from the store, not the cache.
 */
static const char *check_msync(FIXTURE_DATA(fault) *self, long rc)
{
	static char buf[MAP_LEN];
	int i;

	if (msync(map, MAP_LEN, MS_SYNC))
		return "a second msync failed";
	munmap(map, MAP_LEN);
	map = NULL;
	if (posix_fadvise(self->fd, 0, 0, POSIX_FADV_DONTNEED) ||
	    pread(self->fd, buf, sizeof(buf), 0) != MAP_LEN)
		return "cannot read the file back";
	for (i = 0; i < MAP_LEN; i++)
		if (buf[i] != 'm')
			return "the mapped store was lost";
	return NULL;
}

static void cleanup_msync(FIXTURE_DATA(fault) *self)
{
	if (map)
		munmap(map, MAP_LEN);
	map = NULL;
	cleanup(self);
}

static long op_truncate(FIXTURE_DATA(fault) *self)
{
	return truncate(P("a"), 1 << 20);
}

static const char *check_truncate(FIXTURE_DATA(fault) *self, long rc)
{
	struct stat st;

	if (fstat(self->fd, &st) || st.st_size != (rc ? 0 : 1 << 20))
		return "the size does not match the result";
	return NULL;
}

static long op_fallocate(FIXTURE_DATA(fault) *self)
{
	return fallocate(self->fd, 0, 4096, 16 * 4096);
}

static const char *check_fallocate(FIXTURE_DATA(fault) *self, long rc)
{
	struct stat st;

	if (fstat(self->fd, &st))
		return "cannot stat";
	if (rc)
		return st.st_size == 0 && st.st_blocks == 0 ? NULL :
			"the call failed, but allocated";
	return st.st_size == 17 * 4096 && st.st_blocks == 16 * 8 ? NULL :
		"the call succeeded, but the size or blocks are wrong";
}

static int setup_xattr(FIXTURE_DATA(fault) *self)
{
	if (make_ab(self, false))
		return -1;
	return setxattr(P("a"), "user.x", "old", 3, 0);
}

static long op_setxattr(FIXTURE_DATA(fault) *self)
{
	return setxattr(P("a"), "user.x", "new value", 9, 0);
}

static long op_removexattr(FIXTURE_DATA(fault) *self)
{
	return removexattr(P("a"), "user.x");
}

static const char *check_xattr(FIXTURE_DATA(fault) *self, long rc, const char *want)
{
	char buf[32] = {};
	ssize_t n = getxattr(P("a"), "user.x", buf, sizeof(buf) - 1);

	if (!want)
		return n < 0 && errno == ENODATA ? NULL : "the attribute is still there";
	return n == (ssize_t)strlen(want) && !strcmp(buf, want) ? NULL :
		"the attribute has the wrong value";
}

static const char *check_setxattr(FIXTURE_DATA(fault) *self, long rc)
{
	return check_xattr(self, rc, rc ? "old" : "new value");
}

static const char *check_removexattr(FIXTURE_DATA(fault) *self, long rc)
{
	return check_xattr(self, rc, rc ? "old" : NULL);
}

#define DIR_ENTRIES 40

/*
 * A directory of files, made once for the whole sweep: each try only
 * evicts it, so that readdir primes the dcache from the store again.
 */
static int make_dir_of_files(FIXTURE_DATA(fault) *self)
{
	char name[32];
	int i;

	if (mkdir(P("d"), 0755))
		return -1;
	for (i = 0; i < DIR_ENTRIES; i++) {
		snprintf(name, sizeof(name), "d/f%d", i);
		if (write_file(P(name), "x", 1))
			return -1;
	}
	return 0;
}

static int setup_evicted_dir(FIXTURE_DATA(fault) *self)
{
	drop_caches();
	return 0;
}

static void cleanup_none(FIXTURE_DATA(fault) *self)
{
}

static void remove_dir_of_files(FIXTURE_DATA(fault) *self)
{
	char name[32];
	int i;

	for (i = 0; i < DIR_ENTRIES; i++) {
		snprintf(name, sizeof(name), "d/f%d", i);
		unlink(P(name));
	}
	rm_all(self);
}

static long op_readdir(FIXTURE_DATA(fault) *self)
{
	char buf[8192];
	long n, total = 0;
	int fd = open(P("d"), O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return -1;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		long off = 0;

		while (off < n) {
			struct dirent64 *e = (struct dirent64 *)(buf + off);

			total++;
			off += e->d_reclen;
		}
	}
	close(fd);
	return n < 0 ? -1 : total;
}

static const char *check_readdir(FIXTURE_DATA(fault) *self, long rc)
{
	if (rc >= 0 && rc != DIR_ENTRIES + 2)
		return "readdir listed the wrong number of entries";
	/* Every name still resolves to its file, whatever was primed. */
	for (int i = 0; i < DIR_ENTRIES; i++) {
		char name[32];
		struct stat st;

		snprintf(name, sizeof(name), "d/f%d", i);
		if (stat(P(name), &st) || st.st_size != 1)
			return "a name no longer resolves to its file";
	}
	return NULL;
}

/* "a", out of every cache: the stat looks it up and loads its inode. */
static int setup_evicted(FIXTURE_DATA(fault) *self)
{
	if (make_ab(self, false))
		return -1;
	drop_caches();
	return 0;
}

static long op_stat(FIXTURE_DATA(fault) *self)
{
	struct stat st;

	if (stat(P("a"), &st))
		return -1;
	return st.st_ino == self->ino && st.st_size == 1 ? 0 : -2;
}

static const char *check_stat(FIXTURE_DATA(fault) *self, long rc)
{
	if (rc == -2)
		return "the call found another file";
	return ino_of(P("a")) == self->ino ? NULL : "the name no longer resolves to its file";
}

static long op_read_evicted(FIXTURE_DATA(fault) *self)
{
	char c = 0;
	int fd = open(P("a"), O_RDONLY);
	long rc;

	if (fd < 0)
		return -1;
	rc = read(fd, &c, 1);
	close(fd);
	if (rc < 0)
		return -1;
	return rc == 1 && c == 'A' ? 0 : -2;
}

static const char *check_read_evicted(FIXTURE_DATA(fault) *self, long rc)
{
	return rc == -2 ? "the call read the wrong data" : NULL;
}

static long op_mount(FIXTURE_DATA(fault) *self)
{
	return mount(SOURCE, P("d"), "rustfs", 0, "size=1M,nr_inodes=100,casefold,lookup_delay_us=1");
}

static int setup_mountpoint(FIXTURE_DATA(fault) *self)
{
	return mkdir(P("d"), 0755);
}

static const char *check_mount(FIXTURE_DATA(fault) *self, long rc)
{
	struct stat st, parent;

	if (stat(P("d"), &st) || stat(self->dir, &parent))
		return "cannot stat the mount point";
	if ((st.st_dev != parent.st_dev) != !rc)
		return rc ? "the call failed, but mounted" : "the call succeeded, but did not mount";
	if (!rc && umount(P("d")))
		return "cannot unmount";
	return NULL;
}

/* "a" and "b", with "b" open: with silly_rename, "b" gets a hidden name. */
static int setup_ab_open(FIXTURE_DATA(fault) *self)
{
	if (make_ab(self, true))
		return -1;
	self->fd = open(Q("b"), O_RDONLY);
	return self->fd < 0 ? -1 : 0;
}

static const char *check_moved_open(FIXTURE_DATA(fault) *self, long rc)
{
	const char *bad = check_moved(self, rc);
	char c = 0;

	if (bad)
		return bad;
	if (pread(self->fd, &c, 1, 0) != 1 || c != 'B')
		return "the open file lost its data";
	/* "b" and, if it was renamed over, the hidden name of the old "b". */
	if (count_names(self) > 2)
		return "a name too many";
	return NULL;
}

/* Casefold: "a" exists, and every call names it "A". */
static long op_create_other_case(FIXTURE_DATA(fault) *self)
{
	self->fd = open(P("A"), O_CREAT | O_WRONLY, 0644);
	return self->fd < 0 ? -1 : 0;
}

static long op_rename_case(FIXTURE_DATA(fault) *self)
{
	return rename(P("a"), Q("A"));
}

static long op_stat_other_case(FIXTURE_DATA(fault) *self)
{
	struct stat st;

	if (stat(P("A"), &st))
		return -1;
	return st.st_ino == self->ino ? 0 : -2;
}

/* One name, for the same file, whatever the call did. */
static const char *check_one_name(FIXTURE_DATA(fault) *self, long rc)
{
	if (rc == -2)
		return "the call found another file";
	if (count_names(self) != 1)
		return "two names fold equal, or none is left";
	return ino_of(P("a")) == self->ino ? NULL : "the name is not the file";
}

static void cleanup(FIXTURE_DATA(fault) *self)
{
	rm_all(self);
}

static const struct fault_op ops[] = {
	{ "create", ON_DEFAULT, setup_none, op_create, check_create, cleanup },
	{ "mkdir", ON_DEFAULT, setup_none, op_mkdir, check_mkdir, cleanup },
	{ "mknod", ON_DEFAULT, setup_none, op_mknod, check_mknod, cleanup },
	{ "symlink", ON_DEFAULT, setup_none, op_symlink, check_symlink, cleanup },
	{ "O_TMPFILE", ON_DEFAULT, setup_none, op_tmpfile, check_tmpfile, cleanup },
	{ "link", ON_DEFAULT, setup_a, op_link, check_link, cleanup },
	{ "unlink", ON_DEFAULT, setup_a, op_unlink, check_unlink, cleanup },
	{ "rmdir", ON_DEFAULT, setup_dir, op_rmdir, check_unlink, cleanup },
	{ "rename", ON_DEFAULT, setup_a, op_rename, check_moved, cleanup },
	{ "rename over", ON_DEFAULT, setup_ab, op_rename, check_moved, cleanup },
	{ "rename NOREPLACE", ON_DEFAULT, setup_a, op_rename_noreplace, check_moved, cleanup },
	{ "rename EXCHANGE", ON_DEFAULT, setup_ab, op_rename_exchange, check_exchanged, cleanup },
	{ "rename WHITEOUT", ON_DEFAULT, setup_a, op_rename_whiteout, check_whiteout, cleanup },
	{ "write", ON_DEFAULT, setup_write, op_write, check_write, cleanup },
	{ "msync", ON_DEFAULT, setup_msync, op_msync, check_msync, cleanup_msync },
	{ "truncate", ON_DEFAULT, setup_open, op_truncate, check_truncate, cleanup },
	{ "fallocate", ON_DEFAULT, setup_open, op_fallocate, check_fallocate, cleanup },
	{ "setxattr", ON_DEFAULT, setup_xattr, op_setxattr, check_setxattr, cleanup },
	{ "removexattr", ON_DEFAULT, setup_xattr, op_removexattr, check_removexattr, cleanup },
	{ "readdir, evicted", ON_DEFAULT, setup_evicted_dir, op_readdir, check_readdir,
	  cleanup_none, true, make_dir_of_files, remove_dir_of_files },
	{ "stat, evicted", ON_DEFAULT, setup_evicted, op_stat, check_stat, cleanup },
	{ "read, evicted", ON_DEFAULT, setup_evicted, op_read_evicted, check_read_evicted, cleanup },
	{ "mount", ON_DEFAULT, setup_mountpoint, op_mount, check_mount, cleanup },
	{ "rename over open", ON_DEFAULT | ON_SILLY, setup_ab_open, op_rename,
	  check_moved_open, cleanup },
	{ "create, other case", ON_CASEFOLD, setup_a, op_create_other_case, check_one_name,
	  cleanup },
	{ "rename, other case", ON_CASEFOLD, setup_a, op_rename_case, check_one_name,
	  cleanup },
	{ "stat, evicted, other case", ON_CASEFOLD, setup_evicted, op_stat_other_case,
	  check_one_name, cleanup },
};

static int arm(int nth, int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return pwrite(nth, buf, len, 0) == len ? 0 : -1;
}

/* Whether the armed fault fired (1), or not (0); disarms it. */
static int fired(int nth)
{
	char buf[16] = {};
	ssize_t n = pread(nth, buf, sizeof(buf) - 1, 0);

	if (arm(nth, 0) || n <= 0)
		return -1;
	return atoi(buf) == 0;
}

/* Inodes and blocks left under the limits. */
static void room(FIXTURE_DATA(fault) *self, unsigned long *inodes, unsigned long *blocks)
{
	struct statvfs sv;

	*inodes = *blocks = 0;
	if (!statvfs(self->dir, &sv)) {
		*inodes = sv.f_ffree;
		*blocks = sv.f_bfree;
	}
}

/* Drops the dentries the last try left, negative ones among them. */
static void forget_dentries(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "2", 1) != 1)
			perror("drop_caches");
		close(fd);
	}
}

TEST_F_TIMEOUT(fault, every_allocation_of_every_operation, 1800)
{
	unsigned int i;
	int total = 0;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const struct fault_op *o = &ops[i];
		int n, failed = 0, survived = 0;

		if (!(o->on & variant->ops))
			continue;
		/* Orders from min-order up fail: none at all, or every one. */
		if (self->page_alloc)
			ASSERT_EQ(0, write_knob(FAIL_PAGE_ALLOC "min-order", o->slab_only ? "99" : "0"));
		if (o->prepare)
			ASSERT_EQ(0, o->prepare(self)) TH_LOG("%s: prepare: %s", o->name, strerror(errno));

		for (n = 1; n <= MAX_POINTS; n++) {
			unsigned long inodes, blocks, inodes2, blocks2;
			const char *bad;
			int err, hit;
			long rc;

			room(self, &inodes, &blocks);
			ASSERT_EQ(0, o->setup(self)) TH_LOG("%s: setup: %s", o->name, strerror(errno));
			ASSERT_EQ(0, arm(self->nth, n));
			errno = 0;
			rc = o->op(self);
			err = errno;
			hit = fired(self->nth);
			ASSERT_LE(0, hit) TH_LOG("fail-nth: %s", strerror(errno));
			bad = o->check(self, rc);
			/* Evicted, inodes have their link counts and sizes checked too. */
			forget_dentries();
			ASSERT_EQ(0, check_store(self->dir)) TH_LOG("%s: fault %d: the store is inconsistent",
								  o->name, n);
			o->cleanup(self);
			forget_dentries();
			room(self, &inodes2, &blocks2);
			if (!hit) {
				/* It reached fewer than n points: all were tried. */
				ASSERT_LE(0, rc) TH_LOG("%s: fails with no fault: %s", o->name, strerror(err));
				ASSERT_EQ(NULL, bad) TH_LOG("%s: no fault: %s", o->name, bad);
				ASSERT_EQ(inodes, inodes2) TH_LOG("%s: no fault: inodes not given back", o->name);
				ASSERT_EQ(blocks, blocks2) TH_LOG("%s: no fault: blocks not given back", o->name);
				break;
			}
			if (rc == -1) {
				EXPECT_TRUE(err == ENOMEM || (self->usercopy && err == EFAULT))
					TH_LOG("%s: fault %d: errno %d (%s)", o->name, n, err, strerror(err));
				failed++;
			} else {
				survived++;
			}
			EXPECT_EQ(NULL, bad) TH_LOG("%s: fault %d: %s", o->name, n, bad);
			EXPECT_EQ(inodes, inodes2) TH_LOG("%s: fault %d: inodes not given back", o->name, n);
			EXPECT_EQ(blocks, blocks2) TH_LOG("%s: fault %d: blocks not given back", o->name, n);
		}
		ASSERT_GE(MAX_POINTS, n) TH_LOG("%s: the sweep did not end", o->name);
		if (o->finish)
			o->finish(self);
		ksft_print_msg("%s: %d fault points: %d failed with ENOMEM, %d succeeded anyway\n",
			       o->name, n - 1, failed, survived);
		total += n - 1;
	}
	ksft_print_msg("%d fault points in all\n", total);
}

TEST_HARNESS_MAIN
