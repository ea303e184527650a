/* SPDX-License-Identifier: MIT */
/* unmount.h -- the last step before reboot(2): unmount what can be
 * unmounted, remount read-only what cannot, so no write is lost. */
#ifndef TERN_INIT_UNMOUNT_H
#define TERN_INIT_UNMOUNT_H

#include <stddef.h>

#include "conf.h"

#define MOUNT_DIR_MAX 255 /* longer mount points are not unmounted */

#define MOUNT_TYPE_MAX 31

struct mount_entry {
	char dir[MOUNT_DIR_MAX + 1];   /* the kernel's octal escapes decoded */
	char type[MOUNT_TYPE_MAX + 1];
};

/* The mount point and type (second and third fields) of one /proc/mounts
 * line.  Pure. */
enum conf_result mounts_parse_line(const char *line, size_t len,
				   struct mount_entry *m, const char **err);

/* Every mount but "/", last mounted first: umount(2), or, when that fails
 * (a file still open, such as the console on /dev), remount read-only;
 * then "/" read-only, unless it is the initramfs.  Failures are logged;
 * nothing here stops the shutdown. */
void unmount_all(void);

#endif
