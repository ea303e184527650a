/* SPDX-License-Identifier: MIT */
/* response.c -- see response.h.  Pure. */
#include "response.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "range.h"

/* A table, one row a status (packet.c's way): rows alike by design. */
static const struct {
	int status;
	const char *reason;
	const char *text; /* an error's body */
} statuses[] = {
	{ 200, "OK", NULL },
	{ 206, "Partial Content", NULL },
	{ 304, "Not Modified", NULL },
	{ 400, "Bad Request", "400 bad request\n" },
	{ 403, "Forbidden", "403 forbidden\n" },
	{ 404, "Not Found", "404 not found\n" },
	{ 405, "Method Not Allowed", "405 only GET and HEAD\n" },
	{ 408, "Request Timeout", "408 request timeout\n" },
	{ 413, "Content Too Large", "413 no request body is taken\n" },
	{ 414, "URI Too Long", "414 request target too long\n" },
	{ 416, "Range Not Satisfiable", "416 range not satisfiable\n" },
	{ 431, "Request Header Fields Too Large", "431 request head too large\n" },
	{ 500, "Internal Server Error", "500 internal server error\n" },
	{ 501, "Not Implemented", "501 not implemented\n" },
	{ 503, "Service Unavailable", "503 too many connections\n" },
	{ 505, "HTTP Version Not Supported", "505 only HTTP/1.0 and HTTP/1.1\n" },
};

static size_t status_index(int status)
{
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		if (statuses[i].status == status)
			return i;
	return SIZE_MAX;
}

const char *http_reason(int status)
{
	size_t i = status_index(status);

	return i == SIZE_MAX ? "Error" : statuses[i].reason;
}

void http_plan(const struct http_request *req, const char *name, uint64_t size, time_t mtime,
	       struct http_reply *r)
{
	time_t since;

	*r = (struct http_reply){
		.status = 200, .minor = req->minor, .close = !req->keep_alive,
		.head_only = req->method == HTTP_HEAD, .type = http_content_type(name),
		.length = size, .size = size, .mtime = mtime,
	};
	if (req->if_modified_since.len &&
	    http_date_parse(req->if_modified_since.p, req->if_modified_since.len, &since) &&
	    mtime <= since) {
		r->status = 304;
		r->head_only = true;
		return;
	}
	if (!req->range.len)
		return;
	switch (range_parse(req->range.p, req->range.len, size, &r->offset, &r->length)) {
	case RANGE_PART:
		r->status = 206;
		r->length = r->length - r->offset + 1;
		break;
	case RANGE_UNSATISFIABLE:
		r->status = 416;
		r->offset = r->length = 0;
		r->type = NULL;
		r->head_only = true;
		break;
	case RANGE_WHOLE:
		break;
	}
}

void http_plan_error(int status, unsigned minor, bool keep, bool head_only, struct http_reply *r)
{
	size_t i = status_index(status);

	*r = (struct http_reply){
		.status = status, .minor = minor, .close = !keep, .head_only = head_only,
		.type = "text/plain", .text = i == SIZE_MAX ? "error\n" : statuses[i].text,
	};
	for (const char *t = r->text; *t; t++)
		r->length++;
}

/* Append to buf at *n; false once it no longer fits. */
static bool put(char *buf, size_t size, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool put(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*n >= size)
		return false;
	va_start(ap, fmt);
	w = vsnprintf(buf + *n, size - *n, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= size - *n) {
		*n = size;
		return false;
	}
	*n += (size_t)w;
	return true;
}

/* t as an HTTP date, formatted again only when t is not the one before:
 * every response of a second has the same Date, the responses of a file
 * the same Last-Modified (gmtime_r and strftime are musl's dearest calls
 * of a small response). */
struct date_memo {
	time_t t;
	bool set;
	char text[HTTP_DATE_LEN];
};

static const char *date_text(struct date_memo *m, time_t t)
{
	if (!m->set || m->t != t) {
		http_date_format(t, m->text);
		m->t = t;
		m->set = true;
	}
	return m->text;
}

size_t http_head(char *buf, size_t size, const struct http_reply *r, time_t now)
{
	static struct date_memo date, modified;
	size_t n = 0;

	put(buf, size, &n, "HTTP/1.%u %d %s\r\nServer: tern-httpd\r\nDate: %s\r\n", r->minor,
	    r->status, http_reason(r->status), date_text(&date, now));
	if (r->mtime)
		put(buf, size, &n, "Last-Modified: %s\r\n", date_text(&modified, r->mtime));
	if (!r->text && r->status != 304)
		put(buf, size, &n, "Accept-Ranges: bytes\r\n");
	if (r->type && r->status != 304)
		put(buf, size, &n, "Content-Type: %s\r\n", r->type);
	if (r->status == 206)
		put(buf, size, &n, "Content-Range: bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64 "\r\n",
		    r->offset, r->offset + r->length - 1, r->size);
	if (r->status == 416)
		put(buf, size, &n, "Content-Range: bytes */%" PRIu64 "\r\n", r->size);
	if (r->status == 405)
		put(buf, size, &n, "Allow: GET, HEAD\r\n");
	if (r->status != 304)
		put(buf, size, &n, "Content-Length: %" PRIu64 "\r\n", r->length);
	if (r->close)
		put(buf, size, &n, "Connection: close\r\n");
	else if (r->minor == 0)
		put(buf, size, &n, "Connection: keep-alive\r\n");
	return put(buf, size, &n, "\r\n") ? n : 0;
}
