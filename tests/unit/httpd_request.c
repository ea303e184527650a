/* SPDX-License-Identifier: MIT */
/* httpd_request -- the request head parser (app/httpd/request.c): what a
 * sound request yields, each smuggling or abuse case a named test, and the
 * limits at their edges. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

static const struct http_limits lim = { .max_line = 100, .max_head = 400, .max_headers = 8 };
static struct http_request req;

static int parse(const char *s)
{
	return http_parse_request(s, strlen(s), &lim, &req);
}

static void assert_str(struct http_str s, const char *want)
{
	assert_int_equal(s.len, strlen(want));
	assert_memory_equal(s.p, want, s.len);
}

static void get_http11(void **state)
{
	const char *s = "GET /boot.ipxe HTTP/1.1\r\nHost: 192.0.2.1\r\nUser-Agent: iPXE/1.21\r\n\r\n";

	(void)state;
	assert_int_equal(parse(s), 200);
	assert_int_equal(req.method, HTTP_GET);
	assert_int_equal(req.minor, 1);
	assert_str(req.target, "/boot.ipxe");
	assert_true(req.keep_alive);
	assert_int_equal(req.head_len, strlen(s));
	assert_int_equal(req.range.len, 0);
}

static void head_http10(void **state)
{
	(void)state;
	assert_int_equal(parse("HEAD /x HTTP/1.0\r\n\r\n"), 200);
	assert_int_equal(req.method, HTTP_HEAD);
	assert_int_equal(req.minor, 0);
	assert_false(req.keep_alive);
	assert_int_equal(parse("HEAD /x HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), 200);
	assert_true(req.keep_alive);
}

static void connection_close(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n"), 200);
	assert_false(req.keep_alive);
}

static void bare_lf_line_ends(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\nHost: a\n\n"), 200);
	assert_int_equal(req.head_len, 25);
}

static void empty_lines_before_the_request(void **state)
{
	(void)state;
	assert_int_equal(parse("\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n"), 200);
	assert_int_equal(req.head_len, 32);
}

static void pipelined_requests_one_at_a_time(void **state)
{
	const char *s = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c";
	size_t first;

	(void)state;
	assert_int_equal(parse(s), 200);
	assert_str(req.target, "/a");
	first = req.head_len;
	assert_int_equal(http_parse_request(s + first, strlen(s) - first, &lim, &req), 200);
	assert_str(req.target, "/b");
	first += req.head_len;
	assert_int_equal(http_parse_request(s + first, strlen(s) - first, &lim, &req), 0);
}

static void incomplete_heads(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(parse("GET /x HT"), 0);
	assert_int_equal(parse("GET /x HTTP/1.1\r\n"), 0);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\n"), 0);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\n\r"), 0);
}

static void range_and_if_modified_since(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nRange: bytes=0-99 \r\n"
			       "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"), 200);
	assert_str(req.range, "bytes=0-99");
	assert_str(req.if_modified_since, "Sun, 06 Nov 1994 08:49:37 GMT");
}

static void conditions(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nIf-Match: \"a-1\"\r\n"
			       "If-None-Match: W/\"b-2\", \"c-3\"\r\n"
			       "If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
			       "If-Range: \"a-1\"\r\nRange: bytes=1-\r\n\r\n"), 200);
	assert_str(req.if_match, "\"a-1\"");
	assert_str(req.if_none_match, "W/\"b-2\", \"c-3\"");
	assert_str(req.if_unmodified_since, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_str(req.if_range, "\"a-1\"");
	assert_null(req.if_modified_since.p);
}

/* A field kept (request.h) comes once: a second is 400. */
static void conditions_twice(void **state)
{
	static const char *const fields[] = { "If-Match: *", "If-None-Match: \"a\"",
					      "If-Modified-Since: x", "If-Unmodified-Since: x",
					      "If-Range: \"a\"" };
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		snprintf(buf, sizeof buf, "GET /x HTTP/1.1\r\nHost: a\r\n%s\r\n%s\r\n\r\n",
			 fields[i], fields[i]);
		assert_int_equal(parse(buf), 400);
		snprintf(buf, sizeof buf, "GET /x HTTP/1.1\r\nHost: a\r\n%s\r\n\r\n", fields[i]);
		assert_int_equal(parse(buf), 200);
	}
}

static void field_names_any_case(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\r\nhOsT: a\r\nRANGE:bytes=1-\r\n\r\n"), 200);
	assert_str(req.range, "bytes=1-");
}

static void other_methods_405(void **state)
{
	(void)state;
	assert_int_equal(parse("POST /x HTTP/1.1\r\nHost: a\r\n\r\n"), 405);
	assert_int_equal(parse("PUT /x HTTP/1.1\r\nHost: a\r\n\r\n"), 405);
	assert_int_equal(parse("DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n"), 405);
	assert_int_equal(parse("OPTIONS /x HTTP/1.1\r\nHost: a\r\n\r\n"), 405);
	assert_int_equal(parse("TRACE /x HTTP/1.1\r\nHost: a\r\n\r\n"), 405);
}

static void unknown_methods_501(void **state)
{
	(void)state;
	assert_int_equal(parse("BREW /x HTTP/1.1\r\nHost: a\r\n\r\n"), 501);
	assert_int_equal(parse("get /x HTTP/1.1\r\nHost: a\r\n\r\n"), 501); /* case matters */
	assert_int_equal(parse("G@T /x HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
}

static void versions(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/2.0\r\n\r\n"), 505);
	assert_int_equal(parse("GET /x HTTP/0.9\r\n\r\n"), 505);
	assert_int_equal(parse("GET /x HTTP/1.2\r\nHost: a\r\n\r\n"), 200);
	assert_int_equal(req.minor, 1);
	assert_int_equal(parse("GET /x\r\n\r\n"), 400); /* HTTP/0.9 */
	assert_int_equal(parse("GET /x HTTP/1.10\r\n\r\n"), 400);
	assert_int_equal(parse("GET /x http/1.1\r\n\r\n"), 400);
}

static void request_line_spacing(void **state)
{
	(void)state;
	assert_int_equal(parse("GET  /x HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(parse("GET /x  HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(parse("GET\t/x HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(parse("GET /x HTTP/1.1 \r\nHost: a\r\n\r\n"), 400);
}

static void absolute_form_target(void **state)
{
	(void)state;
	assert_int_equal(parse("GET http://192.0.2.1/x HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(parse("GET //192.0.2.1/x HTTP/1.1\r\nHost: a\r\n\r\n"), 200);
}

static void authority_and_asterisk_forms(void **state)
{
	(void)state;
	assert_int_equal(parse("GET 192.0.2.1:80 HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(parse("GET * HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
}

static void control_bytes_in_target(void **state)
{
	static const char s[] = "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n";

	(void)state;
	assert_int_equal(http_parse_request(s, sizeof s - 1, &lim, &req), 400);
	assert_int_equal(parse("GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
}

static void missing_host_http11(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(parse("GET /x HTTP/1.0\r\n\r\n"), 200);
}

static void two_hosts(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
}

static void space_before_colon(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\n"), 400);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\t: chunked\r\n\r\n"),
			 400);
}

static void obs_fold(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n"), 400);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\n\tX: 1\r\n\r\n"), 400);
}

static void bare_cr(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\rHost: a\r\n\r\n"), 400);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\rX: b\r\n\r\n"), 400);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\n\r\r\n"), 400);
}

static void control_bytes_in_values(void **state)
{
	static const char s[] = "GET /x HTTP/1.1\r\nHost: a\0b\r\n\r\n";

	(void)state;
	assert_int_equal(http_parse_request(s, sizeof s - 1, &lim, &req), 400);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\x01\r\n\r\n"), 400);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\tb\r\n\r\n"), 200); /* HTAB is fine */
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: caf\xc3\xa9\r\n\r\n"), 200); /* obs-text */
}

static void field_without_colon_or_name(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n"), 400);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n"), 400);
}

static void body_with_content_length(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"), 413);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"), 200);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 00\r\n\r\n"), 200);
}

static void content_length_garbage(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"), 400);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0x0\r\n\r\n"), 400);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0, 0\r\n\r\n"), 400);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n"), 400);
}

static void two_content_lengths(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n"
			       "Content-Length: 7\r\n\r\n"), 400);
}

static void transfer_encoding(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"),
			 501);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n"
			       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 501);
}

static void two_ranges_fields(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\n"
			       "Range: bytes=5-6\r\n\r\n"), 400);
}

/* A line of n bytes: "GET /aaa...a HTTP/1.1". */
static char *line_of(size_t n, const char *rest)
{
	char *s = malloc(n + strlen(rest) + 1);

	memcpy(s, "GET /", 5);
	memset(s + 5, 'a', n - 5 - 9);
	memcpy(s + n - 9, " HTTP/1.1", 9);
	strcpy(s + n, rest);
	return s;
}

static void request_line_limit(void **state)
{
	char *s;

	(void)state;
	s = line_of(100, "\r\nHost: a\r\n\r\n");
	assert_int_equal(parse(s), 200);
	free(s);
	s = line_of(101, "\r\nHost: a\r\n\r\n");
	assert_int_equal(parse(s), 414);
	free(s);
	s = line_of(102, ""); /* too long before its end arrives */
	assert_int_equal(parse(s), 414);
	free(s);
}

static void head_size_limit(void **state)
{
	char s[600];
	size_t n;

	(void)state;
	n = (size_t)snprintf(s, sizeof s, "GET /x HTTP/1.1\r\nHost: a\r\nX: ");
	memset(s + n, 'v', 400 - n - 4);
	memcpy(s + 396, "\r\n\r\n", 5);
	assert_int_equal(parse(s), 200);
	assert_int_equal(req.head_len, 400);
	memcpy(s + 396, "v\r\n\r\n", 6);
	assert_int_equal(parse(s), 431);
	s[397] = '\0'; /* still incomplete, and already over */
	memset(s + 300, 'v', 97);
	memset(s + 397, 'v', 10);
	s[407] = '\0';
	assert_int_equal(parse(s), 431);
}

static void header_count_limit(void **state)
{
	char s[400] = "GET /x HTTP/1.1\r\nHost: a\r\n";

	(void)state;
	for (int i = 0; i < 7; i++)
		strcat(s, "X: 1\r\n");
	strcat(s, "\r\n");
	assert_int_equal(parse(s), 200);
	assert_int_equal(req.headers, 8);
	s[strlen(s) - 2] = '\0';
	strcat(s, "Y: 2\r\n\r\n");
	assert_int_equal(parse(s), 431);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_http11),
		cmocka_unit_test(head_http10),
		cmocka_unit_test(connection_close),
		cmocka_unit_test(bare_lf_line_ends),
		cmocka_unit_test(empty_lines_before_the_request),
		cmocka_unit_test(pipelined_requests_one_at_a_time),
		cmocka_unit_test(incomplete_heads),
		cmocka_unit_test(range_and_if_modified_since),
		cmocka_unit_test(conditions),
		cmocka_unit_test(conditions_twice),
		cmocka_unit_test(field_names_any_case),
		cmocka_unit_test(other_methods_405),
		cmocka_unit_test(unknown_methods_501),
		cmocka_unit_test(versions),
		cmocka_unit_test(request_line_spacing),
		cmocka_unit_test(absolute_form_target),
		cmocka_unit_test(authority_and_asterisk_forms),
		cmocka_unit_test(control_bytes_in_target),
		cmocka_unit_test(missing_host_http11),
		cmocka_unit_test(two_hosts),
		cmocka_unit_test(space_before_colon),
		cmocka_unit_test(obs_fold),
		cmocka_unit_test(bare_cr),
		cmocka_unit_test(control_bytes_in_values),
		cmocka_unit_test(field_without_colon_or_name),
		cmocka_unit_test(body_with_content_length),
		cmocka_unit_test(content_length_garbage),
		cmocka_unit_test(two_content_lengths),
		cmocka_unit_test(transfer_encoding),
		cmocka_unit_test(two_ranges_fields),
		cmocka_unit_test(request_line_limit),
		cmocka_unit_test(head_size_limit),
		cmocka_unit_test(header_count_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
