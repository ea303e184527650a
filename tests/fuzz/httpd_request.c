/* SPDX-License-Identifier: MIT */
/* httpd_request -- libFuzzer: the request head parser on any bytes, and
 * what is planned and written for what it accepts.  libFuzzer hands over a
 * copy of exactly size bytes, so ASan catches any byte read past them. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "request.h"
#include "response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(const char *buf, size_t len, struct http_str s)
{
	return !s.p || (s.p >= buf && s.p + s.len <= buf + len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct http_limits lim = { .max_line = 512, .max_head = 2048,
						.max_headers = 16 };
	const char *buf = (const char *)data;
	struct http_request req;
	struct http_reply r;
	char head[1024];
	int status = http_parse_request(buf, size, &lim, &req);

	if (status == 0) {
		assert(size < lim.max_head);
		return 0;
	}
	if (status != 200) {
		assert(status >= 400 && status <= 505);
		http_plan_error(status, 1, false, false, &r);
		assert(http_head(head, sizeof head, &r, 0) > 0);
		return 0;
	}
	assert(req.head_len <= size && req.head_len <= lim.max_head);
	assert(req.headers <= lim.max_headers);
	assert(req.minor <= 1);
	assert(inside(buf, size, req.target) && req.target.len && req.target.p[0] == '/');
	assert(inside(buf, size, req.range) && inside(buf, size, req.if_modified_since) &&
	       inside(buf, size, req.if_match) && inside(buf, size, req.if_none_match) &&
	       inside(buf, size, req.if_unmodified_since) && inside(buf, size, req.if_range));
	/* the head ends in an empty line */
	assert(buf[req.head_len - 1] == '\n');
	/* and is the same request when parsed alone */
	assert(http_parse_request(buf, req.head_len, &lim, &(struct http_request){ 0 }) == 200);
	http_plan(&req, "f", size, 784111777, 784111778, &r);
	assert(r.status == 200 || r.status == 206 || r.status == 304 || r.status == 412 ||
	       r.status == 416);
	if (r.status == 206)
		assert(r.length >= 1 && r.offset + r.length <= size);
	assert(http_head(head, sizeof head, &r, 0) > 0);
	return 0;
}
