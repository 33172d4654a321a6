/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A rename or an unlink is durable only once the directory that holds the
 * name is synced (systemd's fsync_directory_of_file()).
 */
#ifndef ECSENC_SYNC_DIR_H
#define ECSENC_SYNC_DIR_H

/* fsync() the directory that holds @path.  0 or -errno. */
int sync_dir_of(const char *path);

#endif
