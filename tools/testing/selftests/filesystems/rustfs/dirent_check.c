// SPDX-License-Identifier: GPL-2.0
/*
 * dirent_check DIR: checks that readdir reports, for every entry of DIR,
 * the inode number and type that lstat() gives. The overlayfs tests use it
 * on impure directories, whose readdir looks each entry up to report its
 * d_ino.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

static unsigned char dtype_of(mode_t m)
{
	return S_ISREG(m) ? DT_REG : S_ISDIR(m) ? DT_DIR : S_ISLNK(m) ? DT_LNK :
	       S_ISCHR(m) ? DT_CHR : S_ISBLK(m) ? DT_BLK : S_ISFIFO(m) ? DT_FIFO :
	       S_ISSOCK(m) ? DT_SOCK : DT_UNKNOWN;
}

int main(int argc, char **argv)
{
	char path[PATH_MAX];
	struct dirent *e;
	int n = 0, bad = 0;
	struct stat st;
	DIR *d;

	if (argc != 2) {
		fprintf(stderr, "usage: dirent_check DIR\n");
		return 2;
	}
	d = opendir(argv[1]);
	if (!d) {
		perror(argv[1]);
		return 1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[1], e->d_name);
		n++;
		if (lstat(path, &st)) {
			printf("%s: listed but lstat fails\n", e->d_name);
			bad++;
			continue;
		}
		if (e->d_ino != st.st_ino) {
			printf("%s: d_ino %llu, st_ino %llu\n", e->d_name,
			       (unsigned long long)e->d_ino, (unsigned long long)st.st_ino);
			bad++;
		}
		if (e->d_type != DT_UNKNOWN && e->d_type != dtype_of(st.st_mode)) {
			printf("%s: d_type %u, mode %o\n", e->d_name, e->d_type, st.st_mode);
			bad++;
		}
	}
	closedir(d);
	printf("%d entries, %d wrong\n", n, bad);
	return bad ? 1 : 0;
}
