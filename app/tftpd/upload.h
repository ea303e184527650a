/* SPDX-License-Identifier: MIT */
/* upload.h -- a WRQ's file: written under a temporary name beside its
 * final one, fsync'ed and renamed into place after the last block, so a
 * reader never sees half a file and a failed or aborted upload leaves
 * nothing behind.  Without overwrite the rename refuses to replace a file
 * (renameat2 RENAME_NOREPLACE), and so does the start, before any data.
 *
 * The directory is reached with openat2(RESOLVE_BENEATH) from the upload
 * directory's fd (path.h's guarantee); the file names used there have no
 * slash, so nothing escapes it.
 */
#ifndef TERN_TFTPD_UPLOAD_H
#define TERN_TFTPD_UPLOAD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct upload {
	int dir_fd; /* the file's directory; -1: none */
	int fd;     /* the temporary file; -1: none */
	char tmp[NAME_MAX + 1];
	char base[NAME_MAX + 1];
};

#define UPLOAD_NONE { .dir_fd = -1, .fd = -1 }

/* Start uploading rel (a path_check result) under the directory root_fd.
 * -1 with errno: EEXIST when the file exists and !overwrite, and what
 * opening the directory or creating the temporary file failed with. */
int upload_begin(struct upload *u, int root_fd, const char *rel, bool overwrite);
/* pwrite(2) all of buf at off; -1 with errno. */
int upload_write(struct upload *u, const void *buf, size_t len, uint64_t off);
/* fsync and rename into place; -1 with errno (the upload is then gone). */
int upload_commit(struct upload *u, bool overwrite);
/* Remove the temporary file, if any, and close. */
void upload_abort(struct upload *u);

#endif
