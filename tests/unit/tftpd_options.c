/* SPDX-License-Identifier: MIT */
/* tftpd_options -- option negotiation (app/tftpd/options.c): what each
 * option becomes under the server's limits, the OACK's exact bytes, and
 * requests that overflowed other servers' OACK buffers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "options.h"

#define PKT(s) s, sizeof s - 1

static struct tftp_packet pkt;
static struct tftp_transfer t;
static struct tftp_limits lim;
static uint8_t oack[TFTP_OACK_MAX];
static size_t oack_len;

static int setup(void **state)
{
	static const struct tftp_limits defaults = TFTP_LIMITS_DEFAULT;

	(void)state;
	lim = defaults;
	return 0;
}

/* Parse the request, negotiate it for a file of size bytes, build its OACK. */
static enum tftp_cause negotiate(const char *buf, size_t len, uint64_t size)
{
	enum tftp_cause c;

	assert_int_equal(tftp_parse(buf, len, &pkt), TFTP_OK);
	memset(&t, 0xa5, sizeof t);
	c = tftp_negotiate(&pkt.req, pkt.opcode, size, &lim, &t);
	if (c == TFTP_OK)
		oack_len = tftp_build_oack(oack, sizeof oack, &t.oack);
	return c;
}

static void assert_oack(const char *bytes, size_t len)
{
	assert_int_equal(oack_len, len);
	assert_memory_equal(oack, bytes, len);
}

static void no_options_no_oack(void **state)
{
	(void)state;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0"), 1000), TFTP_OK);
	assert_int_equal(t.blksize, 512);
	assert_int_equal(t.windowsize, 1);
	assert_int_equal(t.timeout, 1);
	assert_int_equal(t.rollover, 0);
	assert_int_equal(t.tsize, 1000);
	assert_int_equal(t.oack.mask, 0);
	assert_int_equal(oack_len, 0);
}

static void unknown_options_alone_get_no_oack(void **state)
{
	(void)state;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0multicast\0\0rollover\0001\0"), 5), TFTP_OK);
	assert_int_equal(t.oack.mask, 0);
	assert_int_equal(t.blksize, 512);
}

static void blksize_within_limits_is_granted(void **state)
{
	(void)state;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0blksize\0001432\0"), 5), TFTP_OK);
	assert_int_equal(t.blksize, 1432);
	assert_oack(PKT("\0\6blksize\0001432\0"));
}

static void blksize_above_limits_is_lowered(void **state)
{
	(void)state;
	lim.max_blksize = 8192;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0blksize\00065464\0"), 5), TFTP_OK);
	assert_int_equal(t.blksize, 8192);
	assert_oack(PKT("\0\6blksize\0008192\0"));
	/* above RFC 2348's range too */
	lim.max_blksize = TFTP_BLKSIZE_MAX;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0blksize\0001000000\0"), 5), TFTP_OK);
	assert_int_equal(t.blksize, TFTP_BLKSIZE_MAX);
}

static void mtu_caps_blksize(void **state)
{
	(void)state;
	lim.mtu = 1500;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0blksize\0008192\0"), 5), TFTP_OK);
	assert_int_equal(t.blksize, 1468); /* 1500 - 20 - 8 - 4 */
	lim.ipv6 = true;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0blksize\0008192\0"), 5), TFTP_OK);
	assert_int_equal(t.blksize, 1448); /* 1500 - 40 - 8 - 4 */
	lim.max_blksize = 1024; /* the lower of the two */
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0blksize\0008192\0"), 5), TFTP_OK);
	assert_int_equal(t.blksize, 1024);
	lim.max_blksize = TFTP_BLKSIZE_MAX;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0blksize\0001000\0"), 5), TFTP_OK);
	assert_int_equal(t.blksize, 1000); /* never more than asked */
}

static void mtu_blksize(void **state)
{
	(void)state;
	assert_int_equal(tftp_mtu_blksize(0, false), TFTP_BLKSIZE_MAX);
	assert_int_equal(tftp_mtu_blksize(0, true), TFTP_BLKSIZE_MAX);
	assert_int_equal(tftp_mtu_blksize(1500, false), 1468);
	assert_int_equal(tftp_mtu_blksize(1500, true), 1448);
	assert_int_equal(tftp_mtu_blksize(9000, false), 8968);
	assert_int_equal(tftp_mtu_blksize(576, false), 544);
	assert_int_equal(tftp_mtu_blksize(1280, true), 1228);
	assert_int_equal(tftp_mtu_blksize(65536, false), TFTP_BLKSIZE_MAX);
	assert_int_equal(tftp_mtu_blksize(68, false), 36);
	assert_int_equal(tftp_mtu_blksize(20, false), TFTP_BLKSIZE_MIN);
	assert_int_equal(tftp_mtu_blksize(60, true), TFTP_BLKSIZE_MIN);
}

static void windowsize_is_capped(void **state)
{
	(void)state;
	lim.max_windowsize = 64;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0windowsize\0008\0"), 5), TFTP_OK);
	assert_int_equal(t.windowsize, 8);
	assert_oack(PKT("\0\6windowsize\0008\0"));
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0windowsize\00065535\0"), 5), TFTP_OK);
	assert_int_equal(t.windowsize, 64);
	assert_oack(PKT("\0\6windowsize\00064\0"));
	lim.max_windowsize = 1; /* RFC 7440 lockstep, still acknowledged */
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0windowsize\00016\0"), 5), TFTP_OK);
	assert_int_equal(t.windowsize, 1);
	assert_oack(PKT("\0\6windowsize\0001\0"));
}

static void timeout_is_echoed_or_left_out(void **state)
{
	(void)state;
	lim.timeout = 2;
	lim.min_timeout = 1;
	lim.max_timeout = 10;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0timeout\0005\0"), 5), TFTP_OK);
	assert_int_equal(t.timeout, 5);
	assert_oack(PKT("\0\6timeout\0005\0"));
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0timeout\00011\0"), 5), TFTP_OK);
	assert_int_equal(t.timeout, 2);
	assert_int_equal(oack_len, 0);
	lim.min_timeout = 3;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0timeout\0002\0blksize\000512\0"), 5), TFTP_OK);
	assert_int_equal(t.timeout, 2);
	assert_oack(PKT("\0\6blksize\000512\0"));
}

static void tsize_reports_the_file_size(void **state)
{
	(void)state;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0tsize\0000\0"), 123456789012), TFTP_OK);
	assert_oack(PKT("\0\6tsize\000123456789012\0"));
	/* a client sending another number than 0 still gets the size */
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0tsize\00077\0"), 0), TFTP_OK);
	assert_oack(PKT("\0\6tsize\0000\0"));
	lim.tsize = false;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0tsize\0000\0"), 10), TFTP_OK);
	assert_int_equal(oack_len, 0);
}

static void tsize_is_not_offered_for_netascii_reads(void **state)
{
	(void)state;
	assert_int_equal(negotiate(PKT("\0\1f\0netascii\0tsize\0000\0blksize\0001024\0"), 10),
			 TFTP_OK);
	assert_oack(PKT("\0\6blksize\0001024\0"));
	/* but a netascii upload's announced size is echoed */
	assert_int_equal(negotiate(PKT("\0\2f\0netascii\0tsize\00099\0"), 0), TFTP_OK);
	assert_oack(PKT("\0\6tsize\00099\0"));
}

static void upload_tsize_is_echoed_and_capped(void **state)
{
	(void)state;
	lim.max_upload = 1000;
	assert_int_equal(negotiate(PKT("\0\2f\0octet\0tsize\0001000\0"), 0), TFTP_OK);
	assert_true(t.tsize_known);
	assert_int_equal(t.tsize, 1000);
	assert_oack(PKT("\0\6tsize\0001000\0"));
	assert_int_equal(negotiate(PKT("\0\2f\0octet\0tsize\0001001\0"), 0), TFTP_UPLOAD_TOO_LARGE);
	assert_int_equal(tftp_cause_code(TFTP_UPLOAD_TOO_LARGE), TFTP_ENOSPACE);
	/* refused up front even when tsize is not offered */
	lim.tsize = false;
	assert_int_equal(negotiate(PKT("\0\2f\0octet\0tsize\0001001\0"), 0), TFTP_UPLOAD_TOO_LARGE);
	assert_int_equal(negotiate(PKT("\0\2f\0octet\0tsize\0001000\0"), 0), TFTP_OK);
	assert_int_equal(oack_len, 0);
	/* no cap */
	lim.max_upload = 0;
	assert_int_equal(negotiate(PKT("\0\2f\0octet\0tsize\0009999999999999999999\0"), 0), TFTP_OK);
	/* no tsize: the size is not known until the last block */
	assert_int_equal(negotiate(PKT("\0\2f\0octet\0"), 77), TFTP_OK);
	assert_false(t.tsize_known);
	assert_int_equal(t.tsize, 0);
}

static void only_asked_options_are_acknowledged(void **state)
{
	(void)state;
	/* RFC 2347: "the server must not include in the OACK any option
	 * which had not been specifically requested by the client". */
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0blksize\0001024\0"), 10), TFTP_OK);
	assert_int_equal(t.oack.mask, 1u << TFTP_OPT_BLKSIZE);
}

static void all_options_in_fixed_order(void **state)
{
	(void)state;
	lim.max_windowsize = 16;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0windowsize\00032\0tsize\0000\0"
				       "timeout\0003\0BlkSize\0001468\0"), 4096), TFTP_OK);
	assert_oack(PKT("\0\6blksize\0001468\0timeout\0003\0tsize\0004096\0windowsize\00016\0"));
	assert_int_equal(t.blksize, 1468);
	assert_int_equal(t.timeout, 3);
	assert_int_equal(t.windowsize, 16);
}

static void uefi_size_probe(void **state)
{
	(void)state;
	/* UEFI asks blksize and tsize, reads the OACK, sends ERROR 8, and
	 * asks again without tsize. */
	assert_int_equal(negotiate(PKT("\0\1bootx64.efi\0octet\0blksize\0001468\0tsize\0000\0"),
				   1048576), TFTP_OK);
	assert_oack(PKT("\0\6blksize\0001468\0tsize\0001048576\0"));
	assert_int_equal(tftp_parse(PKT("\0\5\0\10User aborted the transfer\0"), &pkt), TFTP_OK);
	assert_int_equal(pkt.error.code, TFTP_EOPTION);
	assert_int_equal(negotiate(PKT("\0\1bootx64.efi\0octet\0blksize\0001468\0"), 1048576),
			 TFTP_OK);
	assert_oack(PKT("\0\6blksize\0001468\0"));
}

static void limits_out_of_range_are_brought_in(void **state)
{
	(void)state;
	memset(&lim, 0, sizeof lim);
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0blksize\0001024\0windowsize\0008\0"
				       "timeout\0001\0"), 5), TFTP_OK);
	assert_int_equal(t.blksize, TFTP_BLKSIZE_MIN);
	assert_int_equal(t.windowsize, 1);
	assert_int_equal(t.timeout, 1);
	lim.max_blksize = 1u << 20;
	lim.max_windowsize = 1u << 20;
	lim.timeout = 1000;
	lim.max_timeout = 1000;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0blksize\0001000000\0windowsize\0001000000\0"
				       "timeout\000300\0"), 5), TFTP_OK);
	assert_int_equal(t.blksize, TFTP_BLKSIZE_MAX);
	assert_int_equal(t.windowsize, TFTP_WINDOWSIZE_MAX);
	assert_int_equal(t.timeout, TFTP_TIMEOUT_MAX);
	assert_int_equal(t.oack.mask, 1u << TFTP_OPT_BLKSIZE | 1u << TFTP_OPT_WINDOWSIZE);
}

static void rollover_is_a_server_setting(void **state)
{
	(void)state;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0rollover\0001\0"), 5), TFTP_OK);
	assert_int_equal(t.rollover, 0);
	lim.rollover = 1;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0"), 5), TFTP_OK);
	assert_int_equal(t.rollover, 1);
	lim.rollover = 7;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0"), 5), TFTP_OK);
	assert_int_equal(t.rollover, 1);
}

/* atftpd through 0.7.4 (CVE-2021-41054) built its OACK in a buffer the size
 * of the negotiated block: blksize 8 and a few more options overflowed it.
 * The OACK here has its own buffer: blksize 8 is granted and the OACK of
 * every option, far longer than 8 bytes, comes out whole. */
static void blksize_8_with_more_options(void **state)
{
	(void)state;
	assert_int_equal(negotiate(PKT("\0\1f\0octet\0blksize\0008\0tsize\0000\0timeout\000255\0"
				       "windowsize\00064\0"), 18446744073709551615u), TFTP_OK);
	assert_int_equal(t.blksize, 8);
	assert_oack(PKT("\0\6blksize\0008\0timeout\000255\0tsize\00018446744073709551615\0"
			"windowsize\00064\0"));
	assert_true(oack_len > 8);
}

/* tftpd-hpa before 5.1 (CVE-2011-2199) wrote option answers past the end
 * of its OACK buffer.  Here a request stuffed with hundreds of options, the
 * known ones with their longest values, gets an OACK of only those known,
 * bounded by TFTP_OACK_MAX whatever the request holds. */
static void stuffed_request_gets_a_bounded_oack(void **state)
{
	static char buf[TFTP_PACKET_MAX];
	static const char head[] = "\0\1f\0octet\0blksize\0009999999999999999999\0"
				   "timeout\000255\0tsize\0009999999999999999999\0"
				   "windowsize\0009999999999999999999\0";
	size_t len = sizeof head - 1;

	(void)state;
	memcpy(buf, head, len);
	while (len + sizeof "utimeout\0001000000" <= sizeof buf) {
		memcpy(buf + len, "utimeout\0001000000", sizeof "utimeout\0001000000");
		len += sizeof "utimeout\0001000000";
	}
	lim.max_windowsize = TFTP_WINDOWSIZE_MAX;
	assert_int_equal(negotiate(buf, len, 9999999999999999999u), TFTP_OK);
	assert_oack(PKT("\0\6blksize\00065464\0timeout\000255\0tsize\0009999999999999999999\0"
			"windowsize\00065535\0"));
	assert_true(oack_len <= TFTP_OACK_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(no_options_no_oack, setup),
		cmocka_unit_test_setup(unknown_options_alone_get_no_oack, setup),
		cmocka_unit_test_setup(blksize_within_limits_is_granted, setup),
		cmocka_unit_test_setup(blksize_above_limits_is_lowered, setup),
		cmocka_unit_test_setup(mtu_caps_blksize, setup),
		cmocka_unit_test_setup(mtu_blksize, setup),
		cmocka_unit_test_setup(windowsize_is_capped, setup),
		cmocka_unit_test_setup(timeout_is_echoed_or_left_out, setup),
		cmocka_unit_test_setup(tsize_reports_the_file_size, setup),
		cmocka_unit_test_setup(tsize_is_not_offered_for_netascii_reads, setup),
		cmocka_unit_test_setup(upload_tsize_is_echoed_and_capped, setup),
		cmocka_unit_test_setup(only_asked_options_are_acknowledged, setup),
		cmocka_unit_test_setup(all_options_in_fixed_order, setup),
		cmocka_unit_test_setup(uefi_size_probe, setup),
		cmocka_unit_test_setup(limits_out_of_range_are_brought_in, setup),
		cmocka_unit_test_setup(rollover_is_a_server_setting, setup),
		cmocka_unit_test_setup(blksize_8_with_more_options, setup),
		cmocka_unit_test_setup(stuffed_request_gets_a_bounded_oack, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
