/* SPDX-License-Identifier: MIT */
/* path.h -- what a client's filename may be, and opening it under the root:
 * one policy for every daemon that serves files (tftpd, httpd).
 *
 * The order is: the daemon's own decoding (tftpd: remap.h; httpd: the
 * request target's percent-decoding), then path_check on the result, then
 * path_open with the relative path it gives.  path_check is the policy,
 * and pure; path_open is the kernel's guarantee, so that a mistake in
 * either alone serves nothing outside the root.
 *
 * path_check refuses:
 *   - an empty name, or one that is nothing but slashes;
 *   - a name longer than max_len bytes (PATH_MAX - 1 unless set lower);
 *   - any control character (bytes 0x01-0x1f and 0x7f; a NUL cannot come
 *     from a TFTP packet, and one inside len is refused too);
 *   - a ".." component: exactly the two bytes "..", between slashes or the
 *     ends of the name.  "...", "..a", "a..", "..\" are ordinary names on
 *     Linux (only "." and ".." are special to the kernel, and '\' is no
 *     separator), so they are allowed, and name files inside the root.
 *     With backslashes set to become slashes, "..\x" is "../x" and refused;
 *   - with refuse_absolute, a name beginning with '/'.  By default leading
 *     slashes are dropped: "/pxelinux.0" is "pxelinux.0" under the root,
 *     as tftpd-hpa -s serves it, and what PXE and GRUB clients ask for.
 * "." components and repeated slashes are harmless and kept as they are.
 *
 * path_open opens with openat2(2) (Linux 5.6) relative to the root's fd and
 * RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS:
 *   - BENEATH: the kernel fails with EXDEV any resolution that leaves the
 *     root: "..", an absolute path, or a symlink (absolute, or relative
 *     and climbing out).  Symlinks that stay inside work, as PXE trees use
 *     them (pxelinux.cfg/01-<mac> -> default, current -> bookworm).  So not
 *     RESOLVE_NO_SYMLINKS, which would break those, and not RESOLVE_IN_ROOT,
 *     which would quietly serve an absolute link's target re-rooted;
 *   - NO_MAGICLINKS: /proc/<pid>/fd-style links are refused even if a
 *     procfs were mounted under the root;
 *   - not NO_XDEV: a mount under the root (an ISO image's tree) is served.
 * Only regular files are returned: a directory is EISDIR, and a FIFO or
 * device EACCES (a FIFO would otherwise block the server on open or read).
 */
#ifndef TERN_LIB_PATH_H
#define TERN_LIB_PATH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct path_policy {
	size_t max_len;          /* bytes; 0 or over PATH_MAX - 1: PATH_MAX - 1 */
	bool backslash_to_slash; /* '\' separates components (Windows clients) */
	bool refuse_absolute;    /* "/x" is refused instead of being "x" */
};

enum path_cause {
	PATH_OK,
	PATH_EMPTY,
	PATH_TOO_LONG,
	PATH_CONTROL_CHAR,
	PATH_DOTDOT,
	PATH_ABSOLUTE,
	PATH_CAUSE_COUNT
};

/* Check name (len bytes) against pol; on PATH_OK out holds the relative
 * path to open (NUL-terminated; size >= len + 1, else PATH_TOO_LONG). */
enum path_cause path_check(const struct path_policy *pol, const char *name, size_t len,
			   char *out, size_t size);

/* "'..' in filename", for the log and the client's error (TFTP's code 2,
 * access violation, HTTP's 403 Forbidden, for every refusal). */
const char *path_cause_message(enum path_cause c);

/* Open rel, a path_check result, beneath the directory root_fd with flags
 * (O_RDONLY, or O_WRONLY | O_CREAT ... for uploads: mode 0644); O_CLOEXEC
 * and O_NOCTTY are added.  The fd of a regular file, or -1 with errno. */
int path_open(int root_fd, const char *rel, int flags);
/* path_open, and the file's fstat(2) in *st (a server that needs its size
 * saves a system call a request). */
struct stat;
int path_open_stat(int root_fd, const char *rel, int flags, struct stat *st);

#endif
