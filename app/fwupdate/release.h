/* SPDX-License-Identifier: MIT */
/* release.h -- /etc/tern/release: the board and firmware version of the
 * running image, written by the build (rootfs/gen-etc.sh):
 *
 *   # comment
 *   board pc_x86_64
 *   version 1.2.3
 */
#ifndef TERN_RELEASE_H
#define TERN_RELEASE_H

#include "bundle.h"
#include "conf.h"

#define RELEASE_FILE "/etc/tern/release"
#define RELEASE_WHY_MAX (CONF_WHY_MAX + 256)

struct release {
	char board[TFW_BOARD_SIZE];
	char version[TFW_VERSION_SIZE];
	struct fw_version v;
};

/* One line into r (the field it names); CONF_SKIP for a blank line or a
 * comment, CONF_BAD with why (r unchanged). */
enum conf_result release_parse_line(const char *line, size_t len, struct release *r,
				    char why[CONF_WHY_MAX]);

/* The whole file: 0, or -1 with the reason ("FILE:LINE: ...", or the
 * system's) in why. */
int release_load(const char *path, struct release *r, char why[RELEASE_WHY_MAX]);

#endif
