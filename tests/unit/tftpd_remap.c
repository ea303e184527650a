/* SPDX-License-Identifier: MIT */
/* tftpd_remap -- filename remapping rules (app/tftpd/remap.c): the line
 * syntax and its bad lines, each flag and escape applied, and a file read
 * whole or not at all (remap_load.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "remap.h"

static struct remap_rules rules;
static char why[REMAP_WHY_MAX];
static char out[REMAP_NAME_MAX + 1];

static enum conf_result parse(const char *line, struct remap_rule *r)
{
	why[0] = '\0';
	return remap_parse_line(line, strlen(line), r, why);
}

/* rules = the lines given, each of which must be a rule. */
static void load(const char *const *lines, size_t n)
{
	for (size_t i = 0; i < rules.n; i++)
		remap_rule_free(&rules.rule[i]);
	rules.n = 0;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(parse(lines[i], &rules.rule[rules.n]), CONF_OK);
		rules.n++;
	}
}

#define LOAD(...)                                                          \
	do {                                                               \
		static const char *const l[] = { __VA_ARGS__ };           \
		load(l, sizeof l / sizeof l[0]);                           \
	} while (0)

static int teardown(void **state)
{
	(void)state;
	load(NULL, 0);
	return 0;
}

static const char *apply(const char *name)
{
	assert_int_equal(remap_apply(&rules, false, name, "192.0.2.7", out, sizeof out), REMAP_OK);
	return out;
}

static void assert_bad(const char *line, const char *message)
{
	struct remap_rule r;

	assert_int_equal(parse(line, &r), CONF_BAD);
	assert_string_equal(why, message);
}

static void comments_and_blank_lines(void **state)
{
	struct remap_rule r;

	(void)state;
	assert_int_equal(parse("", &r), CONF_SKIP);
	assert_int_equal(parse(" \t\r", &r), CONF_SKIP);
	assert_int_equal(parse("# rg \\\\ /", &r), CONF_SKIP);
	assert_int_equal(parse("   #", &r), CONF_SKIP);
}

static void rule_fields(void **state)
{
	struct remap_rule r;

	(void)state;
	assert_int_equal(parse("rg \\\\ /", &r), CONF_OK);
	assert_int_equal(r.flags, REMAP_REPLACE | REMAP_GLOBAL);
	assert_string_equal(r.replacement, "/");
	remap_rule_free(&r);
	assert_int_equal(parse("\tri  ^A(b)  x\\1\\ y\\#  # comment", &r), CONF_OK);
	assert_int_equal(r.flags, REMAP_REPLACE | REMAP_ICASE);
	assert_string_equal(r.replacement, "x\\1\\ y\\#");
	remap_rule_free(&r);
	assert_int_equal(parse("eGa", &r), CONF_BAD); /* a and e */
	assert_int_equal(parse("aG \\.key$", &r), CONF_OK);
	assert_int_equal(r.flags, REMAP_DENY | REMAP_GET);
	assert_string_equal(r.replacement, "");
	remap_rule_free(&r);
	assert_int_equal(parse("eP x", &r), CONF_OK);
	assert_int_equal(r.flags, REMAP_END | REMAP_PUT);
	remap_rule_free(&r);
}

static void bad_lines(void **state)
{
	char longline[CONF_LINE_MAX + 2];

	(void)state;
	assert_bad("x a b", "unknown flag 'x' (expected r g i e a G P)");
	assert_bad("rj a b", "unknown flag 'j' (expected r g i e a G P)");
	assert_bad("s a", "unknown flag 's' (expected r g i e a G P)");
	assert_bad("~ a", "unknown flag '~' (expected r g i e a G P)");
	assert_bad(":label", "labels (:label) are not supported");
	assert_bad("g a b", "flag g needs flag r");
	assert_bad("ra a b", "flags a and r cannot be combined");
	assert_bad("ae a", "flags a and e cannot be combined");
	assert_bad("rGP a b", "flags G and P cannot be combined");
	assert_bad("r", "missing regex");
	assert_bad("r # a b", "missing regex");
	assert_bad("e ^a b", "replacement given without flag r");
	assert_bad("r a b c", "text after the replacement: c");
	assert_bad("r (a) \\2", "\\2 names a group the regex does not have");
	assert_bad("r a \\1", "\\1 names a group the regex does not have");
	assert_bad("r a \\U", "unknown escape \\U (expected \\0-\\9 \\i \\\\ \\# or \\ and a blank)");
	assert_bad("r a \\x", "unknown escape \\x (expected \\0-\\9 \\i \\\\ \\# or \\ and a blank)");
	assert_bad("r a b\\", "replacement ends with a lone backslash");
	assert_int_equal(remap_parse_line("r a\0b c", 7, &(struct remap_rule){ 0 }, why), CONF_BAD);
	assert_string_equal(why, "NUL byte in line");
	memset(longline, ' ', sizeof longline);
	assert_int_equal(remap_parse_line(longline, CONF_LINE_MAX + 1, &(struct remap_rule){ 0 }, why),
			 CONF_BAD);
	assert_string_equal(why, "line too long (more than 1024 bytes)");
}

static void bad_regex(void **state)
{
	struct remap_rule r;

	(void)state;
	assert_int_equal(parse("r a(b x", &r), CONF_BAD);
	assert_true(strncmp(why, "bad regex: ", 11) == 0);
	assert_true(strlen(why) > 11);
	assert_int_equal(parse("r *[ x", &r), CONF_BAD);
}

static void backslashes_become_slashes(void **state)
{
	(void)state;
	LOAD("rg \\\\ /");
	assert_string_equal(apply("Boot\\BCD"), "Boot/BCD");
	assert_string_equal(apply("\\Boot\\x64\\wdsmgfw.efi"), "/Boot/x64/wdsmgfw.efi");
	assert_string_equal(apply("plain"), "plain");
}

static void client_address_and_groups(void **state)
{
	(void)state;
	LOAD("r ^pxelinux\\.cfg/ hosts/\\i/", "r ^([a-z]+)-([0-9]+)$ \\2-\\1", "r \\.efi$ \\0.signed");
	assert_string_equal(apply("pxelinux.cfg/default"), "hosts/192.0.2.7/default");
	assert_string_equal(apply("kernel-61"), "61-kernel");
	assert_string_equal(apply("grubx64.efi"), "grubx64.efi.signed");
	assert_int_equal(remap_apply(&rules, false, "pxelinux.cfg/x", "2001:db8::7", out, sizeof out),
			 REMAP_OK);
	assert_string_equal(out, "hosts/2001:db8::7/x");
	assert_int_equal(remap_apply(&rules, false, "pxelinux.cfg/x", NULL, out, sizeof out),
			 REMAP_OK);
	assert_string_equal(out, "hosts//x");
}

static void unmatched_group_is_empty(void **state)
{
	(void)state;
	LOAD("r ^(a)?(b)$ [\\1|\\2]");
	assert_string_equal(apply("b"), "[|b]");
	assert_string_equal(apply("ab"), "[a|b]");
}

static void literal_escapes(void **state)
{
	(void)state;
	LOAD("r ^x$ a\\\\b\\ c\\#d", "r ^a\\ b$ space", "r ^h\\#$ hash");
	assert_string_equal(apply("x"), "a\\b c#d");
	assert_string_equal(apply("a b"), "space");
	assert_string_equal(apply("h#"), "hash");
}

static void case_insensitive(void **state)
{
	(void)state;
	LOAD("ri ^BOOT/ boot/");
	assert_string_equal(apply("Boot/x"), "boot/x");
	assert_string_equal(apply("bOOT/x"), "boot/x");
	LOAD("r ^BOOT/ boot/");
	assert_string_equal(apply("Boot/x"), "Boot/x");
}

static void rules_apply_in_turn_and_e_stops(void **state)
{
	(void)state;
	LOAD("r ^a$ b", "re ^b$ c", "r ^c$ d");
	assert_string_equal(apply("a"), "c");
	assert_string_equal(apply("c"), "d");
	LOAD("r ^a$ b", "r ^b$ c", "r ^c$ d");
	assert_string_equal(apply("a"), "d");
	LOAD("e ^keep", "r ^ x/");
	assert_string_equal(apply("keep.me"), "keep.me");
	assert_string_equal(apply("other"), "x/other");
}

static void a_denies(void **state)
{
	(void)state;
	LOAD("rg \\\\ /", "ai \\.(key|pem)$");
	assert_int_equal(remap_apply(&rules, false, "certs\\Server.KEY", "", out, sizeof out),
			 REMAP_DENIED);
	assert_string_equal(apply("certs\\server.crt"), "certs/server.crt");
}

static void get_and_put_rules(void **state)
{
	(void)state;
	LOAD("rG ^ get/", "rP ^ put/");
	assert_int_equal(remap_apply(&rules, false, "f", "", out, sizeof out), REMAP_OK);
	assert_string_equal(out, "get/f");
	assert_int_equal(remap_apply(&rules, true, "f", "", out, sizeof out), REMAP_OK);
	assert_string_equal(out, "put/f");
}

/* g as sed's s///g: left to right, never into what it wrote, and an empty
 * match right after a match is none. */
static void global_replacement(void **state)
{
	(void)state;
	LOAD("rg a b");
	assert_string_equal(apply("aaa"), "bbb");
	LOAD("r a b");
	assert_string_equal(apply("aaa"), "baa");
	LOAD("rg ^a b");
	assert_string_equal(apply("aaa"), "baa");
	LOAD("rg x* -");
	assert_string_equal(apply("ab"), "-a-b-");
	assert_string_equal(apply("xx"), "-");
	assert_string_equal(apply("axxb"), "-a-b-");
	LOAD("rg a aa"); /* would never end if it searched its own output */
	assert_string_equal(apply("aaa"), "aaaaaa");
	LOAD("rg $ !");
	assert_string_equal(apply("abc"), "abc!");
}

static void empty_replacement_deletes(void **state)
{
	(void)state;
	LOAD("r ^/+");
	assert_string_equal(apply("//boot/x"), "boot/x");
}

static void results_too_long(void **state)
{
	char *name = malloc(REMAP_NAME_MAX + 2);

	(void)state;
	LOAD("rg . xx");
	memset(name, 'n', REMAP_NAME_MAX / 2 + 1);
	name[REMAP_NAME_MAX / 2 + 1] = '\0';
	assert_int_equal(remap_apply(&rules, false, name, "", out, sizeof out), REMAP_TOO_LONG);
	name[REMAP_NAME_MAX / 2] = '\0';
	assert_int_equal(remap_apply(&rules, false, name, "", out, sizeof out), REMAP_OK);
	assert_int_equal(strlen(out), REMAP_NAME_MAX - 1);
	/* the caller's buffer bounds the result too */
	assert_int_equal(remap_apply(&rules, false, "ab", "", out, 4), REMAP_TOO_LONG);
	assert_int_equal(remap_apply(&rules, false, "ab", "", out, 5), REMAP_OK);
	assert_string_equal(out, "xxxx");
	/* and the name itself */
	load(NULL, 0);
	memset(name, 'n', REMAP_NAME_MAX + 1);
	name[REMAP_NAME_MAX + 1] = '\0';
	assert_int_equal(remap_apply(&rules, false, name, "", out, sizeof out), REMAP_TOO_LONG);
	assert_int_equal(remap_apply(NULL, false, "abc", "", out, 3), REMAP_TOO_LONG);
	assert_int_equal(remap_apply(NULL, false, "abc", "", out, 4), REMAP_OK);
	free(name);
}

/* remap_load: a temporary file; stderr caught to read what was logged. */
static char file[64], logged[1024];

static struct remap_rules *load_logged(const char *path)
{
	int saved = dup(2), log = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	struct remap_rules *r;
	ssize_t n;

	assert_true(log >= 0);
	dup2(log, 2);
	r = remap_load(path);
	dup2(saved, 2);
	close(saved);
	n = pread(log, logged, sizeof logged - 1, 0);
	logged[n > 0 ? n : 0] = '\0';
	close(log);
	return r;
}

static struct remap_rules *load_file(const char *text)
{
	struct remap_rules *r;
	int fd;

	strcpy(file, "/tmp/tftpd_remap.XXXXXX");
	assert_true((fd = mkstemp(file)) >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	r = load_logged(file);
	unlink(file);
	return r;
}

static void file_of_rules(void **state)
{
	struct remap_rules *r;

	(void)state;
	r = load_file("# Windows\nrg \\\\ /\n\nre ^pxelinux\\.cfg/ hosts/\\i/\nai \\.key$");
	assert_non_null(r);
	assert_int_equal(r->n, 3);
	assert_string_equal(logged, "");
	assert_int_equal(remap_apply(r, false, "pxelinux.cfg\\default", "192.0.2.9", out, sizeof out),
			 REMAP_OK);
	assert_string_equal(out, "hosts/192.0.2.9/default");
	remap_free(r);
	remap_free(NULL);
}

static void file_with_bad_lines_is_refused_whole(void **state)
{
	char expect[256];

	(void)state;
	assert_null(load_file("rg \\\\ /\nx bad\nr ok ok\nr (a \\1\n"));
	snprintf(expect, sizeof expect, "%s:2: unknown flag 'x' (expected r g i e a G P)", file);
	assert_non_null(strstr(logged, expect));
	snprintf(expect, sizeof expect, "%s:4: bad regex: ", file);
	assert_non_null(strstr(logged, expect));
	assert_null(strstr(logged, ":1:"));
	assert_null(strstr(logged, ":3:"));
}

static void too_many_rules(void **state)
{
	char text[(REMAP_RULES_MAX + 1) * 8] = "";

	(void)state;
	for (int i = 0; i < REMAP_RULES_MAX; i++)
		strcat(text, "r a b\n");
	remap_free(load_file(text));
	assert_string_equal(logged, "");
	strcat(text, "r a b\n");
	assert_null(load_file(text));
	assert_non_null(strstr(logged, ":65: too many rules (at most 64)"));
}

static void missing_file(void **state)
{
	(void)state;
	assert_null(load_logged("/nonexistent/remap"));
	assert_non_null(strstr(logged, "error: unable to read /nonexistent/remap: No such file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(comments_and_blank_lines),
		cmocka_unit_test(rule_fields),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(bad_regex),
		cmocka_unit_test_teardown(backslashes_become_slashes, teardown),
		cmocka_unit_test_teardown(client_address_and_groups, teardown),
		cmocka_unit_test_teardown(unmatched_group_is_empty, teardown),
		cmocka_unit_test_teardown(literal_escapes, teardown),
		cmocka_unit_test_teardown(case_insensitive, teardown),
		cmocka_unit_test_teardown(rules_apply_in_turn_and_e_stops, teardown),
		cmocka_unit_test_teardown(a_denies, teardown),
		cmocka_unit_test_teardown(get_and_put_rules, teardown),
		cmocka_unit_test_teardown(global_replacement, teardown),
		cmocka_unit_test_teardown(empty_replacement_deletes, teardown),
		cmocka_unit_test_teardown(results_too_long, teardown),
		cmocka_unit_test(file_of_rules),
		cmocka_unit_test(file_with_bad_lines_is_refused_whole),
		cmocka_unit_test(too_many_rules),
		cmocka_unit_test(missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
