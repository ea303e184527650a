/* SPDX-License-Identifier: MIT */
/* hex.h -- a hexadecimal digit's value: what httpd's percent-decoding and
 * pxed's MAC and lease parsers share.  Header-only.  Pure. */
#ifndef TERN_HEX_H
#define TERN_HEX_H

/* 0-15 for 0-9, a-f, A-F; -1 for anything else. */
static inline int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
