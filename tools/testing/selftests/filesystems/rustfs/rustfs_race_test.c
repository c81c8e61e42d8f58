// SPDX-License-Identifier: GPL-2.0
/*
 * rustfs under concurrency: each new VFS path raced against lookups of the
 * same names, and a tree of 10,000 entries checked against its manifest
 * while its caches are evicted again and again.
 *
 * Needs rustfs loaded (the rustfs VM does this), debugfs and root.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <linux/fs.h>

#include "../../kselftest_harness.h"
#include "rustfs_util.h"

#define LOOKERS 3

FIXTURE(race) {
	char dir[64];
};

FIXTURE_SETUP(race)
{
	if (!rustfs_registered())
		SKIP(return, "rustfs is not loaded");
	ASSERT_EQ(0, pin_to_cpu0());
	strcpy(self->dir, "/tmp/rustfs-race.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, NULL));
}

FIXTURE_TEARDOWN(race)
{
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

/* What the looker threads do, and what they saw. */
struct looker {
	const char *dir;
	const char *fmt;	/* name pattern, with one %d */
	int names;		/* how many names; 1 means fmt is the name */
	atomic_bool *stop;
	int (*check)(const char *path, struct looker *l);
	long lookups, unexpected;
	int last_errno;
};

static void *look(void *arg)
{
	struct looker *l = arg;
	char path[PATH_MAX];
	int i = 0;

	while (!atomic_load(l->stop)) {
		char name[NAME_MAX + 1];

		snprintf(name, sizeof(name), l->fmt, l->names > 1 ? i++ % l->names : 0);
		snprintf(path, sizeof(path), "%s/%s", l->dir, name);
		if (l->check(path, l)) {
			l->unexpected++;
			l->last_errno = errno;
		}
		l->lookups++;
	}
	return NULL;
}

/* Runs @fn with LOOKERS threads looking names up meanwhile. */
static void with_lookers(struct looker *tmpl, void (*fn)(void *), void *arg,
			 struct looker *out)
{
	pthread_t t[LOOKERS];
	atomic_bool stop = false;
	int i;

	for (i = 0; i < LOOKERS; i++) {
		out[i] = *tmpl;
		out[i].stop = &stop;
		pthread_create(&t[i], NULL, look, &out[i]);
	}
	fn(arg);
	atomic_store(&stop, true);
	for (i = 0; i < LOOKERS; i++)
		pthread_join(t[i], NULL);
}

/* A lookup may find the name or not, but must not fail otherwise. */
static int exists_or_enoent(const char *path, struct looker *l)
{
	struct stat st;

	return lstat(path, &st) && errno != ENOENT;
}

static void read_dir_rounds(void *arg)
{
	const char *dir = arg;
	int round;

	for (round = 0; round < 10; round++) {
		DIR *d;

		drop_caches();
		d = opendir(dir);
		if (!d)
			return;
		while (readdir(d))
			;
		closedir(d);
	}
}

TEST_F_TIMEOUT(race, readdir_priming_vs_lookups, 300)
{
	struct looker tmpl = {
		.dir = self->dir, .fmt = "f%d", .names = 200, .check = exists_or_enoent,
	};
	struct looker l[LOOKERS];
	long before[3], after[3];
	const char *names[3] = { "prime_added", "prime_cached", "prime_wouldblock" };
	char path[PATH_MAX];
	int i, tries;

	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "%s/f%d", self->dir, i);
		ASSERT_EQ(0, write_file(path, "", 0));
	}
	/* Slow lookups: readdir keeps running into names in lookup. */
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "lookup_delay_us=2000"));
	for (tries = 0; tries < 5; tries++) {
		for (i = 0; i < 3; i++)
			before[i] = counter(self->dir, names[i]);
		with_lookers(&tmpl, read_dir_rounds, self->dir, l);
		for (i = 0; i < 3; i++)
			after[i] = counter(self->dir, names[i]);
		for (i = 0; i < LOOKERS; i++)
			ASSERT_EQ(0, l[i].unexpected) TH_LOG("lookup failed: %s", strerror(l[i].last_errno));
		/* Every entry readdir emitted was primed, found or skipped. */
		EXPECT_EQ(10 * 200, after[0] + after[1] + after[2] - before[0] - before[1] - before[2]);
		if (after[2] > before[2])
			break;
	}
	TH_LOG("added %ld, cached %ld, would block %ld", after[0] - before[0],
	       after[1] - before[1], after[2] - before[2]);
	EXPECT_GT(after[2], before[2]) TH_LOG("readdir never met a name in lookup");
}

/* The names exist throughout: a lookup must find its name. */
static int found(const char *path, struct looker *l)
{
	struct stat st;

	return lstat(path, &st);
}

/*
 * With lazy_prime, the worker's lookups of the names readdir emitted meet
 * the lookers' in d_alloc_parallel(): whichever comes second waits, and
 * must then find the name the first one looked up.
 */
TEST_F_TIMEOUT(race, lazy_prime_vs_lookups, 300)
{
	struct looker tmpl = {
		.dir = self->dir, .fmt = "f%d", .names = 200, .check = found,
	};
	struct looker l[LOOKERS];
	char path[PATH_MAX];
	long queued, lookups = 0;
	int i;

	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "%s/f%d", self->dir, i);
		ASSERT_EQ(0, write_file(path, "", 0));
	}
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "lazy_prime,lookup_delay_us=2000"));
	queued = counter(self->dir, "prime_queued");
	with_lookers(&tmpl, read_dir_rounds, self->dir, l);
	for (i = 0; i < LOOKERS; i++) {
		ASSERT_EQ(0, l[i].unexpected) TH_LOG("lookup failed: %s", strerror(l[i].last_errno));
		lookups += l[i].lookups;
	}
	EXPECT_EQ(queued + 10 * 200, counter(self->dir, "prime_queued"));
	TH_LOG("%ld lookups beside 10 readdirs of 200 names", lookups);
}

struct renames {
	const char *dir;
	int n;
};

static void rename_whiteouts(void *arg)
{
	struct renames *r = arg;
	char a[PATH_MAX], b[PATH_MAX];
	int i;

	snprintf(a, sizeof(a), "%s/a", r->dir);
	snprintf(b, sizeof(b), "%s/b", r->dir);
	for (i = 0; i < r->n; i++) {
		/* a -> b, leaving a whiteout at a; then b back over it. */
		if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_WHITEOUT) ||
		    rename(b, a))
			break;
	}
	r->n = i;
}

/* "a" is always there: the file, or its whiteout. */
static int always_there(const char *path, struct looker *l)
{
	struct stat st;

	if (lstat(path, &st))
		return 1;
	return !S_ISREG(st.st_mode) && !(S_ISCHR(st.st_mode) && st.st_rdev == 0);
}

static void whiteouts_vs_lookups(struct __test_metadata *_metadata, const char *dir)
{
	struct looker tmpl = {
		.dir = dir, .fmt = "a", .names = 1, .check = always_there,
	};
	struct renames r = { .dir = dir, .n = 300 };
	struct looker l[LOOKERS];
	long dups = counter(dir, "duplicates"), looked = 0;
	char path[PATH_MAX];
	int i;

	snprintf(path, sizeof(path), "%s/a", dir);
	ASSERT_EQ(0, write_file(path, "x", 1));
	with_lookers(&tmpl, rename_whiteouts, &r, l);
	EXPECT_EQ(300, r.n);
	for (i = 0; i < LOOKERS; i++) {
		EXPECT_EQ(0, l[i].unexpected)
			TH_LOG("a lookup missed the name: %s", strerror(l[i].last_errno));
		looked += l[i].lookups;
	}
	EXPECT_EQ(dups + 300, counter(dir, "duplicates"));
	TH_LOG("%ld lookups during 300 whiteout renames", looked);
}

TEST_F_TIMEOUT(race, whiteout_rename_vs_lookups, 300)
{
	whiteouts_vs_lookups(_metadata, self->dir);
}

/*
 * Remounts with par_dirops and @opts: renames within the directory then
 * hold it shared, so lookups that miss the dcache run ->lookup() during
 * the rename, between its steps (create_delay_us).  Returns 0, or 1 if
 * the kernel lacks the lifted series, which a mount must then say.
 */
static int remount_par(struct __test_metadata *_metadata, const char *dir, const char *opts)
{
	char all[128];

	umount2(dir, MNT_DETACH);
	snprintf(all, sizeof(all), "par_dirops,create_delay_us=1000%s", opts);
	if (mount(SOURCE, dir, "rustfs", 0, all)) {
		EXPECT_EQ(EOPNOTSUPP, errno);
		ASSERT_EQ(0, mount(SOURCE, dir, "rustfs", 0, NULL));
		TH_LOG("par_dirops needs the lifted series: EOPNOTSUPP, as it must be");
		return 1;
	}
	return 0;
}

TEST_F_TIMEOUT(race, whiteout_rename_vs_lookups_par, 300)
{
	if (remount_par(_metadata, self->dir, ""))
		return;
	whiteouts_vs_lookups(_metadata, self->dir);
}

/* Replaces "a", held open, @n times: each one is silly-renamed. */
static void replace_open_files(void *arg)
{
	struct renames *r = arg;
	char a[PATH_MAX], b[PATH_MAX];
	int i, fd;

	snprintf(a, sizeof(a), "%s/a", r->dir);
	snprintf(b, sizeof(b), "%s/b", r->dir);
	for (i = 0; i < r->n; i++) {
		fd = open(a, O_RDONLY);
		if (fd < 0)
			break;
		if (write_file(b, "y", 1) || rename(b, a)) {
			close(fd);
			break;
		}
		close(fd);
	}
	r->n = i;
}

/* "a" is always there, a regular file. */
static int regular(const char *path, struct looker *l)
{
	struct stat st;

	return lstat(path, &st) || !S_ISREG(st.st_mode);
}

static void silly_renames_vs_lookups(struct __test_metadata *_metadata, const char *dir)
{
	struct looker tmpl = {
		.dir = dir, .fmt = "a", .names = 1, .check = regular,
	};
	struct renames r = { .dir = dir, .n = 300 };
	struct looker l[LOOKERS];
	long renames, unlinks, looked = 0;
	char path[PATH_MAX];
	struct dirent *d;
	int i, left = 0;
	DIR *dp;

	renames = counter(dir, "silly_renames");
	unlinks = counter(dir, "silly_unlinks");
	snprintf(path, sizeof(path), "%s/a", dir);
	ASSERT_EQ(0, write_file(path, "x", 1));
	with_lookers(&tmpl, replace_open_files, &r, l);
	EXPECT_EQ(300, r.n);
	for (i = 0; i < LOOKERS; i++) {
		EXPECT_EQ(0, l[i].unexpected)
			TH_LOG("a lookup missed the name: %s", strerror(l[i].last_errno));
		looked += l[i].lookups;
	}
	EXPECT_EQ(renames + 300, counter(dir, "silly_renames"));
	/* Every hidden name went at the last close. */
	EXPECT_EQ(unlinks + 300, counter(dir, "silly_unlinks"));
	dp = opendir(dir);
	ASSERT_NE(NULL, dp);
	while ((d = readdir(dp)))
		left += !strncmp(d->d_name, ".rustfs", 7);
	closedir(dp);
	EXPECT_EQ(0, left);
	TH_LOG("%ld lookups during 300 silly-renames", looked);
}

TEST_F_TIMEOUT(race, silly_rename_vs_lookups, 300)
{
	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, "silly_rename"));
	silly_renames_vs_lookups(_metadata, self->dir);
}

/*
 * The target's name is empty in rustfs's index from the silly-rename to
 * the source's move: only the in-lookup duplicate of the target
 * (d_duplicate()) keeps lookups, which now run meanwhile, from finding
 * the name free.
 */
TEST_F_TIMEOUT(race, silly_rename_vs_lookups_par, 300)
{
	if (remount_par(_metadata, self->dir, ",silly_rename"))
		return;
	silly_renames_vs_lookups(_metadata, self->dir);
}

struct creates {
	const char *dir;
	int n, failed;
};

static void create_names(void *arg)
{
	struct creates *c = arg;
	char path[PATH_MAX];
	int i;

	for (i = 0; i < c->n; i++) {
		snprintf(path, sizeof(path), "%s/x%d", c->dir, i);
		if (i % 2 ? mkdir(path, 0755) : write_file(path, "", 0))
			c->failed++;
	}
}

TEST_F_TIMEOUT(race, creates_vs_lookups, 300)
{
	struct looker tmpl = {
		.dir = self->dir, .fmt = "x%d", .names = 400, .check = exists_or_enoent,
	};
	struct creates c = { .dir = self->dir, .n = 400 };
	long hashed = counter(self->dir, "splice_hashed");
	long in_lookup = counter(self->dir, "splice_in_lookup");
	struct looker l[LOOKERS];
	char path[PATH_MAX];
	struct stat st;
	int i;

	with_lookers(&tmpl, create_names, &c, l);
	EXPECT_EQ(0, c.failed);
	for (i = 0; i < LOOKERS; i++)
		EXPECT_EQ(0, l[i].unexpected) TH_LOG("lookup failed: %s", strerror(l[i].last_errno));
	for (i = 0; i < 400; i++) {
		snprintf(path, sizeof(path), "%s/x%d", self->dir, i);
		ASSERT_EQ(0, lstat(path, &st));
		EXPECT_EQ(i % 2 ? 1 : 0, S_ISDIR(st.st_mode));
	}
	/* The lookers' misses left hashed negative dentries, which creates
	 * instantiated in place. */
	EXPECT_GT(counter(self->dir, "splice_hashed"), hashed);
	TH_LOG("splices: %ld onto hashed, %ld onto in-lookup dentries",
	       counter(self->dir, "splice_hashed") - hashed,
	       counter(self->dir, "splice_in_lookup") - in_lookup);
}

struct ci_creator {
	const char *dir;
	int t, failed;
	pthread_barrier_t *start;
};

/* Each thread spells the same 100 names in its own case. */
static void spell(char *out, size_t len, int t, int i)
{
	const char *base[] = { "name", "NAME", "Name", "nAmE" };

	snprintf(out, len, "%s%d", base[t % 4], i);
}

static void *ci_create(void *arg)
{
	struct ci_creator *c = arg;
	char path[PATH_MAX], name[32], other[32];
	struct stat a, b;
	int i, fd;

	pthread_barrier_wait(c->start);
	for (i = 0; i < 100; i++) {
		spell(name, sizeof(name), c->t, i);
		snprintf(path, sizeof(path), "%s/%s", c->dir, name);
		fd = open(path, O_CREAT | O_WRONLY, 0644);
		if (fd < 0 || fstat(fd, &a)) {
			c->failed++;
			continue;
		}
		close(fd);
		spell(other, sizeof(other), c->t + 1, i);
		snprintf(path, sizeof(path), "%s/%s", c->dir, other);
		if (stat(path, &b) || a.st_ino != b.st_ino)
			c->failed++;
	}
	return NULL;
}

TEST_F_TIMEOUT(race, casefold_mixed_case, 300)
{
	struct ci_creator c[4];
	pthread_barrier_t start;
	pthread_t t[4];
	struct dirent *e;
	int i, n = 0;
	DIR *d;

	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, "casefold,lookup_delay_us=500"));
	pthread_barrier_init(&start, NULL, 4);
	for (i = 0; i < 4; i++) {
		c[i] = (struct ci_creator){ .dir = self->dir, .t = i, .start = &start };
		pthread_create(&t[i], NULL, ci_create, &c[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, c[i].failed);
	}
	pthread_barrier_destroy(&start);
	/* One file per name, whatever the case it was created in. */
	d = opendir(self->dir);
	ASSERT_NE(NULL, d);
	while ((e = readdir(d)))
		n++;
	closedir(d);
	EXPECT_EQ(2 + 100, n);
	EXPECT_GT(counter(self->dir, "add_ci"), 0);
}

/* The manifest: what every file of the tree holds. */
static void content(char *buf, size_t len, int dir, int file)
{
	snprintf(buf, len, "rustfs manifest entry %d/%d, %d bytes of padding: %0*d",
		 dir, file, dir + file, dir + file, 0);
}

static int verify_tree(const char *root, int dirs, int files)
{
	char path[PATH_MAX], want[512], got[512];
	int d, f, bad = 0;
	ssize_t n;

	for (d = 0; d < dirs; d++) {
		for (f = 0; f < files; f++) {
			snprintf(path, sizeof(path), "%s/d%d/f%d", root, d, f);
			content(want, sizeof(want), d, f);
			n = read_file(path, got, sizeof(got) - 1);
			if (n != (ssize_t)strlen(want) || memcmp(got, want, n))
				bad++;
		}
	}
	return bad;
}

TEST_F_TIMEOUT(race, ten_thousand_entries_survive_eviction, 900)
{
	const int dirs = 100, files = 100;
	long evictions, loads;
	char path[PATH_MAX], buf[512];
	int d, f, round;

	for (d = 0; d < dirs; d++) {
		snprintf(path, sizeof(path), "%s/d%d", self->dir, d);
		ASSERT_EQ(0, mkdir(path, 0755));
		for (f = 0; f < files; f++) {
			snprintf(path, sizeof(path), "%s/d%d/f%d", self->dir, d, f);
			content(buf, sizeof(buf), d, f);
			ASSERT_EQ(0, write_file(path, buf, strlen(buf)));
		}
	}
	evictions = counter(self->dir, "evictions");
	loads = counter(self->dir, "inode_loads");
	for (round = 0; round < 3; round++) {
		drop_caches();
		ASSERT_EQ(0, verify_tree(self->dir, dirs, files)) TH_LOG("round %d", round);
	}
	/* The tree really was evicted and read back from the store. */
	EXPECT_GT(counter(self->dir, "evictions") - evictions, dirs * files);
	EXPECT_GT(counter(self->dir, "inode_loads") - loads, dirs * files);
}

TEST_HARNESS_MAIN
