/* SPDX-License-Identifier: MIT */
/* memo.h -- a worker's memo of the small files it opened lately: a request
 * path, as decoded and checked by the path policy, to the file it named
 * then (device, inode, size, mtime), trusted for cfg->memo_ms.  A request
 * for a remembered path within that time is answered from the file's
 * mapping (files.h) with no openat2, fstat or close, a sixth of httpd's
 * time for a 1 KiB file (perf: tests/bench/README.md, httpd).  The
 * price, as nginx's open_file_cache_valid and lighttpd's stat cache: a
 * file replaced, changed or deleted is served as it was for up to that
 * long.  SIGHUP forgets all.  Pure but for the caller's clock. */
#ifndef TERN_HTTPD_MEMO_H
#define TERN_HTTPD_MEMO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#define MEMO_SLOTS 256  /* direct-mapped by the path's hash */
#define MEMO_PATH 128   /* longer paths are not remembered */

struct memo_slot {
	int64_t until_ms;       /* 0: empty */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim;
	char path[MEMO_PATH];
};

struct memo {
	struct memo_slot slot[MEMO_SLOTS];
};

/* Whether path is remembered and still trusted at now_ms; then *st has
 * its st_dev, st_ino, st_size, st_mtim and st_mode (a regular file). */
bool memo_find(const struct memo *m, const char *path, int64_t now_ms, struct stat *st);
/* Remember that path named st's file at now_ms, until now_ms + for_ms. */
void memo_keep(struct memo *m, const char *path, const struct stat *st, int64_t now_ms,
	       unsigned for_ms);
/* Forget path (its file could not be served from the memo). */
void memo_forget(struct memo *m, const char *path);
/* Forget everything. */
void memo_clear(struct memo *m);

#endif
