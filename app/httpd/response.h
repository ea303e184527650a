/* SPDX-License-Identifier: MIT */
/* response.h -- what to answer a parsed GET or HEAD for a file, and the
 * response head's bytes.  Pure.
 *
 * A file's entity tag is "MTIME-SIZE" in hex, as nginx's (a file changed
 * twice within one second to the same size keeps its tag, as there).
 * http_plan decides in RFC 9110's order (section 13.2.2), each condition
 * read only when the ones before it let it be:
 *   1. If-Match (strong comparison; "*" matches) that names no tag of the
 *      file, else If-Unmodified-Since before its Last-Modified: 412;
 *   2. If-None-Match (weak comparison) that names its tag, or "*", else
 *      If-Modified-Since at or after its Last-Modified: 304;
 *   3. a Range (range.h), unless If-Range names another validator: 206
 *      or 416.  If-Range's tag must match strongly; its date must be the
 *      Last-Modified exactly, and a second old at least (a date of the
 *      current second is no strong validator, section 8.8.2.2);
 *   4. else 200 with the whole file.
 * A date that cannot be read, or a list with something that is not an
 * entity tag, counts as no match (the whole file is always a safe answer;
 * for If-Match a 412).  HEAD answers the same head as GET, with no body.
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

/* The reply to req for a file of size bytes last modified at mtime;
 * now: the time (If-Range's date). */
void http_plan(const struct http_request *req, const char *name, uint64_t size, time_t mtime,
	       time_t now, struct http_reply *r);

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
