// SPDX-License-Identifier: GPL-2.0
/*
 * dirops_check DIR: the directory operations that busybox cannot make, on
 * any file system, in DIR, which must be empty: renameat2() with
 * RENAME_EXCHANGE (files, a file and a directory, across directories,
 * with the link counts of the parents) and RENAME_NOREPLACE, and an
 * O_TMPFILE file given a name with linkat(). It leaves DIR empty.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int bad;

#define CHECK(cond, ...) do {					\
	if (!(cond)) {						\
		printf("FAIL: " __VA_ARGS__);			\
		printf(" (%s:%d, errno %d)\n", __FILE__, __LINE__, errno); \
		bad++;						\
	}							\
} while (0)

static int dfd;

static void put(const char *name, const char *s)
{
	int fd = openat(dfd, name, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	CHECK(fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s), "write %s", name);
	if (fd >= 0)
		close(fd);
}

static int is(const char *name, const char *s)
{
	char buf[64] = "";
	int fd = openat(dfd, name, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	return n >= 0 && !strcmp(buf, s);
}

static nlink_t links(const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) ? 0 : st.st_nlink;
}

static mode_t type(const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) ? 0 : st.st_mode & S_IFMT;
}

int main(int argc, char **argv)
{
	char path[64];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: dirops_check DIR\n");
		return 2;
	}
	dfd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		perror(argv[1]);
		return 1;
	}

	put("a", "a");
	put("b", "b");
	CHECK(!renameat2(dfd, "a", dfd, "b", RENAME_EXCHANGE), "exchange a and b");
	CHECK(is("a", "b") && is("b", "a"), "contents after the exchange");
	CHECK(renameat2(dfd, "a", dfd, "b", RENAME_NOREPLACE) && errno == EEXIST,
	      "RENAME_NOREPLACE onto b");

	/* A file and a directory, in one directory: ".." links do not move. */
	CHECK(!mkdirat(dfd, "d", 0755), "mkdir d");
	CHECK(links(".") == 3, "links of DIR with d: %lu", (unsigned long)links("."));
	CHECK(!renameat2(dfd, "a", dfd, "d", RENAME_EXCHANGE), "exchange a and d");
	CHECK(type("a") == S_IFDIR && type("d") == S_IFREG, "types after the exchange");
	CHECK(links(".") == 3, "links of DIR after it: %lu", (unsigned long)links("."));

	/* Across directories: the directory's ".." link moves with it. */
	CHECK(!mkdirat(dfd, "sub", 0755), "mkdir sub");
	put("sub/f", "f");
	CHECK(links(".") == 4 && links("sub") == 2, "links before the move");
	CHECK(!renameat2(dfd, "a", dfd, "sub/f", RENAME_EXCHANGE), "exchange a and sub/f");
	CHECK(type("sub/f") == S_IFDIR && is("a", "f"), "after the exchange across");
	CHECK(links(".") == 3 && links("sub") == 3, "links after it: %lu, %lu",
	      (unsigned long)links("."), (unsigned long)links("sub"));

	/* An O_TMPFILE file, then named with linkat(). */
	fd = openat(dfd, ".", O_TMPFILE | O_RDWR, 0600);
	CHECK(fd >= 0, "O_TMPFILE");
	if (fd >= 0) {
		CHECK(write(fd, "t", 1) == 1, "write to the O_TMPFILE file");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		CHECK(!linkat(AT_FDCWD, path, dfd, "t", AT_SYMLINK_FOLLOW), "linkat");
		close(fd);
		CHECK(is("t", "t") && links("t") == 1, "the linked O_TMPFILE file");
	}

	CHECK(!unlinkat(dfd, "t", 0) && !unlinkat(dfd, "b", 0) && !unlinkat(dfd, "d", 0) &&
	      !unlinkat(dfd, "a", 0) && !unlinkat(dfd, "sub/f", AT_REMOVEDIR) &&
	      !unlinkat(dfd, "sub", AT_REMOVEDIR), "clean up");
	CHECK(links(".") == 2, "links of DIR at the end: %lu", (unsigned long)links("."));
	printf("%s: exchange, noreplace, O_TMPFILE and linkat: %d wrong\n", argv[1], bad);
	return bad ? 1 : 0;
}
