/* SPDX-License-Identifier: MIT */
/* init_services -- one line of /etc/tern/services (app/init/services.c):
 * name policy [role=ROLE] command [args...], comments, and every kind of
 * bad line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "services.h"

static struct service_spec s;
static const char *err;
static const char *argv[SERVICE_ARGV_MAX + 1];

static enum conf_result parse(const char *line)
{
	err = NULL;
	return service_parse_line(line, strlen(line), &s, &err);
}

static void assert_bad(const char *line, const char *why)
{
	assert_int_equal(parse(line), CONF_BAD);
	assert_non_null(err);
	assert_string_equal(err, why);
}

static void full_line(void **state)
{
	(void)state;
	assert_int_equal(parse("tftpd respawn /usr/sbin/tftpd -f /srv/tftp"), CONF_OK);
	assert_null(err);
	assert_string_equal(s.name, "tftpd");
	assert_int_equal(s.policy, SERVICE_RESPAWN);
	assert_int_equal(service_argv(&s, argv), 3);
	assert_string_equal(argv[0], "/usr/sbin/tftpd");
	assert_string_equal(argv[1], "-f");
	assert_string_equal(argv[2], "/srv/tftp");
	assert_null(argv[3]);
}

static void once_policy_and_command_alone(void **state)
{
	(void)state;
	assert_int_equal(parse("setup once /sbin/setup-net"), CONF_OK);
	assert_int_equal(s.policy, SERVICE_ONCE);
	assert_int_equal(service_argv(&s, argv), 1);
	assert_string_equal(argv[0], "/sbin/setup-net");
	assert_null(argv[1]);
	assert_string_equal(service_policy_name(SERVICE_ONCE), "once");
	assert_string_equal(service_policy_name(SERVICE_RESPAWN), "respawn");
}

static void blanks_split_words(void **state)
{
	(void)state;
	assert_int_equal(parse(" \t relay.1\t respawn   /usr/sbin/relayd\t-c  /etc/r.conf \r"),
			 CONF_OK);
	assert_string_equal(s.name, "relay.1");
	assert_int_equal(service_argv(&s, argv), 3);
	assert_string_equal(argv[1], "-c");
	assert_string_equal(argv[2], "/etc/r.conf");
}

static void no_quoting(void **state)
{
	(void)state;
	assert_int_equal(parse("x once /bin/echo \"a b\""), CONF_OK);
	assert_int_equal(service_argv(&s, argv), 3);
	assert_string_equal(argv[1], "\"a");
	assert_string_equal(argv[2], "b\"");
}

static void comments_and_blank_lines_are_skipped(void **state)
{
	char line[512];

	(void)state;
	assert_int_equal(parse(""), CONF_SKIP);
	assert_int_equal(parse(" \t "), CONF_SKIP);
	assert_int_equal(parse("# tftpd respawn /usr/sbin/tftpd"), CONF_SKIP);
	assert_int_equal(parse("   #"), CONF_SKIP);
	/* however many words it has */
	strcpy(line, "#");
	for (int i = 0; i < 40; i++)
		strcat(line, " word");
	assert_int_equal(parse(line), CONF_SKIP);
}

static void hash_after_the_start_is_ordinary(void **state)
{
	(void)state;
	assert_int_equal(parse("x once /bin/echo #not-a-comment"), CONF_OK);
	assert_int_equal(service_argv(&s, argv), 2);
	assert_string_equal(argv[1], "#not-a-comment");
}

static void bad_names(void **state)
{
	static const char why[] = "bad service name (1-31 of A-Z a-z 0-9 _ . -)";
	char line[128];

	(void)state;
	assert_bad("tf/tp respawn /bin/x", why);
	assert_bad("tf:tp respawn /bin/x", why);
	assert_bad("t\001 respawn /bin/x", why);
	memset(line, 'n', 32);
	strcpy(line + 32, " respawn /bin/x");
	assert_bad(line, why);
	strcpy(line + 31, " respawn /bin/x");
	assert_int_equal(parse(line), CONF_OK);
	assert_int_equal(strlen(s.name), 31);
}

static void bad_policies(void **state)
{
	static const char why[] = "unknown policy (expected respawn or once)";

	(void)state;
	assert_bad("x forever /bin/x", why);
	assert_bad("x Respawn /bin/x", why);
	assert_bad("x respawn! /bin/x", why);
	assert_bad("x /bin/x", why);
}

static void missing_words(void **state)
{
	(void)state;
	assert_bad("lonely", "missing policy (respawn or once)");
	assert_bad("x respawn", "missing command");
	assert_bad("x once   \t", "missing command");
}

static void command_must_be_absolute(void **state)
{
	(void)state;
	assert_bad("x respawn sleep 1", "command is not an absolute path");
	assert_bad("x respawn ./sleep 1", "command is not an absolute path");
}

static void role_before_the_command(void **state)
{
	(void)state;
	assert_int_equal(parse("pxed respawn role=server /usr/sbin/pxed -c /etc/p.conf"), CONF_OK);
	assert_string_equal(s.role, "server");
	assert_int_equal(service_argv(&s, argv), 3);
	assert_string_equal(argv[0], "/usr/sbin/pxed");
	assert_int_equal(parse("x once /bin/x role=server"), CONF_OK);
	assert_string_equal(s.role, "");
	assert_int_equal(service_argv(&s, argv), 2);
	assert_string_equal(argv[1], "role=server");
	assert_int_equal(parse("x once role=a23456789012345 /bin/x"), CONF_OK);
	assert_string_equal(s.role, "a23456789012345");
}

static void bad_roles(void **state)
{
	const char *why = "bad role (role=NAME, 1-15 of A-Z a-z 0-9 _ . -)";

	(void)state;
	assert_bad("x respawn role= /bin/x", why);
	assert_bad("x respawn role=a/b /bin/x", why);
	assert_bad("x respawn role=a234567890123456 /bin/x", why);
	assert_bad("x respawn role=server", "missing command");
	assert_bad("x respawn role=server role=client /bin/x", "command is not an absolute path");
}

static void argument_count_limit(void **state)
{
	char line[512] = "x respawn /bin/cmd";

	(void)state;
	for (int i = 1; i < SERVICE_ARGV_MAX; i++)
		sprintf(line + strlen(line), " a%d", i);
	assert_int_equal(parse(line), CONF_OK);
	assert_int_equal(service_argv(&s, argv), SERVICE_ARGV_MAX);
	assert_string_equal(argv[SERVICE_ARGV_MAX - 1], "a63");
	assert_null(argv[SERVICE_ARGV_MAX]);
	strcat(line, " one-too-many");
	assert_bad(line, "too many arguments (at most 64 words with the command)");
	/* A role word is not one of the 64. */
	memmove(line + 22, line + 10, strlen(line + 10) + 1);
	memcpy(line + 10, "role=server ", 12);
	assert_bad(line, "too many arguments (at most 64 words with the command)");
	*strrchr(line, ' ') = '\0';
	assert_int_equal(parse(line), CONF_OK);
	assert_int_equal(service_argv(&s, argv), SERVICE_ARGV_MAX);
	assert_string_equal(s.role, "server");
}

static void line_length_limit(void **state)
{
	char line[CONF_LINE_MAX + 2];

	(void)state;
	memset(line, 'a', sizeof line);
	memcpy(line, "x once /", 8);
	assert_int_equal(service_parse_line(line, CONF_LINE_MAX, &s, &err), CONF_OK);
	assert_int_equal(service_argv(&s, argv), 1);
	assert_int_equal(strlen(argv[0]), CONF_LINE_MAX - 7);
	assert_int_equal(service_parse_line(line, CONF_LINE_MAX + 1, &s, &err), CONF_BAD);
	assert_string_equal(err, "line too long (more than 1024 bytes)");
}

static void most_words_in_longest_line(void **state)
{
	char line[CONF_LINE_MAX + 1];
	size_t len;

	(void)state;
	/* SERVICE_ARGV_MAX words separated by single blanks, filling the line exactly: the
	 * copy of the words must fit in the spec. */
	len = (size_t)sprintf(line, "x once /");
	for (int i = 1; i < SERVICE_ARGV_MAX; i++)
		len += (size_t)sprintf(line + len, " a");
	memmove(line + 8 + (CONF_LINE_MAX - len), line + 8, len - 8);
	memset(line + 8, 'c', CONF_LINE_MAX - len);
	assert_int_equal(service_parse_line(line, CONF_LINE_MAX, &s, &err), CONF_OK);
	assert_int_equal(service_argv(&s, argv), SERVICE_ARGV_MAX);
	assert_int_equal(strlen(argv[0]), 1 + CONF_LINE_MAX - len);
	assert_string_equal(argv[SERVICE_ARGV_MAX - 1], "a");
}

static void nul_byte_is_bad(void **state)
{
	static const char line[] = "x once /bin/x\0y";

	(void)state;
	assert_int_equal(service_parse_line(line, sizeof line - 1, &s, &err), CONF_BAD);
	assert_string_equal(err, "NUL byte in line");
}

static void spec_survives_a_copy(void **state)
{
	struct service_spec copy;

	(void)state;
	assert_int_equal(parse("a respawn /bin/sleep 1"), CONF_OK);
	copy = s;
	memset(&s, 0x55, sizeof s);
	assert_int_equal(service_argv(&copy, argv), 2);
	assert_string_equal(argv[0], "/bin/sleep");
	assert_string_equal(argv[1], "1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_line),
		cmocka_unit_test(once_policy_and_command_alone),
		cmocka_unit_test(blanks_split_words),
		cmocka_unit_test(no_quoting),
		cmocka_unit_test(comments_and_blank_lines_are_skipped),
		cmocka_unit_test(hash_after_the_start_is_ordinary),
		cmocka_unit_test(bad_names),
		cmocka_unit_test(bad_policies),
		cmocka_unit_test(missing_words),
		cmocka_unit_test(command_must_be_absolute),
		cmocka_unit_test(role_before_the_command),
		cmocka_unit_test(bad_roles),
		cmocka_unit_test(argument_count_limit),
		cmocka_unit_test(line_length_limit),
		cmocka_unit_test(most_words_in_longest_line),
		cmocka_unit_test(nul_byte_is_bad),
		cmocka_unit_test(spec_survives_a_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
