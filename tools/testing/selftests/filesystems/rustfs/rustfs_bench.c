// SPDX-License-Identifier: GPL-2.0
/*
 * rustfs beside its anchors, in one boot: tmpfs (the same page cache and
 * dcache, no store), and ext4 on a RAM disk (a file system whose dcache and
 * inode cache really are caches). Each workload runs on each file system in
 * turn, REPS times, and the table gives the median rate, its spread, and the
 * ratios of rates measured side by side. Not a test: it asserts nothing
 * about time. `make bench` runs it on the lean kernel.
 *
 *   rustfs_bench [-r REPS] [-f FS[,FS...]] [-w SUBSTRING] [-o OPTIONS] [-4] [-C]
 *
 * FS is tmpfs, rustfs or ext4 (default: those available); -w measures only
 * the rows whose name contains SUBSTRING, with '_' for a space (the others
 * still run, unmeasured, for what they make); -o mounts rustfs with OPTIONS
 * ('+' for ','); -4 adds the concurrency rows
 * (rustfs with lookup_delay_us and create_delay_us), and the rows of updates
 * of one directory with and without par_dirops; -C runs only those (they
 * count delays, so a debug kernel measures them as well as a lean one). ext4 needs /dev/ram0
 * formatted beforehand (the VM test `bench` runs mkfs.ext4).
 *
 * Output: "bench:" lines, the table; "bench-csv:" lines, every run.
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
#define DIRS 50
#define ONE_DIR_FILES 2000
#define DEPTH 32
#define THREADS 4
#define DATA_MB 32
#define CHUNK (64 * 1024)
#define MAX_REPS 15

enum { TMPFS, RUSTFS, EXT4, NFS_ };

static const char *const fs_name[NFS_] = { "tmpfs", "rustfs", "ext4-brd" };
static char fs_root[NFS_][64];
static int fs_on[NFS_];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void path_of(char *buf, const char *root, int i)
{
	snprintf(buf, PATH_MAX, "%s/d%d/f%d", root, i % DIRS, i);
}

static int w_create(const char *root)
{
	char p[PATH_MAX];
	int i, fd;

	for (i = 0; i < DIRS; i++) {
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

static int w_stat_missing(const char *root)
{
	char p[PATH_MAX];
	struct stat st;
	int i;

	for (i = 0; i < FILES; i++) {
		snprintf(p, sizeof(p), "%s/d%d/missing%d", root, i % DIRS, i);
		if (!stat(p, &st))
			return -1;
	}
	return FILES;
}

/* The leaf of a DEPTH-deep chain of directories, made on first use. */
static int deep_path(char *p, const char *root)
{
	int i, n = snprintf(p, PATH_MAX, "%s/deep", root);

	for (i = 0; i <= DEPTH; i++) {
		if (mkdir(p, 0755) && errno != EEXIST)
			return -1;
		if (i < DEPTH)
			n += snprintf(p + n, PATH_MAX - n, "/%c", 'a' + i % 26);
	}
	return 0;
}

static int w_deep_walk(const char *root)
{
	char p[PATH_MAX];
	struct stat st;
	int i;

	if (deep_path(p, root))
		return -1;
	for (i = 0; i < FILES; i++)
		if (stat(p, &st))
			return -1;
	return FILES;
}

static int w_readdir(const char *root)
{
	char p[PATH_MAX];
	int i, n = 0;

	for (i = 0; i < DIRS; i++) {
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

/* What `ls -l` does: readdir, then stat each name. */
static int w_ls_l(const char *root)
{
	char p[PATH_MAX];
	struct dirent *e;
	struct stat st;
	int i, n = 0;

	for (i = 0; i < DIRS; i++) {
		DIR *d;

		snprintf(p, sizeof(p), "%s/d%d", root, i);
		d = opendir(p);
		if (!d)
			return -1;
		while ((e = readdir(d))) {
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
				closedir(d);
				return -1;
			}
			n++;
		}
		closedir(d);
	}
	return n;
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
		if (write(fd, chunk, CHUNK) != CHUNK) {
			close(fd);
			return -1;
		}
	close(fd);
	return DATA_MB;
}

static int w_read(const char *root)
{
	char p[PATH_MAX];
	ssize_t n;
	long total = 0;
	int fd;

	snprintf(p, sizeof(p), "%s/data", root);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, CHUNK)) > 0)
		total += n;
	close(fd);
	return total == DATA_MB * 1024L * 1024 ? DATA_MB : -1;
}

static int w_rename(const char *root)
{
	char a[PATH_MAX], b[PATH_MAX];
	int i;

	for (i = 0; i < FILES; i++) {
		path_of(a, root, i);
		snprintf(b, sizeof(b), "%s/d%d/r%d", root, (i + 1) % DIRS, i);
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
		snprintf(p, sizeof(p), "%s/d%d/r%d", root, (i + 1) % DIRS, i);
		if (unlink(p))
			return -1;
	}
	snprintf(p, sizeof(p), "%s/data", root);
	return unlink(p) ? -1 : FILES;
}

/* Creates and unlinks in one directory: its lock, and its dcache hash. */
static int w_one_dir(const char *root)
{
	char p[PATH_MAX];
	int i, fd;

	snprintf(p, sizeof(p), "%s/one", root);
	if (mkdir(p, 0755))
		return -1;
	for (i = 0; i < ONE_DIR_FILES; i++) {
		snprintf(p, sizeof(p), "%s/one/f%d", root, i);
		fd = open(p, O_CREAT | O_WRONLY | O_EXCL, 0644);
		if (fd < 0)
			return -1;
		close(fd);
	}
	for (i = 0; i < ONE_DIR_FILES; i++) {
		snprintf(p, sizeof(p), "%s/one/f%d", root, i);
		if (unlink(p))
			return -1;
	}
	snprintf(p, sizeof(p), "%s/one", root);
	return rmdir(p) ? -1 : 2 * ONE_DIR_FILES;
}

enum { HOT, COLD };

static const struct workload {
	const char *name, *unit;
	int (*fn)(const char *root);
	int cold;
} workloads[] = {
	{ "create in 50 dirs", "files/s", w_create, HOT },
	{ "stat cached", "stats/s", w_stat, HOT },
	{ "stat missing", "stats/s", w_stat_missing, HOT },
	{ "path walk 32 deep", "stats/s", w_deep_walk, HOT },
	{ "readdir cached", "entries/s", w_readdir, HOT },
	{ "write 64 KiB chunks", "MiB/s", w_write, HOT },
	{ "read cached", "MiB/s", w_read, HOT },
	{ "stat evicted", "stats/s", w_stat, COLD },
	{ "readdir evicted", "entries/s", w_readdir, COLD },
	{ "ls -l evicted", "entries/s", w_ls_l, COLD },
	{ "read evicted", "MiB/s", w_read, COLD },
	{ "rename across dirs", "renames/s", w_rename, HOT },
	{ "unlink", "unlinks/s", w_unlink, HOT },
	{ "create+unlink one dir", "ops/s", w_one_dir, HOT },
};

#define NWORK (sizeof(workloads) / sizeof(workloads[0]))

static double rates[NWORK][NFS_][MAX_REPS];

static long read_long(const char *path, int field)
{
	long v = -1;
	FILE *f = fopen(path, "r");
	int i;

	if (!f)
		return -1;
	for (i = 0; i <= field; i++)
		if (fscanf(f, "%ld", &v) != 1) {
			v = -1;
			break;
		}
	fclose(f);
	return v;
}

/* The dentries, inodes and page-cache KiB of the whole system. */
struct cached {
	long dentries, inodes, kib;
};

static struct cached cached_now(void)
{
	struct cached c = {
		read_long("/proc/sys/fs/dentry-state", 0),
		read_long("/proc/sys/fs/inode-nr", 0),
		-1,
	};
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Cached: %ld", &c.kib) == 1)
			break;
	if (f)
		fclose(f);
	return c;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of v[0..n), and in *lo and *hi its least and greatest. */
static double median(const double *v, int n, double *lo, double *hi)
{
	double s[MAX_REPS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	*lo = s[0];
	*hi = s[n - 1];
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* A ratio of rates measured in the same repetition, with the spread. */
static void print_ratio(int w, int a, int b, int reps)
{
	double r[MAX_REPS], lo, hi, m;
	int i;

	if (!fs_on[a] || !fs_on[b]) {
		printf(" %20s", "-");
		return;
	}
	for (i = 0; i < reps; i++)
		r[i] = rates[w][b][i] > 0 ? rates[w][a][i] / rates[w][b][i] : 0;
	m = median(r, reps, &lo, &hi);
	printf(" %6.2f (%4.2f-%4.2f)", m, lo, hi);
}

struct par {
	const char *path;
	pthread_barrier_t *start;
	int err;
};

static void *stat_one(void *arg)
{
	struct par *a = arg;
	struct stat st;

	pthread_barrier_wait(a->start);
	if (!stat(a->path, &st) || errno != ENOENT)
		a->err = 1;
	return NULL;
}

static void *create_one(void *arg)
{
	struct par *a = arg;
	int fd;

	pthread_barrier_wait(a->start);
	fd = open(a->path, O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (fd < 0)
		a->err = 1;
	else
		close(fd);
	return NULL;
}

static void *mknod_one(void *arg)
{
	struct par *a = arg;

	pthread_barrier_wait(a->start);
	a->err = !!mknod(a->path, S_IFREG | 0644, 0);
	return NULL;
}

/* Of creates of one name, one wins and the others see it. */
static void *mknod_same(void *arg)
{
	struct par *a = arg;

	pthread_barrier_wait(a->start);
	a->err = mknod(a->path, S_IFREG | 0644, 0) ? errno != EEXIST : 0;
	return NULL;
}

static void *mkdir_one(void *arg)
{
	struct par *a = arg;

	pthread_barrier_wait(a->start);
	a->err = !!mkdir(a->path, 0755);
	return NULL;
}

static void *unlink_one(void *arg)
{
	struct par *a = arg;

	pthread_barrier_wait(a->start);
	a->err = !!unlink(a->path);
	return NULL;
}

/* Renames the path to itself with "r" appended, within its directory. */
static void *rename_one(void *arg)
{
	struct par *a = arg;
	char to[PATH_MAX + 1];

	snprintf(to, sizeof(to), "%sr", a->path);
	pthread_barrier_wait(a->start);
	a->err = !!rename(a->path, to);
	return NULL;
}

/* N threads run fn on paths[i], all at once; returns the wall time. */
static double race(int n, char paths[][PATH_MAX], void *(*fn)(void *), int *err)
{
	pthread_barrier_t start;
	struct par a[64];
	pthread_t t[64];
	double t0;
	int i;

	pthread_barrier_init(&start, NULL, n + 1);
	for (i = 0; i < n; i++) {
		a[i] = (struct par){ .path = paths[i], .start = &start };
		pthread_create(&t[i], NULL, fn, &a[i]);
	}
	t0 = now();
	pthread_barrier_wait(&start);
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		*err |= a[i].err;
	}
	pthread_barrier_destroy(&start);
	return now() - t0;
}

/*
 * Concurrency without relying on CPU count: rustfs's delays stand for a
 * slow server, and the time of N concurrent operations in delays says how
 * many of them ran one after another.
 */
#define P4_THREADS 8
#define P4_DELAY_US 100000

static int concurrency_rows(int reps)
{
	static char paths[P4_THREADS][PATH_MAX];
	const char *root = fs_root[RUSTFS];
	double t[4][MAX_REPS], lo, hi, m;
	long lookups[MAX_REPS];
	char lookup[64], create[64];
	int r, i, err = 0;

	/* Each row delays only what it measures: an O_CREAT open looks up too. */
	snprintf(lookup, sizeof(lookup), "lookup_delay_us=%d,create_delay_us=0", P4_DELAY_US);
	snprintf(create, sizeof(create), "lookup_delay_us=0,create_delay_us=%d", P4_DELAY_US);
	for (r = 0; r < reps; r++) {
		char dir[PATH_MAX];
		long before;

		/* A remount prunes unused dentries: make the directory after. */
		if (mount(NULL, root, NULL, MS_REMOUNT, lookup))
			return -1;
		snprintf(dir, sizeof(dir), "%s/p4-%d", root, r);
		if (mkdir(dir, 0755))
			return -1;
		for (i = 0; i < P4_THREADS; i++)
			snprintf(paths[i], PATH_MAX, "%s/missing", dir);
		before = counter(root, "lookups");
		t[0][r] = race(P4_THREADS, paths, stat_one, &err);
		lookups[r] = counter(root, "lookups") - before;

		for (i = 0; i < P4_THREADS; i++)
			snprintf(paths[i], PATH_MAX, "%s/missing%d", dir, i);
		t[1][r] = race(P4_THREADS, paths, stat_one, &err);
		/*
		 * Creates whose names miss the dcache: their ->lookup() runs
		 * under the directory lock, exclusive or (since the lifted
		 * series looks the name up first) shared.
		 */
		for (i = 0; i < P4_THREADS; i++)
			snprintf(paths[i], PATH_MAX, "%s/slow%d", dir, i);
		t[3][r] = race(P4_THREADS, paths, mknod_one, &err);
		for (i = 0; i < P4_THREADS; i++)
			unlink(paths[i]);
		for (i = 0; i < P4_THREADS; i++)
			snprintf(paths[i], PATH_MAX, "%s/new%d", dir, i);
		if (mount(NULL, root, NULL, MS_REMOUNT, create))
			return -1;
		t[2][r] = race(P4_THREADS, paths, create_one, &err);
		for (i = 0; i < 4; i++)
			t[i][r] /= P4_DELAY_US / 1e6;
		for (i = 0; i < P4_THREADS; i++)
			unlink(paths[i]);
		rmdir(dir);
	}
	if (mount(NULL, root, NULL, MS_REMOUNT, "lookup_delay_us=0,create_delay_us=0") || err)
		return -1;
	printf("bench:\nbench: concurrency on rustfs, %d threads, each operation delayed %d ms:\n",
	       P4_THREADS, P4_DELAY_US / 1000);
	printf("bench: %-44s %22s\n", "row", "time in delays");
	m = median(t[0], reps, &lo, &hi);
	printf("bench: %-44s %6.2f (%4.2f-%4.2f)   ->lookup calls: %ld", "lookups of one missing name",
	       m, lo, hi, lookups[0]);
	for (r = 1; r < reps; r++)
		printf(",%ld", lookups[r]);
	m = median(t[1], reps, &lo, &hi);
	printf("\nbench: %-44s %6.2f (%4.2f-%4.2f)\n", "lookups of different missing names", m, lo,
	       hi);
	m = median(t[2], reps, &lo, &hi);
	printf("bench: %-44s %6.2f (%4.2f-%4.2f)\n", "creates of different names, one directory", m,
	       lo, hi);
	m = median(t[3], reps, &lo, &hi);
	printf("bench: %-44s %6.2f (%4.2f-%4.2f)\n", "mknod of different names, slow ->lookup", m,
	       lo, hi);
	for (r = 0; r < reps; r++)
		for (i = 0; i < 4; i++)
			printf("bench-csv: concurrency,%s,rustfs,%d,%.3f\n",
			       (const char *const[]){ "one-missing", "missing", "create",
						      "slow-lookup-mknod" }[i], r, t[i][r]);
	return 0;
}

/*
 * Under `perf record --control=fifo:CTL,ACK -D -1` (the VM test `bench`),
 * only the measured rows are profiled: PERF_CTL_FIFO and PERF_ACK_FIFO
 * name the fifos.
 */
static int perf_ctl = -1, perf_ack = -1;

static void perf_control(const char *cmd)
{
	char ack[8];

	if (perf_ctl < 0)
		return;
	if (write(perf_ctl, cmd, strlen(cmd)) < 0 || read(perf_ack, ack, sizeof(ack)) < 0)
		perror("bench: perf control");
}

/* Whether row w is to be measured: its name contains match, '_' a space. */
static int matches(int w, const char *match)
{
	char m[64];
	size_t i;

	if (!match)
		return 1;
	snprintf(m, sizeof(m), "%s", match);
	for (i = 0; m[i]; i++)
		if (m[i] == '_')
			m[i] = ' ';
	return !!strstr(workloads[w].name, m);
}

/* Runs row w on file system f in repetition r, and records its rate. */
static int run_row(int w, int f, int r, const char *match)
{
	struct cached dropped = {};
	char root[PATH_MAX];
	double t0, t;
	int n;

	snprintf(root, sizeof(root), "%s/r%d", fs_root[f], r);
	if (!matches(w, match)) {
		/* Not measured, but the rows after it need what it makes. */
		n = workloads[w].fn(root);
		goto out;
	}
	if (workloads[w].cold) {
		/* ext4 keeps what is dirty: write it back first. */
		sync();
		drop_caches();
		dropped = cached_now();
	}
	perf_control("enable\n");
	t0 = now();
	n = workloads[w].fn(root);
	t = now() - t0;
	perf_control("disable\n");
	if (n < 0)
		goto out;
	rates[w][f][r] = t > 0 ? n / t : 0;
	printf("bench-csv: %s,%s,%d,%.6f,%d\n", workloads[w].name, fs_name[f], r, t, n);
	/*
	 * What the row had to bring back shows that the file system really
	 * lost it: system-wide counts, but only this row ran meanwhile.
	 */
	if (workloads[w].cold && r == 0) {
		struct cached after = cached_now();

		printf("bench: evict: %-24s %-8s the row brought back %5ld dentries, %5ld inodes, "
		       "%6ld KiB of page cache\n",
		       workloads[w].name, fs_name[f], after.dentries - dropped.dentries,
		       after.inodes - dropped.inodes, after.kib - dropped.kib);
	}
out:
	if (n < 0)
		printf("bench: %s failed on %s: %s\n", workloads[w].name, fs_name[f],
		       strerror(errno));
	return n < 0;
}

/*
 * Updates of one directory, on rustfs mounted with par_dirops (the lifted
 * series: the directory lock shared, and each name locked) beside rustfs
 * without it, each operation held P4_DELAY_US in the file system.
 */
#define PAR_ROWS 7
static int par_rows(int reps)
{
	static const struct {
		const char *name, *fmt;
		void *(*fn)(void *);
		int same;
	} rows[PAR_ROWS] = {
		{ "mknod, different names", "m%d", mknod_one, 0 },
		{ "mkdir, different names", "d%d", mkdir_one, 0 },
		{ "rename, different names", "m%d", rename_one, 0 },
		{ "unlink, different names", "m%dr", unlink_one, 0 },
		{ "open(O_CREAT), different names", "o%d", create_one, 0 },
		{ "unlink, after open(O_CREAT)", "o%d", unlink_one, 0 },
		{ "mknod, one name (one wins)", "same", mknod_same, 1 },
	};
	static char paths[P4_THREADS][PATH_MAX];
	static const char *const mnt[2] = { "/tmp/bench-dirlock", "/tmp/bench-par" };
	double t[2][PAR_ROWS][MAX_REPS], lo, hi, m, ratio[MAX_REPS];
	char opts[96];
	int k, r, w, i, err = 0;

	for (k = 0; k < 2; k++) {
		snprintf(opts, sizeof(opts), "create_delay_us=%d%s", P4_DELAY_US,
			 k ? ",par_dirops" : "");
		mkdir(mnt[k], 0755);
		if (mount(SOURCE, mnt[k], "rustfs", 0, opts)) {
			if (k && errno == EOPNOTSUPP) {
				printf("bench:\nbench: par_dirops: not on this kernel (SERIES=lift)\n");
				umount(mnt[0]);
				return 0;
			}
			return -1;
		}
	}
	for (r = 0; r < reps; r++)
		for (w = 0; w < PAR_ROWS; w++)
			/* Each mount goes first in turn. */
			for (i = 0; i < 2; i++) {
				int j;

				k = (i + r) % 2;
				for (j = 0; j < P4_THREADS; j++) {
					char name[32];

					snprintf(name, sizeof(name), rows[w].fmt, rows[w].same ? 0 : j);
					snprintf(paths[j], PATH_MAX, "%s/%s", mnt[k], name);
				}
				t[k][w][r] = race(P4_THREADS, paths, rows[w].fn, &err) /
					     (P4_DELAY_US / 1e6);
				if (w == PAR_ROWS - 1)
					unlink(paths[0]);
				if (w == 1)
					for (j = 0; j < P4_THREADS; j++)
						rmdir(paths[j]);
			}
	for (k = 0; k < 2; k++) {
		umount(mnt[k]);
		rmdir(mnt[k]);
	}
	if (err)
		return -1;
	printf("bench:\nbench: updates of one directory on rustfs, %d threads, each operation "
	       "delayed %d ms,\nbench: without and with par_dirops; times in delays, medians "
	       "(lowest-highest):\n", P4_THREADS, P4_DELAY_US / 1000);
	printf("bench: %-34s %20s %20s %20s\n", "row", "directory lock", "par_dirops",
	       "speed-up");
	for (w = 0; w < PAR_ROWS; w++) {
		printf("bench: %-34s", rows[w].name);
		for (k = 0; k < 2; k++) {
			m = median(t[k][w], reps, &lo, &hi);
			printf(" %6.2f (%5.2f-%5.2f)", m, lo, hi);
		}
		for (r = 0; r < reps; r++)
			ratio[r] = t[1][w][r] > 0 ? t[0][w][r] / t[1][w][r] : 0;
		m = median(ratio, reps, &lo, &hi);
		printf(" %6.2f (%5.2f-%5.2f)\n", m, lo, hi);
	}
	for (r = 0; r < reps; r++)
		for (w = 0; w < PAR_ROWS; w++)
			for (k = 0; k < 2; k++)
				printf("bench-csv: par_dirops,%s,%s,%d,%.3f\n", rows[w].name,
				       k ? "par_dirops" : "dirlock", r, t[k][w][r]);
	return 0;
}

static int mount_all(const char *only, const char *opts)
{
	int f;

	fs_on[TMPFS] = 1;
	fs_on[RUSTFS] = rustfs_registered();
	fs_on[EXT4] = !access("/dev/ram0", R_OK);
	for (f = 0; f < NFS_; f++) {
		if (only && !strstr(only, f == EXT4 ? "ext4" : fs_name[f]))
			fs_on[f] = 0;
		if (!fs_on[f])
			continue;
		snprintf(fs_root[f], sizeof(fs_root[f]), "/tmp/bench-%s", fs_name[f]);
		mkdir(fs_root[f], 0755);
		if (mount(f == TMPFS ? "tmpfs_bench" : f == RUSTFS ? SOURCE : "/dev/ram0",
			  fs_root[f], f == EXT4 ? "ext4" : fs_name[f], 0,
			  f == RUSTFS ? opts : NULL)) {
			fprintf(stderr, "bench: mount %s: %s\n", fs_name[f], strerror(errno));
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *only = NULL, *match = NULL;
	char *opts = NULL, *c;
	int reps = 3, p4 = 0, only_p4 = 0, opt, r, f, k;
	char root[PATH_MAX];
	size_t w;

	while ((opt = getopt(argc, argv, "r:f:w:o:4C")) != -1) {
		switch (opt) {
		case 'r':
			reps = atoi(optarg);
			break;
		case 'f':
			only = optarg;
			break;
		case 'w':
			match = optarg;
			break;
		case 'o':
			opts = optarg;
			for (c = opts; *c; c++)
				if (*c == '+')
					*c = ',';
			break;
		case '4':
			p4 = 1;
			break;
		case 'C':
			p4 = only_p4 = 1;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-r REPS] [-f FS,...] [-w SUBSTRING] [-o OPTIONS] [-4] [-C]\n",
				argv[0]);
			return 1;
		}
	}
	if (reps < 1 || reps > MAX_REPS) {
		fprintf(stderr, "bench: -r takes 1 to %d\n", MAX_REPS);
		return 1;
	}
	if (getenv("PERF_CTL_FIFO")) {
		perf_ctl = open(getenv("PERF_CTL_FIFO"), O_WRONLY);
		perf_ack = open(getenv("PERF_ACK_FIFO"), O_RDONLY);
		if (perf_ctl < 0 || perf_ack < 0) {
			perror("bench: perf control fifos");
			return 1;
		}
	}
	/* Evicting needs one CPU: see drop_caches(). */
	if (pin_to_cpu0() || mount_all(only, opts))
		return 1;

	for (r = 0; r < reps && !only_p4; r++) {
		for (f = 0; f < NFS_; f++) {
			snprintf(root, sizeof(root), "%s/r%d", fs_root[f], r);
			if (fs_on[f] && mkdir(root, 0755))
				return 1;
		}
		/*
		 * Each file system goes first in turn: whatever the first run
		 * of a row pays (a cold CPU cache, a deferred free of the last
		 * row), none pays it always.
		 */
		for (w = 0; w < NWORK; w++)
			for (k = 0; k < NFS_; k++)
				if (fs_on[(k + r) % NFS_] && run_row(w, (k + r) % NFS_, r, match))
					return 1;
	}

	if (!only_p4) {
		printf("bench:\nbench: %d runs of each row; rates are medians, per second under "
		       "TCG,\nbench: with (lowest-highest) for the ratios of the runs side by side\n",
		       reps);
		printf("bench: %-26s %10s %10s %10s %20s %20s  %s\n", "row", fs_name[TMPFS],
		       fs_name[RUSTFS], fs_name[EXT4], "rustfs/tmpfs", "rustfs/ext4", "unit");
	}
	for (w = 0; w < NWORK && !only_p4; w++) {
		double lo, hi;

		if (!matches(w, match))
			continue;
		printf("bench: %-26s", workloads[w].name);
		for (f = 0; f < NFS_; f++)
			if (fs_on[f])
				printf(" %10.0f", median(rates[w][f], reps, &lo, &hi));
			else
				printf(" %10s", "-");
		print_ratio(w, RUSTFS, TMPFS, reps);
		print_ratio(w, RUSTFS, EXT4, reps);
		printf("  %s\n", workloads[w].unit);
	}
	if (p4 && fs_on[RUSTFS] && concurrency_rows(reps)) {
		printf("bench: the concurrency rows failed: %s\n", strerror(errno));
		return 1;
	}
	if (p4 && fs_on[RUSTFS] && par_rows(reps)) {
		printf("bench: the par_dirops rows failed: %s\n", strerror(errno));
		return 1;
	}
	for (f = 0; f < NFS_; f++) {
		if (!fs_on[f])
			continue;
		umount(fs_root[f]);
		rmdir(fs_root[f]);
	}
	return 0;
}
