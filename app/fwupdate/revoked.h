/* SPDX-License-Identifier: MIT */
/* revoked.h -- a revocation list: the key ids an image refuses even when
 * it trusts their key (FWUPDATE_REVOKED_KEYS; tfw trust -r bakes it into
 * fwupdate).  A line is a key id, 16 hexadecimal digits as `tfw show` and
 * `fwupdate -s` print them, then, if wanted, a note:
 *
 *   # retired keys
 *   69711fef6cf9e0db  lab laptop key, leaked 2026-12-01
 *
 * Pure: a line in, an id out. */
#ifndef TERN_REVOKED_H
#define TERN_REVOKED_H

#include <stddef.h>
#include <stdint.h>

#include "bundle.h"
#include "conf.h"

/* CONF_OK with the id, CONF_SKIP for a blank line or a comment, CONF_BAD
 * with why. */
enum conf_result revoked_parse_line(const char *line, size_t len, uint8_t id[TFW_KEY_ID_SIZE],
				    char why[CONF_WHY_MAX]);

#endif
