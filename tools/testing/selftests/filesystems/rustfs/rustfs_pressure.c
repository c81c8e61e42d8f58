// SPDX-License-Identifier: GPL-2.0
/*
 * rustfs_pressure [-n FILES] [-t SECONDS]: rustfs under memory pressure,
 * with reclaim, not drop_caches, evicting its dentries and inodes.
 *
 * Makes a tree of FILES files in directories of 256, each file holding its
 * number and a generation.  Then one process takes anonymous memory, which
 * reclaim cannot take back (there is no swap), until reclaim has evicted
 * a quarter of the tree's inodes, and gives 32 MiB back: from then on, only
 * caches can go, and reclaim, not the out-of-memory killer, makes room for
 * the workers.  With vm.vfs_cache_pressure at ten times its default for the
 * run, reclaim turns to dentries and inodes early, whatever else is
 * cached.  Four workers stat, read and check random files, rewrite and
 * rename their own, and list random directories
 * for SECONDS, so that the dentries and inodes they bring in push others
 * out.  At the end each worker checks every file it owns, the listings are
 * counted, and the store checker (debugfs stats/check) runs.  The test
 * fails if reclaim evicted no inode.
 *
 * Needs rustfs loaded, root, debugfs and no swap.  "make check" runs it.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "rustfs_util.h"

#define PER_DIR 256
#define WORKERS 4
/* Memory the hog takes at a time, in MiB. */
#define HOG_STEP 4
/*
 * Memory the hog gives back once reclaim has evicted enough, in steps:
 * room for the workers' own allocations, so that reclaim, not the
 * out-of-memory killer, makes it for them.
 */
#define HOG_GIVE_BACK 8

static char base[64];
static int files = 8000;
static char old_pressure[32];

#define VFS_CACHE_PRESSURE "/proc/sys/vm/vfs_cache_pressure"

static void restore_pressure(void)
{
	FILE *f = fopen(VFS_CACHE_PRESSURE, "w");

	if (f) {
		fputs(old_pressure, f);
		fclose(f);
	}
}

/*
 * Makes reclaim look for ten times as many dentries and inodes as it
 * would, so that it reaches this tree's soon rather than whatever other
 * caches earlier tests left; restored at exit.
 */
static int favour_vfs_caches(void)
{
	FILE *f = fopen(VFS_CACHE_PRESSURE, "r");

	if (!f || !fgets(old_pressure, sizeof(old_pressure), f))
		return -1;
	fclose(f);
	atexit(restore_pressure);
	f = fopen(VFS_CACHE_PRESSURE, "w");
	if (!f)
		return -1;
	fputs("1000", f);
	return fclose(f);
}

static void path_of(char *p, size_t len, int i, const char *suffix)
{
	snprintf(p, len, "%s/d%03d/f%05d%s", base, i / PER_DIR, i, suffix);
}

static int put(int i, unsigned int gen)
{
	char p[128], data[32];

	path_of(p, sizeof(p), i, "");
	snprintf(data, sizeof(data), "%08d %08u\n", i, gen);
	return write_file(p, data, strlen(data));
}

/*
 * 0 if file @i holds its number and generation @gen.  With @gen -1, the
 * file is another worker's, which may be renaming or rewriting it: it may
 * also be missing or empty.
 */
static int verify(int i, long gen)
{
	char p[128], want[32], got[32] = {};
	ssize_t n;

	path_of(p, sizeof(p), i, "");
	n = read_file(p, got, sizeof(got) - 1);
	if (gen < 0 && (n == -ENOENT || n == 0))
		return 0;
	if (n != 18) {
		ksft_print_msg("%s: read %zd bytes: %s\n", p, n, n < 0 ? strerror(-n) : "");
		return -1;
	}
	snprintf(want, sizeof(want), "%08d %08lu\n", i, gen < 0 ? 0 : gen);
	if (memcmp(got, want, gen < 0 ? 9 : 18)) {
		ksft_print_msg("%s: holds \"%.17s\", not \"%.17s\"\n", p, got, want);
		return -1;
	}
	return 0;
}

/* The number of names in directory @d, or -1. */
static int count_dir(int d)
{
	char p[128];
	struct dirent *e;
	int n = 0;
	DIR *dir;

	snprintf(p, sizeof(p), "%s/d%03d", base, d);
	dir = opendir(p);
	if (!dir)
		return -1;
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static int per_dir(int d)
{
	int n = files - d * PER_DIR;

	return n < PER_DIR ? n : PER_DIR;
}

/* Worker @me owns the files whose number is @me modulo WORKERS. */
static int worker(int me, time_t end)
{
	unsigned int *gen = calloc(files, sizeof(*gen));
	unsigned long ops = 0, seed = getpid();
	char p[128], q[128];
	struct stat st;
	int i;

	if (!gen)
		return -1;
	srandom(seed);
	while (time(NULL) < end) {
		int r = random() % 10;

		i = random() % files;
		ops++;
		if (r < 6) {
			long want = i % WORKERS == me ? (long)gen[i] : -1;

			path_of(p, sizeof(p), i, "");
			if (stat(p, &st) && (want >= 0 || errno != ENOENT))
				return ksft_print_msg("stat %s: %s\n", p, strerror(errno)), -1;
			if (verify(i, want))
				return -1;
		} else if (r < 8) {
			i -= i % WORKERS - me;
			if (i < 0 || i >= files)
				continue;
			if (put(i, ++gen[i]))
				return ksft_print_msg("rewrite %d: %s\n", i, strerror(errno)), -1;
		} else if (r < 9) {
			i -= i % WORKERS - me;
			if (i < 0 || i >= files)
				continue;
			path_of(p, sizeof(p), i, "");
			path_of(q, sizeof(q), i, ".moved");
			if (rename(p, q) || rename(q, p))
				return ksft_print_msg("rename %d: %s\n", i, strerror(errno)), -1;
		} else if (count_dir(i / PER_DIR) != per_dir(i / PER_DIR)) {
			return ksft_print_msg("d%03d: wrong listing\n", i / PER_DIR), -1;
		}
	}
	for (i = me; i < files; i += WORKERS)
		if (verify(i, gen[i]))
			return -1;
	ksft_print_msg("worker %d: %lu operations, then its %d files checked\n", me, ops,
		       (files - me + WORKERS - 1) / WORKERS);
	return 0;
}

/* A line of /proc/meminfo ("MemFree:"), in MiB. */
static long meminfo(const char *name)
{
	long kb, mb = 0;
	char key[64];
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	while (f && fscanf(f, "%63s %ld kB\n", key, &kb) == 2)
		if (!strcmp(key, name))
			mb = kb >> 10;
	if (f)
		fclose(f);
	return mb;
}

/* The out-of-memory killer's victims so far (/proc/vmstat oom_kill). */
static long oom_kills(void)
{
	long n = -1, v;
	char key[64];
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	while (f && fscanf(f, "%63s %ld\n", key, &v) == 2)
		if (!strcmp(key, "oom_kill"))
			n = v;
	if (f)
		fclose(f);
	return n;
}

/*
 * Takes memory, HOG_STEP MiB at a time, until reclaim has evicted a
 * quarter of the tree's inodes; gives the last HOG_GIVE_BACK steps back,
 * reports how much it holds, then waits.
 * The tree's dentries, inodes and pages can all be reclaimed: if reclaim
 * cannot find them, the out-of-memory killer takes this process first, and
 * the test fails.
 */
static void hog(int ready, long evictions)
{
	char *m, *last[HOG_GIVE_BACK] = {};
	size_t held = 0, off, n = 0;
	FILE *f;

	/* The first to go, if memory runs out after all. */
	f = fopen("/proc/self/oom_score_adj", "w");
	if (f) {
		fputs("1000", f);
		fclose(f);
	}
	while (counter(base, "evictions") - evictions < files / 4 &&
	       held < (size_t)meminfo("MemTotal:") << 20) {
		m = mmap(NULL, HOG_STEP << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			break;
		for (off = 0; off < HOG_STEP << 20; off += 4096)
			m[off] = 1;
		held += HOG_STEP << 20;
		/* The last HOG_GIVE_BACK steps, oldest overwritten. */
		last[n++ % HOG_GIVE_BACK] = m;
	}
	for (n = 0; n < HOG_GIVE_BACK; n++) {
		if (last[n] && !munmap(last[n], HOG_STEP << 20))
			held -= HOG_STEP << 20;
	}
	if (write(ready, &held, sizeof(held)) != sizeof(held))
		_exit(1);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	int seconds = 30, opt, i, d, status, bad = 0, pipefd[2];
	long evicted, loaded, ooms = oom_kills();
	pid_t hogpid, pids[WORKERS];
	time_t end, start = time(NULL);
	size_t held;
	char p[128];

	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		if (opt == 'n')
			files = atoi(optarg);
		else if (opt == 't')
			seconds = atoi(optarg);
		else
			ksft_exit_fail_msg("usage: %s [-n FILES] [-t SECONDS]\n", argv[0]);
	}
	if (files < WORKERS || files > 99999 || seconds < 1)
		ksft_exit_fail_msg("-n takes %d..99999 files, -t at least a second\n", WORKERS);
	ksft_print_header();
	if (!rustfs_registered())
		ksft_exit_skip("rustfs is not loaded\n");
	ksft_set_plan(1);
	if (favour_vfs_caches())
		ksft_exit_fail_msg("%s: %s\n", VFS_CACHE_PRESSURE, strerror(errno));
	/* What earlier tests left cached would be reclaimed first. */
	drop_caches();
	strcpy(base, "/tmp/rustfs-pressure.XXXXXX");
	if (!mkdtemp(base) || mount(SOURCE, base, "rustfs", 0, NULL))
		ksft_exit_fail_msg("mount: %s\n", strerror(errno));
	for (d = 0; d * PER_DIR < files; d++) {
		snprintf(p, sizeof(p), "%s/d%03d", base, d);
		if (mkdir(p, 0755))
			ksft_exit_fail_msg("mkdir %s: %s\n", p, strerror(errno));
	}
	for (i = 0; i < files; i++)
		if (put(i, 0))
			ksft_exit_fail_msg("create %d: %s\n", i, strerror(errno));
	ksft_print_msg("%lu s: %d files made, %ld MiB free\n", (unsigned long)(time(NULL) - start),
		       files, meminfo("MemFree:"));

	if (pipe(pipefd))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	evicted = counter(base, "evictions");
	loaded = counter(base, "inode_loads");
	hogpid = fork();
	if (hogpid < 0)
		ksft_exit_fail_msg("fork: %s\n", strerror(errno));
	if (!hogpid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		hog(pipefd[1], evicted);
	}
	/* So that the read sees the end of the pipe if the hog dies. */
	close(pipefd[1]);
	if (read(pipefd[0], &held, sizeof(held)) != sizeof(held))
		ksft_exit_fail_msg("the memory hog died before reclaim evicted enough (%ld killed by the out-of-memory killer)\n",
				   oom_kills() - ooms);
	ksft_print_msg("%lu s: memory held: %zu MiB, %ld MiB free, %ld inodes evicted\n",
		       (unsigned long)(time(NULL) - start), held >> 20, meminfo("MemFree:"),
		       counter(base, "evictions") - evicted);

	end = time(NULL) + seconds;
	for (i = 0; i < WORKERS; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			ksft_exit_fail_msg("fork: %s\n", strerror(errno));
		if (!pids[i]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			_exit(worker(i, end) ? 1 : 0);
		}
	}
	for (i = 0; i < WORKERS; i++)
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			ksft_print_msg("worker %d failed (status %#x)\n", i, status);
			bad = 1;
		}
	if (waitpid(hogpid, &status, WNOHANG) != 0) {
		ksft_print_msg("the memory hog died (status %#x): out of memory after all?\n",
			       status);
		bad = 1;
	}
	ksft_print_msg("%ld MiB free; the out-of-memory killer killed %ld processes\n",
		       meminfo("MemFree:"), oom_kills() - ooms);
	evicted = counter(base, "evictions") - evicted;
	loaded = counter(base, "inode_loads") - loaded;
	kill(hogpid, SIGKILL);
	waitpid(hogpid, NULL, 0);
	ksft_print_msg("reclaim evicted %ld inodes; %ld were read back from the store\n", evicted,
		       loaded);
	if (evicted <= 0) {
		ksft_print_msg("no eviction: no memory pressure\n");
		bad = 1;
	}
	for (d = 0; d * PER_DIR < files; d++)
		if (count_dir(d) != per_dir(d)) {
			ksft_print_msg("d%03d: %d names, not %d\n", d, count_dir(d), per_dir(d));
			bad = 1;
		}
	if (check_and_unmount(base))
		bad = 1;
	ksft_test_result(!bad, "pressure: %d files, %d s, evicted by reclaim, nothing lost\n", files,
			 seconds);
	ksft_finished();
}
