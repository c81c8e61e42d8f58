// SPDX-License-Identifier: GPL-2.0
/*
 * rustfs directory and file operations: each operation and its errors,
 * contents and attributes surviving eviction of every cache, and the VFS
 * paths they drive (d_splice_alias() onto hashed dentries, coalesced
 * d_alloc_parallel() lookups, d_alloc_noblock() readdir priming,
 * d_duplicate() whiteouts, d_add_ci()), checked through rustfs's counters
 * in debugfs.
 *
 * Needs rustfs loaded (the rustfs VM does this), debugfs and root.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/falloc.h>
#include <linux/fs.h>

#include "../../kselftest_harness.h"

#include "rustfs_util.h"

FIXTURE(fs) {
	char dir[64];
	char path[PATH_MAX];
	char path2[PATH_MAX];
};

/* Mounts rustfs with @opts on the fixture's directory. */
static int mount_opts(const char *dir, const char *opts)
{
	return mount(SOURCE, dir, "rustfs", 0, opts);
}

FIXTURE_SETUP(fs)
{
	if (!rustfs_registered())
		SKIP(return, "rustfs is not loaded");
	/* See drop_caches(). */
	ASSERT_EQ(0, pin_to_cpu0());
	strcpy(self->dir, "/tmp/rustfs.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount_opts(self->dir, NULL));
	ASSERT_GE(counter(self->dir, "lookups"), 0)
		TH_LOG("no counters in debugfs for %s", self->dir);
}

FIXTURE_TEARDOWN(fs)
{
	/*
	 * Whatever the test did, the store is consistent; with the inodes
	 * evicted, their link counts and sizes are checked too.
	 */
	drop_caches();
	EXPECT_EQ(0, check_store(self->dir));
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

/* dir/name, in one of two buffers: P() for the first path argument of a
 * call, Q() for the second. */
#define P(name) (snprintf(self->path, sizeof(self->path), "%s/%s", self->dir, name), self->path)
#define Q(name) (snprintf(self->path2, sizeof(self->path2), "%s/%s", self->dir, name), self->path2)

/*
 * The bytes @path's extended attributes take from size=: their names and
 * values.  A new inode has those the LSM labelled it with (see lsm_labels).
 */
static long xattr_bytes(const char *path)
{
	char list[1024], *n;
	long bytes = 0;
	ssize_t l, v;

	l = llistxattr(path, list, sizeof(list));
	if (l < 0)
		return -1;
	for (n = list; n < list + l; n += strlen(n) + 1) {
		v = lgetxattr(path, n, NULL, 0);
		if (v < 0)
			return -1;
		bytes += strlen(n) + v;
	}
	return bytes;
}

TEST_F(fs, create_write_read)
{
	char buf[64] = {};
	struct stat st;

	ASSERT_EQ(0, write_file(P("f"), "hello rustfs", 12));
	ASSERT_EQ(0, stat(P("f"), &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(0644 & ~022, st.st_mode & 0777);
	EXPECT_EQ(12, st.st_size);
	EXPECT_EQ(1, st.st_nlink);
	ASSERT_EQ(12, read_file(P("f"), buf, sizeof(buf)));
	EXPECT_STREQ("hello rustfs", buf);
}

TEST_F(fs, create_errors)
{
	char name[300];

	ASSERT_EQ(0, write_file(P("f"), "x", 1));
	EXPECT_EQ(-1, open(P("f"), O_CREAT | O_EXCL | O_WRONLY, 0644));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, mkdir(P("f"), 0755));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, unlink(P("missing")));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, open(P("missing/x"), O_CREAT | O_WRONLY, 0644));
	EXPECT_EQ(ENOENT, errno);
	memset(name, 'n', 256);
	name[256] = 0;
	EXPECT_EQ(-1, open(P(name), O_CREAT | O_WRONLY, 0644));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, mkdir(P(name), 0755));
	EXPECT_EQ(ENAMETOOLONG, errno);
	name[255] = 0;
	EXPECT_EQ(0, mkdir(P(name), 0755));
}

TEST_F(fs, mkdir_rmdir)
{
	struct stat st;

	ASSERT_EQ(0, mkdir(P("d"), 0700));
	ASSERT_EQ(0, stat(P("d"), &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(2, st.st_nlink);
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(3, st.st_nlink);
	ASSERT_EQ(0, write_file(P("d/f"), "x", 1));
	EXPECT_EQ(-1, rmdir(P("d")));
	EXPECT_EQ(ENOTEMPTY, errno);
	EXPECT_EQ(-1, unlink(P("d")));
	EXPECT_EQ(EISDIR, errno);
	EXPECT_EQ(-1, rmdir(P("d/f")));
	EXPECT_EQ(ENOTDIR, errno);
	ASSERT_EQ(0, unlink(P("d/f")));
	ASSERT_EQ(0, rmdir(P("d")));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(2, st.st_nlink);
	EXPECT_EQ(-1, stat(P("d"), &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(fs, special_files)
{
	struct stat st;

	ASSERT_EQ(0, mknod(P("fifo"), S_IFIFO | 0600, 0));
	ASSERT_EQ(0, mknod(P("chr"), S_IFCHR | 0600, makedev(1, 3)));
	ASSERT_EQ(0, mknod(P("blk"), S_IFBLK | 0600, makedev(7, 0)));
	ASSERT_EQ(0, mknod(P("sock"), S_IFSOCK | 0600, 0));
	drop_caches();
	ASSERT_EQ(0, stat(P("fifo"), &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	ASSERT_EQ(0, stat(P("chr"), &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(makedev(1, 3), st.st_rdev);
	ASSERT_EQ(0, stat(P("blk"), &st));
	EXPECT_TRUE(S_ISBLK(st.st_mode));
	EXPECT_EQ(makedev(7, 0), st.st_rdev);
	ASSERT_EQ(0, stat(P("sock"), &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
}

TEST_F(fs, symlink)
{
	char buf[PATH_MAX] = {};
	struct stat st;

	ASSERT_EQ(0, write_file(P("target"), "data", 4));
	ASSERT_EQ(0, symlink("target", P("link")));
	drop_caches();
	ASSERT_EQ(6, readlink(P("link"), buf, sizeof(buf)));
	EXPECT_STREQ("target", buf);
	ASSERT_EQ(0, lstat(P("link"), &st));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	EXPECT_EQ(6, st.st_size);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(4, read_file(P("link"), buf, sizeof(buf)));
	EXPECT_STREQ("data", buf);
	EXPECT_EQ(-1, symlink("x", P("link")));
	EXPECT_EQ(EEXIST, errno);
}

TEST_F(fs, hard_links)
{
	struct stat a, b;
	char buf[8] = {};

	ASSERT_EQ(0, write_file(P("a"), "shared", 6));
	ASSERT_EQ(0, mkdir(P("d"), 0755));
	ASSERT_EQ(0, link(P("a"), Q("d/b")));
	ASSERT_EQ(0, stat(P("a"), &a));
	EXPECT_EQ(2, a.st_nlink);
	drop_caches();
	ASSERT_EQ(0, stat(P("d/b"), &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(2, b.st_nlink);
	ASSERT_EQ(0, unlink(P("a")));
	drop_caches();
	ASSERT_EQ(0, stat(P("d/b"), &b));
	EXPECT_EQ(1, b.st_nlink);
	ASSERT_EQ(6, read_file(P("d/b"), buf, sizeof(buf)));
	EXPECT_STREQ("shared", buf);
	EXPECT_EQ(-1, link(P("d"), Q("dirlink")));
	EXPECT_EQ(EPERM, errno);
}

TEST_F(fs, unlinked_open_file_keeps_data)
{
	char buf[8] = {};
	int fd;

	ASSERT_EQ(0, write_file(P("f"), "alive", 5));
	fd = open(P("f"), O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, unlink(P("f")));
	drop_caches();
	ASSERT_EQ(5, pread(fd, buf, sizeof(buf), 0));
	EXPECT_STREQ("alive", buf);
	ASSERT_EQ(2, pwrite(fd, "AL", 2, 0));
	ASSERT_EQ(5, pread(fd, buf, sizeof(buf), 0));
	EXPECT_STREQ("ALive", buf);
	close(fd);
}

TEST_F(fs, rename_plain_and_replace)
{
	char buf[8] = {};
	struct stat st;

	ASSERT_EQ(0, write_file(P("a"), "A", 1));
	ASSERT_EQ(0, write_file(P("b"), "B", 1));
	ASSERT_EQ(0, rename(P("a"), Q("c")));
	EXPECT_EQ(-1, stat(P("a"), &st));
	ASSERT_EQ(0, rename(P("c"), Q("b")));
	drop_caches();
	ASSERT_EQ(1, read_file(P("b"), buf, sizeof(buf)));
	EXPECT_STREQ("A", buf);
	EXPECT_EQ(-1, stat(P("c"), &st));
	EXPECT_EQ(ENOENT, errno);
}

/* Counts the entries of @dir named .rustfs*, silly-renamed files; copies
 * the last one's name to @name. */
static int count_silly(const char *dir, char *name)
{
	struct dirent *d;
	int n = 0;
	DIR *dp;

	dp = opendir(dir);
	if (!dp)
		return -1;
	while ((d = readdir(dp))) {
		if (strncmp(d->d_name, ".rustfs", 7))
			continue;
		n++;
		if (name)
			strcpy(name, d->d_name);
	}
	closedir(dp);
	return n;
}

/*
 * silly_rename: replacing a file that is still open moves it to a hidden
 * name (through d_duplicate() of the target) until its last close, as NFS
 * does; without the option it just loses its name.
 */
TEST_F(fs, silly_rename)
{
	long renames, unlinks, dups;
	char buf[8] = {}, silly[NAME_MAX + 1];
	struct stat st, fst;
	int fd;

	ASSERT_EQ(0, write_file(P("a"), "A", 1));
	ASSERT_EQ(0, write_file(P("b"), "B", 1));
	fd = open(P("b"), O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, rename(P("a"), Q("b")));
	ASSERT_EQ(0, fstat(fd, &fst));
	EXPECT_EQ(0, fst.st_nlink);
	EXPECT_EQ(0, count_silly(self->dir, NULL));
	close(fd);

	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount_opts(self->dir, "silly_rename"));
	renames = counter(self->dir, "silly_renames");
	unlinks = counter(self->dir, "silly_unlinks");
	dups = counter(self->dir, "duplicates");
	ASSERT_EQ(0, write_file(P("a"), "A", 1));
	ASSERT_EQ(0, write_file(P("b"), "B", 1));
	fd = open(P("b"), O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, rename(P("a"), Q("b")));
	EXPECT_EQ(renames + 1, counter(self->dir, "silly_renames"));
	EXPECT_EQ(dups + 1, counter(self->dir, "duplicates"));
	/* The open file kept a name, and the new one has the old name. */
	ASSERT_EQ(0, fstat(fd, &fst));
	EXPECT_EQ(1, fst.st_nlink);
	ASSERT_EQ(1, count_silly(self->dir, silly));
	ASSERT_EQ(0, stat(P(silly), &st));
	EXPECT_EQ(fst.st_ino, st.st_ino);
	ASSERT_EQ(1, read_file(P("b"), buf, sizeof(buf)));
	EXPECT_STREQ("A", buf);
	/* An open file is never evicted, nor its name removed. */
	drop_caches();
	ASSERT_EQ(1, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ('B', buf[0]);
	EXPECT_EQ(1, count_silly(self->dir, NULL));
	EXPECT_EQ(unlinks, counter(self->dir, "silly_unlinks"));
	/* The last close removes the hidden name. */
	close(fd);
	EXPECT_EQ(0, count_silly(self->dir, NULL));
	EXPECT_EQ(-1, stat(P(silly), &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(unlinks + 1, counter(self->dir, "silly_unlinks"));

	/* A target nobody holds is replaced as usual. */
	ASSERT_EQ(0, write_file(P("c"), "C", 1));
	ASSERT_EQ(0, rename(P("c"), Q("b")));
	EXPECT_EQ(renames + 1, counter(self->dir, "silly_renames"));
	EXPECT_EQ(0, count_silly(self->dir, NULL));

	/* A silly-renamed file keeps its directory from being removed. */
	ASSERT_EQ(0, mkdir(P("d"), 0755));
	ASSERT_EQ(0, write_file(P("d/x"), "X", 1));
	ASSERT_EQ(0, write_file(P("d/y"), "Y", 1));
	fd = open(P("d/x"), O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, rename(P("d/y"), Q("d/x")));
	EXPECT_EQ(0, unlink(P("d/x")));
	EXPECT_EQ(-1, rmdir(P("d")));
	EXPECT_EQ(ENOTEMPTY, errno);
	close(fd);
	EXPECT_EQ(0, rmdir(P("d")));

	/* And remount switches it off. */
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "nosilly_rename"));
	ASSERT_EQ(0, write_file(P("a"), "A", 1));
	fd = open(P("b"), O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, rename(P("a"), Q("b")));
	ASSERT_EQ(0, fstat(fd, &fst));
	EXPECT_EQ(0, fst.st_nlink);
	EXPECT_EQ(renames + 2, counter(self->dir, "silly_renames"));
	close(fd);
}

/* statx: the creation time and the block count come from the store. */
TEST_F(fs, statx_btime_and_blocks)
{
	struct statx a, b;
	char big[5000];
	struct timeval tv[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 2000000000 } };

	memset(big, 'x', sizeof(big));
	ASSERT_EQ(0, write_file(P("f"), big, sizeof(big)));
	ASSERT_EQ(0, statx(AT_FDCWD, P("f"), 0, STATX_BTIME | STATX_BLOCKS, &a));
	ASSERT_TRUE(a.stx_mask & STATX_BTIME);
	/* Two pages of store. */
	EXPECT_EQ(16, a.stx_blocks);
	EXPECT_LE(a.stx_btime.tv_sec, a.stx_mtime.tv_sec);
	EXPECT_NE(0, a.stx_btime.tv_sec);
	/* Changing the other times leaves it, and eviction keeps it. */
	ASSERT_EQ(0, utimes(P("f"), tv));
	drop_caches();
	ASSERT_EQ(0, statx(AT_FDCWD, P("f"), 0, STATX_BTIME | STATX_BLOCKS, &b));
	EXPECT_EQ(a.stx_btime.tv_sec, b.stx_btime.tv_sec);
	EXPECT_EQ(a.stx_btime.tv_nsec, b.stx_btime.tv_nsec);
	EXPECT_EQ(2000000000, b.stx_mtime.tv_sec);
	EXPECT_EQ(16, b.stx_blocks);
	ASSERT_EQ(0, truncate(P("f"), 0));
	ASSERT_EQ(0, statx(AT_FDCWD, P("f"), 0, STATX_BLOCKS, &b));
	EXPECT_EQ(0, b.stx_blocks);
	/* A hole takes no store, and reads as zeroes, after eviction too. */
	ASSERT_EQ(0, truncate(P("f"), 1 << 20));
	ASSERT_EQ(0, statx(AT_FDCWD, P("f"), 0, STATX_BLOCKS | STATX_SIZE, &b));
	EXPECT_EQ(0, b.stx_blocks);
	EXPECT_EQ(1 << 20, b.stx_size);
	drop_caches();
	memset(big, 'x', sizeof(big));
	ASSERT_EQ((ssize_t)sizeof(big), read_file(P("f"), big, sizeof(big)));
	EXPECT_EQ(0, big[0]);
	EXPECT_EQ(0, big[sizeof(big) - 1]);
	/* Every type has one. */
	ASSERT_EQ(0, symlink("target", P("l")));
	ASSERT_EQ(0, mkfifo(P("p"), 0644));
	ASSERT_EQ(0, statx(AT_FDCWD, P("l"), AT_SYMLINK_NOFOLLOW, STATX_BTIME | STATX_BLOCKS, &b));
	EXPECT_TRUE(b.stx_mask & STATX_BTIME);
	EXPECT_EQ(1, b.stx_blocks);
	ASSERT_EQ(0, statx(AT_FDCWD, P("p"), 0, STATX_BTIME, &b));
	EXPECT_TRUE(b.stx_mask & STATX_BTIME);
	ASSERT_EQ(0, statx(AT_FDCWD, self->dir, 0, STATX_BTIME, &b));
	EXPECT_TRUE(b.stx_mask & STATX_BTIME);
}

TEST_F(fs, rename_directories)
{
	struct stat st;

	ASSERT_EQ(0, mkdir(P("d1"), 0755));
	ASSERT_EQ(0, mkdir(P("d2"), 0755));
	ASSERT_EQ(0, mkdir(P("d1/sub"), 0755));
	ASSERT_EQ(0, write_file(P("d1/sub/f"), "x", 1));
	ASSERT_EQ(0, rename(P("d1/sub"), Q("d2/sub")));
	ASSERT_EQ(0, stat(P("d1"), &st));
	EXPECT_EQ(2, st.st_nlink);
	ASSERT_EQ(0, stat(P("d2"), &st));
	EXPECT_EQ(3, st.st_nlink);
	drop_caches();
	ASSERT_EQ(0, stat(P("d2/sub/f"), &st));
	/* Onto a non-empty directory. */
	ASSERT_EQ(0, mkdir(P("d1/sub"), 0755));
	EXPECT_EQ(-1, rename(P("d1/sub"), Q("d2/sub")));
	EXPECT_EQ(ENOTEMPTY, errno);
	/* Onto an empty one. */
	ASSERT_EQ(0, unlink(P("d2/sub/f")));
	ASSERT_EQ(0, rename(P("d1/sub"), Q("d2/sub")));
	ASSERT_EQ(0, stat(P("d1"), &st));
	EXPECT_EQ(2, st.st_nlink);
	ASSERT_EQ(0, stat(P("d2"), &st));
	EXPECT_EQ(3, st.st_nlink);
}

static int ctime_later(const struct stat *after, const struct stat *before)
{
	return after->st_ctim.tv_sec > before->st_ctim.tv_sec ||
	       (after->st_ctim.tv_sec == before->st_ctim.tv_sec &&
		after->st_ctim.tv_nsec > before->st_ctim.tv_nsec);
}

/*
 * A rename changes the ctime of what it moves and of what it exchanges, as
 * on tmpfs: a directory that stays in its parent too, although the VFS
 * leaves it unlocked.
 */
TEST_F(fs, rename_stamps_ctime)
{
	struct stat d1, d2, f, st;

	ASSERT_EQ(0, mkdir(P("d1"), 0755));
	ASSERT_EQ(0, mkdir(P("d2"), 0755));
	ASSERT_EQ(0, write_file(P("f"), "x", 1));
	ASSERT_EQ(0, stat(P("d1"), &d1));
	ASSERT_EQ(0, stat(P("d2"), &d2));
	ASSERT_EQ(0, stat(P("f"), &f));
	usleep(50 * 1000);
	ASSERT_EQ(0, rename(P("d1"), Q("d3")));
	ASSERT_EQ(0, rename(P("f"), Q("g")));
	ASSERT_EQ(0, stat(P("d3"), &st));
	EXPECT_TRUE(ctime_later(&st, &d1));
	ASSERT_EQ(0, stat(P("g"), &st));
	EXPECT_TRUE(ctime_later(&st, &f));
	usleep(50 * 1000);
	ASSERT_EQ(0, stat(P("d3"), &d1));
	ASSERT_EQ(0, renameat2(AT_FDCWD, P("d2"), AT_FDCWD, Q("d3"), RENAME_EXCHANGE));
	drop_caches();
	/* d3 is the old d2 now, and d2 the old d1. */
	ASSERT_EQ(0, stat(P("d3"), &st));
	EXPECT_TRUE(ctime_later(&st, &d2));
	ASSERT_EQ(0, stat(P("d2"), &st));
	EXPECT_TRUE(ctime_later(&st, &d1));
}

TEST_F(fs, rename_flags)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], buf[8] = {};
	struct stat st;
	long dups;

	snprintf(a, sizeof(a), "%s/a", self->dir);
	snprintf(b, sizeof(b), "%s/b", self->dir);
	snprintf(c, sizeof(c), "%s/c", self->dir);
	ASSERT_EQ(0, write_file(a, "A", 1));
	ASSERT_EQ(0, write_file(b, "B", 1));
	EXPECT_EQ(-1, renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE | RENAME_NOREPLACE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE | RENAME_WHITEOUT));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, renameat2(AT_FDCWD, a, AT_FDCWD, b, 1 << 7));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, renameat2(AT_FDCWD, a, AT_FDCWD, c, RENAME_EXCHANGE));
	EXPECT_EQ(ENOENT, errno);

	/* Exchange: the names swap their contents. */
	ASSERT_EQ(0, renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE));
	drop_caches();
	ASSERT_EQ(1, read_file(a, buf, sizeof(buf)));
	EXPECT_STREQ("B", buf);
	ASSERT_EQ(1, read_file(b, buf, sizeof(buf)));
	EXPECT_STREQ("A", buf);

	/* Whiteout: the old name becomes a 0:0 character device, made
	 * through an in-lookup duplicate of the old dentry. */
	dups = counter(self->dir, "duplicates");
	ASSERT_EQ(0, renameat2(AT_FDCWD, a, AT_FDCWD, c, RENAME_WHITEOUT));
	ASSERT_EQ(0, lstat(a, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(makedev(0, 0), st.st_rdev);
	EXPECT_EQ(dups + 1, counter(self->dir, "duplicates"));
	drop_caches();
	ASSERT_EQ(0, lstat(a, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(1, read_file(c, buf, sizeof(buf)));
	EXPECT_STREQ("B", buf);
}

TEST_F(fs, attributes_survive_eviction)
{
	struct timeval tv[2] = { { 1000000000, 0 }, { 1200000000, 0 } };
	struct stat st;
	char buf[16];
	int i;

	ASSERT_EQ(0, write_file(P("f"), "0123456789", 10));
	ASSERT_EQ(0, chmod(P("f"), 0640));
	ASSERT_EQ(0, chown(P("f"), 1234, 5678));
	ASSERT_EQ(0, truncate(P("f"), 4));
	ASSERT_EQ(0, truncate(P("f"), 8));
	/* After the truncates, which stamp mtime themselves. */
	ASSERT_EQ(0, utimes(P("f"), tv));
	/* Reclaim is best effort: retry until the inode is really gone. */
	for (i = 0; i < 20 && counter(self->dir, "evictions") == 0; i++)
		drop_caches();
	EXPECT_GT(counter(self->dir, "evictions"), 0);
	ASSERT_EQ(0, stat(P("f"), &st));
	EXPECT_EQ(0640, st.st_mode & 07777);
	EXPECT_EQ(1234, st.st_uid);
	EXPECT_EQ(5678, st.st_gid);
	EXPECT_EQ(1200000000, st.st_mtime);
	EXPECT_EQ(8, st.st_size);
	ASSERT_EQ(8, read_file(P("f"), buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "0123\0\0\0\0", 8));
}

TEST_F(fs, partial_page_writes_after_eviction)
{
	char buf[8192];
	int fd, i;

	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = 'a' + i % 26;
	ASSERT_EQ(0, write_file(P("f"), buf, sizeof(buf)));
	drop_caches();
	/* A write into part of a page that is not cached must not lose the
	 * rest of the page. */
	fd = open(P("f"), O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(3, pwrite(fd, "XYZ", 3, 4100));
	close(fd);
	drop_caches();
	memcpy(buf + 4100, "XYZ", 3);
	{
		char got[8192];

		ASSERT_EQ(sizeof(got), read_file(P("f"), got, sizeof(got)));
		EXPECT_EQ(0, memcmp(buf, got, sizeof(got)));
	}
}

TEST_F(fs, mmap)
{
	char buf[16] = {}, *p;
	int fd;

	ASSERT_EQ(0, write_file(P("f"), "mapped", 6));
	fd = open(P("f"), O_RDONLY);
	ASSERT_GE(fd, 0);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, memcmp(p, "mapped", 6));
	munmap(p, 4096);
	close(fd);
	fd = open(P("f"), O_RDWR);
	ASSERT_GE(fd, 0);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 'M';
	munmap(p, 4096);
	close(fd);
	/* A private copy never reaches the file. */
	drop_caches();
	ASSERT_EQ(6, read_file(P("f"), buf, sizeof(buf)));
	EXPECT_STREQ("mapped", buf);
}

/* syncfs(2) of the file system mounted at @dir. */
static int syncfs_path(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY), ret;

	if (fd < 0)
		return -1;
	ret = syncfs(fd);
	close(fd);
	return ret;
}

/*
 * Stores through a shared mapping reach the store by ->writepages: on
 * msync(), on sync() through the superblock's own backing device, and never
 * past a truncate that came meanwhile.
 */
TEST_F(fs, shared_writable_mmap)
{
	long loads, wb = counter(self->dir, "writebacks");
	char buf[16] = {}, *p;
	int fd;

	ASSERT_EQ(0, write_file(P("f"), "shared", 6));
	fd = open(P("f"), O_RDWR);
	ASSERT_GE(fd, 0);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memcpy(p, "SHA", 3);
	ASSERT_EQ(0, msync(p, 4096, MS_SYNC));
	EXPECT_LT(wb, counter(self->dir, "writebacks"));
	/* Past EOF, within the page: zeroes on disk, never stored. */
	p[100] = 'z';
	munmap(p, 4096);
	close(fd);
	ASSERT_EQ(0, syncfs_path(self->dir));
	loads = counter(self->dir, "inode_loads");
	drop_caches();
	ASSERT_EQ(6, read_file(P("f"), buf, sizeof(buf)));
	EXPECT_STREQ("SHAred", buf);
	/* Read back from the store: the written-back inode was evicted. */
	EXPECT_LT(loads, counter(self->dir, "inode_loads"));

	/* Without msync: sync() writes it back. */
	fd = open(P("f"), O_RDWR);
	ASSERT_GE(fd, 0);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memcpy(p + 3, "RED", 3);
	munmap(p, 4096);
	close(fd);
	sync();
	loads = counter(self->dir, "inode_loads");
	drop_caches();
	ASSERT_EQ(6, read_file(P("f"), buf, sizeof(buf)));
	EXPECT_STREQ("SHARED", buf);
	EXPECT_LT(loads, counter(self->dir, "inode_loads"));

	/* A truncate while dirty: the store keeps the new size. */
	fd = open(P("f"), O_RDWR);
	ASSERT_GE(fd, 0);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memcpy(p, "trunc!", 6);
	ASSERT_EQ(0, ftruncate(fd, 2));
	munmap(p, 4096);
	ASSERT_EQ(0, fsync(fd));
	close(fd);
	drop_caches();
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(2, read_file(P("f"), buf, sizeof(buf)));
	EXPECT_STREQ("tr", buf);
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(bus_jmp, 1);
}

/* Stores @c at @p; returns 0, or -1 if the store raised SIGBUS. */
static int store_or_sigbus(volatile char *p, char c)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	int ret = 0;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_jmp, 1))
		ret = -1;
	else
		*p = c;
	sigaction(SIGBUS, &old, NULL);
	return ret;
}

/*
 * A store through a shared mapping into a hole takes room when the page is
 * first written, as on tmpfs: with the mount full, the store gets SIGBUS,
 * and what was stored before is never lost at writeback.
 */
TEST_F(fs, mmap_store_into_a_hole_when_full)
{
	long page = sysconf(_SC_PAGESIZE);
	char buf[4096] = {}, c = 0;
	char *p;
	int fd, i;

	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount_opts(self->dir, "size=16k"));
	fd = open(P("f"), O_CREAT | O_RDWR, 0644);
	ASSERT_GE(fd, 0);
	/* A 1 MiB hole costs nothing; a page of data takes one. */
	ASSERT_EQ(0, ftruncate(fd, 256 * page));
	ASSERT_EQ(sizeof(buf), pwrite(fd, buf, sizeof(buf), 0));
	p = mmap(NULL, 256 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, store_or_sigbus(p + 10 * page, 'a'));
	/* Then the rest of the room, however much the LSM's label left. */
	for (i = 1; i < 10; i++)
		if (pwrite(fd, buf, sizeof(buf), i * page) != sizeof(buf))
			break;
	ASSERT_LT(i, 10);
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, store_or_sigbus(p + 20 * page, 'b')) TH_LOG("no room, yet no SIGBUS");
	EXPECT_EQ(0, msync(p, 256 * page, MS_SYNC));
	munmap(p, 256 * page);
	close(fd);
	drop_caches();
	fd = open(P("f"), O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(1, pread(fd, &c, 1, 10 * page));
	EXPECT_EQ('a', c);
	ASSERT_EQ(1, pread(fd, &c, 1, 20 * page));
	EXPECT_EQ(0, c);
	close(fd);
}

TEST_F(fs, readdir_lists_everything_with_types)
{
	int n = 0, files = 0, dirs = 0, i;
	struct dirent *d;
	char name[32];
	DIR *dir;

	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		ASSERT_EQ(0, write_file(P(name), "", 0));
	}
	ASSERT_EQ(0, mkdir(P("sub"), 0755));
	drop_caches();
	dir = opendir(self->dir);
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir))) {
		struct stat st;

		n++;
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		ASSERT_EQ(0, lstat(P(d->d_name), &st));
		EXPECT_EQ(st.st_ino, d->d_ino);
		if (d->d_type == DT_REG)
			files++;
		if (d->d_type == DT_DIR)
			dirs++;
	}
	closedir(dir);
	EXPECT_EQ(203, n);
	EXPECT_EQ(200, files);
	EXPECT_EQ(1, dirs);
}

TEST_F(fs, readdir_positions_are_stable)
{
	int seen[100] = {}, i, n;
	struct dirent *d;
	char name[32];
	DIR *dir;

	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "%d", i);
		ASSERT_EQ(0, write_file(P(name), "", 0));
	}
	dir = opendir(self->dir);
	ASSERT_NE(NULL, dir);
	/* Read some, then change the directory under the open stream. */
	for (n = 0; n < 30 && (d = readdir(dir)); n++)
		if (d->d_name[0] != '.')
			seen[atoi(d->d_name)]++;
	ASSERT_EQ(0, write_file(P("new"), "", 0));
	ASSERT_EQ(0, unlink(P("99")));
	drop_caches();
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.' && strcmp(d->d_name, "new"))
			seen[atoi(d->d_name)]++;
	closedir(dir);
	/* Every survivor exactly once, whatever happened meanwhile. */
	for (i = 0; i < 99; i++)
		EXPECT_EQ(1, seen[i]) TH_LOG("entry %d seen %d times", i, seen[i]);
}

/*
 * A rename within the directory keeps the entry's readdir position: a
 * readdir that renames every entry it meets to another name and back
 * (fstests' generic/736) meets each entry once.  Had a rename moved the
 * entry to the end, the loop would meet it again, forever.
 */
TEST_F(fs, readdir_meets_entries_renamed_in_place_once)
{
	int seen[200] = {}, n = 0, i;
	struct dirent *d;
	char name[32];
	DIR *dir;

	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "%d", i);
		ASSERT_EQ(0, write_file(P(name), "", 0));
	}
	dir = opendir(self->dir);
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir)) && n < 1000) {
		n++;
		if (d->d_name[0] == '.')
			continue;
		i = atoi(d->d_name);
		ASSERT_LT(i, 200);
		seen[i]++;
		/* Both ways: onto a new name, and back onto a free one. */
		ASSERT_EQ(0, rename(P(d->d_name), Q("tmp")));
		ASSERT_EQ(0, rename(Q("tmp"), P(d->d_name)));
	}
	closedir(dir);
	EXPECT_EQ(202, n);
	for (i = 0; i < 200; i++)
		EXPECT_EQ(1, seen[i]) TH_LOG("entry %d seen %d times", i, seen[i]);
}

TEST_F(fs, creates_splice_onto_hashed_negative_dentries)
{
	long hashed = counter(self->dir, "splice_hashed");
	struct stat st;

	/* A failed lookup leaves a hashed negative dentry ... */
	EXPECT_EQ(-1, stat(P("x"), &st));
	EXPECT_EQ(-1, stat(P("y"), &st));
	EXPECT_EQ(-1, stat(P("z"), &st));
	/* ... which mkdir, create and symlink instantiate in place. */
	ASSERT_EQ(0, mkdir(P("x"), 0755));
	ASSERT_EQ(0, write_file(P("y"), "", 0));
	ASSERT_EQ(0, symlink("y", P("z")));
	EXPECT_EQ(hashed + 3, counter(self->dir, "splice_hashed"));
}

TEST_F(fs, readdir_primes_the_dcache)
{
	long lookups, added;
	char name[32];
	struct stat st;
	DIR *dir;
	int i;

	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		ASSERT_EQ(0, write_file(P(name), "", 0));
	}
	drop_caches();
	added = counter(self->dir, "prime_added");
	dir = opendir(self->dir);
	ASSERT_NE(NULL, dir);
	while (readdir(dir))
		;
	closedir(dir);
	EXPECT_EQ(added + 50, counter(self->dir, "prime_added"));
	/* Every name is now in the dcache: no ->lookup. */
	lookups = counter(self->dir, "lookups");
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		ASSERT_EQ(0, stat(P(name), &st));
	}
	EXPECT_EQ(lookups, counter(self->dir, "lookups"));

	/* Without priming, each stat looks its name up. */
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "noprime_dcache"));
	drop_caches();
	dir = opendir(self->dir);
	ASSERT_NE(NULL, dir);
	while (readdir(dir))
		;
	closedir(dir);
	lookups = counter(self->dir, "lookups");
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		ASSERT_EQ(0, stat(P(name), &st));
	}
	EXPECT_EQ(lookups + 50, counter(self->dir, "lookups"));
}

/* CLOCK_MONOTONIC in milliseconds, for the log. */
static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads every entry of @dir. */
static int read_all(const char *dir)
{
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while (readdir(d))
		;
	return closedir(d);
}

/* Waits up to 20 s for counter @name of @mnt to reach @want; returns it. */
static long wait_counter(const char *mnt, const char *name, long want)
{
	long v;
	int i;

	for (i = 0; i < 200; i++) {
		v = counter(mnt, name);
		if (v >= want)
			break;
		usleep(100 * 1000);
	}
	return v;
}

TEST_F(fs, lazy_prime_looks_names_up_after_readdir)
{
	long lookups, queued;
	char name[32];
	struct stat st;
	int i;

	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "lazy_prime"));
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		ASSERT_EQ(0, write_file(P(name), "", 0));
	}
	drop_caches();
	lookups = counter(self->dir, "lookups");
	queued = counter(self->dir, "prime_queued");
	ASSERT_EQ(0, read_all(self->dir));
	EXPECT_EQ(queued + 50, counter(self->dir, "prime_queued"));
	/* The worker looks each name up once ... */
	EXPECT_EQ(lookups + 50, wait_counter(self->dir, "lookups", lookups + 50));
	/* ... so that stat finds every one in the dcache. */
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		ASSERT_EQ(0, stat(P(name), &st));
	}
	EXPECT_EQ(lookups + 50, counter(self->dir, "lookups"));

	/*
	 * A cached directory costs the worker no lookup. Nothing tells when
	 * the worker is done: give it time, so that a lookup would show.
	 */
	ASSERT_EQ(0, read_all(self->dir));
	EXPECT_EQ(queued + 100, counter(self->dir, "prime_queued"));
	usleep(500 * 1000);
	EXPECT_EQ(lookups + 50, counter(self->dir, "lookups"));
}

/* A prefetch takes 1024 names: one getdents of more queues those, drops the rest. */
TEST_F(fs, lazy_prime_takes_1024_names_a_call)
{
	long lookups, queued, dropped, n = 0;
	char name[32], *buf;
	ssize_t len, off;
	int fd, i;

	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "lazy_prime"));
	for (i = 0; i < 1100; i++) {
		snprintf(name, sizeof(name), "%d", i);
		ASSERT_EQ(0, mknod(P(name), S_IFREG | 0644, 0));
	}
	buf = malloc(1 << 18);
	ASSERT_NE(NULL, buf);
	fd = open(self->dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	lookups = counter(self->dir, "lookups");
	queued = counter(self->dir, "prime_queued");
	dropped = counter(self->dir, "prime_dropped");
	len = syscall(SYS_getdents64, fd, buf, 1 << 18);
	for (off = 0; off < len; off += ((struct dirent64 *)(buf + off))->d_reclen)
		n++;
	close(fd);
	free(buf);
	/* All 1100 names and the dots, in one call. */
	ASSERT_EQ(1102, n);
	EXPECT_EQ(queued + 1024, counter(self->dir, "prime_queued"));
	EXPECT_EQ(dropped + 1100 - 1024, counter(self->dir, "prime_dropped"));
	/* The names were cached: the worker finds them all in the dcache. */
	usleep(500 * 1000);
	EXPECT_EQ(lookups, counter(self->dir, "lookups"));
}

/*
 * A queued prefetch holds the directory's dentry: unmounting must wait for
 * it, not find the dentry busy ("Dentry still in use", a kernel BUG).
 */
TEST_F(fs, umount_waits_for_lazy_prime)
{
	char mnt[] = "/tmp/rustfs.XXXXXX", path[PATH_MAX];
	long lookups, t0;
	int i;

	ASSERT_NE(NULL, mkdtemp(mnt));
	/* 200 names at 2 ms a lookup: the worker is still busy at umount. */
	ASSERT_EQ(0, mount_opts(mnt, "lazy_prime,lookup_delay_us=2000"));
	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "%s/f%d", mnt, i);
		ASSERT_EQ(0, write_file(path, "", 0));
	}
	drop_caches();
	lookups = counter(mnt, "lookups");
	ASSERT_EQ(0, read_all(mnt));
	EXPECT_LT(counter(mnt, "lookups") - lookups, 200)
		TH_LOG("the worker was done before umount");
	t0 = now_ms();
	EXPECT_EQ(0, umount(mnt)) TH_LOG("umount: %s", strerror(errno));
	/* The worker stops at umount: this is not all 200 lookups' time. */
	TH_LOG("umount took %ld ms", now_ms() - t0);
	rmdir(mnt);
}

#define THREADS 8

struct racer {
	pthread_barrier_t *start;
	const char *path;
	int err;
	ino_t ino;
};

static void *stat_racer(void *arg)
{
	struct racer *r = arg;
	struct stat st;

	pthread_barrier_wait(r->start);
	r->err = stat(r->path, &st) ? errno : 0;
	r->ino = r->err ? 0 : st.st_ino;
	return NULL;
}

/* @THREADS threads stat @path at once; returns the ->lookup calls made. */
static long race_stat(const char *mnt, const char *path, struct racer *r)
{
	pthread_t t[THREADS];
	pthread_barrier_t start;
	long before = counter(mnt, "lookups");
	int i;

	pthread_barrier_init(&start, NULL, THREADS);
	for (i = 0; i < THREADS; i++) {
		r[i].start = &start;
		r[i].path = path;
		pthread_create(&t[i], NULL, stat_racer, &r[i]);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	return counter(mnt, "lookups") - before;
}

TEST_F(fs, concurrent_lookups_coalesce)
{
	struct racer r[THREADS] = {};
	struct stat st;
	int i;

	/* A slow ->lookup: the other threads find the name in-lookup and
	 * wait in d_alloc_parallel() instead of looking it up again. */
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "lookup_delay_us=300000"));
	EXPECT_EQ(1, race_stat(self->dir, P("missing"), r));
	for (i = 0; i < THREADS; i++)
		EXPECT_EQ(ENOENT, r[i].err);

	ASSERT_EQ(0, write_file(P("present"), "", 0));
	ASSERT_EQ(0, stat(P("present"), &st));
	drop_caches();
	EXPECT_EQ(1, race_stat(self->dir, P("present"), r));
	for (i = 0; i < THREADS; i++) {
		EXPECT_EQ(0, r[i].err);
		EXPECT_EQ(st.st_ino, r[i].ino);
	}
}

TEST_F(fs, casefold)
{
	struct stat a, b;
	struct dirent *d;
	int found = 0;
	DIR *dir;

	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount_opts(self->dir, "casefold"));
	ASSERT_EQ(0, write_file(P("MixedCase"), "x", 1));
	ASSERT_EQ(0, stat(P("MixedCase"), &a));
	drop_caches();
	ASSERT_EQ(0, stat(P("mixedcase"), &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	ASSERT_EQ(0, stat(P("MIXEDCASE"), &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_GT(counter(self->dir, "add_ci"), 0);
	EXPECT_EQ(-1, open(P("MIXEDcase"), O_CREAT | O_EXCL | O_WRONLY, 0644));
	EXPECT_EQ(EEXIST, errno);
	dir = opendir(self->dir);
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir)))
		if (!strcmp(d->d_name, "MixedCase"))
			found++;
	closedir(dir);
	EXPECT_EQ(1, found);
}

/* The entries of @dir but "." and "..", counted; *@want says if @name is one. */
static int count_entries(const char *dir, const char *name, int *want)
{
	struct dirent *e;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -1;
	*want = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		if (!strcmp(e->d_name, name))
			*want = 1;
	}
	closedir(d);
	return n;
}

/*
 * A miss must not leave a negative dentry that answers for one case only:
 * after "Foo" missed, "foo" is created, and "Foo" must find it, and no
 * create in any case may make a second name that folds equal.
 */
TEST_F(fs, casefold_miss_then_create)
{
	struct stat a, b;
	int fd, has;

	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount_opts(self->dir, "casefold"));
	EXPECT_EQ(-1, stat(P("Foo"), &a));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, write_file(P("foo"), "data", 4));
	ASSERT_EQ(0, stat(P("Foo"), &a)) TH_LOG("a negative dentry hides foo");
	ASSERT_EQ(0, stat(P("foo"), &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	/* O_CREAT without O_EXCL opens the file that is there. */
	fd = open(P("FOO"), O_CREAT | O_WRONLY | O_APPEND, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fstat(fd, &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	close(fd);
	EXPECT_EQ(1, count_entries(self->dir, "foo", &has));
	EXPECT_TRUE(has);
}

TEST_F(fs, casefold_every_creating_op_sees_other_cases)
{
	static const char *const miss[] = { "Foo", "FOO", "fOO", "Sub", "SUB" };
	struct stat st;
	unsigned int i;
	int has;

	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount_opts(self->dir, "casefold"));
	/* Negative lookups first, in every case that follows. */
	for (i = 0; i < sizeof(miss) / sizeof(miss[0]); i++)
		EXPECT_EQ(-1, stat(P(miss[i]), &st));
	ASSERT_EQ(0, write_file(P("foo"), "x", 1));
	ASSERT_EQ(0, mkdir(P("sub"), 0755));
	EXPECT_EQ(-1, open(P("FOO"), O_CREAT | O_EXCL | O_WRONLY, 0644));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, mkdir(P("Foo"), 0755));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, mknod(P("fOO"), S_IFIFO | 0600, 0));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, symlink("target", P("FOO")));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, link(P("foo"), Q("Foo")));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, mkdir(P("SUB"), 0755));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, renameat2(AT_FDCWD, P("sub"), AT_FDCWD, Q("FOO"), RENAME_NOREPLACE));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(2, count_entries(self->dir, "foo", &has));
	EXPECT_TRUE(has);
}

TEST_F(fs, casefold_remove_and_rename_in_other_cases)
{
	struct stat a, b;
	int has;

	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount_opts(self->dir, "casefold"));
	/* unlink and rmdir in another case; no negative dentry stays behind. */
	ASSERT_EQ(0, write_file(P("foo"), "x", 1));
	ASSERT_EQ(0, unlink(P("FOO")));
	EXPECT_EQ(-1, stat(P("foo"), &a));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, write_file(P("Foo"), "y", 1));
	ASSERT_EQ(0, stat(P("foo"), &a)) TH_LOG("the unlinked name hides Foo");
	ASSERT_EQ(0, mkdir(P("dir"), 0755));
	ASSERT_EQ(0, rmdir(P("DIR")));
	ASSERT_EQ(0, mkdir(P("Dir"), 0755));
	ASSERT_EQ(0, stat(P("dir"), &a));
	EXPECT_TRUE(S_ISDIR(a.st_mode));
	/* A rename to another case of the same name is a rename onto itself. */
	ASSERT_EQ(0, stat(P("Foo"), &a));
	ASSERT_EQ(0, rename(P("Foo"), Q("FOO")));
	ASSERT_EQ(0, stat(P("foo"), &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(2, count_entries(self->dir, "Foo", &has));
	EXPECT_TRUE(has);
	/* A rename onto another case of a name replaces it. */
	ASSERT_EQ(0, write_file(P("bar"), "z", 1));
	ASSERT_EQ(0, stat(P("bar"), &a));
	ASSERT_EQ(0, rename(P("bar"), Q("FOO")));
	ASSERT_EQ(0, stat(P("foo"), &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(-1, stat(P("BAR"), &b));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(2, count_entries(self->dir, "Foo", &has));
	EXPECT_TRUE(has);
	/* And after eviction of every cache, the same. */
	drop_caches();
	ASSERT_EQ(0, stat(P("FOO"), &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(-1, stat(P("bar"), &b));
}

/*
 * truncate(2) passes ATTR_SIZE alone: a size change must still stamp mtime
 * and ctime (fstests' generic/313), as on tmpfs; ftruncate() and O_TRUNC
 * ask for it themselves.
 */
TEST_F(fs, truncate_stamps_mtime_and_ctime)
{
	const struct timespec old[2] = { { 1, 0 }, { 1, 0 } };
	static const char *const how[] = { "truncate", "ftruncate", "O_TRUNC" };
	struct stat st;
	int i, fd;

	ASSERT_EQ(0, write_file(P("f"), "0123456789", 10));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, utimensat(AT_FDCWD, P("f"), old, 0));
		if (i == 0) {
			ASSERT_EQ(0, truncate(P("f"), 4));
		} else if (i == 1) {
			fd = open(P("f"), O_WRONLY);
			ASSERT_GE(fd, 0);
			ASSERT_EQ(0, ftruncate(fd, 2));
			close(fd);
		} else {
			fd = open(P("f"), O_WRONLY | O_TRUNC);
			ASSERT_GE(fd, 0);
			close(fd);
		}
		drop_caches();
		ASSERT_EQ(0, stat(P("f"), &st));
		EXPECT_NE(1, st.st_mtim.tv_sec) TH_LOG("%s left mtime alone", how[i]);
		EXPECT_EQ(st.st_ctim.tv_sec, st.st_mtim.tv_sec) TH_LOG("%s", how[i]);
		EXPECT_EQ(st.st_ctim.tv_nsec, st.st_mtim.tv_nsec) TH_LOG("%s", how[i]);
	}
}

/* No inode flags, and the ioctls that read them say so (xfs_io's stat). */
/* chattr(1) flags: set, enforced by the VFS, kept across eviction. */
TEST_F(fs, inode_flags)
{
	const __u64 STATX_FLAGS = STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE | STATX_ATTR_NODUMP;
	struct fsxattr fsx = { .fsx_xflags = ~0u };
	struct statx stx;
	int flags = -1, fd, status;
	pid_t pid;

	ASSERT_EQ(0, write_file(P("f"), "x", 1));
	ASSERT_EQ(0, mkdir(P("d"), 0755));
	fd = open(P("f"), O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ioctl(fd, FS_IOC_GETFLAGS, &flags));
	EXPECT_EQ(0, flags);
	ASSERT_EQ(0, ioctl(fd, FS_IOC_FSGETXATTR, &fsx));
	EXPECT_EQ(0, fsx.fsx_xflags);
	flags = FS_APPEND_FL | FS_NODUMP_FL;
	ASSERT_EQ(0, ioctl(fd, FS_IOC_SETFLAGS, &flags)) TH_LOG("%s", strerror(errno));
	flags = FS_COMPR_FL;
	EXPECT_EQ(-1, ioctl(fd, FS_IOC_SETFLAGS, &flags));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(fd);

	/* Append-only: no overwrite, no unlink; appends work. */
	EXPECT_EQ(-1, open(P("f"), O_WRONLY));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, unlink(P("f")));
	EXPECT_EQ(EPERM, errno);
	fd = open(P("f"), O_WRONLY | O_APPEND);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(1, write(fd, "y", 1));
	close(fd);

	/* The flags survive eviction. */
	drop_caches();
	fd = open(P("f"), O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ioctl(fd, FS_IOC_GETFLAGS, &flags));
	EXPECT_EQ(FS_APPEND_FL | FS_NODUMP_FL, flags);
	ASSERT_EQ(0, ioctl(fd, FS_IOC_FSGETXATTR, &fsx));
	EXPECT_EQ(FS_XFLAG_APPEND | FS_XFLAG_NODUMP, fsx.fsx_xflags);
	/* statx(2) reports them too, as on tmpfs (fstests' generic/424). */
	ASSERT_EQ(0, statx(AT_FDCWD, P("f"), 0, STATX_BASIC_STATS, &stx));
	EXPECT_EQ(STATX_ATTR_APPEND | STATX_ATTR_NODUMP, stx.stx_attributes & STATX_FLAGS);
	EXPECT_EQ(STATX_FLAGS, stx.stx_attributes_mask & STATX_FLAGS);

	/* Immutable, through the xfs interface this time. */
	fsx.fsx_xflags = FS_XFLAG_IMMUTABLE;
	ASSERT_EQ(0, ioctl(fd, FS_IOC_FSSETXATTR, &fsx)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(-1, open(P("f"), O_WRONLY | O_APPEND));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, chmod(P("f"), 0600));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, truncate(P("f"), 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, rename(P("f"), Q("g")));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, link(P("f"), Q("g")));
	EXPECT_EQ(EPERM, errno);
	ASSERT_EQ(0, statx(AT_FDCWD, P("f"), 0, STATX_BASIC_STATS, &stx));
	EXPECT_EQ(STATX_ATTR_IMMUTABLE, stx.stx_attributes & STATX_FLAGS);

	/* An immutable directory takes no new names. */
	fsx.fsx_xflags = FS_XFLAG_IMMUTABLE;
	{
		int dfd = open(P("d"), O_RDONLY | O_DIRECTORY);

		ASSERT_GE(dfd, 0);
		ASSERT_EQ(0, ioctl(dfd, FS_IOC_FSSETXATTR, &fsx));
		EXPECT_EQ(-1, mkdir(P("d/x"), 0755));
		EXPECT_EQ(EPERM, errno);
		fsx.fsx_xflags = 0;
		ASSERT_EQ(0, ioctl(dfd, FS_IOC_FSSETXATTR, &fsx));

		/* New entries take no-dump and no-atime from the directory, as on tmpfs. */
		flags = FS_NODUMP_FL | FS_NOATIME_FL | FS_APPEND_FL;
		ASSERT_EQ(0, ioctl(dfd, FS_IOC_SETFLAGS, &flags));
		ASSERT_EQ(0, mkdir(P("d/sub"), 0755));
		ASSERT_EQ(0, mknod(P("d/node"), S_IFREG | 0644, 0));
		{
			int sfd = open(P("d/sub"), O_RDONLY | O_DIRECTORY);
			int ffd = open(P("d/node"), O_RDONLY);

			ASSERT_GE(sfd, 0);
			ASSERT_GE(ffd, 0);
			ASSERT_EQ(0, ioctl(sfd, FS_IOC_GETFLAGS, &flags));
			EXPECT_EQ(FS_NODUMP_FL | FS_NOATIME_FL, flags);
			ASSERT_EQ(0, ioctl(ffd, FS_IOC_GETFLAGS, &flags));
			EXPECT_EQ(FS_NODUMP_FL | FS_NOATIME_FL, flags);
			close(sfd);
			close(ffd);
		}
		flags = 0;
		ASSERT_EQ(0, ioctl(dfd, FS_IOC_SETFLAGS, &flags));
		close(dfd);
	}

	/* Only CAP_LINUX_IMMUTABLE may set append-only or immutable. */
	flags = 0;
	ASSERT_EQ(0, ioctl(fd, FS_IOC_SETFLAGS, &flags));
	close(fd);
	ASSERT_EQ(0, chown(P("f"), 65534, 65534));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int f;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		f = open(P("f"), O_RDONLY);
		if (f < 0)
			_exit(11);
		flags = FS_NODUMP_FL;
		if (ioctl(f, FS_IOC_SETFLAGS, &flags))
			_exit(12);
		flags = FS_APPEND_FL;
		if (ioctl(f, FS_IOC_SETFLAGS, &flags) != -1 || errno != EPERM)
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, unlink(P("f")));
}

/* A one-byte write far out takes one page, as on tmpfs, not a slot per page. */
TEST_F(fs, sparse_write_far_out)
{
	const off_t tib = 1LL << 40;
	struct statfs before, after;
	char c = 0;
	struct stat st;
	int fd;

	fd = open(P("sparse"), O_CREAT | O_RDWR, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, statfs(self->dir, &before));
	ASSERT_EQ(1, pwrite(fd, "x", 1, tib));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(tib + 1, st.st_size);
	EXPECT_LE(st.st_blocks, 8);
	ASSERT_EQ(0, statfs(self->dir, &after));
	EXPECT_EQ(before.f_bfree - 1, after.f_bfree);
	/* The largest offset the VFS allows works too. */
	ASSERT_EQ(1, pwrite(fd, "y", 1, LLONG_MAX - 1));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(LLONG_MAX, st.st_size);
	close(fd);
	drop_caches();
	fd = open(P("sparse"), O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(1, pread(fd, &c, 1, tib));
	EXPECT_EQ('x', c);
	ASSERT_EQ(1, pread(fd, &c, 1, tib - 1));
	EXPECT_EQ(0, c);
	ASSERT_EQ(1, pread(fd, &c, 1, LLONG_MAX - 1));
	EXPECT_EQ('y', c);
	/* Truncating frees what the chunks took. */
	ASSERT_EQ(0, ftruncate(fd, 0));
	close(fd);
	ASSERT_EQ(0, statfs(self->dir, &after));
	EXPECT_EQ(before.f_bfree, after.f_bfree);
}

/* Without size=, half of memory, as on tmpfs; size=0 lifts the limit. */
TEST_F(fs, default_size_is_half_of_memory)
{
	long pages = sysconf(_SC_PHYS_PAGES);
	struct statfs sf;

	ASSERT_GT(pages, 0);
	ASSERT_EQ(0, statfs(self->dir, &sf));
	EXPECT_EQ(sysconf(_SC_PAGESIZE), sf.f_bsize);
	EXPECT_EQ(pages / 2, sf.f_blocks);
	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount_opts(self->dir, "size=0"));
	ASSERT_EQ(0, statfs(self->dir, &sf));
	EXPECT_EQ(pages, sf.f_blocks);
}

/*
 * A write whose source faults part-way through a page copies less than it
 * asked for: the size covers what was copied, and nothing past it.
 */
TEST_F(fs, short_copy_grows_by_what_was_copied)
{
	long page = sysconf(_SC_PAGESIZE);
	char out[200], zero[200] = {};
	struct statfs sf, base;
	struct stat st;
	ssize_t n;
	char *buf;
	int fd;

	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount_opts(self->dir, "size=1m"));
	buf = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 'a', page);
	ASSERT_EQ(0, munmap(buf + page, page));
	fd = open(P("f"), O_CREAT | O_RDWR, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, statfs(self->dir, &base));
	/* 100 bytes are readable, then the source faults. */
	n = write(fd, buf + page - 100, 200);
	munmap(buf, page);
	ASSERT_GT(n, 0);
	ASSERT_LT(n, 200);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(n, st.st_size);
	close(fd);
	drop_caches();
	ASSERT_EQ(0, stat(P("f"), &st));
	EXPECT_EQ(n, st.st_size);
	fd = open(P("f"), O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 400));
	ASSERT_EQ(200, pread(fd, out, 200, n));
	EXPECT_EQ(0, memcmp(out, zero, 200));
	close(fd);
	ASSERT_EQ(0, statfs(self->dir, &sf));
	EXPECT_EQ(base.f_bfree - 1, sf.f_bfree);
}

TEST_F(fs, o_direct_is_coherent_with_the_page_cache)
{
	long page = sysconf(_SC_PAGESIZE);
	char *buf, *map, c;
	int fd, bfd;

	/* As on tmpfs, O_DIRECT opens and is buffered, at any alignment. */
	ASSERT_EQ(0, posix_memalign((void **)&buf, page, 2 * page));
	memset(buf, 'a', 2 * page);
	fd = open(P("f"), O_CREAT | O_RDWR | O_DIRECT, 0644);
	ASSERT_GE(fd, 0) TH_LOG("open(O_DIRECT): %s", strerror(errno));
	ASSERT_EQ(2 * page, pwrite(fd, buf, 2 * page, 0));
	bfd = open(P("f"), O_RDWR);
	ASSERT_GE(bfd, 0);
	map = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, bfd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ('a', map[page + 1]);
	/* A direct write is seen by the mapping and by buffered reads. */
	ASSERT_EQ(3, pwrite(fd, "bbb", 3, page + 1));
	EXPECT_EQ('b', map[page + 1]);
	ASSERT_EQ(1, pread(bfd, &c, 1, page + 3));
	EXPECT_EQ('b', c);
	/* A buffered write is seen by direct reads, before and after eviction. */
	ASSERT_EQ(1, pwrite(bfd, "c", 1, 7));
	ASSERT_EQ(1, pread(fd, &c, 1, 7));
	EXPECT_EQ('c', c);
	munmap(map, 2 * page);
	close(bfd);
	close(fd);
	drop_caches();
	fd = open(P("f"), O_RDONLY | O_DIRECT);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(2 * page, pread(fd, buf, 2 * page, 0));
	EXPECT_EQ('c', buf[7]);
	EXPECT_EQ('b', buf[page + 2]);
	EXPECT_EQ('a', buf[2 * page - 1]);
	/* And fcntl() may turn it on. */
	bfd = open(P("f"), O_RDONLY);
	ASSERT_GE(bfd, 0);
	EXPECT_EQ(0, fcntl(bfd, F_SETFL, O_DIRECT));
	EXPECT_EQ(O_DIRECT, fcntl(bfd, F_GETFL) & O_DIRECT);
	close(bfd);
	close(fd);
	free(buf);
}

TEST_F(fs, fallocate_allocates_and_punches_holes)
{
	long page = sysconf(_SC_PAGESIZE);
	char buf[16 * 4096], *map;
	struct statfs before, after;
	struct stat st;
	int fd, i;

	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount_opts(self->dir, "size=1m"));
	fd = open(P("f"), O_CREAT | O_RDWR, 0644);
	ASSERT_GE(fd, 0);
	/* Mode 0 grows the file; KEEP_SIZE allocates past its end. */
	ASSERT_EQ(0, fallocate(fd, 0, 0, 16 * page)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(16 * page, st.st_size);
	EXPECT_EQ(16 * page / 512, st.st_blocks);
	ASSERT_EQ(0, fallocate(fd, FALLOC_FL_KEEP_SIZE, 16 * page, 16 * page));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(16 * page, st.st_size);
	EXPECT_EQ(32 * page / 512, st.st_blocks);

	/* A hole reads as zeroes; only the pages wholly inside it go. */
	memset(buf, 'a', sizeof(buf));
	ASSERT_EQ(16 * page, pwrite(fd, buf, 16 * page, 0));
	map = mmap(NULL, 16 * page, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       page + 100, 2 * page));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(16 * page, st.st_size);
	EXPECT_EQ(31 * page / 512, st.st_blocks);
	EXPECT_EQ(0, map[2 * page]);
	EXPECT_EQ('a', map[page + 99]);
	munmap(map, 16 * page);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(16 * page, pread(fd, buf, 16 * page, 0));
		EXPECT_EQ('a', buf[page + 99]);
		EXPECT_EQ(0, buf[page + 100]);
		EXPECT_EQ(0, buf[3 * page + 99]);
		EXPECT_EQ('a', buf[3 * page + 100]);
		close(fd);
		drop_caches();
		fd = open(P("f"), O_RDWR);
		ASSERT_GE(fd, 0);
	}

	/* Too large for size=: ENOSPC, with nothing left allocated. */
	ASSERT_EQ(0, statfs(self->dir, &before));
	EXPECT_EQ(-1, fallocate(fd, 0, 64 * page, 1024 * page));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, statfs(self->dir, &after));
	EXPECT_EQ(before.f_bfree, after.f_bfree);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(16 * page, st.st_size);
	/* However far too large: the charge cannot overflow. */
	EXPECT_EQ(-1, fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, LLONG_MAX));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, fallocate(fd, FALLOC_FL_KEEP_SIZE, page, LLONG_MAX - page));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, statfs(self->dir, &after));
	EXPECT_EQ(before.f_bfree, after.f_bfree);

	/* Growing keeps what was preallocated past the end; not growing frees it. */
	ASSERT_EQ(0, ftruncate(fd, 20 * page));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(31 * page / 512, st.st_blocks);
	ASSERT_EQ(0, fallocate(fd, 0, 0, 24 * page));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(24 * page, st.st_size);
	EXPECT_EQ(32 * page / 512, st.st_blocks);
	ASSERT_EQ(0, ftruncate(fd, 24 * page));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(24 * page / 512, st.st_blocks);

	/* Modes tmpfs lacks are refused. */
	EXPECT_EQ(-1, fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, page));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, page));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(fd);
}

TEST_F(fs, enospc_at_the_limits)
{
	char buf[4096] = {};
	struct stat st;
	int fd, i, n;
	long lsm;

	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount_opts(self->dir, "size=16k,nr_inodes=8"));
	fd = open(P("big"), O_CREAT | O_WRONLY, 0644);
	ASSERT_GE(fd, 0);
	/* The LSM's label, if any, takes its bytes from the same 16k. */
	lsm = xattr_bytes(P("big"));
	ASSERT_LE(0, lsm);
	for (i = 0; i < (16384 - lsm) / 4096; i++)
		ASSERT_EQ(sizeof(buf), write(fd, buf, sizeof(buf)));
	EXPECT_EQ(-1, write(fd, buf, sizeof(buf)));
	EXPECT_EQ(ENOSPC, errno);
	close(fd);
	ASSERT_EQ(0, stat(P("big"), &st));
	EXPECT_EQ(i * 4096, st.st_size);
	/* The root and "big" are two of the 8 inodes. */
	for (n = 0; n < 10; n++) {
		char name[16];

		snprintf(name, sizeof(name), "i%d", n);
		if (mkdir(P(name), 0755))
			break;
	}
	EXPECT_EQ(6, n);
	EXPECT_EQ(ENOSPC, errno);
	/* Nothing half-made is left behind. */
	EXPECT_EQ(-1, stat(P("i6"), &st));
	EXPECT_EQ(ENOENT, errno);
	/* Freeing space makes room again. */
	ASSERT_EQ(0, truncate(P("big"), 0));
	ASSERT_EQ(0, rmdir(P("i0")));
	ASSERT_EQ(0, rmdir(P("i1")));
	EXPECT_EQ(0, mkdir(P("again"), 0755));
	EXPECT_EQ(0, write_file(P("again/f"), buf, sizeof(buf)));
}

/*
 * The early-return path of an in-lookup guard: RENAME_WHITEOUT at the
 * nr_inodes= limit makes its in-lookup duplicate of the old name, then fails
 * to make the whiteout, and returns ENOSPC, leaving the guard's Drop to end
 * the lookup. Had it not, the lookup of the name below, once the name is
 * gone from the dcache, would wait for it forever, and umount would find a
 * dentry still in use.
 */
TEST_F(fs, whiteout_enospc_ends_the_duplicate_lookup)
{
	long dups;
	struct stat st;

	umount2(self->dir, MNT_DETACH);
	/* The root and "a". */
	ASSERT_EQ(0, mount_opts(self->dir, "nr_inodes=2"));
	ASSERT_EQ(0, write_file(P("a"), "A", 1));
	dups = counter(self->dir, "duplicates");
	EXPECT_EQ(-1, renameat2(AT_FDCWD, P("a"), AT_FDCWD, Q("b"), RENAME_WHITEOUT));
	EXPECT_EQ(ENOSPC, errno);
	/* The duplicate was made, so the failure went through its Drop. */
	EXPECT_EQ(dups + 1, counter(self->dir, "duplicates"));
	/* Nothing changed. */
	ASSERT_EQ(0, stat(P("a"), &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(-1, stat(P("b"), &st));
	/* Gone from the dcache, the name goes through d_alloc_parallel(). */
	ASSERT_EQ(0, unlink(P("a")));
	drop_caches();
	EXPECT_EQ(-1, stat(P("a"), &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, write_file(P("a"), "A2", 2));
}

TEST_F(fs, xattrs)
{
	char buf[64] = {}, list[256];
	ssize_t n, lsm;

	ASSERT_EQ(0, write_file(P("f"), "", 0));
	/* An LSM may have labelled it (see lsm_labels). */
	lsm = listxattr(P("f"), NULL, 0);
	ASSERT_LE(0, lsm);
	EXPECT_EQ(0, setxattr(P("f"), "user.colour", "blue", 4, 0));
	EXPECT_EQ(0, setxattr(P("f"), "trusted.overlay.x", "y", 1, XATTR_CREATE));
	EXPECT_EQ(-1, setxattr(P("f"), "user.colour", "red", 3, XATTR_CREATE));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, setxattr(P("f"), "user.shape", "round", 5, XATTR_REPLACE));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(0, setxattr(P("f"), "user.colour", "green", 5, XATTR_REPLACE));
	drop_caches();
	EXPECT_EQ(5, getxattr(P("f"), "user.colour", NULL, 0));
	EXPECT_EQ(5, getxattr(P("f"), "user.colour", buf, sizeof(buf)));
	EXPECT_STREQ("green", buf);
	EXPECT_EQ(-1, getxattr(P("f"), "user.colour", buf, 2));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, getxattr(P("f"), "user.none", buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	n = listxattr(P("f"), list, sizeof(list));
	ASSERT_EQ(lsm + sizeof("user.colour") + sizeof("trusted.overlay.x"), n);
	EXPECT_EQ(n, listxattr(P("f"), NULL, 0));
	EXPECT_EQ(-1, listxattr(P("f"), list, 3));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(0, removexattr(P("f"), "user.colour"));
	EXPECT_EQ(-1, removexattr(P("f"), "user.colour"));
	EXPECT_EQ(ENODATA, errno);
	drop_caches();
	EXPECT_EQ(lsm + sizeof("trusted.overlay.x"), listxattr(P("f"), list, sizeof(list)));
	/* user.* exists only on files and directories (the VFS says so). */
	ASSERT_EQ(0, symlink("f", P("l")));
	EXPECT_EQ(-1, lsetxattr(P("l"), "user.x", "1", 1, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(0, lsetxattr(P("l"), "trusted.x", "1", 1, 0));
}

/*
 * security.* names: stored like the others, readable and listed for
 * everyone, set only with privilege (the capability code says so, with no
 * LSM); and a file capability goes when someone without it writes the file.
 */
TEST_F(fs, security_xattrs)
{
	struct vfs_cap_data cap = {
		.magic_etc = VFS_CAP_REVISION_2,
		.data[0].permitted = 1 << CAP_NET_RAW,
	};
	char buf[64] = {}, list[256];
	ssize_t lsm;
	int status;
	pid_t pid;

	ASSERT_EQ(0, write_file(P("f"), "", 0));
	lsm = listxattr(P("f"), NULL, 0);
	ASSERT_LE(0, lsm);
	ASSERT_EQ(0, chmod(P("f"), 0666));
	ASSERT_EQ(0, symlink("f", P("l")));
	EXPECT_EQ(0, setxattr(P("f"), "security.rustfs", "label", 5, XATTR_CREATE));
	EXPECT_EQ(0, lsetxattr(P("l"), "security.rustfs", "link", 4, 0));
	EXPECT_EQ(0, setxattr(P("f"), "security.capability", &cap, XATTR_CAPS_SZ_2, 0));
	drop_caches();
	EXPECT_EQ(5, getxattr(P("f"), "security.rustfs", buf, sizeof(buf)));
	EXPECT_STREQ("label", buf);
	EXPECT_EQ(4, lgetxattr(P("l"), "security.rustfs", buf, sizeof(buf)));
	EXPECT_EQ(XATTR_CAPS_SZ_2, getxattr(P("f"), "security.capability", NULL, 0));
	EXPECT_EQ(lsm + sizeof("security.rustfs") + sizeof("security.capability"),
		  listxattr(P("f"), list, sizeof(list)));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		if (getxattr(P("f"), "security.rustfs", buf, sizeof(buf)) != 5)
			_exit(11);
		if (listxattr(P("f"), list, sizeof(list)) <= 0)
			_exit(12);
		if (setxattr(P("f"), "security.rustfs", "x", 1, 0) != -1 || errno != EPERM)
			_exit(13);
		if (removexattr(P("f"), "security.rustfs") != -1 || errno != EPERM)
			_exit(14);
		/* Kills the file capability (file_remove_privs()). */
		if (write_file(P("f"), "x", 1))
			_exit(15);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(-1, getxattr(P("f"), "security.capability", NULL, 0));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(5, getxattr(P("f"), "security.rustfs", NULL, 0));
	EXPECT_EQ(0, removexattr(P("f"), "security.rustfs"));
}

/*
 * The LSMs label every new inode (security_inode_init_security()), and
 * rustfs keeps what they give it as security.* attributes in the store, as
 * tmpfs does: each kind of new object, a rename's whiteout included, has
 * the same attributes, with the same values, as its twin on tmpfs, before
 * and after eviction.  Skipped
 * when no LSM labels tmpfs's new inodes (the debug kernel runs Smack).
 */
static int make_object(const char *dir, const char *name, int kind)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	switch (kind) {
	case 0:
		return write_file(path, "", 0);
	case 1:
		return mkdir(path, 0755);
	case 2:
		return symlink("target", path);
	case 3:
		return mknod(path, S_IFIFO | 0644, 0);
	case 5: {
		/* The whiteout a rename leaves behind. */
		char moved[PATH_MAX];

		snprintf(moved, sizeof(moved), "%s/%s.moved", dir, name);
		if (write_file(path, "", 0))
			return -1;
		return renameat2(AT_FDCWD, path, AT_FDCWD, moved, RENAME_WHITEOUT);
	}
	default:
		/* O_TMPFILE, then linked in. */
		fd = open(dir, O_TMPFILE | O_WRONLY, 0644);
		if (fd < 0)
			return -1;
		if (linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH)) {
			close(fd);
			return -1;
		}
		return close(fd);
	}
}

/* The security.* attributes of @path, as "name=value;" in @out. */
static int security_attrs(const char *path, char *out, size_t len)
{
	char list[512], val[256], *n;
	ssize_t l, v;
	size_t used = 0;

	out[0] = 0;
	l = llistxattr(path, list, sizeof(list));
	if (l < 0)
		return -1;
	for (n = list; n < list + l; n += strlen(n) + 1) {
		if (strncmp(n, "security.", 9))
			continue;
		v = lgetxattr(path, n, val, sizeof(val) - 1);
		if (v < 0)
			return -1;
		val[v] = 0;
		used += snprintf(out + used, len - used, "%s=%s;", n, val);
		if (used >= len)
			return -1;
	}
	return 0;
}

TEST_F(fs, lsm_labels)
{
	static const char *const kinds[] = {
		"file", "dir", "symlink", "fifo", "tmpfile", "whiteout"
	};
	const int n = ARRAY_SIZE(kinds);
	char tmp[] = "/tmp/rustfs-tmpfs.XXXXXX", path[PATH_MAX];
	char want[ARRAY_SIZE(kinds)][512], got[512];
	int k;

	ASSERT_NE(NULL, mkdtemp(tmp));
	ASSERT_EQ(0, mount("tmpfs", tmp, "tmpfs", 0, NULL));
	for (k = 0; k < n; k++) {
		ASSERT_EQ(0, make_object(tmp, kinds[k], k)) TH_LOG("tmpfs: %s", kinds[k]);
		snprintf(path, sizeof(path), "%s/%s", tmp, kinds[k]);
		ASSERT_EQ(0, security_attrs(path, want[k], sizeof(want[k])));
	}
	umount2(tmp, MNT_DETACH);
	rmdir(tmp);
	if (!want[0][0])
		SKIP(return, "no LSM labels new inodes on tmpfs");
	for (k = 0; k < n; k++)
		ASSERT_EQ(0, make_object(self->dir, kinds[k], k)) TH_LOG("rustfs: %s", kinds[k]);
	for (int evicted = 0; evicted < 2; evicted++) {
		if (evicted)
			drop_caches();
		for (k = 0; k < n; k++) {
			ASSERT_EQ(0, security_attrs(P(kinds[k]), got, sizeof(got)));
			EXPECT_STREQ(want[k], got)
				TH_LOG("%s%s", kinds[k], evicted ? ", after eviction" : "");
		}
	}
}

/* The layout of a system.posix_acl_* value (include/uapi/linux/posix_acl_xattr.h). */
struct acl_entry {
	unsigned short tag, perm;
	unsigned int id;
};

#define ACL_VERSION	2
#define ACL_USER_OBJ	0x01
#define ACL_USER	0x02
#define ACL_GROUP_OBJ	0x04
#define ACL_MASK	0x10
#define ACL_OTHER	0x20
#define ACL_ACCESS	"system.posix_acl_access"
#define ACL_DEFAULT	"system.posix_acl_default"

static int set_acl(const char *path, const char *name, const struct acl_entry *e, int n)
{
	char buf[4 + 8 * 8];

	*(unsigned int *)buf = ACL_VERSION;
	memcpy(buf + 4, e, n * sizeof(*e));
	return setxattr(path, name, buf, 4 + n * sizeof(*e), 0);
}

/* Appends @name's value, as hex, or its errno, to @out. */
static void show_acl(const char *path, const char *name, char *out, size_t len)
{
	unsigned char buf[256];
	ssize_t n = getxattr(path, name, buf, sizeof(buf));
	size_t used = strlen(out);

	if (n < 0)
		n = -errno;
	used += snprintf(out + used, len - used, " %s=", strrchr(name, '_') + 1);
	if (n < 0)
		snprintf(out + used, len - used, "errno %zd", -n);
	for (ssize_t i = 0; i < n && used + 3 < len; i++)
		used += snprintf(out + used, len - used, "%02x", buf[i]);
}

/* Whether uid 1000 may open @path with @flags: 0, or the errno. */
static int open_as_user(const char *path, int flags)
{
	int status, fd;
	pid_t pid = fork();

	if (pid == 0) {
		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(255);
		fd = open(path, flags);
		_exit(fd < 0 ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * One script of POSIX ACL changes in @dir, summed up in @out: what each
 * step left in the mode and the ACLs, and what uid 1000 may open.  With
 * @evict, every inode is evicted before its ACLs are read back.
 */
static void acl_script(const char *dir, bool evict, char *out, size_t len)
{
	static const struct acl_entry reader[] = {
		{ ACL_USER_OBJ, 6, -1 }, { ACL_USER, 4, 1000 }, { ACL_GROUP_OBJ, 0, -1 },
		{ ACL_MASK, 4, -1 }, { ACL_OTHER, 0, -1 },
	};
	static const struct acl_entry inherit[] = {
		{ ACL_USER_OBJ, 7, -1 }, { ACL_USER, 7, 1000 }, { ACL_GROUP_OBJ, 5, -1 },
		{ ACL_MASK, 7, -1 }, { ACL_OTHER, 0, -1 },
	};
	static const char *const steps[] = {
		"f: access ACL", "f: chmod 0604", "d: default ACL", "d/new",
		"d/sub", "f: removed", "f: user 1000 sets",
	};
	char f[PATH_MAX], d[PATH_MAX], n[PATH_MAX], sub[PATH_MAX];
	struct stat st;
	int fd;

	out[0] = 0;
	snprintf(f, sizeof(f), "%s/f", dir);
	snprintf(d, sizeof(d), "%s/d", dir);
	snprintf(n, sizeof(n), "%s/d/new", dir);
	snprintf(sub, sizeof(sub), "%s/d/sub", dir);
	umask(022);
	fd = open(f, O_CREAT | O_WRONLY, 0600);
	close(fd);
	mkdir(d, 0755);
	for (int i = 0; i < (int)ARRAY_SIZE(steps); i++) {
		const char *p = i < 2 || i > 4 ? f : i == 2 ? d : i == 3 ? n : sub;
		size_t used = strlen(out);
		int rc = 0;

		switch (i) {
		case 0:
			rc = set_acl(f, ACL_ACCESS, reader, ARRAY_SIZE(reader));
			break;
		case 1:
			rc = chmod(f, 0604);
			break;
		case 2:
			rc = set_acl(d, ACL_DEFAULT, inherit, ARRAY_SIZE(inherit));
			break;
		case 3:
			/* The default ACL, not the umask, masks the mode. */
			fd = open(n, O_CREAT | O_WRONLY, 0666);
			rc = fd < 0 ? -1 : close(fd);
			break;
		case 4:
			rc = mkdir(sub, 0777);
			break;
		case 5:
			rc = removexattr(f, ACL_ACCESS);
			break;
		case 6: {
			/* Only the owner (or CAP_FOWNER) sets ACLs. */
			pid_t pid = fork();
			int status;

			if (pid == 0) {
				if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
					_exit(255);
				_exit(set_acl(f, ACL_ACCESS, reader, ARRAY_SIZE(reader)) ? errno : 0);
			}
			waitpid(pid, &status, 0);
			errno = WEXITSTATUS(status);
			rc = errno ? -1 : 0;
			break;
		}
		}
		used += snprintf(out + used, len - used, "\n%s: %s", steps[i],
				 rc ? strerror(errno) : "ok");
		if (evict)
			drop_caches();
		if (stat(p, &st) == 0)
			snprintf(out + used, len - used, ", mode %o, user 1000 reads: %s",
				 st.st_mode & 07777, S_ISDIR(st.st_mode) ? "-" :
				 strerror(open_as_user(p, O_RDONLY)));
		show_acl(p, ACL_ACCESS, out, len);
		show_acl(p, ACL_DEFAULT, out, len);
	}
}

/*
 * POSIX ACLs, as on tmpfs: set, checked, inherited from a directory's
 * default ACL (which then stands in for the umask), rewritten by chmod,
 * removed, and refused to others than the owner; the same on rustfs, with
 * every inode evicted before it is read back, as on tmpfs.
 */
TEST_F(fs, posix_acls)
{
	char tmp[] = "/tmp/rustfs-tmpfs.XXXXXX", want[2048], got[2048];

	ASSERT_NE(NULL, mkdtemp(tmp));
	ASSERT_EQ(0, mount("tmpfs", tmp, "tmpfs", 0, NULL));
	acl_script(tmp, false, want, sizeof(want));
	umount2(tmp, MNT_DETACH);
	rmdir(tmp);
	if (strstr(want, "f: access ACL: Operation not supported"))
		SKIP(return, "tmpfs has no POSIX ACLs (CONFIG_TMPFS_POSIX_ACL)");
	/* The ACL lets uid 1000 read a file its mode keeps from it. */
	ASSERT_NE(NULL, strstr(want, "f: access ACL: ok, mode 640, user 1000 reads: Success"))
		TH_LOG("%s", want);
	ASSERT_EQ(0, chmod(self->dir, 0755));
	acl_script(self->dir, true, got, sizeof(got));
	EXPECT_STREQ(want, got);
}

/* What each lease request on a file and a directory in @dir gives. */
static void lease_script(const char *dir, char *out, size_t len)
{
	static const struct { const char *what; int flags, lease; } steps[] = {
		{ "file, read lease", O_RDONLY, F_RDLCK },
		{ "file, write lease", O_WRONLY, F_WRLCK },
		{ "directory, read lease", O_RDONLY | O_DIRECTORY, F_RDLCK },
		{ "directory, write lease", O_RDONLY | O_DIRECTORY, F_WRLCK },
	};
	char f[PATH_MAX];
	size_t used = 0;

	snprintf(f, sizeof(f), "%s/f", dir);
	write_file(f, "x", 1);
	out[0] = 0;
	for (int i = 0; i < (int)ARRAY_SIZE(steps); i++) {
		int fd = open(steps[i].flags & O_DIRECTORY ? dir : f, steps[i].flags);
		int rc = fcntl(fd, F_SETLEASE, steps[i].lease);
		int e = errno, got = fcntl(fd, F_GETLEASE);

		used += snprintf(out + used, len - used, "%s: %s, holds %d; ", steps[i].what,
				 rc ? strerror(e) : "ok", got);
		fcntl(fd, F_SETLEASE, F_UNLCK);
		close(fd);
	}
}

/*
 * Leases (and directory delegations) are opt-in for a file system: rustfs
 * grants them as tmpfs does, through generic_setlease().
 */
TEST_F(fs, leases)
{
	char tmp[] = "/tmp/rustfs-tmpfs.XXXXXX", want[512], got[512];

	ASSERT_NE(NULL, mkdtemp(tmp));
	ASSERT_EQ(0, mount("tmpfs", tmp, "tmpfs", 0, NULL));
	lease_script(tmp, want, sizeof(want));
	umount2(tmp, MNT_DETACH);
	rmdir(tmp);
	ASSERT_NE(NULL, strstr(want, "file, read lease: ok, holds 0;")) TH_LOG("%s", want);
	lease_script(self->dir, got, sizeof(got));
	EXPECT_STREQ(want, got);
}

TEST_F(fs, exdev_across_instances)
{
	char other[] = "/tmp/rustfs-other.XXXXXX", to[PATH_MAX];

	ASSERT_NE(NULL, mkdtemp(other));
	ASSERT_EQ(0, mount_opts(other, NULL));
	ASSERT_EQ(0, write_file(P("f"), "x", 1));
	snprintf(to, sizeof(to), "%s/f", other);
	EXPECT_EQ(-1, rename(P("f"), to));
	EXPECT_EQ(EXDEV, errno);
	EXPECT_EQ(-1, link(P("f"), to));
	EXPECT_EQ(EXDEV, errno);
	umount2(other, MNT_DETACH);
	rmdir(other);
}

TEST_F(fs, large_file)
{
	const size_t mb = 1024 * 1024, total = 12 * mb;
	char *buf = malloc(mb), *got = malloc(mb);
	size_t off, i;
	int fd;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, got);
	/* Bigger than one kmalloc() can give. */
	fd = open(P("big"), O_CREAT | O_WRONLY, 0644);
	ASSERT_GE(fd, 0);
	for (off = 0; off < total; off += mb) {
		for (i = 0; i < mb; i++)
			buf[i] = (char)((off + i) * 7 / 5);
		ASSERT_EQ(mb, write(fd, buf, mb));
	}
	close(fd);
	drop_caches();
	fd = open(P("big"), O_RDONLY);
	ASSERT_GE(fd, 0);
	for (off = 0; off < total; off += mb) {
		for (i = 0; i < mb; i++)
			buf[i] = (char)((off + i) * 7 / 5);
		ASSERT_EQ(mb, read(fd, got, mb));
		ASSERT_EQ(0, memcmp(buf, got, mb)) TH_LOG("differs in MiB %zu", off / mb);
	}
	close(fd);
	free(buf);
	free(got);
}

TEST_F(fs, tmpfile)
{
	char fdpath[64], buf[8] = {};
	struct stat st;
	int fd;

	fd = open(self->dir, O_TMPFILE | O_RDWR, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(4, write(fd, "anon", 4));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_nlink);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	/* Nothing to see in the directory. */
	{
		DIR *d = opendir(self->dir);
		struct dirent *e;
		int n = 0;

		ASSERT_NE(NULL, d);
		while ((e = readdir(d)))
			n++;
		closedir(d);
		EXPECT_EQ(2, n);
	}
	/* Give it a name, then check it survives eviction. */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	ASSERT_EQ(0, linkat(AT_FDCWD, fdpath, AT_FDCWD, P("named"), AT_SYMLINK_FOLLOW));
	close(fd);
	drop_caches();
	ASSERT_EQ(0, stat(P("named"), &st));
	EXPECT_EQ(1, st.st_nlink);
	ASSERT_EQ(4, read_file(P("named"), buf, sizeof(buf)));
	EXPECT_STREQ("anon", buf);
	/* An unnamed one takes its inode with it when closed. */
	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount_opts(self->dir, "nr_inodes=2"));
	fd = open(self->dir, O_TMPFILE | O_RDWR, 0600);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, open(self->dir, O_TMPFILE | O_RDWR, 0600));
	EXPECT_EQ(ENOSPC, errno);
	close(fd);
	fd = open(self->dir, O_TMPFILE | O_RDWR, 0600);
	EXPECT_GE(fd, 0);
	close(fd);
}

static long free_inodes(const char *dir)
{
	struct statfs sf;

	return statfs(dir, &sf) ? -1 : (long)sf.f_ffree;
}

/*
 * Each name of a file past its first takes an inode, as on tmpfs: a name
 * pins memory that nothing reclaims, and nr_inodes= is what bounds it.
 */
TEST_F(fs, links_take_inodes)
{
	char fdpath[64];
	int fd;

	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount_opts(self->dir, "nr_inodes=5"));
	ASSERT_EQ(0, write_file(P("f"), "x", 1));
	ASSERT_EQ(0, write_file(P("e"), "y", 1));
	ASSERT_EQ(2, free_inodes(self->dir));
	ASSERT_EQ(0, link(P("f"), Q("g")));
	ASSERT_EQ(0, link(P("f"), Q("h")));
	EXPECT_EQ(0, free_inodes(self->dir));
	EXPECT_EQ(-1, link(P("f"), Q("i")));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, access(P("i"), F_OK));
	/* Unlinking a name, or renaming over it, gives its inode back. */
	ASSERT_EQ(0, unlink(P("g")));
	EXPECT_EQ(1, free_inodes(self->dir));
	ASSERT_EQ(0, rename(P("e"), Q("h")));
	EXPECT_EQ(2, free_inodes(self->dir));
	ASSERT_EQ(0, link(P("f"), Q("x")));
	ASSERT_EQ(0, link(P("f"), Q("y")));
	EXPECT_EQ(-1, link(P("h"), Q("z")));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, unlink(P("f")));
	ASSERT_EQ(0, unlink(P("x")));
	ASSERT_EQ(0, unlink(P("y")));
	/* The root and h are left. */
	EXPECT_EQ(3, free_inodes(self->dir));
	/* An O_TMPFILE's first name is the inode it already took. */
	fd = open(self->dir, O_TMPFILE | O_RDWR, 0600);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(2, free_inodes(self->dir));
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	ASSERT_EQ(0, linkat(AT_FDCWD, fdpath, AT_FDCWD, Q("t"), AT_SYMLINK_FOLLOW));
	EXPECT_EQ(2, free_inodes(self->dir));
	ASSERT_EQ(0, linkat(AT_FDCWD, fdpath, AT_FDCWD, Q("t2"), AT_SYMLINK_FOLLOW));
	EXPECT_EQ(1, free_inodes(self->dir));
	close(fd);
	/* A name replaced while open is hidden, and counted, until evicted. */
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "silly_rename"));
	fd = open(P("t"), O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, rename(P("h"), Q("t")));
	EXPECT_EQ(1, free_inodes(self->dir));
	close(fd);
	drop_caches();
	EXPECT_EQ(1, counter(self->dir, "silly_unlinks"));
	EXPECT_EQ(2, free_inodes(self->dir));
}

TEST_F(fs, statfs_reports_blocks_and_inodes)
{
	struct statfs sf;
	long lsm;

	ASSERT_EQ(0, statfs(self->dir, &sf));
	EXPECT_EQ(RUSTFS_MAGIC, sf.f_type);
	EXPECT_GT(sf.f_blocks, 0);
	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount_opts(self->dir, "size=1m,nr_inodes=10"));
	ASSERT_EQ(0, write_file(P("f"), "12345", 5));
	lsm = xattr_bytes(P("f"));
	ASSERT_LE(0, lsm);
	ASSERT_EQ(0, statfs(self->dir, &sf));
	EXPECT_EQ(1048576 / sf.f_bsize, sf.f_blocks);
	/* A page of data, and the bytes of the LSM's label if any. */
	EXPECT_EQ(sf.f_blocks - (4096 + lsm + 4095) / 4096, sf.f_bfree);
	EXPECT_EQ(10, sf.f_files);
	EXPECT_EQ(8, sf.f_ffree);
}

TEST_HARNESS_MAIN
