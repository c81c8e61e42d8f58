// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input at the edges of the calls rustfs answers: offsets at and
 * past the largest file size, fallocate modes, copy_file_range and splice,
 * xattr names and values at and past their limits, names and symlink
 * targets at theirs, every byte value in a name, a directory renamed into
 * itself, a directory removed while open, and unprivileged users against
 * sticky directories, trusted.* and chown.
 *
 * Each case runs on rustfs and on tmpfs, the file system users know: the
 * results (a count, or an errno) must be the same, and the store checker
 * must pass after the cases.  Kernel reports fail the run (make check).
 *
 * Needs rustfs loaded, tmpfs, debugfs and root.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../kselftest_harness.h"
#include "rustfs_util.h"

/* The largest file size of both (MAX_LFS_FILESIZE). */
#define MAXBYTES LLONG_MAX

/* dir/name in a static buffer; @n picks one of two. */
static const char *at(const char *dir, const char *name, int n)
{
	static char buf[2][PATH_MAX + 64];

	snprintf(buf[n], sizeof(buf[n]), "%s/%s", dir, name);
	return buf[n];
}

#define P(name) at(dir, name, 0)
#define Q(name) at(dir, name, 1)

/* A call's result: what it returned, or -errno. */
static long res(long rc)
{
	return rc < 0 ? -errno : rc;
}

static int open_new(const char *dir, const char *name)
{
	return open(P(name), O_RDWR | O_CREAT | O_TRUNC, 0644);
}

/* Runs @fn on a file just created; returns its result. */
static long with_file(const char *dir, long (*fn)(int fd))
{
	int fd = open_new(dir, "f");
	long r;

	if (fd < 0)
		return -1000 - errno;
	r = fn(fd);
	close(fd);
	unlink(P("f"));
	return r;
}

static long write_at_max_minus_1(int fd)
{
	return res(pwrite(fd, "x", 1, MAXBYTES - 1));
}

static long write_across_max(int fd)
{
	return res(pwrite(fd, "xy", 2, MAXBYTES - 1));
}

static long write_at_max(int fd)
{
	return res(pwrite(fd, "x", 1, MAXBYTES));
}

static long read_at_max(int fd)
{
	char c;

	return res(pread(fd, &c, 1, MAXBYTES - 1));
}

static long truncate_to_max(int fd)
{
	return res(ftruncate(fd, MAXBYTES));
}

static long truncate_negative(int fd)
{
	return res(ftruncate(fd, -1));
}

static long fallocate_past_max(int fd)
{
	return res(fallocate(fd, 0, MAXBYTES - 4096, 8192));
}

static long fallocate_len_0(int fd)
{
	return res(fallocate(fd, 0, 0, 0));
}

static long fallocate_unknown_mode(int fd)
{
	return res(fallocate(fd, 0x8000, 0, 4096));
}

static long fallocate_collapse(int fd)
{
	if (pwrite(fd, "x", 1, 65535) != 1)
		return -1000;
	return res(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096));
}

static long fallocate_insert(int fd)
{
	if (pwrite(fd, "x", 1, 65535) != 1)
		return -1000;
	return res(fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, 4096));
}

static long punch_without_keep_size(int fd)
{
	return res(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096));
}

static long punch_past_eof(int fd)
{
	if (pwrite(fd, "x", 1, 0) != 1)
		return -1000;
	return res(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, MAXBYTES - 4096));
}

static long seek_data_past_eof(int fd)
{
	if (pwrite(fd, "x", 1, 0) != 1)
		return -1000;
	return res(lseek(fd, 10, SEEK_DATA));
}

static long seek_hole_at_max(int fd)
{
	return res(lseek(fd, MAXBYTES, SEEK_HOLE));
}

static long seek_negative(int fd)
{
	return res(lseek(fd, -1, SEEK_SET));
}

static long copy_range_to_self_overlapping(int fd)
{
	loff_t in = 0, out = 100;
	char buf[4096] = {};

	if (pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf))
		return -1000;
	return res(syscall(SYS_copy_file_range, fd, &in, fd, &out, 1000, 0));
}

static long copy_range_past_max(int fd)
{
	loff_t in = 0, out = MAXBYTES - 10;

	if (pwrite(fd, "0123456789abcdef", 16, 0) != 16)
		return -1000;
	return res(syscall(SYS_copy_file_range, fd, &in, fd, &out, 16, 0));
}

static long splice_round_trip(int fd)
{
	char buf[8192];
	int p[2];
	long r;

	memset(buf, 'z', sizeof(buf));
	if (pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf) || pipe(p))
		return -1000;
	r = res(splice(fd, &(loff_t){ 0 }, p[1], NULL, sizeof(buf), 0));
	if (r == sizeof(buf))
		r = res(splice(p[0], NULL, fd, &(loff_t){ 10000 }, sizeof(buf), 0));
	close(p[0]);
	close(p[1]);
	return r;
}

static long o_direct_unaligned(int fd)
{
	char buf[512] = {}, path[64];
	long r;
	int d;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	d = open(path, O_RDWR | O_DIRECT);
	if (d < 0)
		return -errno;
	r = res(pwrite(d, buf, 3, 1));
	close(d);
	return r;
}

static char xname[512], xvalue[70000];

/* An xattr name of @len bytes, "user." included. */
static const char *xattr_name(size_t len)
{
	memset(xname, 'n', len);
	memcpy(xname, "user.", 5);
	xname[len] = 0;
	return xname;
}

static long xattr_name_255(int fd)
{
	return res(fsetxattr(fd, xattr_name(255), "v", 1, 0));
}

static long xattr_name_256(int fd)
{
	return res(fsetxattr(fd, xattr_name(256), "v", 1, 0));
}

static long xattr_prefix_only(int fd)
{
	return res(fsetxattr(fd, "user.", "v", 1, 0));
}

static long xattr_unknown_namespace(int fd)
{
	return res(fsetxattr(fd, "nonsense.x", "v", 1, 0));
}

static long xattr_value_max(int fd)
{
	return res(fsetxattr(fd, "user.big", xvalue, 65536, 0));
}

static long xattr_value_too_big(int fd)
{
	return res(fsetxattr(fd, "user.big", xvalue, 65537, 0));
}

static long xattr_get_small_buffer(int fd)
{
	char v[2];

	if (fsetxattr(fd, "user.x", "value", 5, 0))
		return -1000;
	return res(fgetxattr(fd, "user.x", v, sizeof(v)));
}

static long xattr_list_small_buffer(int fd)
{
	char v[4];

	if (fsetxattr(fd, "user.x", "value", 5, 0))
		return -1000;
	return res(flistxattr(fd, v, sizeof(v)));
}

static long name(const char *dir, size_t len)
{
	char n[NAME_MAX + 2];
	long r;

	memset(n, 'a', len);
	n[len] = 0;
	r = res(mknod(P(n), S_IFREG | 0644, 0));
	unlink(P(n));
	return r;
}

static long name_255(const char *dir)
{
	return name(dir, 255);
}

static long name_256(const char *dir)
{
	return name(dir, 256);
}

/* A name of each byte value but '/' and NUL, and one of all of them. */
static long every_byte(const char *dir)
{
	char n[2] = {}, all[256];
	int c, k = 0, count = 0;
	struct dirent *e;
	DIR *d;

	if (mkdir(P("bytes"), 0755))
		return -1000;
	for (c = 1; c < 256; c++) {
		if (c == '/')
			continue;
		all[k++] = c;
		/* "." alone is no name; within the long one it is a byte. */
		if (c == '.')
			continue;
		n[0] = c;
		if (mknod(at(P("bytes"), n, 1), S_IFREG | 0644, 0))
			return -2000 - c;
	}
	all[k] = 0;
	if (mknod(at(P("bytes"), all, 1), S_IFREG | 0644, 0))
		return -errno;
	d = opendir(P("bytes"));
	while (d && (e = readdir(d)))
		count++;
	if (d)
		closedir(d);
	return count;
}

static long symlink_target(const char *dir, size_t len)
{
	char *t = malloc(len + 1);
	long r;

	if (!t)
		return -1000;
	memset(t, 't', len);
	t[len] = 0;
	r = res(symlink(t, P("l")));
	if (!r) {
		char *back = malloc(len + 1);

		r = res(readlink(P("l"), back, len + 1));
		free(back);
		unlink(P("l"));
	}
	free(t);
	return r;
}

static long symlink_4095(const char *dir)
{
	return symlink_target(dir, PATH_MAX - 1);
}

static long symlink_4096(const char *dir)
{
	return symlink_target(dir, PATH_MAX);
}

static long rename_into_itself(const char *dir)
{
	long r;

	if (mkdir(P("a"), 0755) || mkdir(Q("a/b"), 0755))
		return -1000;
	r = res(rename(P("a"), Q("a/b/c")));
	rmdir(Q("a/b"));
	rmdir(P("a"));
	return r;
}

static long rename_dir_over_nonempty(const char *dir)
{
	long r;

	if (mkdir(P("a"), 0755) || mkdir(P("b"), 0755) || mkdir(Q("b/c"), 0755))
		return -1000;
	r = res(rename(P("a"), Q("b")));
	rmdir(Q("b/c"));
	rmdir(P("b"));
	rmdir(P("a"));
	return r;
}

static long rmdir_dot(const char *dir)
{
	if (mkdir(P("a"), 0755))
		return -1000;
	return res(rmdir(Q("a/."))) * 1000 + res(rmdir(P("a")));
}

/* Creating, listing and removing in a directory removed while open. */
static long removed_dir(const char *dir)
{
	char buf[4096];
	long r;
	int fd;

	if (mkdir(P("gone"), 0755))
		return -1000;
	fd = open(P("gone"), O_RDONLY | O_DIRECTORY);
	if (fd < 0 || rmdir(P("gone")))
		return -1001;
	r = res(openat(fd, "x", O_CREAT | O_WRONLY, 0644));
	r = r * 100 + res(mkdirat(fd, "d", 0755));
	r = r * 100 + res(syscall(SYS_getdents64, fd, buf, sizeof(buf)));
	r = r * 100 + res(symlinkat("t", fd, "s"));
	close(fd);
	return r;
}

static long link_dir(const char *dir)
{
	long r;

	if (mkdir(P("a"), 0755))
		return -1000;
	r = res(link(P("a"), Q("b")));
	rmdir(P("a"));
	return r;
}

/*
 * Runs @fn as an unprivileged user (uid and gid 65534) in a child;
 * returns its result.
 */
static long unprivileged(long (*fn)(const char *), const char *dir)
{
	int st, p[2];
	long r = -1000;
	pid_t pid;

	if (pipe(p))
		return -1000;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(1);
		r = fn(dir);
		_exit(write(p[1], &r, sizeof(r)) != sizeof(r));
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &r, sizeof(r)) != sizeof(r))
		r = -1001;
	close(p[0]);
	waitpid(pid, &st, 0);
	return r;
}

static long sticky_unlink(const char *dir)
{
	return res(unlink(P("sticky/root")));
}

static long sticky_rename(const char *dir)
{
	return res(rename(P("sticky/root"), Q("sticky/mine")));
}

static long set_trusted(const char *dir)
{
	return res(setxattr(P("sticky/own"), "trusted.x", "v", 1, 0));
}

static long set_security(const char *dir)
{
	return res(setxattr(P("sticky/own"), "security.x", "v", 1, 0));
}

static long chown_away(const char *dir)
{
	return res(chown(P("sticky/own"), 0, 0));
}

static long chgrp_foreign(const char *dir)
{
	return res(chown(P("sticky/own"), -1, 0));
}

static long user_xattr_on_foreign(const char *dir)
{
	return res(setxattr(P("sticky/root"), "user.x", "v", 1, 0));
}

static long setuid_cleared_by_write(const char *dir)
{
	struct stat st;
	int fd = open(P("sticky/suid"), O_WRONLY);

	if (fd < 0)
		return -errno;
	if (write(fd, "x", 1) != 1)
		return -1000 - errno;
	close(fd);
	return stat(P("sticky/suid"), &st) ? -errno : (long)(st.st_mode & 07777);
}

/* The files the unprivileged cases meet, made once. */
static int prepare_users(const char *dir)
{
	int fd;

	if (!access(P("sticky"), F_OK))
		return 0;
	if (mkdir(P("sticky"), 01777) || chmod(P("sticky"), 01777))
		return -1;
	fd = open(P("sticky/root"), O_CREAT | O_WRONLY, 0666);
	if (fd < 0)
		return -1;
	close(fd);
	fd = open(P("sticky/own"), O_CREAT | O_WRONLY, 0644);
	if (fd < 0 || fchown(fd, 65534, 65534))
		return -1;
	close(fd);
	/* Writable by all, set-user-ID: a write by another user clears it. */
	fd = open(P("sticky/suid"), O_CREAT | O_WRONLY, 0666);
	if (fd < 0 || fchmod(fd, 04777))
		return -1;
	close(fd);
	return 0;
}

#define UNPRIVILEGED(fn)						\
static long fn##_unprivileged(const char *dir)				\
{									\
	return prepare_users(dir) ? -1000 : unprivileged(fn, dir);	\
}

UNPRIVILEGED(sticky_unlink)
UNPRIVILEGED(sticky_rename)
UNPRIVILEGED(set_trusted)
UNPRIVILEGED(set_security)
UNPRIVILEGED(chown_away)
UNPRIVILEGED(chgrp_foreign)
UNPRIVILEGED(user_xattr_on_foreign)
UNPRIVILEGED(setuid_cleared_by_write)

struct edge {
	const char *name;
	long (*on_file)(int fd);
	long (*on_dir)(const char *dir);
};

static const struct edge edges[] = {
	{ "pwrite at the largest offset - 1", write_at_max_minus_1 },
	{ "pwrite across the largest size", write_across_max },
	{ "pwrite at the largest size", write_at_max },
	{ "pread at the largest offset - 1", read_at_max },
	{ "ftruncate to the largest size", truncate_to_max },
	{ "ftruncate to -1", truncate_negative },
	{ "fallocate past the largest size", fallocate_past_max },
	{ "fallocate of 0 bytes", fallocate_len_0 },
	{ "fallocate of an unknown mode", fallocate_unknown_mode },
	{ "fallocate COLLAPSE_RANGE", fallocate_collapse },
	{ "fallocate INSERT_RANGE", fallocate_insert },
	{ "PUNCH_HOLE without KEEP_SIZE", punch_without_keep_size },
	{ "PUNCH_HOLE to the largest size", punch_past_eof },
	{ "SEEK_DATA past EOF", seek_data_past_eof },
	{ "SEEK_HOLE at the largest size", seek_hole_at_max },
	{ "lseek to -1", seek_negative },
	{ "copy_file_range within one file, overlapping", copy_range_to_self_overlapping },
	{ "copy_file_range past the largest size", copy_range_past_max },
	{ "splice to a pipe and back", splice_round_trip },
	{ "O_DIRECT unaligned write", o_direct_unaligned },
	{ "xattr name of 255 bytes", xattr_name_255 },
	{ "xattr name of 256 bytes", xattr_name_256 },
	{ "xattr name of the prefix only", xattr_prefix_only },
	{ "xattr in no namespace", xattr_unknown_namespace },
	{ "xattr value of 64 KiB", xattr_value_max },
	{ "xattr value of 64 KiB + 1", xattr_value_too_big },
	{ "getxattr into a small buffer", xattr_get_small_buffer },
	{ "listxattr into a small buffer", xattr_list_small_buffer },
	{ "a name of 255 bytes", NULL, name_255 },
	{ "a name of 256 bytes", NULL, name_256 },
	{ "names of every byte value", NULL, every_byte },
	{ "a symlink to PATH_MAX - 1 bytes", NULL, symlink_4095 },
	{ "a symlink to PATH_MAX bytes", NULL, symlink_4096 },
	{ "rename of a directory into itself", NULL, rename_into_itself },
	{ "rename of a directory over a non-empty one", NULL, rename_dir_over_nonempty },
	{ "rmdir of dir/.", NULL, rmdir_dot },
	{ "create, mkdir, getdents, symlink in a removed directory", NULL, removed_dir },
	{ "link of a directory", NULL, link_dir },
	{ "unprivileged: unlink in a sticky directory", NULL, sticky_unlink_unprivileged },
	{ "unprivileged: rename in a sticky directory", NULL, sticky_rename_unprivileged },
	{ "unprivileged: set trusted.x", NULL, set_trusted_unprivileged },
	{ "unprivileged: set security.x", NULL, set_security_unprivileged },
	{ "unprivileged: chown to root", NULL, chown_away_unprivileged },
	{ "unprivileged: chgrp to a group not its own", NULL, chgrp_foreign_unprivileged },
	{ "unprivileged: set user.x on another's file", NULL, user_xattr_on_foreign_unprivileged },
	{ "unprivileged: write to a set-user-ID file (mode after)", NULL,
	  setuid_cleared_by_write_unprivileged },
};

FIXTURE(edge) {
	char rustfs[64];
	char tmpfs[64];
};

FIXTURE_SETUP(edge)
{
	if (!rustfs_registered())
		SKIP(return, "rustfs is not loaded");
	strcpy(self->rustfs, "/tmp/rustfs-edge.XXXXXX");
	strcpy(self->tmpfs, "/tmp/tmpfs-edge.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->rustfs));
	ASSERT_NE(NULL, mkdtemp(self->tmpfs));
	ASSERT_EQ(0, mount(SOURCE, self->rustfs, "rustfs", 0, NULL));
	ASSERT_EQ(0, mount("tmpfs", self->tmpfs, "tmpfs", 0, NULL));
	/* Both as a fresh mount point is: open to all. */
	ASSERT_EQ(0, chmod(self->rustfs, 0777));
	ASSERT_EQ(0, chmod(self->tmpfs, 0777));
	memset(xvalue, 'v', sizeof(xvalue));
}

FIXTURE_TEARDOWN(edge)
{
	umount2(self->rustfs, MNT_DETACH);
	umount2(self->tmpfs, MNT_DETACH);
	rmdir(self->rustfs);
	rmdir(self->tmpfs);
}

static long run(const struct edge *e, const char *dir)
{
	return e->on_file ? with_file(dir, e->on_file) : e->on_dir(dir);
}

TEST_F(edge, same_as_tmpfs)
{
	int differ = 0;
	size_t i;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		long r = run(&edges[i], self->rustfs), t = run(&edges[i], self->tmpfs);

		TH_LOG("%-56s rustfs %ld, tmpfs %ld", edges[i].name, r, t);
		if (r != t)
			differ++;
		EXPECT_EQ(t, r) TH_LOG("%s: rustfs differs from tmpfs", edges[i].name);
	}
	EXPECT_EQ(0, differ);
	drop_caches();
	EXPECT_EQ(0, check_store(self->rustfs));
}

TEST_HARNESS_MAIN
