/* SPDX-License-Identifier: MIT */
/* fwfloor.h -- the anti-rollback floor: the lowest firmware version this
 * box may install, kept on its ESP so it outlives every slot.
 *
 * It only rises: init raises it to the running version when it marks a
 * slot good (and at each boot of a good slot), and fwupdate refuses any
 * bundle below it -- also after a fallback has brought an older slot back,
 * and also with -f.  Only `fwupdate --lower-floor VERSION`, typed on the
 * console, lowers it (app/fwupdate/README.md).
 *
 * The file is FWFLOOR_FILE on the ESP: one line, the version
 * (MAJOR.MINOR.PATCH) and a newline.  No file: no floor yet.  It is
 * replaced whole: a temporary file in the same directory, fsync'ed,
 * renamed over it, the directory fsync'ed, so a power cut leaves the old
 * floor or the new one, never a torn one.
 */
#ifndef TERN_FWFLOOR_H
#define TERN_FWFLOOR_H

#include <stdbool.h>
#include <stddef.h>

#include "version.h"

#define FWFLOOR_DIR  "EFI/tern"        /* relative to the ESP */
#define FWFLOOR_NAME "floor"
#define FWFLOOR_FILE FWFLOOR_DIR "/" FWFLOOR_NAME
#define FWFLOOR_TEXT_MAX 32            /* "999999999.999999999.999999999\n" */

/* The file's text (len bytes) -> v; 0, or -1 if it is not one version
 * and a newline (the newline may be missing).  Pure. */
int fwfloor_parse(const char *text, size_t len, struct fw_version *v);

/* The floor on the ESP (espfd: its directory, see bootslot.h) into *v and
 * *present; no file: 0, *present false and v 0.0.0.  -1 with errno when
 * it cannot be read, EINVAL when its text is not a version. */
int fwfloor_read(int espfd, struct fw_version *v, bool *present);

/* Replace the floor by v, whatever it was (fwupdate --lower-floor);
 * -1 with errno. */
int fwfloor_write(int espfd, const struct fw_version *v);

/* Raise the floor to v if it is lower or missing: 1 raised, 0 already at
 * v or above, -1 with errno (EINVAL: the floor there is not a version;
 * it is left as it is). */
int fwfloor_raise(int espfd, const struct fw_version *v);

#endif
