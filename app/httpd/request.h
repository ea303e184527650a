/* SPDX-License-Identifier: MIT */
/* request.h -- an HTTP/1.x request's head, parsed in place.  Pure.
 *
 * http_parse_request reads one request line and its header fields from
 * the bytes received so far (RFC 9112).  It is strict where leniency lets
 * a request be read two ways (request smuggling, RFC 9112 section 11.2):
 *   - a line ends in CRLF or a bare LF; a bare CR anywhere is 400;
 *   - whitespace between a field name and its colon, a field line that
 *     starts with whitespace (obs-fold), a control character in a value,
 *     a name that is not a token: 400;
 *   - Transfer-Encoding (any): 501, Content-Length other than 0, or two
 *     different ones: 413 / 400.  httpd takes no request body, so a
 *     request that announces one is refused, and its connection closed:
 *     where the next request starts is then unknown;
 *   - HTTP/1.1 without exactly one Host: 400 (RFC 9112 section 3.2);
 *   - Range, If-Match, If-None-Match, If-Modified-Since,
 *     If-Unmodified-Since or If-Range twice: 400 (two lists are not
 *     joined; a client sends one);
 *   - a request target that is not origin-form ("/..."): 400; absolute-form
 *     ("http://host/x") is refused too: httpd is nobody's proxy.
 * Limits: the request line (414), the whole head (431), the field count
 * (431).  Empty lines before the request line are skipped (RFC 9112
 * section 2.2).  Methods: GET and HEAD; others this server knows of are
 * 405 (with Allow), unknown tokens 501.  Versions: HTTP/1.0 and 1.1 (a
 * higher 1.x is answered as 1.1); any other major 505.
 */
#ifndef TERN_HTTPD_REQUEST_H
#define TERN_HTTPD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

struct http_limits {
	size_t max_line;    /* request line, without its CRLF */
	size_t max_head;    /* everything up to and including the empty line */
	unsigned max_headers;
};

enum http_method { HTTP_GET, HTTP_HEAD };

/* A field's value: bytes inside the buffer parsed, OWS trimmed. */
struct http_str {
	const char *p;
	size_t len;
};

struct http_request {
	size_t head_len;           /* bytes the head took, request line to empty line */
	enum http_method method;
	unsigned minor;            /* 0 or 1 */
	struct http_str target;    /* as sent, still percent-encoded */
	struct http_str range;     /* len 0: none */
	/* The conditions (response.h), len 0: none; each a field that may
	 * come once (a second one, as a second Range, is 400) */
	struct http_str if_match, if_none_match, if_modified_since, if_unmodified_since, if_range;
	bool keep_alive;           /* HTTP/1.1 unless "close"; 1.0 only with "keep-alive" */
	unsigned headers;
};

/* Parse the head at the start of buf (len bytes).  0: incomplete, read
 * more (len is still within the limits); 200: *req holds it; otherwise
 * the status to answer with before closing (400, 405, 413, 414, 431, 501,
 * 505). */
int http_parse_request(const char *buf, size_t len, const struct http_limits *lim,
		       struct http_request *req);

#endif
