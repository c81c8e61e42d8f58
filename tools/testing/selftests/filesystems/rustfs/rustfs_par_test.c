// SPDX-License-Identifier: GPL-2.0
/*
 * Parallel updates of one directory (rustfs's par_dirops, the lifted
 * series' SB_I_PAR_DIROPS): creates, removes and renames of different
 * names run beside each other, those of one name still one after another,
 * and renames across directories one at a time.
 *
 * rustfs's create_delay_us holds each create, remove or rename in the file
 * system
 * for a while, and its counter dirops_overlapped counts those that began
 * while another was in progress, so what ran in parallel is counted, not
 * timed. Each test runs twice: with par_dirops, and without it, where the
 * directory lock allows no overlap at all. On a kernel without the lifted
 * series, a mount with par_dirops fails with EOPNOTSUPP, and the par_dirops
 * variant checks just that (in its setup) and passes.
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
#include <sys/stat.h>
#include <linux/fs.h>

#include "../../kselftest_harness.h"
#include "rustfs_util.h"

#define THREADS 8
#define DELAY_US 100000

/* Whether the kernel has the lifted series' per-name locks. */
static int lifted_kernel(void)
{
	char line[256];
	int found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = !!strstr(line, " d_update_lock\n");
	fclose(f);
	return found;
}

FIXTURE(par) {
	char dir[64];
	int mounted;
	int unsupported;	/* par_dirops on the prepared series */
};

FIXTURE_VARIANT(par) {
	int par;
};

FIXTURE_VARIANT_ADD(par, par_dirops) { .par = 1 };
FIXTURE_VARIANT_ADD(par, dir_lock) { .par = 0 };

FIXTURE_SETUP(par)
{
	char opts[64];
	int lifted;

	if (!rustfs_registered())
		SKIP(return, "rustfs is not loaded");
	strcpy(self->dir, "/tmp/rustfs-par.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(opts, sizeof(opts), "create_delay_us=%d%s", DELAY_US,
		 variant->par ? ",par_dirops" : "");
	lifted = lifted_kernel();
	ASSERT_LE(0, lifted);
	if (variant->par && !lifted) {
		ASSERT_EQ(-1, mount(SOURCE, self->dir, "rustfs", 0, opts));
		ASSERT_EQ(EOPNOTSUPP, errno);
		TH_LOG("par_dirops needs the lifted series: EOPNOTSUPP, as it must be");
		self->unsupported = 1;
		return;
	}
	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, opts));
	self->mounted = 1;
}

FIXTURE_TEARDOWN(par)
{
	if (self->mounted) {
		EXPECT_EQ(0, check_and_unmount(self->dir));
	} else {
		rmdir(self->dir);
	}
}

enum op { MKNOD, MKDIR, SYMLINK, LINK, UNLINK, RMDIR, CREAT, CREAT_EXCL, RENAME,
	  RENAME_NOREPLACE_OP, EXCHANGE };

struct worker {
	pthread_t t;
	pthread_barrier_t *start;
	enum op op;
	char path[PATH_MAX];
	const char *target;	/* of a link or symlink, or a rename's source */
	char link_to[PATH_MAX];
	int err;		/* errno, or 0 */
};

static void *work(void *arg)
{
	struct worker *w = arg;
	int r = 0;

	pthread_barrier_wait(w->start);
	switch (w->op) {
	case MKNOD:
		r = mknod(w->path, S_IFREG | 0644, 0);
		break;
	case MKDIR:
		r = mkdir(w->path, 0755);
		break;
	case SYMLINK:
		r = symlink(w->target, w->path);
		break;
	case LINK:
		r = link(w->target, w->path);
		break;
	case UNLINK:
		r = unlink(w->path);
		break;
	case RMDIR:
		r = rmdir(w->path);
		break;
	case CREAT:
	case CREAT_EXCL:
		r = open(w->path, O_CREAT | O_WRONLY | (w->op == CREAT_EXCL ? O_EXCL : 0), 0644);
		if (r >= 0)
			r = close(r);
		break;
	case RENAME:
		r = rename(w->target, w->path);
		break;
	case RENAME_NOREPLACE_OP:
		r = renameat2(AT_FDCWD, w->target, AT_FDCWD, w->path, RENAME_NOREPLACE);
		break;
	case EXCHANGE:
		r = renameat2(AT_FDCWD, w->target, AT_FDCWD, w->path, RENAME_EXCHANGE);
		break;
	}
	w->err = r ? errno : 0;
	return NULL;
}

/*
 * THREADS threads do @op at once, on names @fmt % i (or all on @fmt when
 * @same), linking or renaming @target % i (in @src, or @dir if NULL) or
 * pointing symlinks at @target; returns how many of them began while
 * another was in progress, and puts their errors in @errs.
 */
static long race_from(const char *dir, enum op op, const char *fmt, int same,
		      const char *src, const char *target, int errs[THREADS])
{
	long before = counter(dir, "dirops_overlapped");
	struct worker w[THREADS];
	pthread_barrier_t start;
	int i;

	pthread_barrier_init(&start, NULL, THREADS);
	for (i = 0; i < THREADS; i++) {
		char name[NAME_MAX];

		snprintf(name, sizeof(name), fmt, same ? 0 : i);
		snprintf(w[i].path, sizeof(w[i].path), "%s/%s", dir, name);
		w[i].start = &start;
		w[i].op = op;
		w[i].target = target;
		if (op == LINK || op >= RENAME) {
			/* Existing names, each thread its own. */
			snprintf(w[i].link_to, sizeof(w[i].link_to), "%s/", src ?: dir);
			snprintf(name, sizeof(name), target, i);
			strncat(w[i].link_to, name,
				sizeof(w[i].link_to) - strlen(w[i].link_to) - 1);
			w[i].target = w[i].link_to;
		}
		pthread_create(&w[i].t, NULL, work, &w[i]);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(w[i].t, NULL);
		errs[i] = w[i].err;
	}
	pthread_barrier_destroy(&start);
	return counter(dir, "dirops_overlapped") - before;
}

static long race(const char *dir, enum op op, const char *fmt, int same, const char *target,
		 int errs[THREADS])
{
	return race_from(dir, op, fmt, same, NULL, target, errs);
}

static int count(const int errs[THREADS], int err)
{
	int i, n = 0;

	for (i = 0; i < THREADS; i++)
		n += errs[i] == err;
	return n;
}

/* Entries of @dir other than "." and "..". */
static int entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

/*
 * Different names of one directory, and different objects: with
 * par_dirops, the operations of each kind overlap; without, none does.
 */
TEST_F_TIMEOUT(par, different_names, 120)
{
	static const struct { enum op op; const char *fmt, *target; } steps[] = {
		{ MKNOD, "f%d", NULL }, { MKDIR, "d%d", NULL },
		{ SYMLINK, "s%d", "target" }, { LINK, "l%d", "f%d" },
		{ CREAT_EXCL, "o%d", NULL }, { UNLINK, "o%d", NULL },
		{ RENAME, "r%d", "f%d" }, { RENAME, "e%d", "d%d" },
		{ EXCHANGE, "r%d", "s%d" }, { RENAME_NOREPLACE_OP, "n%d", "l%d" },
		{ UNLINK, "r%d", NULL }, { UNLINK, "s%d", NULL },
		{ UNLINK, "n%d", NULL }, { RMDIR, "e%d", NULL },
	};
	char sub[128];
	int errs[THREADS], i;
	struct stat st;
	long n;

	if (self->unsupported)	/* checked in the setup */
		return;
	snprintf(sub, sizeof(sub), "%s/dir", self->dir);
	ASSERT_EQ(0, mkdir(sub, 0755));
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		n = race(sub, steps[i].op, steps[i].fmt, 0, steps[i].target, errs);
		EXPECT_EQ(THREADS, count(errs, 0)) TH_LOG("step %d: %s", i, strerror(errs[0]));
		if (variant->par) {
			EXPECT_LT(0, n) TH_LOG("step %d: nothing ran in parallel", i);
		} else {
			EXPECT_EQ(0, n) TH_LOG("step %d: %ld overlapped under the directory lock",
					       i, n);
		}
		if (i == 1 || i == 7) {
			/* Each directory's ".." counted, none lost. */
			ASSERT_EQ(0, stat(sub, &st));
			EXPECT_EQ(2 + THREADS, st.st_nlink);
		}
	}
	ASSERT_EQ(0, stat(sub, &st));
	EXPECT_EQ(2, st.st_nlink);
	EXPECT_EQ(0, entries(sub));
}

/*
 * Links to one file, and their removal: whatever the directory lock, the
 * VFS locks the file for each, so they run one after another.
 */
TEST_F_TIMEOUT(par, one_file, 120)
{
	char target[160];
	int errs[THREADS];
	struct stat st;
	long n;

	if (self->unsupported)	/* checked in the setup */
		return;
	snprintf(target, sizeof(target), "%s/file", self->dir);
	ASSERT_EQ(0, mknod(target, S_IFREG | 0644, 0));
	n = race(self->dir, LINK, "l%d", 0, "file", errs);
	EXPECT_EQ(THREADS, count(errs, 0));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, stat(target, &st));
	EXPECT_EQ(1 + THREADS, st.st_nlink);
	n = race(self->dir, UNLINK, "l%d", 0, NULL, errs);
	EXPECT_EQ(THREADS, count(errs, 0));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, stat(target, &st));
	EXPECT_EQ(1, st.st_nlink);
}

/* One name: one create wins, the others see it; one remove wins. */
TEST_F_TIMEOUT(par, same_name, 120)
{
	static const enum op creates[] = { MKNOD, MKDIR, SYMLINK, CREAT_EXCL };
	static const enum op removes[] = { UNLINK, RMDIR, UNLINK, UNLINK };
	int errs[THREADS], i;
	long n;

	if (self->unsupported)	/* checked in the setup */
		return;
	for (i = 0; i < 4; i++) {
		n = race(self->dir, creates[i], "same", 1, "target", errs);
		EXPECT_EQ(1, count(errs, 0));
		EXPECT_EQ(THREADS - 1, count(errs, EEXIST));
		EXPECT_EQ(0, n) TH_LOG("%ld updates of one name overlapped", n);
		n = race(self->dir, removes[i], "same", 1, NULL, errs);
		EXPECT_EQ(1, count(errs, 0));
		EXPECT_EQ(THREADS - 1, count(errs, ENOENT));
		EXPECT_EQ(0, n) TH_LOG("%ld removes of one name overlapped", n);
	}
	EXPECT_EQ(0, entries(self->dir));
	/* Without O_EXCL, every open succeeds, and one of them creates. */
	n = race(self->dir, CREAT, "same", 1, NULL, errs);
	EXPECT_EQ(THREADS, count(errs, 0));
	EXPECT_EQ(0, n) TH_LOG("%ld creates of one name overlapped", n);
	EXPECT_EQ(1, entries(self->dir));
}

/*
 * Renames onto one name: they run one after another.  Without
 * RENAME_NOREPLACE each replaces the last, and one source is left;
 * with it, one wins and the others see the name taken.
 */
TEST_F_TIMEOUT(par, rename_same_target, 120)
{
	char path[PATH_MAX];
	int errs[THREADS], i;
	long n;

	if (self->unsupported)	/* checked in the setup */
		return;
	for (i = 0; i < THREADS; i++) {
		snprintf(path, sizeof(path), "%s/src%d", self->dir, i);
		ASSERT_EQ(0, mknod(path, S_IFREG | 0644, 0));
	}
	n = race(self->dir, RENAME, "same", 1, "src%d", errs);
	EXPECT_EQ(THREADS, count(errs, 0));
	EXPECT_EQ(0, n) TH_LOG("%ld renames onto one name overlapped", n);
	EXPECT_EQ(1, entries(self->dir));
	for (i = 0; i < THREADS; i++) {
		snprintf(path, sizeof(path), "%s/src%d", self->dir, i);
		ASSERT_EQ(0, mknod(path, S_IFREG | 0644, 0));
	}
	n = race(self->dir, RENAME_NOREPLACE_OP, "same", 1, "src%d", errs);
	EXPECT_EQ(0, count(errs, 0));
	EXPECT_EQ(THREADS, count(errs, EEXIST));
	snprintf(path, sizeof(path), "%s/same", self->dir);
	ASSERT_EQ(0, unlink(path));
	n = race(self->dir, RENAME_NOREPLACE_OP, "same", 1, "src%d", errs);
	EXPECT_EQ(1, count(errs, 0));
	EXPECT_EQ(THREADS - 1, count(errs, EEXIST));
	EXPECT_EQ(0, n) TH_LOG("%ld renames onto one name overlapped", n);
	EXPECT_EQ(THREADS, entries(self->dir));
}

/*
 * Renames from one directory to another keep the exclusive locks of both
 * and the filesystem's rename mutex: they run one at a time, par_dirops or
 * not.
 */
TEST_F_TIMEOUT(par, across_directories, 120)
{
	char a[128], b[128], path[PATH_MAX];
	int errs[THREADS], i;
	long n;

	if (self->unsupported)	/* checked in the setup */
		return;
	snprintf(a, sizeof(a), "%s/a", self->dir);
	snprintf(b, sizeof(b), "%s/b", self->dir);
	ASSERT_EQ(0, mkdir(a, 0755));
	ASSERT_EQ(0, mkdir(b, 0755));
	for (i = 0; i < THREADS; i++) {
		snprintf(path, sizeof(path), "%s/f%d", a, i);
		ASSERT_EQ(0, mknod(path, S_IFREG | 0644, 0));
	}
	n = race_from(b, RENAME, "f%d", 0, a, "f%d", errs);
	EXPECT_EQ(THREADS, count(errs, 0));
	EXPECT_EQ(0, n) TH_LOG("%ld renames across directories overlapped", n);
	EXPECT_EQ(0, entries(a));
	EXPECT_EQ(THREADS, entries(b));
}

#define AT(buf, name) (snprintf(buf, sizeof(buf), "%s/%s", self->dir, name), buf)

/*
 * A create, remove or rename whose name is not in the dcache has rustfs
 * look it up. On the lifted series that ->lookup() runs with the
 * directory lock held shared, whether updates lock their names
 * (par_dirops) or the directory: the update looks the name up before it
 * takes the lock, and uses that dentry once it holds the lock if it is
 * still the name's. rustfs counts the calls without LOOKUP_SHARED in
 * lookups_exclusive. On the prepared series, a create's ->lookup() runs
 * under the exclusive lock.
 */
TEST_F_TIMEOUT(par, lookups_shared, 120)
{
	char p[PATH_MAX], q[PATH_MAX];
	long lookups, excl;
	int fd, lifted = lifted_kernel();

	if (self->unsupported)	/* checked in the setup */
		return;
	ASSERT_LE(0, lifted);
	lookups = counter(self->dir, "lookups");
	excl = counter(self->dir, "lookups_exclusive");
	ASSERT_LE(0, lookups);
	ASSERT_LE(0, excl);

	/* Names the dcache has never seen */
	ASSERT_EQ(0, mknod(AT(p, "f"), S_IFREG | 0644, 0));
	ASSERT_EQ(0, mkdir(AT(p, "d"), 0755));
	ASSERT_EQ(0, symlink("f", AT(p, "s")));
	ASSERT_EQ(0, link(AT(p, "f"), AT(q, "l")));
	fd = open(AT(p, "c"), O_CREAT | O_WRONLY, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	fd = open(AT(p, "e"), O_CREAT | O_EXCL | O_WRONLY, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, rename(AT(p, "f"), AT(q, "r")));
	ASSERT_EQ(0, rename(AT(p, "r"), AT(q, "d/r")));
	ASSERT_EQ(0, renameat2(AT_FDCWD, AT(p, "c"), AT_FDCWD, AT(q, "c2"),
			       RENAME_NOREPLACE));

	/* And names it has forgotten */
	drop_caches();
	ASSERT_EQ(0, unlink(AT(p, "l")));
	ASSERT_EQ(0, unlink(AT(p, "s")));
	ASSERT_EQ(0, rename(AT(p, "e"), AT(q, "e2")));
	ASSERT_EQ(0, rename(AT(p, "c2"), AT(q, "d/c2")));
	drop_caches();
	ASSERT_EQ(0, unlink(AT(p, "d/r")));
	ASSERT_EQ(0, unlink(AT(p, "d/c2")));
	ASSERT_EQ(0, rmdir(AT(p, "d")));

	lookups = counter(self->dir, "lookups") - lookups;
	excl = counter(self->dir, "lookups_exclusive") - excl;
	TH_LOG("%ld lookups, %ld of them under the exclusive lock", lookups, excl);
	/* At least the nine names created first missed */
	EXPECT_LE(9, lookups);
	if (lifted) {
		EXPECT_EQ(0, excl);
	} else {
		EXPECT_LE(8, excl);
	}
}

struct churner {
	pthread_t t;
	const char *dir;
	unsigned int seed;
	int iters, unexpected, last_errno;
};

/*
 * Random creates (open(O_CREAT) too), removes and renames over a few names: every failure
 * must be one that the state of the names explains.
 */
static void *churn(void *arg)
{
	struct churner *c = arg;
	char path[PATH_MAX], other[PATH_MAX];
	int i, r;

	for (i = 0; i < c->iters; i++) {
		int name = rand_r(&c->seed) % 8;

		snprintf(path, sizeof(path), "%s/n%d", c->dir, name);
		snprintf(other, sizeof(other), "%s/n%d", c->dir, (name + 1) % 8);
		switch (rand_r(&c->seed) % 10) {
		case MKNOD:
			r = mknod(path, S_IFREG | 0644, 0);
			break;
		case MKDIR:
			r = mkdir(path, 0755);
			break;
		case SYMLINK:
			r = symlink("n0", path);
			break;
		case LINK:
			r = link(other, path);
			break;
		case UNLINK:
			r = unlink(path);
			break;
		case RMDIR:
			r = rmdir(path);
			break;
		case CREAT:
		case CREAT_EXCL:
			r = open(path, O_CREAT | O_RDONLY | (name % 2 ? O_EXCL : 0), 0644);
			if (r >= 0)
				r = close(r);
			break;
		case RENAME:
			r = rename(other, path);
			break;
		default:
			r = renameat2(AT_FDCWD, other, AT_FDCWD, path, RENAME_EXCHANGE);
			break;
		}
		if (r && errno != EEXIST && errno != ENOENT && errno != EISDIR &&
		    errno != ENOTDIR && errno != EPERM && errno != ENOTEMPTY && errno != ELOOP) {
			c->unexpected++;
			c->last_errno = errno;
		}
	}
	return NULL;
}

/*
 * Creates, removes and renames of the same few names from every thread,
 * with no delay: afterwards, readdir, lookups and link counts agree, and the
 * store's checker finds its index and objects consistent (at teardown).
 */
TEST_F_TIMEOUT(par, churn, 300)
{
	struct churner c[4];
	int i, dirs = 0, names = 0;
	char path[PATH_MAX];
	struct stat st;

	if (self->unsupported)	/* checked in the setup */
		return;
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "create_delay_us=0"));
	for (i = 0; i < 4; i++) {
		c[i] = (struct churner){ .dir = self->dir, .seed = i + 1, .iters = 20000 };
		pthread_create(&c[i].t, NULL, churn, &c[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(c[i].t, NULL);
		EXPECT_EQ(0, c[i].unexpected) TH_LOG("%s", strerror(c[i].last_errno));
	}
	for (i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "%s/n%d", self->dir, i);
		if (lstat(path, &st))
			continue;
		names++;
		dirs += !!S_ISDIR(st.st_mode);
	}
	EXPECT_EQ(names, entries(self->dir));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(2 + dirs, st.st_nlink);
}

static int shows_par_dirops(const char *dir)
{
	char line[512];
	int shown = -1;
	FILE *f = fopen("/proc/self/mounts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, dir))
			shown = !!strstr(line, ",par_dirops");
	fclose(f);
	return shown;
}

/* The option is shown, kept by a remount, and set at mount time only. */
TEST_F(par, option)
{
	if (self->unsupported)	/* checked in the setup */
		return;
	EXPECT_EQ(variant->par, shows_par_dirops(self->dir));
	EXPECT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "size=4m"));
	EXPECT_EQ(variant->par, shows_par_dirops(self->dir));
	EXPECT_EQ(-1, mount(NULL, self->dir, NULL, MS_REMOUNT,
			    variant->par ? "casefold" : "par_dirops"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(variant->par, shows_par_dirops(self->dir));
}

/* casefold leaves misses unhashed, with no lock of their name. */
TEST(par_dirops_excludes_casefold)
{
	char dir[] = "/tmp/rustfs-par-cf.XXXXXX";

	if (!rustfs_registered())
		SKIP(return, "rustfs is not loaded");
	ASSERT_NE(NULL, mkdtemp(dir));
	EXPECT_EQ(-1, mount(SOURCE, dir, "rustfs", 0, "casefold,par_dirops"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount(SOURCE, dir, "rustfs", 0, "par_dirops,casefold"));
	EXPECT_EQ(EINVAL, errno);
	rmdir(dir);
}

TEST_HARNESS_MAIN
