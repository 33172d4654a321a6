// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datadir.h"
#include "emulator.h"
#include "log.h"

#define LOCK_NAME "lock"

/* Opens @path as a directory of ours, creating it (0700) when missing. */
static int open_dir(const char *path)
{
	struct stat st;
	int fd;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -errno;
	}
	if (st.st_uid != geteuid()) {
		log_err("data dir %s belongs to uid %u, not to this process",
			path, (unsigned int)st.st_uid);
		close(fd);
		return -EPERM;
	}
	return fd;
}

static int private_dir(int dirfd, const char *path)
{
	struct stat st;

	if (fstat(dirfd, &st) < 0)
		return -errno;
	if ((st.st_mode & 0777) == 0700)
		return 0;
	if (fchmod(dirfd, 0700) < 0)
		return -errno;
	log_warn("data dir %s was mode %03o, now 0700", path,
		 (unsigned int)(st.st_mode & 0777));
	return 0;
}

/* Every regular file in the directory holds state: make it 0600. */
static int private_files(int dirfd, const char *path)
{
	int fd = dup(dirfd), ret = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || !(st.st_mode & 0077))
			continue;
		if (fchmodat(dirfd, de->d_name, 0600, 0) < 0) {
			ret = -errno;
			break;
		}
		log_warn("%s/%s was mode %03o, now 0600", path, de->d_name,
			 (unsigned int)(st.st_mode & 0777));
	}
	closedir(d);
	return ret;
}

static void log_owner(int fd, const char *path)
{
	char pid[24] = "";
	ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);

	if (n > 0)
		pid[strcspn(pid, "\n")] = '\0';
	log_err("data dir %s is in use by kms-emulator pid %s", path,
		n > 0 ? pid : "?");
}

static int take_lock(int dirfd, const char *path, int shared)
{
	char pid[24];
	int fd, len;

	fd = openat(dirfd, LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		int ret = errno == EWOULDBLOCK ? -EBUSY : -errno;

		if (ret == -EBUSY)
			log_owner(fd, path);
		close(fd);
		return ret;
	}
	if (!shared) {
		len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
		if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
			close(fd);
			return -EIO;
		}
	}
	return fd;
}

int datadir_open(struct emulator *emu, int shared)
{
	const char *path = emu->opt.data_dir;
	int dirfd, ret;

	dirfd = open_dir(path);
	if (dirfd < 0) {
		ret = dirfd;
		goto out;
	}
	ret = take_lock(dirfd, path, shared);
	if (ret < 0)
		goto out;
	emu->lock_fd = ret;
	/* Only the owner changes modes: a refused second start must not. */
	ret = private_dir(dirfd, path);
	if (!ret)
		ret = private_files(dirfd, path);
out:
	if (dirfd >= 0)
		close(dirfd);
	if (ret < 0 && ret != -EBUSY)
		log_err("data dir %s: %s", path, strerror(-ret));
	return ret < 0 ? ret : 0;
}

void datadir_close(struct emulator *emu)
{
	if (emu->lock_fd > 0)
		close(emu->lock_fd);
	emu->lock_fd = -1;
}
