/* SPDX-License-Identifier: MIT */
/* upload.h -- a WRQ's file: written under a temporary name, fsync'ed and
 * renamed into place after the last block, so a reader never sees half a
 * file and a failed or aborted upload leaves nothing behind.  Without
 * overwrite the rename refuses to replace a file (renameat2
 * RENAME_NOREPLACE), and so does the start, before any data.
 *
 * The temporary file is beside its final one, or in a staging directory
 * (tftpd -S) outside the served root: then not even its name can be
 * fetched while it is written, and one a killed tftpd or a power cut left
 * behind is in one known place, where upload_clean_staging() removes it at
 * the next start.  The rename from there needs the staging and upload
 * directories on one mount (else EXDEV).
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
	int tmp_fd; /* the temporary file's: dir_fd, or the staging directory's
		     * (not owned: never closed here) */
	int fd;     /* the temporary file; -1: none */
	char tmp[NAME_MAX + 1];
	char base[NAME_MAX + 1];
};

#define UPLOAD_NONE { .dir_fd = -1, .tmp_fd = -1, .fd = -1 }

/* Start uploading rel (a path_check result) under the directory root_fd,
 * the temporary file in the directory stage_fd (-1: beside the file).
 * -1 with errno: EEXIST when the file exists and !overwrite, and what
 * opening the directory or creating the temporary file failed with. */
int upload_begin(struct upload *u, int root_fd, int stage_fd, const char *rel, bool overwrite);
/* pwrite(2) all of buf at off; -1 with errno. */
int upload_write(struct upload *u, const void *buf, size_t len, uint64_t off);
/* fsync and rename into place; -1 with errno (the upload is then gone). */
int upload_commit(struct upload *u, bool overwrite);
/* Remove the temporary file, if any, and close. */
void upload_abort(struct upload *u);

/* Is name one of upload_begin's temporary names (".BASE.tftpd-XXXXXX")?
 * Pure. */
bool upload_is_temporary(const char *name);
/* Remove every temporary file in the staging directory stage_fd (what an
 * upload that never finished left: tftpd killed, a power cut); other
 * names are left alone.  The number removed, or -1 with errno. */
int upload_clean_staging(int stage_fd);

#endif
