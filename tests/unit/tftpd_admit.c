/* SPDX-License-Identifier: MIT */
/* tftpd_admit -- whether tftpd takes a request (app/tftpd/admit.c): each
 * refusal with its answer, in the order the checks run, and the path a
 * taken request opens (remapped, checked). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "admit.h"

static struct path_policy policy;
static struct remap_rules rules;
static char rel[PATH_MAX];

/* A server with room: uploads on, 10 transfers of which 3 from this host. */
static struct admit_state room(void)
{
	return (struct admit_state){ .uploads = true, .from_host = 3, .running = 10,
				     .max_transfers = 100, .per_client = 8, .path = &policy };
}

static struct admission ask(const struct admit_state *st, const char *name, bool put)
{
	struct tftp_request r = { .filename = name, .filename_len = strlen(name),
				  .mode = TFTP_OCTET };

	rel[0] = '\0';
	return admit(st, &r, put, "192.0.2.7", rel, sizeof rel);
}

static void assert_refused(struct admission a, enum admit_verdict v, enum tftp_error code,
			   const char *message)
{
	assert_int_equal(a.verdict, v);
	assert_int_equal(a.code, code);
	assert_string_equal(a.message, message);
}

static void taken(void **state)
{
	struct admit_state st = room();

	(void)state;
	assert_int_equal(ask(&st, "/pxelinux.0", false).verdict, ADMIT_OK);
	assert_string_equal(rel, "pxelinux.0");
	assert_int_equal(ask(&st, "up/new.img", true).verdict, ADMIT_OK);
	assert_string_equal(rel, "up/new.img");
}

static void uploads_off(void **state)
{
	struct admit_state st = room();

	(void)state;
	st.uploads = false;
	assert_refused(ask(&st, "x", true), ADMIT_DENIED, TFTP_EACCESS, "uploads are not allowed");
	assert_int_equal(ask(&st, "x", false).verdict, ADMIT_OK); /* reads go on */
	/* before the busy check: a full server still says why it refuses */
	st.running = st.max_transfers;
	assert_int_equal(ask(&st, "x", true).verdict, ADMIT_DENIED);
}

static void busy(void **state)
{
	struct admit_state st = room();

	(void)state;
	st.from_host = st.per_client;
	assert_refused(ask(&st, "x", false), ADMIT_BUSY, TFTP_EUNDEF, "server busy; try again later");
	st = room();
	st.from_host = st.per_client - 1;
	assert_int_equal(ask(&st, "x", false).verdict, ADMIT_OK);
	st.running = st.max_transfers;
	assert_int_equal(ask(&st, "x", false).verdict, ADMIT_BUSY);
	st = room();
	st.stopping = true;
	assert_int_equal(ask(&st, "x", false).verdict, ADMIT_BUSY);
}

/* The client's own request again: no answer at all, even when busy. */
static void resent(void **state)
{
	struct admit_state st = room();
	struct admission a;

	(void)state;
	st.resent = true;
	st.from_host = st.per_client;
	a = ask(&st, "x", false);
	assert_int_equal(a.verdict, ADMIT_RESENT);
	assert_null(a.message);
}

static void remapped(void **state)
{
	struct admit_state st = room();
	char why[REMAP_WHY_MAX];
	struct admission a;

	(void)state;
	assert_int_equal(remap_parse_line("a \\.key$", 8, &rules.rule[0], why), CONF_OK);
	assert_int_equal(remap_parse_line("r ^boot/ efi/", 13, &rules.rule[1], why), CONF_OK);
	assert_int_equal(remap_parse_line("rg . xx", 7, &rules.rule[2], why), CONF_OK);
	rules.n = 2;
	st.remap = &rules;
	assert_int_equal(ask(&st, "boot/grubx64.efi", false).verdict, ADMIT_OK);
	assert_string_equal(rel, "efi/grubx64.efi");
	assert_refused(ask(&st, "host.key", false), ADMIT_DENIED, TFTP_EACCESS, "access denied");
	/* a result too long for a path is a bad path, not logged (remapped) */
	rules.n = 3;
	{
		static char name[PATH_MAX / 2 + 8];

		memset(name, 'n', sizeof name - 1);
		a = ask(&st, name, false);
	}
	assert_refused(a, ADMIT_BAD_PATH, TFTP_EACCESS, "filename too long");
	assert_int_equal(a.path, PATH_TOO_LONG);
	assert_true(a.remapped);
	for (size_t i = 0; i < 3; i++)
		remap_rule_free(&rules.rule[i]);
}

static void bad_path(void **state)
{
	struct admit_state st = room();
	struct admission a;

	(void)state;
	a = ask(&st, "a/../../etc/passwd", false);
	assert_refused(a, ADMIT_BAD_PATH, TFTP_EACCESS, path_cause_message(PATH_DOTDOT));
	assert_int_equal(a.path, PATH_DOTDOT);
	assert_false(a.remapped);
	assert_int_equal(ask(&st, "a\x01", true).path, PATH_CONTROL_CHAR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(taken),  cmocka_unit_test(uploads_off),
		cmocka_unit_test(busy),   cmocka_unit_test(resent),
		cmocka_unit_test(remapped), cmocka_unit_test(bad_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
