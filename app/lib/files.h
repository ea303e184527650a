/* SPDX-License-Identifier: MIT */
/* files.h -- the files being read, mapped once: a PXE lab where 200
 * clients fetch the same initrd maps it once and serves every one of them
 * from the page cache, with no read(2) and no copy in the server (tftpd,
 * httpd).
 *
 * A file is known by device and inode, and only while its size and mtime
 * are what they were when it was mapped: a file replaced or rewritten in
 * place is mapped anew for the next client, while transfers already
 * running keep the old mapping.  A file truncated under a running
 * transfer makes the kernel fail that transfer's sends with EFAULT where
 * the kernel copies the bytes; where user space reads them (TLS's
 * encryption, netascii's conversion), the first page past the new end
 * faults with SIGBUS, which files_guard turns into a failed read.
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

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mapped {
	dev_t dev;
	ino_t ino;
	int64_t mtime_ns;
	uint64_t size;
	const uint8_t *data; /* NULL for an empty file */
	bool in_memory;      /* on a file system with no disk (files_in_memory) */
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
/* Is fd on a file system without a disk (tmpfs, ramfs: the initramfs),
 * whose pages are never read from anywhere, so nothing to read ahead? */
bool files_in_memory(int fd);
/* Keep up to n mappings no transfer uses (default 0). */
void files_keep_idle(unsigned n);

/* A read of a mapping in user space that a truncation cannot kill:
 *
 *	struct files_guard g;
 *
 *	if (sigsetjmp(g.jb, 0))
 *		return false;   (a page of [p, p + len) is gone)
 *	files_guard_arm(&g, p, len);
 *	... read p ...
 *	files_guard_disarm();
 *
 * A SIGBUS at an address in the armed range jumps back to the sigsetjmp,
 * which returns 1; any other SIGBUS stays fatal.  One guard is armed at
 * a time (the daemons are one thread a process).  files_guard_init
 * installs the handler, once, before the first arm. */
struct files_guard {
	sigjmp_buf jb;
	const uint8_t *lo, *hi;
};
void files_guard_init(void);
void files_guard_arm(struct files_guard *g, const void *p, size_t len);
void files_guard_disarm(void);

#endif
