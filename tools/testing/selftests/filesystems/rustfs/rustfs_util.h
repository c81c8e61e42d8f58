/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the rustfs kselftests: finding rustfs, its counters and
 * its consistency checker in debugfs, evicting its caches, and small file
 * I/O.
 */
#ifndef RUSTFS_UTIL_H
#define RUSTFS_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SOURCE "rustfs_test"
#define RUSTFS_MAGIC 0x52555354

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif

static inline int rustfs_registered(void)
{
	char line[256];
	int found = 0;
	FILE *f = fopen("/proc/filesystems", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "\trustfs\n"))
			found = 1;
	fclose(f);
	return found;
}

/* One counter of the rustfs mounted at @mnt, or -1. */
static inline long counter(const char *mnt, const char *name)
{
	char path[128], key[64];
	long val, ret = -1;
	struct stat st;
	FILE *f;

	if (stat(mnt, &st))
		return -1;
	snprintf(path, sizeof(path), "/sys/kernel/debug/rustfs-%u:%u/stats/counters",
		 major(st.st_dev), minor(st.st_dev));
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2)
		if (!strcmp(key, name))
			ret = val;
	fclose(f);
	return ret;
}

/*
 * Runs the consistency checker of the rustfs mounted at @mnt (debugfs
 * stats/check), which reports each violation in the kernel log: returns 0
 * if it passed, or if @mnt is not a rustfs mount, 1 if it found violations,
 * 2 if the file system kept changing under it, -1 if it could not run.
 */
static inline int check_store_once(const char *mnt)
{
	char path[128], line[128] = "";
	struct statfs sfs;
	struct stat st;
	FILE *f;

	if (statfs(mnt, &sfs) || stat(mnt, &st))
		return -1;
	if (sfs.f_type != RUSTFS_MAGIC)
		return 0;
	snprintf(path, sizeof(path), "/sys/kernel/debug/rustfs-%u:%u/stats/check",
		 major(st.st_dev), minor(st.st_dev));
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	if (!strncmp(line, "ok:", 3))
		return 0;
	if (!strncmp(line, "busy:", 5))
		return 2;
	fprintf(stderr, "%s: %s", path, line);
	return strncmp(line, "failed:", 7) ? -1 : 1;
}

/*
 * check_store_once(), tried again while the file system is busy: with no
 * test running, only the flusher or reclaim can keep it so, and not for
 * long.
 */
static inline int check_store(const char *mnt)
{
	int i, r;

	for (i = 0; i < 20; i++) {
		r = check_store_once(mnt);
		if (r != 2)
			break;
		usleep(50000);
	}
	return r;
}

/*
 * The end of a test's own mount at @mnt: checks the store, unmounts and
 * removes the mount point; returns 0, or -1 after saying what failed.
 */
static inline int check_and_unmount(const char *mnt)
{
	int bad = 0;

	if (check_store(mnt)) {
		fprintf(stderr, "%s: the store checker failed\n", mnt);
		bad = -1;
	}
	if (umount(mnt)) {
		fprintf(stderr, "umount %s: %s\n", mnt, strerror(errno));
		bad = -1;
	}
	rmdir(mnt);
	return bad;
}

/*
 * Evicts the page cache, and the unused dentries and inodes of rustfs:
 * rustfs must rebuild them from its store by lookup.
 *
 * drop_caches drops only clean pages, and inodes without dirty ones: sync
 * first, as for any file system that writes back. An inode with cached
 * pages is never reclaimed, and drop_caches cannot drop a page still in a
 * per-CPU LRU batch, as a freshly written one is (POSIX_FADV_DONTNEED
 * drains the batches, but drops one file's pages). A
 * drop_caches pass drains its own CPU's batch, which is why tests that
 * evict stay on one CPU: see pin_to_cpu0(). One pass also only takes the
 * "recently used" mark off what was just used, so make a few.
 */
static inline void drop_caches(void)
{
	int fd, i;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0)
		return;
	for (i = 0; i < 4; i++)
		if (write(fd, "3", 1) != 1)
			perror("drop_caches");
	close(fd);
}

/* Keeps the calling thread, and the threads it starts, on CPU 0. */
static inline int pin_to_cpu0(void)
{
	cpu_set_t cpu0;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	return sched_setaffinity(0, sizeof(cpu0), &cpu0);
}

static inline int write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

static inline ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

#endif /* RUSTFS_UTIL_H */
