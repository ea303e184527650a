/* SPDX-License-Identifier: MIT */
/* durable.h -- a file replaced so that a power cut leaves the old one or
 * the new one, never half of either, on FAT (the ESP: bootslot.c,
 * fwfloor.c) as on ext4:
 *
 *     if (durable_write_tmp(dirfd, ".x.tmp", p, len) < 0 ||
 *         durable_rename(dirfd, ".x.tmp", "x") < 0 || durable_sync(dirfd, "x") < 0)
 *             fail (errno says why; the temporary name is gone);
 *
 * Each returns 0, or -1 with errno as the failing call left it. */
#ifndef TERN_DURABLE_H
#define TERN_DURABLE_H

#include <stddef.h>

/* All of p[0..len-1] written to fd (short writes and EINTR retried). */
int write_all(int fd, const void *p, size_t len);

/* p in a new file tmp in dirfd (a stale tmp removed first), fsync'ed and
 * closed: on disk when this returns 0; removed when it fails. */
int durable_write_tmp(int dirfd, const char *tmp, const void *p, size_t len);

/* tmp renamed to name in dirfd; tmp removed when the rename fails. */
int durable_rename(int dirfd, const char *tmp, const char *name);

/* The rename to name made durable, on FAT too.  Linux's vfat renames by
 * adding an entry for the new name that owns no cluster yet and deleting
 * the old entry (both in the directory's blocks: fsync of the directory),
 * and writes the file's first cluster and size into the new entry only
 * when it writes the file's inode (fsync of the file): until then the
 * file is empty on disk.  The directory goes first, so the disk never
 * holds two names owning the same clusters (deleting one would free the
 * other's); a cut between the two leaves the new name empty, which its
 * reader must take as missing (systemd-boot skips a slot that is no PE
 * image, and the next install replaces it). */
int durable_sync(int dirfd, const char *name);

#endif
