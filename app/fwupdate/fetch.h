/* SPDX-License-Identifier: MIT */
/* fetch.h -- a bundle named by a tftp:// URL, fetched into RAM with
 * BusyBox's tftp applet (tftp -g -l -: the file on a pipe, never on disk).
 *
 *   tftp://HOST[:PORT]/PATH      HOST a name, an IPv4 address or [IPv6]
 */
#ifndef TERN_FETCH_H
#define TERN_FETCH_H

#include <stddef.h>
#include <stdint.h>

#define URL_PART_MAX 256

struct url {
	char host[URL_PART_MAX];  /* without the brackets of an IPv6 address */
	char port[8];             /* "69" unless given */
	char path[URL_PART_MAX];  /* the remote file name, after the '/' */
};

/* 1 if s is a URL (has "://"), else 0: a file name. */
int url_is_url(const char *s);

/* Parse a tftp:// URL into u; 0, or -1 with the reason in why (64 bytes
 * are enough). */
int url_parse(const char *s, struct url *u, char why[64]);

/* Fetch u with the tftp program (found on PATH: BusyBox's applet on the
 * box) into a malloc'd *buf of *len bytes, at most max.  0, or -1 with
 * errno: EFBIG when the file is larger than max, EIO when tftp failed
 * (it says why on stderr), or the system's. */
int fetch_tftp(const struct url *u, size_t max, uint8_t **buf, size_t *len);

#endif
