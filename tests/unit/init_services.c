/* init's /etc/tern/services line parser and restart back-off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "services.h"

static struct service_spec s;
static const char *err;

static void full_line(void **state)
{
	(void)state;
	assert_int_equal(service_parse_line("tftpd respawn /usr/sbin/tftpd -f -r /srv/tftp", &s, &err),
			 SERVICE_LINE);
	assert_string_equal(s.name, "tftpd");
	assert_int_equal(s.policy, SERVICE_RESPAWN);
	assert_int_equal(s.argc, 4);
	assert_string_equal(s.argv[0], "/usr/sbin/tftpd");
	assert_string_equal(s.argv[3], "/srv/tftp");
	assert_null(s.argv[4]);
}

static void once_and_blanks(void **state)
{
	(void)state;
	assert_int_equal(service_parse_line("\tsetup.net-1   once\t/bin/true  \r", &s, &err), SERVICE_LINE);
	assert_string_equal(s.name, "setup.net-1");
	assert_int_equal(s.policy, SERVICE_ONCE);
	assert_int_equal(s.argc, 1);
}

static void comments_and_blank(void **state)
{
	(void)state;
	assert_int_equal(service_parse_line("", &s, &err), SERVICE_NONE);
	assert_int_equal(service_parse_line("   ", &s, &err), SERVICE_NONE);
	assert_int_equal(service_parse_line("# tftpd respawn /x", &s, &err), SERVICE_NONE);
	assert_int_equal(service_parse_line("  #", &s, &err), SERVICE_NONE);
}

static void errors(void **state)
{
	(void)state;
	assert_int_equal(service_parse_line("tftpd", &s, &err), SERVICE_ERROR);
	assert_string_equal(err, "missing policy (respawn or once)");
	assert_int_equal(service_parse_line("tftpd always /x", &s, &err), SERVICE_ERROR);
	assert_string_equal(err, "unknown policy (respawn or once)");
	assert_int_equal(service_parse_line("tftpd respawn", &s, &err), SERVICE_ERROR);
	assert_string_equal(err, "missing command");
	assert_int_equal(service_parse_line("tftpd respawn tftpd -f", &s, &err), SERVICE_ERROR);
	assert_string_equal(err, "command must be an absolute path");
	assert_int_equal(service_parse_line("tft/pd respawn /x", &s, &err), SERVICE_ERROR);
	assert_int_equal(service_parse_line("0123456789012345678901234567890123 once /x", &s, &err),
			 SERVICE_ERROR);
	assert_non_null(strstr(err, "bad service name"));
}

static void argument_limits(void **state)
{
	(void)state;
	char line[512] = "a once /bin/x";
	for (int i = 1; i < SERVICE_ARGS_MAX; i++)
		strcat(line, " y");
	assert_int_equal(service_parse_line(line, &s, &err), SERVICE_LINE);
	assert_int_equal(s.argc, SERVICE_ARGS_MAX);
	strcat(line, " z");
	assert_int_equal(service_parse_line(line, &s, &err), SERVICE_ERROR);
	assert_string_equal(err, "too many arguments");

	char big[SERVICE_LINE_MAX + 10];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(service_parse_line(big, &s, &err), SERVICE_ERROR);
	assert_string_equal(err, "line too long");
}

static void backoff(void **state)
{
	(void)state;
	assert_int_equal(backoff_next(0, 10), 1000);
	assert_int_equal(backoff_next(1000, 10), 2000);
	assert_int_equal(backoff_next(2000, 29999), 4000);
	assert_int_equal(backoff_next(32000, 10), 60000);
	assert_int_equal(backoff_next(60000, 10), 60000);
	assert_int_equal(backoff_next(60000, 30000), 1000); /* ran long enough: reset */
	unsigned d = 0;
	for (int i = 0; i < 10; i++)
		d = backoff_next(d, 0);
	assert_int_equal(d, 60000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_line),
		cmocka_unit_test(once_and_blanks),
		cmocka_unit_test(comments_and_blank),
		cmocka_unit_test(errors),
		cmocka_unit_test(argument_limits),
		cmocka_unit_test(backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
