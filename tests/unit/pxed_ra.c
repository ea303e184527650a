/* SPDX-License-Identifier: MIT */
/* pxed_ra -- router solicitations checked as RFC 4861 6.1.1 asks, and the
 * advertisement pxed answers with (app/pxed/ra.c), and the router-advert
 * line of pxed.conf (app/pxed/pxeconf.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pxeconf.h"
#include "ra.h"

/* What iPXE sends: type 133, code 0, checksum, reserved, and a source
 * link-layer address option (type 1, 8 bytes). */
static const uint8_t ipxe_rs[16] = { 133, 0, 0x12, 0x34, 0, 0, 0, 0,
				     1, 1, 0x52, 0x54, 0x00, 0x00, 0x02, 0x64 };

static void solicitations(void **state)
{
	uint8_t m[32];

	(void)state;
	assert_int_equal(ra_check(ipxe_rs, sizeof ipxe_rs, 255, 0), RA_SOLICIT);
	assert_int_equal(ra_check(ipxe_rs, 8, 255, 1), RA_SOLICIT);   /* no option, from :: */
	assert_int_equal(ra_check(ipxe_rs, sizeof ipxe_rs, 64, 0), RA_BAD_HOPS);
	assert_int_equal(ra_check(ipxe_rs, sizeof ipxe_rs, -1, 0), RA_BAD_HOPS);
	assert_int_equal(ra_check(ipxe_rs, sizeof ipxe_rs, 255, 1), RA_BAD_SOURCE);
	assert_int_equal(ra_check(ipxe_rs, 7, 255, 0), RA_BAD_LENGTH);
	assert_int_equal(ra_check(ipxe_rs, 0, 255, 0), RA_BAD_TYPE);
	memcpy(m, ipxe_rs, sizeof ipxe_rs);
	m[0] = 134; /* an advertisement is not a solicitation */
	assert_int_equal(ra_check(m, sizeof ipxe_rs, 255, 0), RA_BAD_TYPE);
	m[0] = 133, m[1] = 1;
	assert_int_equal(ra_check(m, sizeof ipxe_rs, 255, 0), RA_BAD_CODE);
	m[1] = 0;
	m[9] = 0; /* an option of length 0 */
	assert_int_equal(ra_check(m, sizeof ipxe_rs, 255, 0), RA_BAD_LENGTH);
	m[9] = 2; /* an option longer than the message */
	assert_int_equal(ra_check(m, sizeof ipxe_rs, 255, 0), RA_BAD_LENGTH);
	assert_int_equal(ra_check(m, 9, 255, 0), RA_BAD_LENGTH); /* half an option header */
	/* Another option (type 14, nonce) is skipped, from :: too. */
	memcpy(m, ipxe_rs, sizeof ipxe_rs);
	m[8] = 14;
	assert_int_equal(ra_check(m, sizeof ipxe_rs, 255, 1), RA_SOLICIT);
	for (int v = 0; v < RA_VERDICT_COUNT; v++)
		assert_true(strlen(ra_verdict_text((enum ra_verdict)v)) > 3);
}

/* Type 134, and all zero after it: no hop limit, no M or O flag (so the
 * client's IPv6 configuration ends), router lifetime 0 (not a default
 * router), no timers, no option (no prefix). */
static void advertisement(void **state)
{
	uint8_t ra[RA_LEN], zero[RA_LEN] = { 0 };

	(void)state;
	memset(ra, 0xa5, sizeof ra);
	ra_build(ra);
	assert_int_equal(ra[0], 134);
	assert_memory_equal(ra + 1, zero, RA_LEN - 1);
}

static enum conf_result line(struct pxed_conf *c, const char *l)
{
	char why[PXECONF_WHY_MAX];

	return pxeconf_parse_line(c, l, strlen(l), why);
}

static void conf_line(void **state)
{
	struct pxed_conf c;

	(void)state;
	pxeconf_init(&c);
	assert_false(pxeconf_router_advert(&c));         /* proxy mode */
	assert_int_equal(line(&c, "mode server"), CONF_OK);
	assert_true(pxeconf_router_advert(&c));          /* server mode */
	assert_int_equal(line(&c, "router-advert off"), CONF_OK);
	assert_false(pxeconf_router_advert(&c));
	assert_int_equal(line(&c, "router-advert on"), CONF_BAD); /* given twice */
	pxeconf_init(&c);
	assert_int_equal(line(&c, "router-advert on"), CONF_OK);
	assert_true(pxeconf_router_advert(&c));          /* proxy mode, asked for */
	pxeconf_init(&c);
	assert_int_equal(line(&c, "router-advert yes"), CONF_BAD);
	assert_int_equal(line(&c, "router-advert"), CONF_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(solicitations),
		cmocka_unit_test(advertisement),
		cmocka_unit_test(conf_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
