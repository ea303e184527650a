/* SPDX-License-Identifier: MIT */
/* files.h -- the files being read, mapped once: a PXE lab where 200
 * clients fetch the same initrd maps it once and serves every one of them
 * from the page cache, with no read(2) and no copy in the server (tftpd,
 * httpd).
 *
 * A file is known by device and inode, and only while its size and mtime
 * are what they were when it was mapped: a file replaced or rewritten in
 * place is mapped anew for the next client, while transfers already
 * running keep the old mapping.  (A file truncated under a running
 * transfer makes the kernel fail that transfer's sends with EFAULT; it
 * cannot crash the server, since the pages are only touched by the kernel.)
 *
 * A mapping no transfer uses is unmapped at once, unless files_keep_idle
 * asked to keep some: then the n used longest ago are kept, so the next
 * client of the same file finds it mapped and its pages already in the
 * page tables.  A fresh mapping costs its page faults, taken inside the
 * kernel's copy into the socket: on the reference host a file sent from
 * a new mapping each time cost 0.66-0.81 CPU s/GiB against 0.13-0.18 from
 * one kept (tests/bench/sendpaths.c).  A kept mapping of a file deleted
 * since holds its blocks until it is dropped.
 */
#ifndef TERN_TFTPD_FILES_H
#define TERN_TFTPD_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mapped {
	dev_t dev;
	ino_t ino;
	int64_t mtime_ns;
	uint64_t size;
	const uint8_t *data; /* NULL for an empty file */
	unsigned refs;
	uint64_t last_used;  /* when refs last fell to 0 (a count of puts) */
	struct mapped *next;
};

/* The mapping of the regular file open on fd (which the caller still
 * closes), shared with other transfers of the same file; NULL with errno
 * on failure. */
struct mapped *files_get(int fd);
/* files_get for a caller that has fstat(fd) already: st is its result. */
struct stat;
struct mapped *files_get_stat(int fd, const struct stat *st);
/* The mapping of st's file (device, inode, size, mtime) if it is mapped
 * now, in use or kept idle, as files_get_stat would share it; else NULL
 * (nothing opened, nothing mapped). */
struct mapped *files_find(const struct stat *st);
/* A transfer is done with m; the last one unmaps it. */
void files_put(struct mapped *m);
/* Files mapped now, kept idle ones included. */
unsigned files_count(void);
/* Keep up to n mappings no transfer uses (default 0). */
void files_keep_idle(unsigned n);

#endif
