// SPDX-License-Identifier: GPL-2.0
/*
 * rustfs_soak [-t SECONDS] [-p WORKERS]: mixed namespace and data
 * operations from several processes on one rustfs, with the caches
 * dropped in a loop, then every name and byte checked against what each
 * worker knows it did.
 *
 * Each worker owns a directory of 64 slots, alternately in its two
 * subdirectories "a" and "b", so that half the renames, links and
 * exchanges cross directories.  Each slot is empty, a file, a
 * directory or a symbolic link; the worker keeps a copy of every file's bytes and
 * xattr, and picks random operations: create, rewrite, append, write past
 * EOF, truncate up or down, rename (plain, over a name, exchange), link,
 * unlink, mkdir, rmdir, symlink and setxattr.  It checks a random slot
 * every few operations; at the end, every slot, the listing and the link
 * counts, then all of it again after evicting every page and inode.
 * Meanwhile all workers create and remove names in one shared directory
 * and list it, and one process drops the caches every 50 ms, so that
 * lookups, readdir priming and inode loads from the store run all the
 * time, and runs the store's consistency checker (debugfs stats/check)
 * after each drop: it must find the store consistent, or busy, never
 * inconsistent.
 *
 * Needs rustfs loaded, root and debugfs.  The VM runs it briefly in
 * "make check" and for ten minutes in "make soak".
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "../../kselftest.h"

#include "rustfs_util.h"

#define SLOTS 64
#define MAX_SIZE (96 * 1024)

enum kind { EMPTY, FILE_, DIR_, LINK };

struct slot {
	enum kind kind;
	int obj;		/* FILE_: the object */
	unsigned int target;	/* LINK: the target is "t<target>" */
};

struct object {
	int names;		/* slots naming it; 0: free */
	size_t size;
	unsigned char *data;	/* the contents: MAX_SIZE bytes, zero past size */
	char xattr[16];		/* user.x, or "" if none */
};

enum op { CREATE, REWRITE, APPEND, WRITE_PAST, TRUNCATE, RENAME, EXCHANGE, LINK_,
	  UNLINK, MKDIR, RMDIR, SYMLINK, XATTR, SHARED, LIST, NR_OPS };

static const char * const op_names[NR_OPS] = {
	"create", "rewrite", "append", "write-past-eof", "truncate", "rename",
	"exchange", "link", "unlink", "mkdir", "rmdir", "symlink", "setxattr",
	"shared", "readdir",
};

static struct slot slots[SLOTS];
static struct object objs[SLOTS];
static char base[256];
static int me;
static unsigned long counts[NR_OPS];
static unsigned char buf[MAX_SIZE];
static unsigned int seed;

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)random() % n;
}

static char *path(int i)
{
	static char p[2][320];
	static int which;

	which ^= 1;
	snprintf(p[which], sizeof(p[which]), "%s/w%d/%c/n%02d", base, me, "ab"[i & 1], i);
	return p[which];
}

/* New random bytes for [from, to) of object @o, in its model and in buf. */
static void fill(struct object *ob, size_t from, size_t to)
{
	unsigned int seed = random();

	for (size_t i = from; i < to; i++)
		ob->data[i] = buf[i - from] = (seed + 31 * i) & 0xff;
}

static int fail(const char *what, int i)
{
	ksft_print_msg("worker %d (seed %u): slot %d (%s): %s (errno %d)\n", me, seed, i,
		       path(i), what, errno);
	return -1;
}

static int new_object(void)
{
	for (int o = 0; o < SLOTS; o++)
		if (!objs[o].names)
			return o;
	return -1;
}

/* Writes new bytes [from, to) of object @o through @fd; a hole before them reads as zeroes. */
static int put(int fd, int o, size_t from, size_t to)
{
	fill(&objs[o], from, to);
	if (pwrite(fd, buf, to - from, from) != (ssize_t)(to - from))
		return -1;
	if (to > objs[o].size)
		objs[o].size = to;
	return 0;
}

/* Sets the size of object @o as truncate(2) does: what is cut is zero again. */
static void resize(int o, size_t size)
{
	if (size < objs[o].size)
		memset(objs[o].data + size, 0, objs[o].size - size);
	objs[o].size = size;
}

static int check_slot(int i)
{
	struct stat st;
	char t[32], want[32];
	ssize_t n;

	if (lstat(path(i), &st)) {
		if (errno == ENOENT && slots[i].kind == EMPTY)
			return 0;
		return fail("lstat", i);
	}
	switch (slots[i].kind) {
	case EMPTY:
		return fail("a name that should not be there", i);
	case DIR_:
		return S_ISDIR(st.st_mode) && st.st_nlink == 2 ? 0 :
			fail("not a directory, or a wrong link count", i);
	case LINK:
		snprintf(want, sizeof(want), "t%u", slots[i].target);
		n = readlink(path(i), t, sizeof(t) - 1);
		if (n < 0 || (t[n] = 0, strcmp(t, want)))
			return fail("wrong symlink target", i);
		return 0;
	case FILE_: {
		struct object *ob = &objs[slots[i].obj];
		char x[16] = {};
		int fd;

		if (!S_ISREG(st.st_mode) || st.st_size != (off_t)ob->size ||
		    st.st_nlink != (nlink_t)ob->names)
			return fail("wrong type, size or link count", i);
		fd = open(path(i), O_RDONLY);
		if (fd < 0)
			return fail("open", i);
		n = pread(fd, buf, ob->size, 0);
		close(fd);
		if (n != (ssize_t)ob->size || memcmp(ob->data, buf, ob->size))
			return fail("wrong contents", i);
		n = getxattr(path(i), "user.x", x, sizeof(x) - 1);
		if (ob->xattr[0] ? n < 0 || strcmp(x, ob->xattr) : n >= 0 || errno != ENODATA)
			return fail("wrong xattr", i);
		return 0;
	}
	}
	return 0;
}

static void forget(int i)
{
	if (slots[i].kind == FILE_)
		objs[slots[i].obj].names--;
	slots[i].kind = EMPTY;
}

/* One random operation; -1 if the file system disagrees with the slots. */
static int step(void)
{
	int i = rnd(SLOTS), j = rnd(SLOTS), o, fd;
	enum op op = rnd(NR_OPS);
	struct slot *s = &slots[i];
	char name[64];
	size_t from, to;

	switch (op) {
	case CREATE:
	case REWRITE:
		if (s->kind == DIR_ || s->kind == LINK)
			return 0;
		if (s->kind == EMPTY) {
			o = new_object();
			if (o < 0)
				return 0;
			objs[o].names = 1;
			objs[o].xattr[0] = 0;
			resize(o, 0);
			s->kind = FILE_;
			s->obj = o;
		}
		o = s->obj;
		fd = open(path(i), O_CREAT | O_TRUNC | O_WRONLY, 0644);
		if (fd < 0)
			return fail("create", i);
		resize(o, 0);
		if (put(fd, o, 0, rnd(MAX_SIZE)))
			return fail("write", i);
		close(fd);
		break;
	case APPEND:
		if (s->kind != FILE_)
			return 0;
		o = s->obj;
		to = objs[o].size + rnd(MAX_SIZE - objs[o].size + 1);
		fd = open(path(i), O_WRONLY);
		if (fd < 0 || put(fd, o, objs[o].size, to))
			return fail("append", i);
		close(fd);
		break;
	case WRITE_PAST:
		if (s->kind != FILE_ || objs[s->obj].size >= MAX_SIZE - 2)
			return 0;
		o = s->obj;
		from = objs[o].size + 1 + rnd(MAX_SIZE - objs[o].size - 1);
		fd = open(path(i), O_WRONLY);
		if (fd < 0 || put(fd, o, from, from + rnd(MAX_SIZE - from) + 1))
			return fail("write past EOF", i);
		close(fd);
		break;
	case TRUNCATE:
		if (s->kind != FILE_)
			return 0;
		o = s->obj;
		to = rnd(MAX_SIZE + 1);
		if (truncate(path(i), to))
			return fail("truncate", i);
		resize(o, to);
		break;
	case RENAME:
		if (s->kind == EMPTY || i == j)
			return 0;
		/* Two names of one file: rename(2) does nothing. */
		if (s->kind == FILE_ && slots[j].kind == FILE_ && s->obj == slots[j].obj)
			return 0;
		if (slots[j].kind == DIR_ || (s->kind == DIR_ && slots[j].kind != EMPTY))
			return 0;
		if (rename(path(i), path(j)))
			return fail("rename", i);
		forget(j);
		slots[j] = *s;
		s->kind = EMPTY;
		break;
	case EXCHANGE:
		if (s->kind == EMPTY || slots[j].kind == EMPTY || i == j)
			return 0;
		if (syscall(SYS_renameat2, AT_FDCWD, path(i), AT_FDCWD, path(j), RENAME_EXCHANGE))
			return fail("exchange", i);
		{
			struct slot t = *s;

			*s = slots[j];
			slots[j] = t;
		}
		break;
	case LINK_:
		if (s->kind != FILE_ || slots[j].kind != EMPTY)
			return 0;
		if (link(path(i), path(j)))
			return fail("link", i);
		slots[j] = *s;
		objs[s->obj].names++;
		break;
	case UNLINK:
		if (s->kind == EMPTY || s->kind == DIR_)
			return 0;
		if (unlink(path(i)))
			return fail("unlink", i);
		forget(i);
		break;
	case MKDIR:
		if (s->kind != EMPTY)
			return 0;
		if (mkdir(path(i), 0755))
			return fail("mkdir", i);
		s->kind = DIR_;
		break;
	case RMDIR:
		if (s->kind != DIR_)
			return 0;
		if (rmdir(path(i)))
			return fail("rmdir", i);
		s->kind = EMPTY;
		break;
	case SYMLINK:
		if (s->kind != EMPTY)
			return 0;
		s->target = random();
		snprintf(name, sizeof(name), "t%u", s->target);
		if (symlink(name, path(i)))
			return fail("symlink", i);
		s->kind = LINK;
		break;
	case XATTR:
		if (s->kind != FILE_)
			return 0;
		snprintf(name, sizeof(name), "%u", (unsigned int)random());
		if (setxattr(path(i), "user.x", name, strlen(name), 0))
			return fail("setxattr", i);
		strcpy(objs[s->obj].xattr, name);
		break;
	case SHARED:
		snprintf(name, sizeof(name), "%s/shared/w%d-%d", base, me, i);
		if (mknod(name, S_IFREG | 0644, 0) && errno != EEXIST)
			return fail("shared create", i);
		snprintf(name, sizeof(name), "%s/shared/w%d-%d", base, me, j);
		if (unlink(name) && errno != ENOENT)
			return fail("shared unlink", j);
		break;
	case LIST: {
		DIR *d;

		snprintf(name, sizeof(name), "%s/shared", base);
		d = opendir(name);
		if (!d)
			return fail("opendir", i);
		while (readdir(d))
			;
		closedir(d);
		break;
	}
	default:
		return 0;
	}
	counts[op]++;
	return 0;
}

/* The worker's two directories list exactly its slots, each in its own. */
static int check_listing(void)
{
	int seen[SLOTS] = {}, i, sub, dirs[2] = {};
	char dir[300];
	struct dirent *e;
	struct stat st;
	DIR *d;

	for (sub = 0; sub < 2; sub++) {
		snprintf(dir, sizeof(dir), "%s/w%d/%c", base, me, "ab"[sub]);
		d = opendir(dir);
		if (!d)
			return fail("opendir", 0);
		while ((e = readdir(d))) {
			char want[8];

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (sscanf(e->d_name, "n%d", &i) != 1 || i < 0 || i >= SLOTS ||
			    (i & 1) != sub ||
			    (snprintf(want, sizeof(want), "n%02d", i), strcmp(want, e->d_name)) ||
			    seen[i]++ || slots[i].kind == EMPTY) {
				ksft_print_msg("worker %d: unexpected name %c/%s\n", me, "ab"[sub],
					       e->d_name);
				closedir(d);
				return -1;
			}
		}
		closedir(d);
	}
	for (i = 0; i < SLOTS; i++) {
		if (slots[i].kind != EMPTY && !seen[i])
			return fail("missing from readdir", i);
		if (slots[i].kind == DIR_)
			dirs[i & 1]++;
	}
	for (sub = 0; sub < 2; sub++) {
		snprintf(dir, sizeof(dir), "%s/w%d/%c", base, me, "ab"[sub]);
		if (stat(dir, &st) || st.st_nlink != 2 + dirs[sub])
			return fail("a directory's link count is wrong", sub);
	}
	return 0;
}

/* Evicts every file's pages, then the caches: the next check reads the store. */
static void evict_all(void)
{
	for (int i = 0; i < SLOTS; i++) {
		int fd;

		if (slots[i].kind != FILE_)
			continue;
		fd = open(path(i), O_RDONLY);
		if (fd >= 0) {
			posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
			close(fd);
		}
	}
	drop_caches();
}

static int worker(time_t end, int counts_fd)
{
	char dir[300];
	unsigned long n = 0;
	int i;

	seed ^= getpid();
	srandom(seed);
	for (i = 0; i < SLOTS; i++) {
		objs[i].data = calloc(1, MAX_SIZE);
		if (!objs[i].data)
			return fail("out of memory", i);
	}
	snprintf(dir, sizeof(dir), "%s/w%d", base, me);
	if (mkdir(dir, 0755))
		return fail("mkdir worker dir", 0);
	for (i = 0; i < 2; i++) {
		snprintf(dir, sizeof(dir), "%s/w%d/%c", base, me, "ab"[i]);
		if (mkdir(dir, 0755))
			return fail("mkdir worker dir", i);
	}
	while (time(NULL) < end) {
		if (step())
			return -1;
		if (++n % 64 == 0 && check_slot(rnd(SLOTS)))
			return -1;
	}
	/* All of it, then again after the caches are gone. */
	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < SLOTS; i++)
			if (check_slot(i))
				return -1;
		if (check_listing())
			return -1;
		evict_all();
	}
	for (i = 0; i < NR_OPS; i++)
		dprintf(counts_fd, "%d %s %lu\n", me, op_names[i], counts[i]);
	return 0;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

/*
 * Drops the caches every 50 ms, and checks the store after each drop,
 * until SIGTERM; exits 1 if a check found a violation (in the kernel log)
 * or could not run.
 */
static int dropper_loop(void)
{
	unsigned long ok = 0, busy = 0;
	int r;

	signal(SIGTERM, on_term);
	while (!stop) {
		drop_caches();
		r = check_store_once(base);
		if (r == 1 || r < 0) {
			ksft_print_msg("store check failed during the soak\n");
			return 1;
		}
		if (r == 2)
			busy++;
		else
			ok++;
		usleep(50000);
	}
	ksft_print_msg("store checks during the soak: %lu consistent, %lu busy\n", ok, busy);
	if (!ok)
		ksft_print_msg("warning: no check during the soak saw a quiet store\n");
	return 0;
}

int main(int argc, char **argv)
{
	int seconds = 30, workers = 4, opt, status, bad = 0, i;
	unsigned long total[NR_OPS] = {}, n;
	char opname[64];
	pid_t dropper, pids[64];
	int out[2];
	time_t end;
	FILE *f;

	seed = time(NULL);
	while ((opt = getopt(argc, argv, "t:p:s:")) != -1) {
		if (opt == 't')
			seconds = atoi(optarg);
		else if (opt == 'p')
			workers = atoi(optarg);
		else if (opt == 's')
			seed = strtoul(optarg, NULL, 0);
		else
			ksft_exit_fail_msg("usage: %s [-t SECONDS] [-p WORKERS] [-s SEED]\n", argv[0]);
	}
	if (workers < 1 || workers > 64 || seconds < 1)
		ksft_exit_fail_msg("-p takes 1..64 workers, -t at least a second\n");
	ksft_print_header();
	if (!rustfs_registered())
		ksft_exit_skip("rustfs is not loaded\n");
	strcpy(base, "/tmp/rustfs-soak.XXXXXX");
	if (!mkdtemp(base) || mount(SOURCE, base, "rustfs", 0, NULL))
		ksft_exit_fail_msg("mount: %s\n", strerror(errno));
	snprintf((char *)buf, sizeof(buf), "%s/shared", base);
	if (mkdir((char *)buf, 0755) || pipe(out))
		ksft_exit_fail_msg("setup: %s\n", strerror(errno));
	ksft_set_plan(1);
	ksft_print_msg("%d workers for %d s, caches dropped every 50 ms, seed %u (-s; each worker xors its pid)\n",
		       workers, seconds, seed);

	dropper = fork();
	if (dropper < 0)
		ksft_exit_fail_msg("fork: %s\n", strerror(errno));
	if (!dropper) {
		close(out[0]);
		close(out[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(dropper_loop());
	}
	end = time(NULL) + seconds;
	for (i = 0; i < workers; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			ksft_print_msg("fork: %s\n", strerror(errno));
			workers = i;
			bad = 1;
			break;
		}
		if (!pids[i]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			me = i;
			close(out[0]);
			_exit(worker(end, out[1]) ? 1 : 0);
		}
	}
	close(out[1]);
	f = fdopen(out[0], "r");
	while (f && fscanf(f, "%d %63s %lu", &i, opname, &n) == 3)
		for (int op = 0; op < NR_OPS; op++)
			if (!strcmp(opname, op_names[op]))
				total[op] += n;
	for (i = 0, n = 0; i < NR_OPS; i++) {
		ksft_print_msg("%-15s %lu\n", op_names[i], total[i]);
		n += total[i];
	}
	ksft_print_msg("%lu operations in all\n", n);
	for (i = 0; i < workers; i++)
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	kill(dropper, SIGTERM);
	if (waitpid(dropper, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		bad = 1;
	if (check_and_unmount(base))
		bad = 1;
	ksft_test_result(!bad, "soak: %d workers, %d s, every name and byte as the workers left them\n",
			 workers, seconds);
	ksft_finished();
}
