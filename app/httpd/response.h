/* SPDX-License-Identifier: MIT */
/* response.h -- what to answer a parsed GET or HEAD for a file, and the
 * response head's bytes.  Pure.
 *
 * http_plan decides, in RFC 9110's order (section 13.2.2): an
 * If-Modified-Since at or after the file's Last-Modified is 304 with no
 * body; then a Range (range.h) is 206 or 416; else 200 with the whole
 * file.  HEAD answers the same head as GET, with no body.
 */
#ifndef TERN_HTTPD_RESPONSE_H
#define TERN_HTTPD_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "request.h"

struct http_reply {
	int status;
	unsigned minor;         /* the request's HTTP/1.x */
	bool close;             /* Connection: close, and close after it */
	bool head_only;         /* HEAD, or a status without a body */
	const char *type;       /* Content-Type; NULL: none */
	uint64_t offset, length; /* the body: bytes of the file, or of text */
	uint64_t size;          /* the file's size (Content-Range) */
	time_t mtime;           /* Last-Modified; 0: none */
	const char *text;       /* an error's body instead of the file's */
};

/* The reply to req for a file of size bytes last modified at mtime. */
void http_plan(const struct http_request *req, const char *name, uint64_t size, time_t mtime,
	       struct http_reply *r);

/* The reply to a refused request (status 400-505): a short text body,
 * Connection: close unless keep is set (a 404 on a sound request keeps
 * its connection). */
void http_plan_error(int status, unsigned minor, bool keep, bool head_only, struct http_reply *r);

/* The head of r (status line to empty line) into buf; its length, or 0 if
 * size is too small.  now: the Date. */
size_t http_head(char *buf, size_t size, const struct http_reply *r, time_t now);

/* "Not Found" for 404; "Error" for a status this table lacks. */
const char *http_reason(int status);

#endif
