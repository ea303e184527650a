/* init's sysctl.conf line parser and /etc/sysctl.d application. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sysctl.h"

static struct sysctl_setting s;

static void dotted_key(void **state)
{
	(void)state;
	assert_int_equal(sysctl_parse_line("net.core.rmem_max = 16777216", &s), SYSCTL_SET);
	assert_string_equal(s.path, "/proc/sys/net/core/rmem_max");
	assert_string_equal(s.value, "16777216");
	assert_false(s.ignore_missing);
}

static void blanks_and_multiword_values(void **state)
{
	(void)state;
	assert_int_equal(sysctl_parse_line("  net.ipv4.udp_mem=65536 131072\t262144  \r", &s), SYSCTL_SET);
	assert_string_equal(s.path, "/proc/sys/net/ipv4/udp_mem");
	assert_string_equal(s.value, "65536 131072\t262144");
}

static void slash_key_keeps_dots(void **state)
{
	(void)state;
	assert_int_equal(sysctl_parse_line("net/ipv4/conf/eth0.100/rp_filter = 1", &s), SYSCTL_SET);
	assert_string_equal(s.path, "/proc/sys/net/ipv4/conf/eth0.100/rp_filter");
}

static void minus_prefix(void **state)
{
	(void)state;
	assert_int_equal(sysctl_parse_line("-net.core.nope = 1", &s), SYSCTL_SET);
	assert_true(s.ignore_missing);
	assert_string_equal(s.path, "/proc/sys/net/core/nope");
}

static void comments_and_blank(void **state)
{
	(void)state;
	assert_int_equal(sysctl_parse_line("", &s), SYSCTL_NONE);
	assert_int_equal(sysctl_parse_line("   \t", &s), SYSCTL_NONE);
	assert_int_equal(sysctl_parse_line("# net.core.rmem_max = 1", &s), SYSCTL_NONE);
	assert_int_equal(sysctl_parse_line("  ; comment", &s), SYSCTL_NONE);
}

static void errors(void **state)
{
	(void)state;
	assert_int_equal(sysctl_parse_line("net.core.rmem_max 5", &s), SYSCTL_ERROR);
	assert_string_equal(s.error, "expected 'key = value'");
	assert_int_equal(sysctl_parse_line(" = 5", &s), SYSCTL_ERROR);
	assert_string_equal(s.error, "empty key");
	assert_int_equal(sysctl_parse_line("net.core.x =   ", &s), SYSCTL_ERROR);
	assert_string_equal(s.error, "empty value");
	assert_int_equal(sysctl_parse_line("net core = 1", &s), SYSCTL_ERROR);
	assert_string_equal(s.error, "bad character in key");
	assert_int_equal(sysctl_parse_line("net/../../etc/passwd = 1", &s), SYSCTL_ERROR);
	assert_string_equal(s.error, "bad key path");
	assert_int_equal(sysctl_parse_line("net..core = 1", &s), SYSCTL_ERROR);
	assert_int_equal(sysctl_parse_line("net.core. = 1", &s), SYSCTL_ERROR);
}

static void too_long(void **state)
{
	(void)state;
	char line[SYSCTL_VALUE_MAX + SYSCTL_PATH_MAX + 16];
	memset(line, 'a', SYSCTL_PATH_MAX);
	strcpy(line + SYSCTL_PATH_MAX, " = 1");
	assert_int_equal(sysctl_parse_line(line, &s), SYSCTL_ERROR);
	assert_string_equal(s.error, "key too long");
	strcpy(line, "a.b = ");
	memset(line + 6, '1', SYSCTL_VALUE_MAX);
	line[6 + SYSCTL_VALUE_MAX] = '\0';
	assert_int_equal(sysctl_parse_line(line, &s), SYSCTL_ERROR);
	assert_string_equal(s.error, "value too long");
}

/* A fake /proc/sys under a temporary root: good lines are written, bad ones
 * counted, and the rest of the file still applies. */
static void apply_dir_in_name_order(void **state)
{
	(void)state;
	char root[] = "/tmp/tern-sysctl-XXXXXX", path[256], got[64];
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof path, "%s/proc/sys/net/core", root);
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "mkdir -p %s %s/etc && : > %s/rmem_max && : > %s/wmem_max", path,
		 root, path, path);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof cmd,
		 "mkdir -p %s/etc/sysctl.d && cd %s/etc/sysctl.d && "
		 "printf 'net.core.rmem_max = 1\\nbad line\\nnet.core.wmem_max = 7\\n' > 10-a.conf && "
		 "printf 'net.core.rmem_max = 2\\nnet.core.missing = 1\\n-net.core.gone = 1\\n' > 20-b.conf && "
		 "printf 'net.core.rmem_max = 3\\n' > 30-c.conf.disabled",
		 root, root);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof path, "%s/etc/sysctl.d", root);
	/* bad line + unknown key; the '-' key is not a problem */
	assert_int_equal(sysctl_apply_dir(path, root), 2);

	snprintf(path, sizeof path, "%s/proc/sys/net/core/rmem_max", root);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(got, sizeof got, f));
	fclose(f);
	assert_string_equal(got, "2"); /* 20-b.conf after 10-a.conf; .disabled ignored */
	snprintf(path, sizeof path, "%s/proc/sys/net/core/wmem_max", root);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(got, sizeof got, f));
	fclose(f);
	assert_string_equal(got, "7"); /* after the bad line */
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dotted_key),
		cmocka_unit_test(blanks_and_multiword_values),
		cmocka_unit_test(slash_key_keeps_dots),
		cmocka_unit_test(minus_prefix),
		cmocka_unit_test(comments_and_blank),
		cmocka_unit_test(errors),
		cmocka_unit_test(too_long),
		cmocka_unit_test(apply_dir_in_name_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
