/* SPDX-License-Identifier: MIT */
/* version.h -- a firmware version, MAJOR.MINOR.PATCH, compared as numbers
 * (1.10.0 is newer than 1.9.0): what a bundle's header carries
 * (app/fwupdate/bundle.h), what /etc/tern/release says the image is, and
 * the anti-rollback floor on the ESP (fwfloor.h).  Pure. */
#ifndef TERN_VERSION_H
#define TERN_VERSION_H

#include <stdint.h>

struct fw_version {
	uint32_t major, minor, patch;
};

/* "1.2.3" -> v; 0, or -1 if s is not MAJOR.MINOR.PATCH (decimal, each at
 * most 999999999, no sign, no leading zero, nothing else). */
int fw_version_parse(const char *s, struct fw_version *v);
/* <0, 0, >0 as a is older than, the same as, newer than b. */
int fw_version_cmp(const struct fw_version *a, const struct fw_version *b);

#endif
