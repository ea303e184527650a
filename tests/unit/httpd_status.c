/* SPDX-License-Identifier: MIT */
/* httpd_status -- the status pages' text (app/httpd/status_write.c) and
 * their renderers (status_html.c, status_json.c, metrics.c) on a snapshot
 * made by hand: every client-chosen byte escaped for its format, and the
 * Prometheus families written once each, in one piece. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <sys/socket.h>

#include "status.h"

static char *untrusted(enum sb_format f, const char *s, size_t n)
{
	static struct sbuf b;

	sb_free(&b);
	sb_untrusted(&b, f, s, n);
	assert_false(b.failed);
	return b.p ? b.p : "";
}

#define U(f, lit) untrusted((f), (lit), sizeof(lit) - 1)

static void html_escapes_specials(void **state)
{
	(void)state;
	assert_string_equal(U(SB_HTML, "<script>alert('x')</script>&\""),
			    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
	assert_string_equal(U(SB_HTML, "PXEClient:Arch:00007"), "PXEClient:Arch:00007");
}

static void control_and_broken_bytes_shown_as_hex(void **state)
{
	(void)state;
	assert_string_equal(U(SB_HTML, "a\x01" "b\nc\x7f"), "a\\x01b\\x0ac\\x7f");
	assert_string_equal(U(SB_HTML, "\xff\xfe"), "\\xff\\xfe");
	/* an overlong '.', a surrogate, a cut sequence */
	assert_string_equal(U(SB_HTML, "\xc0\xae"), "\\xc0\\xae");
	assert_string_equal(U(SB_HTML, "\xed\xa0\x80"), "\\xed\\xa0\\x80");
	assert_string_equal(U(SB_HTML, "x\xc3"), "x\\xc3");
	/* well-formed UTF-8 stays as it is */
	assert_string_equal(U(SB_HTML, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa6"),
			    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa6");
	assert_string_equal(U(SB_HTML, "nul\0x"), "nul\\x00x");
}

static void json_and_label_escapes(void **state)
{
	(void)state;
	assert_string_equal(U(SB_JSON, "a\"b\\c<d>\x01\xff"), "a\\\"b\\\\c<d>\\\\x01\\\\xff");
	assert_string_equal(U(SB_LABEL, "a\"b\\c\n"), "a\\\"b\\\\c\\\\x0a");
}

static struct status_snapshot hostile(void)
{
	/* sorted as status_gather sorts: by name, labels, daemon */
	static struct status_sample samples[] = {
		{ "tftpd", "bad name", "", "x", STATS_COUNTER, 1 },           /* left out */
		{ "tftpd", "tern_tftpd_bytes_sent_total", "", "bytes sent", STATS_COUNTER, 1000 },
		{ "tftpd", "tern_tftpd_refused_total", "cause=\"access violation\"", "refused",
		  STATS_COUNTER, 1 },
		{ "zz", "tern_tftpd_refused_total", "cause=\"access violation\"", "refused",
		  STATS_COUNTER, 9 },                      /* a repeated series: left out */
		{ "tftpd", "tern_tftpd_refused_total", "cause=\"file not found\"", "refused",
		  STATS_COUNTER, 3 },
		{ "tftpd", "tern_tftpd_transfers", "", "now", STATS_GAUGE, 2 },
		{ "tftpd", "tern_tftpd_x", "cause=\"a\nb\"", "x", STATS_COUNTER, 1 }, /* left out */
	};
	static struct journal_client clients[1];
	struct status_snapshot s = {
		.have_stats = true, .have_journal = true, .ndaemons = 1,
		.nsamples = sizeof samples / sizeof samples[0], .samples = samples,
		.nclients = 1, .clients = clients,
	};
	struct journal_client *c = &clients[0];

	strcpy(s.box.hostname, "lab<b>");
	strcpy(s.box.version, "1.0\"0");
	strcpy(s.daemons[0].name, "tftpd");
	s.daemons[0].processes = s.daemons[0].alive = 1;
	*c = (struct journal_client){ .has_mac = true, .mac = { 0x52, 0x54, 0, 0, 2, 0x64 },
				      .family = AF_INET, .ip = { 192, 0, 2, 100 },
				      .has_arch = true, .arch = 7,
				      .stage = JOURNAL_STAGE_FETCHED, .stall = JOURNAL_STALL_NOT_FOUND,
				      .nfiles = 1, .first_ms = 1000, .last_ms = 3500 };
	strcpy(c->vendor, "<script>alert(1)</script>");
	strcpy(c->cause, "evil\"<img src=x>.efi");
	strcpy(c->files[0].name, "x'\"<i>\x01.efi");
	c->files[0] = (struct journal_file){ .proto = JOURNAL_TFTP, .end = JOURNAL_END_NOT_FOUND };
	strcpy(c->files[0].name, "x'\"<i>\x01.efi");
	return s;
}

static void html_page_holds_no_client_markup(void **state)
{
	struct status_snapshot s = hostile();
	struct sbuf b = { 0 };

	(void)state;
	status_html(&s, 5, &b);
	assert_non_null(strstr(b.p, "<meta http-equiv=\"refresh\" content=\"5\">"));
	assert_null(strstr(b.p, "<script"));
	assert_null(strstr(b.p, "<img"));
	assert_null(strstr(b.p, "lab<b>"));
	assert_non_null(strstr(b.p, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(b.p, "x&#39;&quot;&lt;i&gt;\\x01.efi"));
	assert_non_null(strstr(b.p, "52:54:00:00:02:64"));
	assert_non_null(strstr(b.p, "192.0.2.100"));
	assert_non_null(strstr(b.p, "7 (x64 UEFI)"));
	sb_free(&b);
}

static void json_strings_escaped(void **state)
{
	struct status_snapshot s = hostile();
	struct sbuf b = { 0 };

	(void)state;
	status_json(&s, &b);
	assert_non_null(strstr(b.p, "\"vendor_class\":\"<script>alert(1)</script>\""));
	assert_non_null(strstr(b.p, "\"cause\":\"evil\\\"<img src=x>.efi\""));
	assert_non_null(strstr(b.p, "\"name\":\"x'\\\"<i>\\\\x01.efi\""));
	assert_non_null(strstr(b.p, "\"version\":\"1.0\\\"0\""));
	assert_non_null(strstr(b.p, "\"mac\":\"52:54:00:00:02:64\""));
	sb_free(&b);
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void metrics_families_once_each(void **state)
{
	struct status_snapshot s = hostile();
	struct sbuf b = { 0 };
	const char *help, *one, *two;

	(void)state;
	metrics_text(&s, &b);
	assert_int_equal(count(b.p, "# TYPE tern_tftpd_refused_total counter\n"), 1);
	assert_int_equal(count(b.p, "# HELP tern_tftpd_refused_total "), 1);
	help = strstr(b.p, "# HELP tern_tftpd_refused_total ");
	one = strstr(b.p, "tern_tftpd_refused_total{cause=\"access violation\"} 1\n");
	two = strstr(b.p, "tern_tftpd_refused_total{cause=\"file not found\"} 3\n");
	assert_true(help && one && two && help < one && one < two);
	assert_int_equal(count(b.p, "tern_tftpd_refused_total{cause=\"access violation\"}"), 1);
	assert_null(strstr(b.p, "} 9\n"));
	assert_non_null(strstr(b.p, "# TYPE tern_tftpd_transfers gauge\ntern_tftpd_transfers 2\n"));
	assert_null(strstr(b.p, "bad name"));
	assert_null(strstr(b.p, "tern_tftpd_x"));
	assert_non_null(strstr(b.p, "tern_build_info{board=\"\",version=\"1.0\\\"0\",slot=\"\"} 1\n"));
	assert_non_null(strstr(b.p, "tern_daemon_up{daemon=\"tftpd\"} 1\n"));
	assert_non_null(strstr(b.p, "tern_journal_clients{stage=\"fetched\"} 1\n"));
	assert_non_null(strstr(b.p, "tern_journal_clients_stalled{cause=\"file not found\"} 1\n"));
	/* no per-client label anywhere */
	assert_null(strstr(b.p, "52:54:00"));
	assert_null(strstr(b.p, "192.0.2.100"));
	sb_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(html_escapes_specials),
		cmocka_unit_test(control_and_broken_bytes_shown_as_hex),
		cmocka_unit_test(json_and_label_escapes),
		cmocka_unit_test(html_page_holds_no_client_markup),
		cmocka_unit_test(json_strings_escaped),
		cmocka_unit_test(metrics_families_once_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
