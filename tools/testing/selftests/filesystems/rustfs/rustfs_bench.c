// SPDX-License-Identifier: GPL-2.0
/*
 * rustfs against tmpfs, side by side in one boot: the same workloads on
 * both, and the ratio of their rates. Not a test: it asserts nothing about
 * time. `make bench` runs it on the lean kernel and prints the table.
 *
 * Needs rustfs loaded and root.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <time.h>

#include "rustfs_util.h"

#define FILES 5000
#define THREADS 4
#define DATA_MB 32
#define CHUNK (64 * 1024)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void path_of(char *buf, const char *root, int i)
{
	snprintf(buf, PATH_MAX, "%s/d%d/f%d", root, i % 50, i);
}

static int w_create(const char *root)
{
	char p[PATH_MAX];
	int i, fd;

	for (i = 0; i < 50; i++) {
		snprintf(p, sizeof(p), "%s/d%d", root, i);
		if (mkdir(p, 0755))
			return -1;
	}
	for (i = 0; i < FILES; i++) {
		path_of(p, root, i);
		fd = open(p, O_CREAT | O_WRONLY | O_EXCL, 0644);
		if (fd < 0 || write(fd, "x", 1) != 1)
			return -1;
		close(fd);
	}
	return FILES;
}

static int w_stat(const char *root)
{
	char p[PATH_MAX];
	struct stat st;
	int i;

	for (i = 0; i < FILES; i++) {
		path_of(p, root, i);
		if (stat(p, &st))
			return -1;
	}
	return FILES;
}

static int w_stat_evicted(const char *root)
{
	drop_caches();
	return w_stat(root);
}

static int w_stat_missing(const char *root)
{
	char p[PATH_MAX];
	struct stat st;
	int i;

	for (i = 0; i < FILES; i++) {
		snprintf(p, sizeof(p), "%s/d%d/missing%d", root, i % 50, i);
		if (!stat(p, &st))
			return -1;
	}
	return FILES;
}

static int w_readdir(const char *root)
{
	char p[PATH_MAX];
	int i, n = 0;

	for (i = 0; i < 50; i++) {
		DIR *d;

		snprintf(p, sizeof(p), "%s/d%d", root, i);
		d = opendir(p);
		if (!d)
			return -1;
		while (readdir(d))
			n++;
		closedir(d);
	}
	return n;
}

static int w_readdir_evicted(const char *root)
{
	drop_caches();
	return w_readdir(root);
}

struct par {
	const char *root;
	int t, err;
};

static void *stat_part(void *arg)
{
	struct par *a = arg;
	char p[PATH_MAX];
	struct stat st;
	int i;

	for (i = a->t; i < FILES; i += THREADS) {
		path_of(p, a->root, i);
		if (stat(p, &st))
			a->err = 1;
	}
	return NULL;
}

static int w_stat_parallel_evicted(const char *root)
{
	struct par a[THREADS];
	pthread_t t[THREADS];
	int i, err = 0;

	drop_caches();
	for (i = 0; i < THREADS; i++) {
		a[i] = (struct par){ .root = root, .t = i };
		pthread_create(&t[i], NULL, stat_part, &a[i]);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		err |= a[i].err;
	}
	return err ? -1 : FILES;
}

static char chunk[CHUNK];

static int w_write(const char *root)
{
	char p[PATH_MAX];
	int fd, i;

	snprintf(p, sizeof(p), "%s/data", root);
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	for (i = 0; i < DATA_MB * 1024 * 1024 / CHUNK; i++)
		if (write(fd, chunk, CHUNK) != CHUNK)
			return -1;
	close(fd);
	return DATA_MB;
}

static int w_read_evicted(const char *root)
{
	char p[PATH_MAX];
	int fd;

	drop_caches();
	snprintf(p, sizeof(p), "%s/data", root);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return -1;
	while (read(fd, chunk, CHUNK) > 0)
		;
	close(fd);
	return DATA_MB;
}

static int w_rename(const char *root)
{
	char a[PATH_MAX], b[PATH_MAX];
	int i;

	for (i = 0; i < FILES; i++) {
		path_of(a, root, i);
		snprintf(b, sizeof(b), "%s/d%d/r%d", root, (i + 1) % 50, i);
		if (rename(a, b))
			return -1;
	}
	return FILES;
}

static int w_unlink(const char *root)
{
	char p[PATH_MAX];
	int i;

	for (i = 0; i < FILES; i++) {
		snprintf(p, sizeof(p), "%s/d%d/r%d", root, (i + 1) % 50, i);
		if (unlink(p))
			return -1;
	}
	return FILES;
}

static const struct workload {
	const char *name, *unit;
	int (*fn)(const char *root);
} workloads[] = {
	{ "create (50 dirs)", "files/s", w_create },
	{ "stat, cached", "stats/s", w_stat },
	{ "stat, after eviction", "stats/s", w_stat_evicted },
	{ "stat, 4 threads, evicted", "stats/s", w_stat_parallel_evicted },
	{ "stat, missing names", "stats/s", w_stat_missing },
	{ "readdir, cached", "entries/s", w_readdir },
	{ "readdir, after eviction", "entries/s", w_readdir_evicted },
	{ "write 64 KiB chunks", "MiB/s", w_write },
	{ "read, after eviction", "MiB/s", w_read_evicted },
	{ "rename across dirs", "renames/s", w_rename },
	{ "unlink", "unlinks/s", w_unlink },
};

int main(void)
{
	const char *fs[2] = { "tmpfs", "rustfs" };
	char root[2][64];
	double rate[2];
	size_t w;
	int f;

	if (!rustfs_registered()) {
		printf("bench: rustfs is not loaded\n");
		return 4;
	}
	/* Evicting needs one CPU: see drop_caches(). */
	if (pin_to_cpu0())
		return 1;
	for (f = 0; f < 2; f++) {
		snprintf(root[f], sizeof(root[f]), "/tmp/bench-%s", fs[f]);
		mkdir(root[f], 0755);
		if (mount(f ? SOURCE : "tmpfs_bench", root[f], fs[f], 0, NULL)) {
			perror(fs[f]);
			return 1;
		}
	}
	printf("bench: %-28s %14s %14s %8s\n", "workload", "tmpfs", "rustfs", "ratio");
	for (w = 0; w < sizeof(workloads) / sizeof(workloads[0]); w++) {
		for (f = 0; f < 2; f++) {
			double t0 = now();
			int n = workloads[w].fn(root[f]);
			double t = now() - t0;

			if (n < 0) {
				printf("bench: %s failed on %s: %s\n", workloads[w].name, fs[f],
				       strerror(errno));
				return 1;
			}
			rate[f] = t > 0 ? n / t : 0;
		}
		printf("bench: %-28s %14.0f %14.0f %8.2f  (%s)\n", workloads[w].name, rate[0],
		       rate[1], rate[0] > 0 ? rate[1] / rate[0] : 0, workloads[w].unit);
	}
	for (f = 0; f < 2; f++) {
		umount(root[f]);
		rmdir(root[f]);
	}
	return 0;
}
