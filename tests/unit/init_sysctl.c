/* SPDX-License-Identifier: MIT */
/* init_sysctl -- one line of an /etc/sysctl.d file (app/init/sysctl.c):
 * key = value to a /proc/sys path, comments, '-', sysctl.conf(5)'s
 * dot/slash rule, and every kind of bad line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "root.h"
#include "sysctl.h"

static struct sysctl_setting s;
static const char *err;

static enum conf_result parse(const char *line)
{
	err = NULL;
	return sysctl_parse_line(line, strlen(line), &s, &err);
}

static void assert_bad(const char *line, const char *why)
{
	assert_int_equal(parse(line), CONF_BAD);
	assert_non_null(err);
	assert_string_equal(err, why);
}

static void dotted_key_with_spaces(void **state)
{
	(void)state;
	assert_int_equal(parse("net.core.rmem_max = 16777216"), CONF_OK);
	assert_string_equal(s.key, "net.core.rmem_max");
	assert_string_equal(s.path, "/proc/sys/net/core/rmem_max");
	assert_string_equal(s.value, "16777216");
	assert_false(s.ignore_missing);
	assert_null(err);
}

static void no_spaces_and_tabs(void **state)
{
	(void)state;
	assert_int_equal(parse("kernel.hostname=tern"), CONF_OK);
	assert_string_equal(s.path, "/proc/sys/kernel/hostname");
	assert_string_equal(s.value, "tern");
	assert_int_equal(parse("\t kernel.printk\t=\t4 4 1 7 \t"), CONF_OK);
	assert_string_equal(s.path, "/proc/sys/kernel/printk");
	assert_string_equal(s.value, "4 4 1 7");
}

static void value_keeps_inner_blanks_and_equals(void **state)
{
	(void)state;
	assert_int_equal(parse("net.ipv4.udp_mem = 65536 131072  262144  "), CONF_OK);
	assert_string_equal(s.value, "65536 131072  262144");
	assert_int_equal(parse("a.b = x=y"), CONF_OK);
	assert_string_equal(s.value, "x=y");
	assert_int_equal(parse("a.b = 1 # not a comment"), CONF_OK);
	assert_string_equal(s.value, "1 # not a comment");
}

static void carriage_return_is_trimmed(void **state)
{
	(void)state;
	assert_int_equal(parse("a.b = 1\r"), CONF_OK);
	assert_string_equal(s.value, "1");
}

static void comments_and_blank_lines_are_skipped(void **state)
{
	(void)state;
	assert_int_equal(parse(""), CONF_SKIP);
	assert_int_equal(parse("   \t "), CONF_SKIP);
	assert_int_equal(parse("# net.core.rmem_max = 1"), CONF_SKIP);
	assert_int_equal(parse("  ; kernel.x = 1"), CONF_SKIP);
	assert_int_equal(parse("#"), CONF_SKIP);
}

static void dash_marks_ignore_missing(void **state)
{
	(void)state;
	assert_int_equal(parse("-net.ipv4.tcp_ecn = 0"), CONF_OK);
	assert_true(s.ignore_missing);
	assert_string_equal(s.key, "net.ipv4.tcp_ecn");
	assert_string_equal(s.path, "/proc/sys/net/ipv4/tcp_ecn");
	assert_int_equal(parse("  - kernel.x = 1"), CONF_OK);
	assert_true(s.ignore_missing);
	assert_string_equal(s.key, "kernel.x");
	assert_int_equal(parse("kernel.x = -1"), CONF_OK);
	assert_false(s.ignore_missing);
	assert_string_equal(s.value, "-1");
}

static void slash_key_is_a_path(void **state)
{
	(void)state;
	assert_int_equal(parse("net/ipv4/conf/eth0.100/rp_filter = 1"), CONF_OK);
	assert_string_equal(s.path, "/proc/sys/net/ipv4/conf/eth0.100/rp_filter");
	assert_string_equal(s.key, "net/ipv4/conf/eth0.100/rp_filter");
}

static void dot_key_swaps_slashes(void **state)
{
	(void)state;
	assert_int_equal(parse("net.ipv4.conf.eth0/100.rp_filter = 1"), CONF_OK);
	assert_string_equal(s.path, "/proc/sys/net/ipv4/conf/eth0.100/rp_filter");
}

static void missing_equals(void **state)
{
	(void)state;
	assert_bad("net.core.rmem_max 16777216", "missing '=' (expected key = value)");
	assert_bad("-kernel.x", "missing '=' (expected key = value)");
}

static void empty_key(void **state)
{
	(void)state;
	assert_bad("= 1", "empty key");
	assert_bad("   =1", "empty key");
	assert_bad("- = 1", "empty key");
}

static void empty_value(void **state)
{
	(void)state;
	assert_bad("kernel.x =", "empty value");
	assert_bad("kernel.x = \t ", "empty value");
}

static void blank_in_key(void **state)
{
	(void)state;
	assert_bad("net core.x = 1", "blank or control character in key");
	assert_bad("net.\001core = 1", "blank or control character in key");
}

static void key_cannot_leave_proc_sys(void **state)
{
	static const char why[] = "bad key: empty, \".\" or \"..\" component";

	(void)state;
	assert_bad("kernel/../../etc/shadow = x", why);
	assert_bad("../../etc/passwd = x", why);
	assert_bad("net..core = 1", why);
	assert_bad(".net.core = 1", why);
	assert_bad("net.core. = 1", why);
	assert_bad("/net/core = 1", why);
	assert_bad("net//core = 1", why);
	assert_bad("kernel/./x = 1", why);
	assert_bad(".. = 1", why);
	/* dots are fine inside a slash-separated name */
	assert_int_equal(parse("net/ipv4/conf/a..b/x = 1"), CONF_OK);
	assert_string_equal(s.path, "/proc/sys/net/ipv4/conf/a..b/x");
}

static void line_length_limit(void **state)
{
	char line[CONF_LINE_MAX + 2];

	(void)state;
	memset(line, 'v', sizeof line);
	memcpy(line, "a.b = ", 6);
	assert_int_equal(sysctl_parse_line(line, CONF_LINE_MAX, &s, &err), CONF_OK);
	assert_int_equal(strlen(s.value), CONF_LINE_MAX - 6);
	assert_int_equal(sysctl_parse_line(line, CONF_LINE_MAX + 1, &s, &err), CONF_BAD);
	assert_string_equal(err, "line too long (more than 1024 bytes)");
}

static void longest_key_fits_the_path(void **state)
{
	char line[CONF_LINE_MAX + 1];

	(void)state;
	memset(line, 'k', CONF_LINE_MAX);
	memcpy(line + CONF_LINE_MAX - 2, "=1", 2);
	assert_int_equal(sysctl_parse_line(line, CONF_LINE_MAX, &s, &err), CONF_OK);
	assert_int_equal(strlen(s.path), strlen(SYSCTL_PREFIX) + CONF_LINE_MAX - 2);
}

static void nul_byte_is_bad(void **state)
{
	static const char line[] = "a.b = 1\0x";

	(void)state;
	assert_int_equal(sysctl_parse_line(line, sizeof line - 1, &s, &err), CONF_BAD);
	assert_string_equal(err, "NUL byte in line");
}

static void length_not_nul_bounds_the_line(void **state)
{
	static const char line[] = "a.b = 12345";

	(void)state;
	assert_int_equal(sysctl_parse_line(line, 8, &s, &err), CONF_OK);
	assert_string_equal(s.value, "12");
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static const char *get(const char *dir, const char *name, char *buf, size_t size)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "r")))
		return NULL;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The whole of sysctl_apply_dir against a test root: .conf files in name
 * order, a bad line or unknown key does not stop the rest, '-' keys and
 * other files are left alone, nothing is created under proc/sys. */
static void applies_conf_files_in_name_order(void **state)
{
	char dir[] = "/tmp/init_sysctl.XXXXXX", cmd[64], buf[64], logged[1024];
	static const char *const dirs[] = { "etc", "etc/sysctl.d", "etc/sysctl.d/40-dir.conf",
					    "proc", "proc/sys", "proc/sys/k" };

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		snprintf(buf, sizeof buf, "%s/%s", dir, dirs[i]);
		assert_int_equal(mkdir(buf, 0755), 0);
	}
	put(dir, "proc/sys/k/a", "0\n");
	put(dir, "proc/sys/k/b", "0\n");
	put(dir, "etc/sysctl.d/20-b.conf", "k.a = 2\n");
	put(dir, "etc/sysctl.d/10-a.conf",
	    "k.a = 1\nthis is no setting\nk.unknown = 5\n-k.missing = 1\nk/b = 7");
	put(dir, "etc/sysctl.d/30-c.conf.disabled", "k.b = 9\n");
	put(dir, "etc/sysctl.d/.hidden.conf", "k.b = 8\n");

	/* What boot logs, caught in a file: every problem as file:line. */
	snprintf(buf, sizeof buf, "%s/log", dir);
	int log = open(buf, O_RDWR | O_CREAT | O_TRUNC, 0600), saved = dup(2);
	assert_true(log >= 0 && saved >= 0);
	dup2(log, 2);
	assert_int_equal(root_set(dir), 0);
	sysctl_apply_dir();
	assert_int_equal(root_set(NULL), 0);
	dup2(saved, 2);
	close(saved);
	close(log);
	assert_non_null(get(dir, "log", logged, sizeof logged));
	assert_non_null(strstr(logged, ": warning: /etc/sysctl.d/10-a.conf:2: missing '='"));
	assert_non_null(strstr(logged, ": warning: /etc/sysctl.d/10-a.conf:3: unknown key k.unknown"));
	assert_null(strstr(logged, "missing (")); /* the '-' key: silent */
	assert_null(strstr(logged, "20-b.conf"));

	assert_string_equal(get(dir, "proc/sys/k/a", buf, sizeof buf), "2\n");
	assert_string_equal(get(dir, "proc/sys/k/b", buf, sizeof buf), "7\n");
	assert_null(get(dir, "proc/sys/k/missing", buf, sizeof buf));
	assert_null(get(dir, "proc/sys/k/unknown", buf, sizeof buf));
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dotted_key_with_spaces),
		cmocka_unit_test(no_spaces_and_tabs),
		cmocka_unit_test(value_keeps_inner_blanks_and_equals),
		cmocka_unit_test(carriage_return_is_trimmed),
		cmocka_unit_test(comments_and_blank_lines_are_skipped),
		cmocka_unit_test(dash_marks_ignore_missing),
		cmocka_unit_test(slash_key_is_a_path),
		cmocka_unit_test(dot_key_swaps_slashes),
		cmocka_unit_test(missing_equals),
		cmocka_unit_test(empty_key),
		cmocka_unit_test(empty_value),
		cmocka_unit_test(blank_in_key),
		cmocka_unit_test(key_cannot_leave_proc_sys),
		cmocka_unit_test(line_length_limit),
		cmocka_unit_test(longest_key_fits_the_path),
		cmocka_unit_test(nul_byte_is_bad),
		cmocka_unit_test(length_not_nul_bounds_the_line),
		cmocka_unit_test(applies_conf_files_in_name_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
