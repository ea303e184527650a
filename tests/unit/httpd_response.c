/* SPDX-License-Identifier: MIT */
/* httpd_response -- Range, dates, content types (app/httpd/range.c) and
 * what a request is answered with (response.c): 200, 206, 304, 416 and the
 * head's bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "range.h"
#include "response.h"

static uint64_t first, last;

static enum range_result range(const char *v, uint64_t size)
{
	first = last = 12345;
	return range_parse(v, strlen(v), size, &first, &last);
}

static void assert_part(const char *v, uint64_t size, uint64_t a, uint64_t b)
{
	assert_int_equal(range(v, size), RANGE_PART);
	assert_int_equal(first, a);
	assert_int_equal(last, b);
}

static void range_first_last(void **state)
{
	(void)state;
	assert_part("bytes=0-99", 1000, 0, 99);
	assert_part("bytes=10-10", 1000, 10, 10);
	assert_part("bytes=900-2000", 1000, 900, 999); /* cut to the end */
	assert_part("BYTES=0-0", 1, 0, 0);
	assert_part("bytes= 5-6 ", 10, 5, 6);
}

static void range_open_ended(void **state)
{
	(void)state;
	assert_part("bytes=100-", 1000, 100, 999);
	assert_part("bytes=999-", 1000, 999, 999);
}

static void range_suffix(void **state)
{
	(void)state;
	assert_part("bytes=-100", 1000, 900, 999);
	assert_part("bytes=-5000", 1000, 0, 999); /* the whole, shorter file */
}

static void range_unsatisfiable(void **state)
{
	(void)state;
	assert_int_equal(range("bytes=1000-", 1000), RANGE_UNSATISFIABLE);
	assert_int_equal(range("bytes=1000-2000", 1000), RANGE_UNSATISFIABLE);
	assert_int_equal(range("bytes=-0", 1000), RANGE_UNSATISFIABLE);
	assert_int_equal(range("bytes=0-", 0), RANGE_UNSATISFIABLE);
	assert_int_equal(range("bytes=-1", 0), RANGE_UNSATISFIABLE);
	assert_int_equal(range("bytes=99999999999999999999999-", 1000), RANGE_UNSATISFIABLE);
}

static void range_huge_last_saturates(void **state)
{
	(void)state;
	assert_part("bytes=0-99999999999999999999999999", 1000, 0, 999);
}

static void several_ranges_answered_whole(void **state)
{
	(void)state;
	assert_int_equal(range("bytes=0-1,5-6", 1000), RANGE_WHOLE);
	assert_int_equal(range("bytes=0-1, -5", 1000), RANGE_WHOLE);
}

static void unreadable_ranges_ignored(void **state)
{
	(void)state;
	assert_int_equal(range("bytes=5-2", 1000), RANGE_WHOLE);
	assert_int_equal(range("items=0-1", 1000), RANGE_WHOLE);
	assert_int_equal(range("bytes=", 1000), RANGE_WHOLE);
	assert_int_equal(range("bytes=-", 1000), RANGE_WHOLE);
	assert_int_equal(range("bytes=a-b", 1000), RANGE_WHOLE);
	assert_int_equal(range("bytes=1", 1000), RANGE_WHOLE);
	assert_int_equal(range("bytes=--1", 1000), RANGE_WHOLE);
	assert_int_equal(range("bytes=+1-2", 1000), RANGE_WHOLE);
}

static void dates_in_three_forms(void **state)
{
	time_t t = 0;

	(void)state;
	assert_true(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", 29, &t));
	assert_int_equal(t, 784111777);
	t = 0;
	assert_true(http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", 30, &t));
	assert_int_equal(t, 784111777);
	t = 0;
	assert_true(http_date_parse("Sun Nov  6 08:49:37 1994", 24, &t));
	assert_int_equal(t, 784111777);
	assert_true(http_date_parse("Thu, 01 Jan 1970 00:00:00 GMT", 29, &t));
	assert_int_equal(t, 0);
	assert_true(http_date_parse("Tue, 29 Feb 2028 23:59:59 GMT", 29, &t));
	assert_int_equal(t, 1835481599);
}

static void bad_dates(void **state)
{
	static const char *const bad[] = {
		"Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 GMTx",
		"Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:00:00 GMT", "yesterday", "",
		"Sun, 06 Nov 1994 08:49:37 GMT and then a great deal more text than fits",
	};
	time_t t;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(http_date_parse(bad[i], strlen(bad[i]), &t));
}

static void date_format(void **state)
{
	char d[HTTP_DATE_LEN];

	(void)state;
	http_date_format(784111777, d);
	assert_string_equal(d, "Sun, 06 Nov 1994 08:49:37 GMT");
}

static void content_types(void **state)
{
	(void)state;
	assert_string_equal(http_content_type("boot.ipxe"), "text/plain");
	assert_string_equal(http_content_type("menu/BOOT.IPXE"), "text/plain");
	assert_string_equal(http_content_type("vmlinuz"), "application/octet-stream");
	assert_string_equal(http_content_type("initrd.img"), "application/octet-stream");
	assert_string_equal(http_content_type("a.iso"), "application/x-iso9660-image");
	assert_string_equal(http_content_type("dir.ipxe/kernel"), "application/octet-stream");
	assert_string_equal(http_content_type("index.html"), "text/html");
}

/* The time the plans below are made at: after every file's date. */
#define NOW 790000000

/* A request as http_parse_request would give it. */
static struct http_request request(const char *range, const char *ims)
{
	struct http_request r = { .method = HTTP_GET, .minor = 1, .keep_alive = true };

	if (range)
		r.range = (struct http_str){ range, strlen(range) };
	if (ims)
		r.if_modified_since = (struct http_str){ ims, strlen(ims) };
	return r;
}

static void plan_whole_file(void **state)
{
	struct http_request req = request(NULL, NULL);
	struct http_reply r;

	(void)state;
	http_plan(&req, "vmlinuz", 5000, 784111777, NOW, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.offset, 0);
	assert_int_equal(r.length, 5000);
	assert_false(r.head_only);
	assert_false(r.close);
	req.method = HTTP_HEAD;
	http_plan(&req, "vmlinuz", 5000, 784111777, NOW, &r);
	assert_int_equal(r.status, 200);
	assert_true(r.head_only);
	assert_int_equal(r.length, 5000);
}

static void plan_not_modified(void **state)
{
	struct http_request req = request("bytes=0-1", "Sun, 06 Nov 1994 08:49:37 GMT");
	struct http_reply r;

	(void)state;
	http_plan(&req, "x", 5000, 784111777, NOW, &r);
	assert_int_equal(r.status, 304);
	assert_true(r.head_only);
	http_plan(&req, "x", 5000, 784111776, NOW, &r);
	assert_int_equal(r.status, 304);
	http_plan(&req, "x", 5000, 784111778, NOW, &r); /* modified since: the range */
	assert_int_equal(r.status, 206);
	req.if_modified_since = (struct http_str){ "garbage", 7 };
	http_plan(&req, "x", 5000, 784111777, NOW, &r);
	assert_int_equal(r.status, 206);
}

static void plan_ranges(void **state)
{
	struct http_request req = request("bytes=-100", NULL);
	struct http_reply r;

	(void)state;
	http_plan(&req, "x", 5000, 1, NOW, &r);
	assert_int_equal(r.status, 206);
	assert_int_equal(r.offset, 4900);
	assert_int_equal(r.length, 100);
	req = request("bytes=5000-", NULL);
	http_plan(&req, "x", 5000, 1, NOW, &r);
	assert_int_equal(r.status, 416);
	assert_true(r.head_only);
	assert_int_equal(r.length, 0);
	req = request("bytes=0-1,3-4", NULL);
	http_plan(&req, "x", 5000, 1, NOW, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.length, 5000);
}

/* Field f of a request (a GET of bytes=10-19 when range) set to v. */
static struct http_request conditional(size_t f, const char *v, bool range)
{
	struct http_request r = request(range ? "bytes=10-19" : NULL, NULL);

	*(struct http_str *)((char *)&r + f) = (struct http_str){ v, strlen(v) };
	return r;
}

static int plan_status(struct http_request req, time_t mtime)
{
	struct http_reply r;

	http_plan(&req, "x", 100, mtime, NOW, &r);
	if (r.status == 304 || r.status == 412)
		assert_true(r.head_only);
	return r.status;
}

#define T 784111777 /* Sun, 06 Nov 1994 08:49:37 GMT, tag "2ebc98a1-64" */
#define IM offsetof(struct http_request, if_match)
#define INM offsetof(struct http_request, if_none_match)
#define IUS offsetof(struct http_request, if_unmodified_since)
#define IR offsetof(struct http_request, if_range)

static void plan_if_none_match(void **state)
{
	struct http_request req;

	(void)state;
	assert_int_equal(plan_status(conditional(INM, "\"2ebc98a1-64\"", false), T), 304);
	assert_int_equal(plan_status(conditional(INM, "W/\"2ebc98a1-64\"", false), T), 304);
	assert_int_equal(plan_status(conditional(INM, "\"x\",W/\"2ebc98a1-64\"", false), T), 304);
	assert_int_equal(plan_status(conditional(INM, "*", false), T), 304);
	assert_int_equal(plan_status(conditional(INM, "\"2ebc98a1-65\"", false), T), 200);
	assert_int_equal(plan_status(conditional(INM, "\"2ebc98a1-64\"", true), T + 1), 206);
	assert_int_equal(plan_status(conditional(INM, "2ebc98a1-64", false), T), 200);
	assert_int_equal(plan_status(conditional(INM, "\"2ebc98a1-64", false), T), 200);
	/* a list with anything but entity tags in it names nothing */
	assert_int_equal(plan_status(conditional(INM, "\"2ebc98a1-64\", x", false), T), 200);
	assert_int_equal(plan_status(conditional(INM, "\"2ebc98a1-64\"x", false), T), 200);
	assert_int_equal(plan_status(conditional(INM, "\"2ebc98a1-64\", x\"", false), T), 200);
	assert_int_equal(plan_status(conditional(INM, " \"2ebc98a1-64\" , ", false), T), 304);
	/* If-None-Match there: If-Modified-Since is not read */
	req = conditional(INM, "\"other\"", false);
	req.if_modified_since = (struct http_str){ "Sun, 06 Nov 1994 08:49:37 GMT", 29 };
	assert_int_equal(plan_status(req, T), 200);
}

static void plan_if_match_and_unmodified_since(void **state)
{
	struct http_request req;

	(void)state;
	assert_int_equal(plan_status(conditional(IM, "\"2ebc98a1-64\"", true), T), 206);
	assert_int_equal(plan_status(conditional(IM, "\"a\", \"2ebc98a1-64\"", false), T), 200);
	assert_int_equal(plan_status(conditional(IM, "*", false), T), 200);
	assert_int_equal(plan_status(conditional(IM, "W/\"2ebc98a1-64\"", false), T), 412);
	assert_int_equal(plan_status(conditional(IM, "\"2ebc98a1-64\"", true), T + 1), 412);
	assert_int_equal(plan_status(conditional(IM, "garbage", false), T), 412);
	assert_int_equal(plan_status(conditional(IM, "\"2ebc98a1-64\", W/", false), T), 412);
	assert_int_equal(plan_status(conditional(IUS, "Sun, 06 Nov 1994 08:49:37 GMT", true), T),
			 206);
	assert_int_equal(plan_status(conditional(IUS, "Sun, 06 Nov 1994 08:49:37 GMT", true),
				     T + 1), 412);
	assert_int_equal(plan_status(conditional(IUS, "garbage", false), T + 1), 200);
	/* If-Match there: If-Unmodified-Since is not read */
	req = conditional(IM, "*", false);
	req.if_unmodified_since = (struct http_str){ "Sun, 06 Nov 1994 08:49:36 GMT", 29 };
	assert_int_equal(plan_status(req, T), 200);
	/* 412 before 304 */
	req = conditional(IM, "\"a\"", false);
	req.if_none_match = (struct http_str){ "*", 1 };
	assert_int_equal(plan_status(req, T), 412);
}

static void plan_if_range(void **state)
{
	struct http_request req;
	struct http_reply r;

	(void)state;
	assert_int_equal(plan_status(conditional(IR, "\"2ebc98a1-64\"", true), T), 206);
	assert_int_equal(plan_status(conditional(IR, "\"2ebc98a1-64\"", true), T + 1), 200);
	assert_int_equal(plan_status(conditional(IR, "W/\"2ebc98a1-64\"", true), T), 200);
	assert_int_equal(plan_status(conditional(IR, "\"2ebc98a1-64\" x", true), T), 200);
	assert_int_equal(plan_status(conditional(IR, "Sun, 06 Nov 1994 08:49:37 GMT", true), T),
			 206);
	assert_int_equal(plan_status(conditional(IR, "Sunday, 06-Nov-94 08:49:37 GMT", true), T),
			 206);
	assert_int_equal(plan_status(conditional(IR, "Sun, 06 Nov 1994 08:49:36 GMT", true), T),
			 200);
	assert_int_equal(plan_status(conditional(IR, "garbage", true), T), 200);
	/* a date whose day starts with W is a date, not a weak tag */
	assert_int_equal(plan_status(conditional(IR, "Wed, 09 Nov 1994 08:49:37 GMT", true),
				     T + 3 * 86400), 206);
	/* Last-Modified in the current second: no strong validator */
	req = conditional(IR, "Sun, 06 Nov 1994 08:49:37 GMT", true);
	http_plan(&req, "x", 100, T, T, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.length, 100);
	/* without a Range, If-Range changes nothing */
	assert_int_equal(plan_status(conditional(IR, "\"other\"", false), T), 200);
}

static void head_of_412_and_etags(void **state)
{
	struct http_request req = conditional(IM, "\"a\"", false);
	struct http_reply r;
	char buf[512];

	(void)state;
	http_plan(&req, "x", 100, T, NOW, &r);
	http_head(buf, sizeof buf, &r, 0);
	assert_non_null(strstr(buf, "HTTP/1.1 412 Precondition Failed\r\n"));
	assert_non_null(strstr(buf, "ETag: \"2ebc98a1-64\"\r\n"));
	assert_non_null(strstr(buf, "Content-Length: 0\r\n"));
	assert_null(strstr(buf, "Content-Type"));
	req = request(NULL, NULL);
	http_plan(&req, "x", 0, 1, NOW, &r);
	http_head(buf, sizeof buf, &r, 0);
	assert_non_null(strstr(buf, "ETag: \"1-0\"\r\n"));
	http_plan(&req, "x", UINT64_MAX, 0x7fffffff, NOW, &r);
	http_head(buf, sizeof buf, &r, 0);
	assert_non_null(strstr(buf, "ETag: \"7fffffff-ffffffffffffffff\"\r\n"));
	http_plan_error(404, 1, true, false, &r);
	http_head(buf, sizeof buf, &r, 0);
	assert_null(strstr(buf, "ETag"));
}

static void head_bytes(void **state)
{
	struct http_request req = request("bytes=10-19", NULL);
	struct http_reply r;
	char buf[512];
	size_t n;

	(void)state;
	http_plan(&req, "boot.ipxe", 100, 784111777, NOW, &r);
	n = http_head(buf, sizeof buf, &r, 784111777);
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "HTTP/1.1 206 Partial Content\r\n"
				 "Server: tern-httpd\r\n"
				 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
				 "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
				 "ETag: \"2ebc98a1-64\"\r\n"
				 "Accept-Ranges: bytes\r\n"
				 "Content-Type: text/plain\r\n"
				 "Content-Range: bytes 10-19/100\r\n"
				 "Content-Length: 10\r\n"
				 "\r\n");
	assert_int_equal(http_head(buf, n, &r, 0), 0); /* one byte short */
	assert_int_equal(http_head(buf, n + 1, &r, 784111777), n);
}

/* Dates are formatted once and kept while they stay the same: a head
 * after another with another time or file date has its own. */
static void head_dates_follow_time_and_file(void **state)
{
	struct http_request req = request(NULL, NULL);
	struct http_reply r;
	char buf[512];

	(void)state;
	http_plan(&req, "a", 100, 784111777, NOW, &r);
	http_head(buf, sizeof buf, &r, 784111777);
	assert_non_null(strstr(buf, "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"));
	http_head(buf, sizeof buf, &r, 784111778);
	assert_non_null(strstr(buf, "Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n"));
	assert_non_null(strstr(buf, "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"));
	http_plan(&req, "b", 100, 0x7fffffff, NOW, &r);
	http_head(buf, sizeof buf, &r, 784111778);
	assert_non_null(strstr(buf, "Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n"));
	assert_non_null(strstr(buf, "Last-Modified: Tue, 19 Jan 2038 03:14:07 GMT\r\n"));
	http_head(buf, sizeof buf, &r, 0);
	assert_non_null(strstr(buf, "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"));
}

static void head_of_errors(void **state)
{
	struct http_reply r;
	char buf[512];

	(void)state;
	http_plan_error(405, 0, false, false, &r);
	assert_true(http_head(buf, sizeof buf, &r, 0) > 0);
	assert_non_null(strstr(buf, "HTTP/1.0 405 Method Not Allowed\r\n"));
	assert_non_null(strstr(buf, "Allow: GET, HEAD\r\n"));
	assert_non_null(strstr(buf, "Connection: close\r\n"));
	assert_int_equal(r.length, strlen(r.text));
	http_plan_error(404, 1, true, false, &r);
	http_head(buf, sizeof buf, &r, 0);
	assert_null(strstr(buf, "Connection:"));
	assert_null(strstr(buf, "Accept-Ranges:"));
	assert_string_equal(http_reason(431), "Request Header Fields Too Large");
	assert_string_equal(http_reason(299), "Error");
}

static void head_of_416_and_304(void **state)
{
	struct http_request req = request("bytes=100-", NULL);
	struct http_reply r;
	char buf[512];

	(void)state;
	http_plan(&req, "x", 100, 0, NOW, &r);
	http_head(buf, sizeof buf, &r, 0);
	assert_non_null(strstr(buf, "Content-Range: bytes */100\r\n"));
	assert_non_null(strstr(buf, "Content-Length: 0\r\n"));
	req = request(NULL, "Sun, 06 Nov 1994 08:49:37 GMT");
	http_plan(&req, "x", 100, 784111777, NOW, &r);
	http_head(buf, sizeof buf, &r, 0);
	assert_non_null(strstr(buf, "HTTP/1.1 304 Not Modified\r\n"));
	assert_null(strstr(buf, "Content-Length"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(range_first_last),
		cmocka_unit_test(range_open_ended),
		cmocka_unit_test(range_suffix),
		cmocka_unit_test(range_unsatisfiable),
		cmocka_unit_test(range_huge_last_saturates),
		cmocka_unit_test(several_ranges_answered_whole),
		cmocka_unit_test(unreadable_ranges_ignored),
		cmocka_unit_test(dates_in_three_forms),
		cmocka_unit_test(bad_dates),
		cmocka_unit_test(date_format),
		cmocka_unit_test(content_types),
		cmocka_unit_test(plan_whole_file),
		cmocka_unit_test(plan_not_modified),
		cmocka_unit_test(plan_ranges),
		cmocka_unit_test(head_bytes),
		cmocka_unit_test(head_dates_follow_time_and_file),
		cmocka_unit_test(head_of_errors),
		cmocka_unit_test(head_of_416_and_304),
		cmocka_unit_test(plan_if_none_match),
		cmocka_unit_test(plan_if_match_and_unmodified_since),
		cmocka_unit_test(plan_if_range),
		cmocka_unit_test(head_of_412_and_etags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
