/* SPDX-License-Identifier: MIT */
/* response.c -- see response.h.  Pure. */
#include "response.h"

#include <string.h>

#include "range.h"
#include "textbuf.h"

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
	{ 412, "Precondition Failed", NULL },
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

/* The entity tag of a file: "MTIME-SIZE" in hex, quotes included. */
#define ETAG_MAX 36
static size_t etag(char out[ETAG_MAX], time_t mtime, uint64_t size)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t v[2] = { (uint64_t)mtime, size };
	size_t n = 0;

	out[n++] = '"';
	for (int k = 0; k < 2; k++) {
		int shift = 60;

		while (shift > 0 && !(v[k] >> shift))
			shift -= 4;
		for (; shift >= 0; shift -= 4)
			out[n++] = hex[(v[k] >> shift) & 15];
		out[n++] = k ? '"' : '-';
	}
	out[n] = '\0';
	return n;
}

/* The entity tag at p (up to end), W/ and all: where it ends, or NULL
 * when p starts none.  *match: it is tag (n bytes); a W/ one only when
 * weak (If-None-Match's comparison), else never (strong). */
static const char *entity_tag(const char *p, const char *end, const char *tag, size_t n,
			      bool weak, bool *match)
{
	bool w = end - p >= 2 && p[0] == 'W' && p[1] == '/';
	const char *q;

	*match = false;
	p += w ? 2 : 0;
	if (p == end || *p != '"' || !(q = memchr(p + 1, '"', (size_t)(end - p - 1))))
		return NULL;
	*match = (weak || !w) && (size_t)(q + 1 - p) == n && !memcmp(p, tag, n);
	return q + 1;
}

/* Does list v ("*", or entity tags between commas) name tag?  A list
 * with anything else in it names nothing. */
static bool listed(struct http_str v, const char *tag, size_t n, bool weak)
{
	const char *p = v.p, *end = v.p + v.len;
	bool found = false, match;

	if (v.len == 1 && *p == '*')
		return true;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if (p == end)
			break;
		if (!(p = entity_tag(p, end, tag, n, weak, &match)) ||
		    (p < end && *p != ' ' && *p != '\t' && *p != ','))
			return false;
		found |= match;
	}
	return found;
}

/* A date field that is there, readable, and puts mtime at or before it. */
static bool not_after(struct http_str v, time_t mtime, bool *read)
{
	time_t t;

	*read = v.len && http_date_parse(v.p, v.len, &t);
	return *read && mtime <= t;
}

/* If-Range: does its validator match the file's, strongly? */
static bool if_range_holds(struct http_str v, const char *tag, size_t n, time_t mtime,
			   time_t now)
{
	bool match;
	time_t t;

	if (v.p[0] == '"' || (v.len >= 2 && v.p[0] == 'W' && v.p[1] == '/'))
		return entity_tag(v.p, v.p + v.len, tag, n, false, &match) == v.p + v.len && match;
	return http_date_parse(v.p, v.len, &t) && t == mtime && mtime < now;
}

void http_plan(const struct http_request *req, const char *name, uint64_t size, time_t mtime,
	       time_t now, struct http_reply *r)
{
	char tag[ETAG_MAX];
	size_t n = req->if_match.len || req->if_none_match.len || req->if_range.len
		? etag(tag, mtime, size) : 0; /* only a condition compares it */
	bool read;

	*r = (struct http_reply){
		.status = 200, .minor = req->minor, .close = !req->keep_alive,
		.head_only = req->method == HTTP_HEAD, .type = http_content_type(name),
		.length = size, .size = size, .mtime = mtime,
	};
	if (req->if_match.len ? !listed(req->if_match, tag, n, false)
			      : !not_after(req->if_unmodified_since, mtime, &read) && read) {
		r->status = 412;
		r->head_only = true;
		r->type = NULL;
		r->length = 0;
		return;
	}
	if (req->if_none_match.len ? listed(req->if_none_match, tag, n, true)
				   : not_after(req->if_modified_since, mtime, &read)) {
		r->status = 304;
		r->head_only = true;
		return;
	}
	if (!req->range.len ||
	    (req->if_range.len && !if_range_holds(req->if_range, tag, n, mtime, now)))
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

/* "Name: value\r\n" */
static void add_field(struct textbuf *o, const char *name, const char *value)
{
	text_str(o, name);
	text_str(o, ": ");
	text_str(o, value);
	text_str(o, "\r\n");
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
	struct textbuf o = { .buf = buf, .cap = size };

	text_str(&o, "HTTP/1.");
	text_u64(&o, r->minor);
	text_str(&o, " ");
	text_u64(&o, (uint64_t)r->status);
	text_str(&o, " ");
	text_str(&o, http_reason(r->status));
	text_str(&o, "\r\nServer: tern-httpd\r\n");
	add_field(&o, "Date", date_text(&date, now));
	if (r->mtime) {
		char tag[ETAG_MAX];

		add_field(&o, "Last-Modified", date_text(&modified, r->mtime));
		etag(tag, r->mtime, r->size);
		add_field(&o, "ETag", tag);
	}
	if (!r->text && r->status != 304)
		text_str(&o, "Accept-Ranges: bytes\r\n");
	if (r->type && r->status != 304)
		add_field(&o, "Content-Type", r->type);
	if (r->status == 206) {
		text_str(&o, "Content-Range: bytes ");
		text_u64(&o, r->offset);
		text_str(&o, "-");
		text_u64(&o, r->offset + r->length - 1);
		text_str(&o, "/");
		text_u64(&o, r->size);
		text_str(&o, "\r\n");
	}
	if (r->status == 416) {
		text_str(&o, "Content-Range: bytes */");
		text_u64(&o, r->size);
		text_str(&o, "\r\n");
	}
	if (r->status == 405)
		text_str(&o, "Allow: GET, HEAD\r\n");
	if (r->status != 304) {
		text_str(&o, "Content-Length: ");
		text_u64(&o, r->length);
		text_str(&o, "\r\n");
	}
	if (r->close)
		text_str(&o, "Connection: close\r\n");
	else if (r->minor == 0)
		text_str(&o, "Connection: keep-alive\r\n");
	text_str(&o, "\r\n");
	return o.full ? 0 : o.len;
}
