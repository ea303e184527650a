/* SPDX-License-Identifier: MIT */
/* range.h -- the Range and If-Modified-Since of a GET, and Content-Type
 * by extension.  Pure.
 *
 * Range (RFC 9110 section 14.2), one range of bytes:
 *   "bytes=A-B"  A to B, B past the end cut to the last byte;
 *   "bytes=A-"   A to the end;
 *   "bytes=-N"   the last N bytes (the whole file when it is shorter).
 * A first byte at or past the end, or "-0", cannot be met: 416, with
 * "Content-Range: bytes * /SIZE".  Several ranges ("bytes=0-1,5-6") are
 * answered 200 with the whole file, as RFC 9110 allows; so is a header
 * this parser cannot read (another unit, "5-2", garbage): a server MUST
 * ignore a Range it does not understand.
 *
 * Dates (RFC 9110 section 5.6.7): IMF-fixdate, and the obsolete RFC 850
 * and asctime forms a server must still accept; an unreadable
 * If-Modified-Since is ignored.
 */
#ifndef TERN_HTTPD_RANGE_H
#define TERN_HTTPD_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum range_result {
	RANGE_WHOLE,         /* no range, or one to ignore: 200 */
	RANGE_PART,          /* 206 with [first, last] */
	RANGE_UNSATISFIABLE, /* 416 */
};

enum range_result range_parse(const char *v, size_t len, uint64_t size, uint64_t *first,
			      uint64_t *last);

/* A date in any of the three forms; false if it is none of them. */
bool http_date_parse(const char *v, size_t len, time_t *t);

/* t as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), NUL-terminated. */
#define HTTP_DATE_LEN 30
void http_date_format(time_t t, char out[HTTP_DATE_LEN]);

/* The Content-Type for a file name, by its extension, any case:
 * "application/octet-stream" for one this table does not list. */
const char *http_content_type(const char *name);

#endif
