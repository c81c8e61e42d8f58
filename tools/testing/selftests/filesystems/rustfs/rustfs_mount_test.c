// SPDX-License-Identifier: GPL-2.0
/*
 * Mounting rustfs: the root directory, the mount options, the errors for
 * bad options, and module pinning while mounted.
 *
 * Needs rustfs loaded (the rustfs VM does this), and root.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "../../kselftest_harness.h"
#include "rustfs_util.h"

FIXTURE(mnt) {
	char dir[64];
};

FIXTURE_SETUP(mnt)
{
	if (!rustfs_registered())
		SKIP(return, "rustfs is not loaded");
	strcpy(self->dir, "/tmp/rustfs.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(mnt)
{
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST_F(mnt, root_is_empty_directory)
{
	struct dirent *d;
	int n = 0;
	DIR *dir;

	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, NULL));
	dir = opendir(self->dir);
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir))) {
		EXPECT_TRUE(!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			TH_LOG("unexpected entry %s", d->d_name);
		n++;
	}
	closedir(dir);
	EXPECT_EQ(2, n);
}

TEST_F(mnt, root_defaults_to_0755_root_root)
{
	struct stat st;

	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, NULL));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(0755, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
}

TEST_F(mnt, mode_uid_gid_options_apply_to_root)
{
	struct stat st;

	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0,
			   "mode=1777,uid=1000,gid=2000"));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(01777, st.st_mode & 07777);
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(2000, st.st_gid);
}

static int mount_options(const char *dir, char *buf, size_t len)
{
	char line[512], src[128], mnt[256], type[64], opts[256];
	FILE *f = fopen("/proc/mounts", "r");
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %255s %63s %255s", src, mnt, type, opts) == 4 &&
		    !strcmp(mnt, dir)) {
			snprintf(buf, len, "%s", opts);
			found = 1;
		}
	fclose(f);
	return found;
}

TEST_F(mnt, proc_mounts_shows_non_default_options)
{
	char opts[256];

	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0,
			   "mode=1777,uid=1000,gid=2000"));
	ASSERT_TRUE(mount_options(self->dir, opts, sizeof(opts)));
	EXPECT_NE(NULL, strstr(opts, ",mode=1777")) TH_LOG("options: %s", opts);
	EXPECT_NE(NULL, strstr(opts, ",uid=1000")) TH_LOG("options: %s", opts);
	EXPECT_NE(NULL, strstr(opts, ",gid=2000")) TH_LOG("options: %s", opts);
}

TEST_F(mnt, proc_mounts_hides_default_options)
{
	char opts[256];

	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, NULL));
	ASSERT_TRUE(mount_options(self->dir, opts, sizeof(opts)));
	EXPECT_EQ(NULL, strstr(opts, "mode=")) TH_LOG("options: %s", opts);
	EXPECT_EQ(NULL, strstr(opts, "uid=")) TH_LOG("options: %s", opts);
}

/* RAM in pages, as the kernel's totalram_pages(). */
static unsigned long long ram_pages(void)
{
	struct sysinfo si;

	if (sysinfo(&si))
		return 0;
	return (unsigned long long)si.totalram * si.mem_unit / getpagesize();
}

/* As tmpfs: one inode per two pages of RAM unless nr_inodes= says otherwise. */
TEST_F(mnt, inodes_are_limited_by_default)
{
	struct statfs sfs;
	char opts[256];

	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, NULL));
	ASSERT_TRUE(mount_options(self->dir, opts, sizeof(opts)));
	EXPECT_EQ(NULL, strstr(opts, "nr_inodes=")) TH_LOG("options: %s", opts);
	ASSERT_EQ(0, statfs(self->dir, &sfs));
	EXPECT_EQ(ram_pages() / 2, sfs.f_files);
	EXPECT_EQ(sfs.f_files - 1, sfs.f_ffree);
	umount2(self->dir, MNT_DETACH);
	/* nr_inodes=0 lifts the limit, as on tmpfs. */
	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, "nr_inodes=0"));
	ASSERT_TRUE(mount_options(self->dir, opts, sizeof(opts)));
	EXPECT_NE(NULL, strstr(opts, ",nr_inodes=0")) TH_LOG("options: %s", opts);
	ASSERT_EQ(0, statfs(self->dir, &sfs));
	EXPECT_EQ(0, sfs.f_files);
}

/* size= as tmpfs takes it: a percentage of RAM, and whole pages. */
TEST_F(mnt, size_takes_percentages_and_rounds_to_pages)
{
	unsigned long long page = getpagesize(), want;
	char opts[256], exp[64], path[128], target[4001] = "";

	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, "size=25%"));
	want = (ram_pages() * 25 * page / 100 + page - 1) / page * page;
	snprintf(exp, sizeof(exp), ",size=%llu,", want);
	ASSERT_TRUE(mount_options(self->dir, opts, sizeof(opts) - 1));
	strcat(opts, ",");
	EXPECT_NE(NULL, strstr(opts, exp)) TH_LOG("want %s in %s", exp, opts);
	umount2(self->dir, MNT_DETACH);

	/* 6000 bytes are two pages: room for 7000 bytes of symlink targets. */
	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, "size=6000"));
	ASSERT_TRUE(mount_options(self->dir, opts, sizeof(opts)));
	EXPECT_NE(NULL, strstr(opts, ",size=8192")) TH_LOG("options: %s", opts);
	memset(target, 'a', 4000);
	snprintf(path, sizeof(path), "%s/l1", self->dir);
	EXPECT_EQ(0, symlink(target, path));
	target[3000] = '\0';
	snprintf(path, sizeof(path), "%s/l2", self->dir);
	EXPECT_EQ(0, symlink(target, path));
	target[3000] = 'a';
	snprintf(path, sizeof(path), "%s/l3", self->dir);
	EXPECT_EQ(-1, symlink(target, path));
	EXPECT_EQ(ENOSPC, errno);
}

TEST_F(mnt, statfs_reports_rustfs_magic)
{
	struct statfs sfs;

	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, NULL));
	ASSERT_EQ(0, statfs(self->dir, &sfs));
	EXPECT_EQ(RUSTFS_MAGIC, sfs.f_type);
}

TEST_F(mnt, two_mounts_are_independent_instances)
{
	char other[] = "/tmp/rustfs2.XXXXXX";
	struct stat a, b;

	ASSERT_NE(NULL, mkdtemp(other));
	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, "mode=700"));
	ASSERT_EQ(0, mount(SOURCE, other, "rustfs", 0, "mode=711"));
	ASSERT_EQ(0, stat(self->dir, &a));
	ASSERT_EQ(0, stat(other, &b));
	EXPECT_NE(a.st_dev, b.st_dev);
	EXPECT_EQ(0700, a.st_mode & 07777);
	EXPECT_EQ(0711, b.st_mode & 07777);
	EXPECT_EQ(0, umount(other));
	rmdir(other);
}

TEST_F(mnt, module_is_pinned_while_mounted)
{
	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, NULL));
	/* What rmmod does; the kernel refuses a module in use this way. */
	EXPECT_EQ(-1, syscall(__NR_delete_module, "rustfs", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_TRUE(rustfs_registered());
}

TEST_F(mnt, remount_without_options_succeeds)
{
	struct stat st;

	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, "mode=700"));
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, NULL));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(0700, st.st_mode & 07777);
}

TEST_F(mnt, remount_refuses_mount_time_options)
{
	struct stat st;

	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, "mode=700"));
	/* Silently ignoring them would be worse than refusing. */
	EXPECT_EQ(-1, mount(NULL, self->dir, NULL, MS_REMOUNT, "mode=755"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount(NULL, self->dir, NULL, MS_REMOUNT, "uid=1"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount(NULL, self->dir, NULL, MS_REMOUNT, "casefold"));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(0700, st.st_mode & 07777);
	/* Repeating them, as mount -o remount does from /proc/mounts, is fine. */
	EXPECT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "mode=700,uid=0,lookup_delay_us=1"));
}

/* Whether /proc/mounts shows @opt among the options of the mount at @dir. */
static int shows_option(const char *dir, const char *opt)
{
	char line[512], want[128];
	int found = 0;
	FILE *f = fopen("/proc/mounts", "r");

	if (!f)
		return 0;
	snprintf(want, sizeof(want), " %s rustfs ", dir);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, want) && strstr(line, opt))
			found = 1;
	fclose(f);
	return found;
}

TEST_F(mnt, remount_changes_tunables)
{
	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, "size=1m,nr_inodes=100"));
	EXPECT_TRUE(shows_option(self->dir, ",size=1048576"));
	EXPECT_TRUE(shows_option(self->dir, ",nr_inodes=100"));
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT,
			   "size=2m,noprime_dcache,lookup_delay_us=10,silly_rename,create_delay_us=20,"
			   "lazy_prime"));
	EXPECT_TRUE(shows_option(self->dir, ",size=2097152"));
	EXPECT_TRUE(shows_option(self->dir, ",lazy_prime"));
	EXPECT_TRUE(shows_option(self->dir, ",noprime_dcache"));
	EXPECT_TRUE(shows_option(self->dir, ",lookup_delay_us=10"));
	EXPECT_TRUE(shows_option(self->dir, ",silly_rename"));
	EXPECT_TRUE(shows_option(self->dir, ",create_delay_us=20"));
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT,
			   "prime_dcache,lookup_delay_us=0,nosilly_rename,create_delay_us=0,"
			   "nolazy_prime"));
	EXPECT_FALSE(shows_option(self->dir, "prime_dcache"));
	EXPECT_FALSE(shows_option(self->dir, "lazy_prime"));
	EXPECT_FALSE(shows_option(self->dir, "lookup_delay_us"));
	EXPECT_FALSE(shows_option(self->dir, "create_delay_us"));
	EXPECT_FALSE(shows_option(self->dir, "silly_rename"));
}

TEST_F(mnt, remount_refuses_limits_below_usage)
{
	char path[128], buf[4097] = "";
	int fd;

	ASSERT_EQ(0, mount(SOURCE, self->dir, "rustfs", 0, NULL));
	snprintf(path, sizeof(path), "%s/f", self->dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	ASSERT_GE(fd, 0);
	/* Two pages' worth, where size=4 is one (whole pages). */
	ASSERT_EQ(sizeof(buf), write(fd, buf, sizeof(buf)));
	close(fd);
	EXPECT_EQ(-1, mount(NULL, self->dir, NULL, MS_REMOUNT, "size=4"));
	EXPECT_EQ(EINVAL, errno);
	/* The root and f. */
	EXPECT_EQ(-1, mount(NULL, self->dir, NULL, MS_REMOUNT, "nr_inodes=1"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "nr_inodes=2"));
}

/* Each bad option must fail the mount with EINVAL, and nothing else. */
FIXTURE(bad_option) {
	char dir[64];
};

FIXTURE_VARIANT(bad_option) {
	const char *opts;
};

FIXTURE_VARIANT_ADD(bad_option, unknown_key) { .opts = "nosuchoption" };
FIXTURE_VARIANT_ADD(bad_option, unknown_key_with_value) { .opts = "colour=blue" };
FIXTURE_VARIANT_ADD(bad_option, mode_not_octal) { .opts = "mode=0999" };
FIXTURE_VARIANT_ADD(bad_option, mode_not_a_number) { .opts = "mode=rwx" };
FIXTURE_VARIANT_ADD(bad_option, mode_too_large) { .opts = "mode=10000" };
FIXTURE_VARIANT_ADD(bad_option, mode_overflow) { .opts = "mode=777777777777" };
FIXTURE_VARIANT_ADD(bad_option, mode_empty) { .opts = "mode=" };
FIXTURE_VARIANT_ADD(bad_option, mode_without_value) { .opts = "mode" };
FIXTURE_VARIANT_ADD(bad_option, uid_negative) { .opts = "uid=-1" };
FIXTURE_VARIANT_ADD(bad_option, uid_not_a_number) { .opts = "uid=root" };
FIXTURE_VARIANT_ADD(bad_option, gid_not_a_number) { .opts = "gid=wheel" };
FIXTURE_VARIANT_ADD(bad_option, gid_empty) { .opts = "gid=" };
FIXTURE_VARIANT_ADD(bad_option, size_not_a_number) { .opts = "size=big" };
FIXTURE_VARIANT_ADD(bad_option, size_bad_suffix) { .opts = "size=10x" };
FIXTURE_VARIANT_ADD(bad_option, size_suffix_only) { .opts = "size=k" };
FIXTURE_VARIANT_ADD(bad_option, size_negative) { .opts = "size=-1" };
FIXTURE_VARIANT_ADD(bad_option, size_overflow) { .opts = "size=99999999999999999999" };
FIXTURE_VARIANT_ADD(bad_option, size_suffix_overflow) { .opts = "size=99999999999t" };
FIXTURE_VARIANT_ADD(bad_option, size_empty) { .opts = "size=" };
FIXTURE_VARIANT_ADD(bad_option, size_percent_only) { .opts = "size=%" };
FIXTURE_VARIANT_ADD(bad_option, size_percent_twice) { .opts = "size=50%%" };
FIXTURE_VARIANT_ADD(bad_option, size_percent_overflow) { .opts = "size=9999999999999999%" };
FIXTURE_VARIANT_ADD(bad_option, size_exbibyte_overflow) { .opts = "size=16e" };
FIXTURE_VARIANT_ADD(bad_option, nr_inodes_not_a_number) { .opts = "nr_inodes=many" };
FIXTURE_VARIANT_ADD(bad_option, nr_inodes_percent) { .opts = "nr_inodes=50%" };
FIXTURE_VARIANT_ADD(bad_option, casefold_with_value) { .opts = "casefold=1" };
FIXTURE_VARIANT_ADD(bad_option, prime_dcache_with_value) { .opts = "prime_dcache=yes" };
FIXTURE_VARIANT_ADD(bad_option, noprime_dcache_with_value) { .opts = "noprime_dcache=1" };
FIXTURE_VARIANT_ADD(bad_option, lazy_prime_with_value) { .opts = "lazy_prime=1" };
FIXTURE_VARIANT_ADD(bad_option, silly_rename_with_value) { .opts = "silly_rename=1" };
FIXTURE_VARIANT_ADD(bad_option, silly_rename_misspelt) { .opts = "silly_renames" };
FIXTURE_VARIANT_ADD(bad_option, lookup_delay_too_long) { .opts = "lookup_delay_us=1000001" };
FIXTURE_VARIANT_ADD(bad_option, lookup_delay_negative) { .opts = "lookup_delay_us=-5" };
FIXTURE_VARIANT_ADD(bad_option, lookup_delay_not_a_number) { .opts = "lookup_delay_us=slow" };
FIXTURE_VARIANT_ADD(bad_option, create_delay_too_long) { .opts = "create_delay_us=1000001" };

FIXTURE_SETUP(bad_option)
{
	if (!rustfs_registered())
		SKIP(return, "rustfs is not loaded");
	strcpy(self->dir, "/tmp/rustfs.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(bad_option)
{
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST_F(bad_option, mount_fails_with_einval)
{
	EXPECT_EQ(-1, mount(SOURCE, self->dir, "rustfs", 0, variant->opts));
	EXPECT_EQ(EINVAL, errno) TH_LOG("options \"%s\": %s", variant->opts,
					strerror(errno));
}

TEST_HARNESS_MAIN
