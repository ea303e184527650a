/* SPDX-License-Identifier: MIT */
/* request.c -- an HTTP/1.x request head; see request.h.  Pure. */
#include "request.h"

#include <string.h>
#include <strings.h>

/* tchar (RFC 9110 section 5.6.2). */
static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_token(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)p[i]))
			return false;
	return n > 0;
}

static bool str_is(struct http_str s, const char *lit)
{
	return s.len == strlen(lit) && !strncasecmp(s.p, lit, s.len);
}

/* Methods of RFC 9110 and 5789 this server knows and does not allow. */
static const char *const not_allowed[] = { "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
					   "TRACE", "PATCH" };

static int parse_method(const char *p, size_t n, struct http_request *req)
{
	if (n == 3 && !memcmp(p, "GET", 3)) {
		req->method = HTTP_GET;
		return 200;
	}
	if (n == 4 && !memcmp(p, "HEAD", 4)) {
		req->method = HTTP_HEAD;
		return 200;
	}
	for (size_t i = 0; i < sizeof not_allowed / sizeof not_allowed[0]; i++)
		if (n == strlen(not_allowed[i]) && !memcmp(p, not_allowed[i], n))
			return 405;
	return is_token(p, n) ? 501 : 400;
}

/* "HTTP/1.1": 200 with the minor version set; 505 for another major. */
static int parse_version(const char *p, size_t n, struct http_request *req)
{
	if (n != 8 || memcmp(p, "HTTP/", 5) || p[6] != '.' || p[5] < '0' || p[5] > '9' ||
	    p[7] < '0' || p[7] > '9')
		return 400;
	if (p[5] != '1')
		return 505;
	req->minor = p[7] == '0' ? 0 : 1;
	return 200;
}

/* method SP request-target SP HTTP-version, exactly. */
static int parse_request_line(const char *p, size_t n, struct http_request *req)
{
	const char *sp1 = memchr(p, ' ', n), *sp2, *end = p + n;
	int status;

	if (!sp1 || !(sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1))))
		return 400;
	status = parse_method(p, (size_t)(sp1 - p), req);
	if (status != 200)
		return status;
	req->target.p = sp1 + 1;
	req->target.len = (size_t)(sp2 - sp1 - 1);
	for (size_t i = 0; i < req->target.len; i++)
		if ((unsigned char)req->target.p[i] <= ' ' || req->target.p[i] == 0x7f)
			return 400;
	/* origin-form only: not absolute-form, authority-form nor "*" */
	if (!req->target.len || req->target.p[0] != '/')
		return 400;
	return parse_version(sp2 + 1, (size_t)(end - sp2 - 1), req);
}

/* A Connection value: comma-separated tokens. */
static void parse_connection(struct http_str v, bool *close, bool *keep)
{
	const char *p = v.p, *end = v.p + v.len;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		struct http_str t = { p, (size_t)((comma ? comma : end) - p) };

		while (t.len && (*t.p == ' ' || *t.p == '\t'))
			t.p++, t.len--;
		while (t.len && (t.p[t.len - 1] == ' ' || t.p[t.len - 1] == '\t'))
			t.len--;
		*close |= str_is(t, "close");
		*keep |= str_is(t, "keep-alive");
		p = comma ? comma + 1 : end;
	}
}

struct fields {
	unsigned hosts;
	bool close, keep;
	struct http_str length;
};

/* Content-Length: 0 is no body; another number 413; garbage or two
 * different values 400. */
static int check_length(struct fields *f, struct http_str v)
{
	if (!v.len)
		return 400;
	for (size_t i = 0; i < v.len; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return 400;
	if (f->length.p && (f->length.len != v.len || memcmp(f->length.p, v.p, v.len)))
		return 400;
	f->length = v;
	for (size_t i = 0; i < v.len; i++)
		if (v.p[i] != '0')
			return 413;
	return 200;
}

/* The fields kept, each at most once (request.h). */
static const struct {
	const char *name;
	size_t at;
} once[] = {
	{ "range", offsetof(struct http_request, range) },
	{ "if-match", offsetof(struct http_request, if_match) },
	{ "if-none-match", offsetof(struct http_request, if_none_match) },
	{ "if-modified-since", offsetof(struct http_request, if_modified_since) },
	{ "if-unmodified-since", offsetof(struct http_request, if_unmodified_since) },
	{ "if-range", offsetof(struct http_request, if_range) },
};

/* One field line (without its line end). */
static int parse_field(const char *p, size_t n, struct http_request *req, struct fields *f)
{
	const char *colon = memchr(p, ':', n);
	struct http_str name, v;

	if (!colon || !is_token(p, (size_t)(colon - p)))
		return 400; /* also obs-fold and "Name :" */
	name.p = p;
	name.len = (size_t)(colon - p);
	v.p = colon + 1;
	v.len = n - name.len - 1;
	while (v.len && (*v.p == ' ' || *v.p == '\t'))
		v.p++, v.len--;
	while (v.len && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
		v.len--;
	for (size_t i = 0; i < v.len; i++)
		if (((unsigned char)v.p[i] < ' ' && v.p[i] != '\t') || v.p[i] == 0x7f)
			return 400;
	if (str_is(name, "host"))
		f->hosts++;
	else if (str_is(name, "content-length"))
		return check_length(f, v);
	else if (str_is(name, "transfer-encoding"))
		return 501;
	else if (str_is(name, "connection"))
		parse_connection(v, &f->close, &f->keep);
	else
		for (size_t i = 0; i < sizeof once / sizeof once[0]; i++)
			if (str_is(name, once[i].name)) {
				struct http_str *to = (struct http_str *)((char *)req + once[i].at);

				if (to->p)
					return 400;
				*to = v;
			}
	return 200;
}

/* The line at p (up to lf), without its CR; 400 for a CR elsewhere. */
static int line_len(const char *p, const char *lf, size_t *n)
{
	*n = (size_t)(lf - p);
	if (*n && p[*n - 1] == '\r')
		(*n)--;
	return memchr(p, '\r', *n) ? 400 : 200;
}

/* Where the head ends (after its empty line), or NULL; *status 431 when
 * it is longer than allowed, 0 when more bytes may complete it. */
static const char *head_end(const char *buf, const char *q, const char *end,
			    const struct http_limits *lim, unsigned *fields, int *status)
{
	size_t n;

	*status = 0;
	for (;;) {
		const char *lf = memchr(q, '\n', (size_t)(end - q));

		if (!lf || (size_t)(lf + 1 - buf) > lim->max_head) {
			if (lf || (size_t)(end - buf) >= lim->max_head)
				*status = 431;
			return NULL;
		}
		if (lf == q || (lf == q + 1 && *q == '\r'))
			return lf + 1;
		if ((*status = line_len(q, lf, &n)) != 200)
			return NULL; /* a bare CR: refused before the head ends */
		*status = 0;
		if (++*fields > lim->max_headers) {
			*status = 431;
			return NULL;
		}
		q = lf + 1;
	}
}

int http_parse_request(const char *buf, size_t len, const struct http_limits *lim,
		       struct http_request *req)
{
	const char *p = buf, *end = buf + len, *lf, *stop;
	struct fields f = { 0 };
	int status;
	size_t n;

	memset(req, 0, sizeof *req);
	while (p < end && (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')))
		p += *p == '\r' ? 2 : 1;
	lf = memchr(p, '\n', (size_t)(end - p));
	n = (size_t)((lf ? lf : end) - p);
	if (n > lim->max_line + 1 || (lf && n > lim->max_line && p[n - 1] != '\r'))
		return 414;
	if (!lf)
		return len >= lim->max_head ? 431 : 0;
	if ((status = line_len(p, lf, &n)) != 200)
		return status;
	stop = head_end(buf, lf + 1, end, lim, &req->headers, &status);
	if (!stop)
		return status;
	if ((status = parse_request_line(p, n, req)) != 200)
		return status;
	for (p = lf + 1; p < stop; p = lf + 1) {
		lf = memchr(p, '\n', (size_t)(stop - p));
		line_len(p, lf, &n); /* head_end checked it */
		if (n && (status = parse_field(p, n, req, &f)) != 200)
			return status;
	}
	if (req->minor == 1 && f.hosts != 1)
		return 400;
	req->keep_alive = req->minor == 1 ? !f.close : f.keep && !f.close;
	req->head_len = (size_t)(stop - buf);
	return 200;
}
