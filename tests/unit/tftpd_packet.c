/* SPDX-License-Identifier: MIT */
/* tftpd_packet -- client packets parsed (app/tftpd/packet.c): every
 * accepted form, every refusal with its cause and error code, the bytes of
 * every packet the server builds, and the malformed packets that broke
 * other TFTP servers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"

/* A packet written as a C literal, embedded NULs and all, without the
 * literal's own final NUL. */
#define PKT(s) s, sizeof s - 1

static struct tftp_packet pkt;

static enum tftp_cause parse(const char *buf, size_t len)
{
	memset(&pkt, 0xa5, sizeof pkt);
	return tftp_parse(buf, len, &pkt);
}

static void assert_refused(const char *buf, size_t len, enum tftp_cause cause,
			   enum tftp_error code)
{
	assert_int_equal(parse(buf, len), cause);
	assert_int_equal(tftp_cause_code(cause), code);
}

static void rrq_octet(void **state)
{
	(void)state;
	assert_int_equal(parse(PKT("\0\1pxelinux.0\0octet\0")), TFTP_OK);
	assert_int_equal(pkt.opcode, TFTP_RRQ);
	assert_string_equal(pkt.req.filename, "pxelinux.0");
	assert_int_equal(pkt.req.filename_len, 10);
	assert_int_equal(pkt.req.mode, TFTP_OCTET);
	assert_int_equal(pkt.req.opts.mask, 0);
}

static void wrq_and_modes_in_any_case(void **state)
{
	(void)state;
	assert_int_equal(parse(PKT("\0\2up.txt\0NetASCII\0")), TFTP_OK);
	assert_int_equal(pkt.opcode, TFTP_WRQ);
	assert_int_equal(pkt.req.mode, TFTP_NETASCII);
	assert_int_equal(parse(PKT("\0\1f\0OCTET\0")), TFTP_OK);
	assert_int_equal(pkt.req.mode, TFTP_OCTET);
	assert_int_equal(parse(PKT("\0\1f\0netascii\0")), TFTP_OK);
	assert_int_equal(pkt.req.mode, TFTP_NETASCII);
}

static void filename_is_taken_as_it_is(void **state)
{
	(void)state;
	/* The policy is path.c's: the parser keeps every byte but NUL. */
	assert_int_equal(parse(PKT("\0\1../a\\b \x7f\xff\0octet\0")), TFTP_OK);
	assert_int_equal(pkt.req.filename_len, 9);
	assert_memory_equal(pkt.req.filename, "../a\\b \x7f\xff", 10);
}

static void known_options_in_any_case(void **state)
{
	(void)state;
	assert_int_equal(parse(PKT("\0\1f\0octet\0BLKSIZE\0001432\0Tsize\0000\0"
				   "WindowSize\08\0timeOUT\0003\0")), TFTP_OK);
	assert_int_equal(pkt.req.opts.mask, 0xf);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_BLKSIZE], 1432);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_TSIZE], 0);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_WINDOWSIZE], 8);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_TIMEOUT], 3);
}

static void option_range_edges(void **state)
{
	(void)state;
	assert_int_equal(parse(PKT("\0\1f\0octet\0blksize\0008\0windowsize\0001\0timeout\0001\0")),
			 TFTP_OK);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_BLKSIZE], 8);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_WINDOWSIZE], 1);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_TIMEOUT], 1);
	assert_int_equal(parse(PKT("\0\1f\0octet\0blksize\00065464\0windowsize\00065535\0"
				   "timeout\000255\0tsize\0009999999999999999999\0")), TFTP_OK);
	assert_int_equal(pkt.req.opts.mask, 0xf);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_BLKSIZE], 65464);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_WINDOWSIZE], 65535);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_TIMEOUT], 255);
	assert_true(pkt.req.opts.value[TFTP_OPT_TSIZE] == 9999999999999999999u);
}

static void values_above_the_rfc_range_are_kept_for_negotiation(void **state)
{
	(void)state;
	/* RFC 2348, 7440: the server answers with a smaller value. */
	assert_int_equal(parse(PKT("\0\1f\0octet\0blksize\00065465\0windowsize\0001000000\0")),
			 TFTP_OK);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_BLKSIZE], 65465);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_WINDOWSIZE], 1000000);
	assert_int_equal(parse(PKT("\0\1f\0octet\0blksize\0000001432\0")), TFTP_OK);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_BLKSIZE], 1432);
}

static void timeout_out_of_range_is_ignored(void **state)
{
	(void)state;
	/* RFC 2349: 1..255, echoed exactly, so no other value can be offered. */
	assert_int_equal(parse(PKT("\0\1f\0octet\0timeout\0000\0")), TFTP_OK);
	assert_int_equal(pkt.req.opts.mask, 0);
	assert_int_equal(parse(PKT("\0\1f\0octet\0timeout\000256\0blksize\000512\0")), TFTP_OK);
	assert_int_equal(pkt.req.opts.mask, 1u << TFTP_OPT_BLKSIZE);
}

static void unknown_options_are_skipped(void **state)
{
	(void)state;
	assert_int_equal(parse(PKT("\0\1f\0octet\0multicast\0\0utimeout\0001000\0"
				   "rollover\0001\0blksize2\08192\0x\0y\0")), TFTP_OK);
	assert_int_equal(pkt.req.opts.mask, 0);
	/* even repeated, even with values that would be bad for a known one */
	assert_int_equal(parse(PKT("\0\1f\0octet\0foo\0-1\0foo\0abc\0tsize\0000\0")), TFTP_OK);
	assert_int_equal(pkt.req.opts.mask, 1u << TFTP_OPT_TSIZE);
}

static void nul_padding_after_the_options_is_ignored(void **state)
{
	(void)state;
	assert_int_equal(parse(PKT("\0\1f\0octet\0\0\0\0")), TFTP_OK);
	assert_int_equal(parse(PKT("\0\1f\0octet\0tsize\0000\0\0")), TFTP_OK);
	assert_int_equal(pkt.req.opts.mask, 1u << TFTP_OPT_TSIZE);
}

static void data_ack_error(void **state)
{
	(void)state;
	assert_int_equal(parse(PKT("\0\3\1\2hello")), TFTP_OK);
	assert_int_equal(pkt.opcode, TFTP_DATA);
	assert_int_equal(pkt.data.block, 0x102);
	assert_int_equal(pkt.data.len, 5);
	assert_memory_equal(pkt.data.data, "hello", 5);
	assert_int_equal(parse(PKT("\0\3\377\377")), TFTP_OK); /* the empty last block */
	assert_int_equal(pkt.data.block, 65535);
	assert_int_equal(pkt.data.len, 0);
	assert_int_equal(parse(PKT("\0\4\0\0")), TFTP_OK);
	assert_int_equal(pkt.opcode, TFTP_ACK);
	assert_int_equal(pkt.ack, 0);
	assert_int_equal(parse(PKT("\0\4\1\0\0\0\0\0")), TFTP_OK); /* padded, as others accept */
	assert_int_equal(pkt.ack, 256);
	assert_int_equal(parse(PKT("\0\5\0\10size probe\0")), TFTP_OK);
	assert_int_equal(pkt.opcode, TFTP_ERROR);
	assert_int_equal(pkt.error.code, 8);
	assert_string_equal(pkt.error.message, "size probe");
	assert_int_equal(parse(PKT("\0\5\1\0\0")), TFTP_OK);
	assert_int_equal(pkt.error.code, 256);
	assert_string_equal(pkt.error.message, "");
}

static void largest_data_packet(void **state)
{
	char *buf = calloc(1, TFTP_PACKET_MAX + 1);

	(void)state;
	buf[1] = TFTP_DATA;
	assert_int_equal(parse(buf, TFTP_PACKET_MAX), TFTP_OK);
	assert_int_equal(pkt.data.len, TFTP_BLKSIZE_MAX);
	assert_refused(buf, TFTP_PACKET_MAX + 1, TFTP_OVERSIZED, TFTP_EBADOP);
	free(buf);
}

static void truncated_packets(void **state)
{
	(void)state;
	assert_refused(PKT(""), TFTP_TRUNCATED, TFTP_EBADOP);
	assert_refused(PKT("\0"), TFTP_TRUNCATED, TFTP_EBADOP);
	assert_refused(PKT("\0\3\0"), TFTP_TRUNCATED, TFTP_EBADOP);
	assert_int_equal(pkt.opcode, TFTP_DATA);
	assert_refused(PKT("\0\4"), TFTP_TRUNCATED, TFTP_EBADOP);
	assert_refused(PKT("\0\5\0"), TFTP_TRUNCATED, TFTP_EBADOP);
}

static void bad_opcodes(void **state)
{
	(void)state;
	assert_refused(PKT("\0\0f\0octet\0"), TFTP_BAD_OPCODE, TFTP_EBADOP);
	/* an OACK goes from server to client */
	assert_refused(PKT("\0\6blksize\0001024\0"), TFTP_BAD_OPCODE, TFTP_EBADOP);
	assert_refused(PKT("\0\7\0\0"), TFTP_BAD_OPCODE, TFTP_EBADOP);
	assert_refused(PKT("\1\1f\0octet\0"), TFTP_BAD_OPCODE, TFTP_EBADOP);
	assert_refused(PKT("\377\377"), TFTP_BAD_OPCODE, TFTP_EBADOP);
}

static void requests_with_a_string_running_off_the_end(void **state)
{
	(void)state;
	assert_refused(PKT("\0\1"), TFTP_MISSING_NUL, TFTP_EBADOP);
	assert_refused(PKT("\0\1file"), TFTP_MISSING_NUL, TFTP_EBADOP);
	assert_refused(PKT("\0\1file\0"), TFTP_MISSING_NUL, TFTP_EBADOP);
	assert_refused(PKT("\0\1file\0octet"), TFTP_MISSING_NUL, TFTP_EBADOP);
	assert_refused(PKT("\0\2file\0octet\0blksize"), TFTP_MISSING_NUL, TFTP_EBADOP);
}

static void empty_filename(void **state)
{
	(void)state;
	assert_refused(PKT("\0\1\0octet\0"), TFTP_EMPTY_FILENAME, TFTP_EBADOP);
	assert_refused(PKT("\0\2\0octet\0"), TFTP_EMPTY_FILENAME, TFTP_EBADOP);
}

static void bad_modes(void **state)
{
	(void)state;
	assert_refused(PKT("\0\1f\0binary\0"), TFTP_BAD_MODE, TFTP_EBADOP);
	assert_refused(PKT("\0\1f\0\0"), TFTP_BAD_MODE, TFTP_EBADOP);
	assert_refused(PKT("\0\1f\0octe\0"), TFTP_BAD_MODE, TFTP_EBADOP);
	assert_refused(PKT("\0\1f\0octets\0"), TFTP_BAD_MODE, TFTP_EBADOP);
	assert_refused(PKT("\0\1f\0octet \0"), TFTP_BAD_MODE, TFTP_EBADOP);
	assert_refused(PKT("\0\1f\0ascii\0"), TFTP_BAD_MODE, TFTP_EBADOP);
	assert_refused(PKT("\0\1f\0mail\0"), TFTP_MAIL_MODE, TFTP_EBADOP);
	assert_refused(PKT("\0\2root\0MAIL\0"), TFTP_MAIL_MODE, TFTP_EBADOP);
}

static void option_without_value(void **state)
{
	(void)state;
	assert_refused(PKT("\0\1f\0octet\0tsize\0"), TFTP_OPTION_NO_VALUE, TFTP_EOPTION);
	assert_refused(PKT("\0\1f\0octet\0tsize\0000\0unknown\0"), TFTP_OPTION_NO_VALUE,
		       TFTP_EOPTION);
}

static void empty_option_name_before_more_bytes(void **state)
{
	(void)state;
	assert_refused(PKT("\0\1f\0octet\0\0blksize\0001024\0"), TFTP_EMPTY_OPTION_NAME,
		       TFTP_EOPTION);
	assert_refused(PKT("\0\1f\0octet\0\0x"), TFTP_EMPTY_OPTION_NAME, TFTP_EOPTION);
}

static void non_numeric_values(void **state)
{
	(void)state;
	assert_refused(PKT("\0\1f\0octet\0blksize\0abc\0"), TFTP_NON_NUMERIC_VALUE, TFTP_EOPTION);
	assert_refused(PKT("\0\1f\0octet\0blksize\0\0"), TFTP_NON_NUMERIC_VALUE, TFTP_EOPTION);
	assert_refused(PKT("\0\1f\0octet\0blksize\0-512\0"), TFTP_NON_NUMERIC_VALUE, TFTP_EOPTION);
	assert_refused(PKT("\0\1f\0octet\0blksize\0+512\0"), TFTP_NON_NUMERIC_VALUE, TFTP_EOPTION);
	assert_refused(PKT("\0\1f\0octet\0blksize\0 512\0"), TFTP_NON_NUMERIC_VALUE, TFTP_EOPTION);
	assert_refused(PKT("\0\1f\0octet\0blksize\000512 \0"), TFTP_NON_NUMERIC_VALUE, TFTP_EOPTION);
	assert_refused(PKT("\0\1f\0octet\0blksize\0000x200\0"), TFTP_NON_NUMERIC_VALUE, TFTP_EOPTION);
	/* A WRQ's tsize is the size: it must be a number. */
	assert_refused(PKT("\0\2f\0octet\0tsize\0001e6\0"), TFTP_NON_NUMERIC_VALUE, TFTP_EOPTION);
	assert_refused(PKT("\0\2f\0octet\0tsize\0enable\0"), TFTP_NON_NUMERIC_VALUE, TFTP_EOPTION);
	assert_refused(PKT("\0\1f\0octet\0timeout\0001.5\0"), TFTP_NON_NUMERIC_VALUE, TFTP_EOPTION);
	assert_refused(PKT("\0\1f\0octet\0windowsize\0\xd9\xa1\0"), TFTP_NON_NUMERIC_VALUE,
		       TFTP_EOPTION);
}

/* atftp --option "tsize enable" sends the word: an RRQ's tsize only asks. */
static void read_tsize_any_value_asks_for_the_size(void **state)
{
	(void)state;
	assert_int_equal(parse(PKT("\0\1f\0octet\0tsize\0enable\0blksize\0001468\0")), TFTP_OK);
	assert_true(pkt.req.opts.mask & 1u << TFTP_OPT_TSIZE);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_TSIZE], 0);
	assert_int_equal(pkt.req.opts.value[TFTP_OPT_BLKSIZE], 1468);
}

static void values_no_answer_can_meet(void **state)
{
	(void)state;
	for (char v = '0'; v < '8'; v++) {
		char p[] = "\0\1f\0octet\0blksize\0?";
		p[sizeof p - 2] = v;
		assert_refused(p, sizeof p, TFTP_VALUE_OUT_OF_RANGE, TFTP_EOPTION);
	}
	assert_refused(PKT("\0\1f\0octet\0windowsize\0000\0"), TFTP_VALUE_OUT_OF_RANGE,
		       TFTP_EOPTION);
	/* 20 digits: more than a uint64_t is sure to hold */
	assert_refused(PKT("\0\1f\0octet\0tsize\00018446744073709551615\0"),
		       TFTP_VALUE_OUT_OF_RANGE, TFTP_EOPTION);
	assert_refused(PKT("\0\1f\0octet\0blksize\00000000000000000001432\0"),
		       TFTP_VALUE_OUT_OF_RANGE, TFTP_EOPTION);
}

static void duplicated_options(void **state)
{
	(void)state;
	assert_refused(PKT("\0\1f\0octet\0blksize\000512\0BLKSIZE\0001024\0"),
		       TFTP_DUPLICATE_OPTION, TFTP_EOPTION);
	assert_refused(PKT("\0\1f\0octet\0tsize\0000\0tsize\0000\0"), TFTP_DUPLICATE_OPTION,
		       TFTP_EOPTION);
	/* the first was out of range and ignored: still given twice */
	assert_refused(PKT("\0\1f\0octet\0timeout\0000\0timeout\0005\0"), TFTP_DUPLICATE_OPTION,
		       TFTP_EOPTION);
}

static void every_cause_has_a_message_and_a_code(void **state)
{
	(void)state;
	for (int c = TFTP_OK + 1; c < TFTP_CAUSE_COUNT; c++) {
		assert_non_null(tftp_cause_message(c));
		assert_true(strlen(tftp_cause_message(c)) > 5);
		assert_in_range(tftp_cause_code(c), TFTP_EUNDEF + 1, TFTP_EOPTION);
	}
	assert_int_equal(tftp_cause_code(TFTP_UPLOAD_TOO_LARGE), TFTP_ENOSPACE);
	assert_string_equal(tftp_cause_message(TFTP_CAUSE_COUNT), "unknown cause");
	assert_string_equal(tftp_option_name(TFTP_OPT_WINDOWSIZE), "windowsize");
}

/* dnsmasq before 2.50 (CVE-2009-2957) copied the filename into a fixed
 * buffer: here a filename as long as a packet allows is parsed in place,
 * bounded by the packet, and nothing is copied. */
static void longest_filename_is_parsed_in_place(void **state)
{
	char *buf = malloc(TFTP_PACKET_MAX);
	size_t name_len = TFTP_PACKET_MAX - 2 - 1 - sizeof "octet";

	(void)state;
	buf[0] = 0;
	buf[1] = TFTP_RRQ;
	memset(buf + 2, 'a', name_len);
	buf[2 + name_len] = '\0';
	memcpy(buf + 3 + name_len, "octet", sizeof "octet");
	assert_int_equal(parse(buf, TFTP_PACKET_MAX), TFTP_OK);
	assert_ptr_equal(pkt.req.filename, buf + 2);
	assert_int_equal(pkt.req.filename_len, name_len);
	/* one byte short: the mode's NUL is outside the packet */
	assert_refused(buf, TFTP_PACKET_MAX - 1, TFTP_MISSING_NUL, TFTP_EBADOP);
	free(buf);
}

/* Servers have logged an ERROR's message with %s.  A 4-byte ERROR has no
 * message and no NUL: it is refused as such, its code still read, and no
 * byte past the packet is looked at (ASan checks the exact-size copy). */
static void error_without_message_nul(void **state)
{
	static const char *const tiny[] = { "\0\5\0\1", "\0\5\0\1Fi", "\0\5\0\10x" };
	static const size_t len[] = { 4, 6, 5 };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char *exact = malloc(len[i]);
		memcpy(exact, tiny[i], len[i]);
		assert_int_equal(parse(exact, len[i]), TFTP_MISSING_NUL);
		assert_int_equal(pkt.opcode, TFTP_ERROR);
		assert_int_equal(pkt.error.code, tiny[i][3]);
		free(exact);
	}
}

/* atftpd before 0.7.5 (CVE-2021-46671) read option strings past the end of
 * the packet when the last one had no NUL, and sent back what lay beyond.
 * Each string must end inside the packet. */
static void option_overrunning_the_packet(void **state)
{
	static const char p[] = "\0\1f\0octet\0blksize\0001432";
	char *exact = malloc(sizeof p - 1);

	(void)state;
	memcpy(exact, p, sizeof p - 1);
	assert_refused(exact, sizeof p - 1, TFTP_MISSING_NUL, TFTP_EBADOP);
	assert_refused(exact, sizeof p - 5, TFTP_OPTION_NO_VALUE, TFTP_EOPTION);
	assert_refused(exact, sizeof p - 6, TFTP_MISSING_NUL, TFTP_EBADOP);
	free(exact);
}

/* dnsmasq before 2.50 (CVE-2009-2958) crashed on an RRQ whose blksize
 * option was malformed.  Every malformed form is a refusal with a cause. */
static void malformed_blksize(void **state)
{
	(void)state;
	assert_int_equal(parse(PKT("\0\1f\0octet\0blksize")), TFTP_MISSING_NUL);
	assert_int_equal(parse(PKT("\0\1f\0octet\0blksize\0")), TFTP_OPTION_NO_VALUE);
	assert_int_equal(parse(PKT("\0\1f\0octet\0blksize\0\0")), TFTP_NON_NUMERIC_VALUE);
	assert_int_equal(parse(PKT("\0\1f\0octet\0blksize\0\377\0")), TFTP_NON_NUMERIC_VALUE);
	assert_int_equal(parse(PKT("\0\1f\0octet\0blksize\0000\0")), TFTP_VALUE_OUT_OF_RANGE);
}

static void error_bytes(void **state)
{
	uint8_t buf[64];

	(void)state;
	assert_int_equal(tftp_build_error(buf, sizeof buf, TFTP_ENOTFOUND, "File not found"), 19);
	assert_memory_equal(buf, "\0\5\0\1File not found\0", 19);
	assert_int_equal(tftp_build_error(buf, sizeof buf, TFTP_EOPTION, ""), 5);
	assert_memory_equal(buf, "\0\5\0\10\0", 5);
}

static void error_message_is_cut_to_fit(void **state)
{
	uint8_t buf[10];

	(void)state;
	memset(buf, 'x', sizeof buf);
	assert_int_equal(tftp_build_error(buf, sizeof buf, TFTP_EACCESS, "Access violation"), 10);
	assert_memory_equal(buf, "\0\5\0\2Acces\0", 10);
	assert_int_equal(tftp_build_error(buf, 5, TFTP_EACCESS, "Access violation"), 5);
	assert_memory_equal(buf, "\0\5\0\2\0", 5);
	assert_int_equal(tftp_build_error(buf, 4, TFTP_EACCESS, "x"), 0);
}

/* path_open's errno (path.h) as the ERROR a client is sent. */
static void path_errors_as_codes(void **state)
{
	(void)state;
	assert_int_equal(path_errno_code(ENOENT), TFTP_ENOTFOUND);
	assert_int_equal(path_errno_code(ENOTDIR), TFTP_ENOTFOUND);
	assert_int_equal(path_errno_code(EXDEV), TFTP_EACCESS);
	assert_int_equal(path_errno_code(EACCES), TFTP_EACCESS);
	assert_int_equal(path_errno_code(ELOOP), TFTP_EACCESS);
	assert_int_equal(path_errno_code(EISDIR), TFTP_EACCESS);
	assert_int_equal(path_errno_code(ENOSPC), TFTP_ENOSPACE);
	assert_int_equal(path_errno_code(EEXIST), TFTP_EEXISTS);
	assert_int_equal(path_errno_code(EIO), TFTP_EUNDEF);
}

static void oack_bytes(void **state)
{
	uint8_t buf[TFTP_OACK_MAX];
	struct tftp_options o = { 0xf, { 1432, 3, 1048576, 16 } };
	static const char all[] = "\0\6blksize\0001432\0timeout\0003\0tsize\0001048576\0"
				  "windowsize\00016\0";

	(void)state;
	assert_int_equal(tftp_build_oack(buf, sizeof buf, &o), sizeof all - 1);
	assert_memory_equal(buf, all, sizeof all - 1);
	o.mask = 1u << TFTP_OPT_TSIZE;
	assert_int_equal(tftp_build_oack(buf, sizeof buf, &o), 16);
	assert_memory_equal(buf, "\0\6tsize\0001048576\0", 16);
	o.mask = 1u << TFTP_OPT_WINDOWSIZE | 1u << TFTP_OPT_BLKSIZE;
	assert_int_equal(tftp_build_oack(buf, sizeof buf, &o), 29);
	assert_memory_equal(buf, "\0\6blksize\0001432\0windowsize\00016\0", 29);
}

static void oack_largest_and_too_small(void **state)
{
	uint8_t buf[TFTP_OACK_MAX + 8];
	struct tftp_options o = { 0xf, { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX } };
	size_t n;

	(void)state;
	n = tftp_build_oack(buf, TFTP_OACK_MAX, &o);
	assert_int_equal(n, 2 + sizeof "blksize" + sizeof "timeout" + sizeof "tsize" +
				    sizeof "windowsize" + 4 * (20 + 1));
	assert_true(n <= TFTP_OACK_MAX);
	memset(buf, 'x', sizeof buf);
	assert_int_equal(tftp_build_oack(buf, n - 1, &o), 0);
	assert_int_equal(buf[0], 'x'); /* nothing written */
	o.mask = 0;
	assert_int_equal(tftp_build_oack(buf, sizeof buf, &o), 0);
	o.mask = 0xf0; /* bits of no option */
	assert_int_equal(tftp_build_oack(buf, sizeof buf, &o), 0);
}

static void data_header_and_ack_bytes(void **state)
{
	uint8_t buf[4];

	(void)state;
	assert_int_equal(tftp_build_data_header(buf, 4, 0xabcd), 4);
	assert_memory_equal(buf, "\0\3\xab\xcd", 4);
	assert_int_equal(tftp_build_ack(buf, 4, 0), 4);
	assert_memory_equal(buf, "\0\4\0\0", 4);
	assert_int_equal(tftp_build_ack(buf, 4, 65535), 4);
	assert_memory_equal(buf, "\0\4\377\377", 4);
	assert_int_equal(tftp_build_ack(buf, 3, 1), 0);
	assert_int_equal(tftp_build_data_header(buf, 3, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rrq_octet),
		cmocka_unit_test(path_errors_as_codes),
		cmocka_unit_test(wrq_and_modes_in_any_case),
		cmocka_unit_test(filename_is_taken_as_it_is),
		cmocka_unit_test(known_options_in_any_case),
		cmocka_unit_test(option_range_edges),
		cmocka_unit_test(values_above_the_rfc_range_are_kept_for_negotiation),
		cmocka_unit_test(timeout_out_of_range_is_ignored),
		cmocka_unit_test(unknown_options_are_skipped),
		cmocka_unit_test(nul_padding_after_the_options_is_ignored),
		cmocka_unit_test(data_ack_error),
		cmocka_unit_test(largest_data_packet),
		cmocka_unit_test(truncated_packets),
		cmocka_unit_test(bad_opcodes),
		cmocka_unit_test(requests_with_a_string_running_off_the_end),
		cmocka_unit_test(empty_filename),
		cmocka_unit_test(bad_modes),
		cmocka_unit_test(option_without_value),
		cmocka_unit_test(empty_option_name_before_more_bytes),
		cmocka_unit_test(non_numeric_values),
		cmocka_unit_test(read_tsize_any_value_asks_for_the_size),
		cmocka_unit_test(values_no_answer_can_meet),
		cmocka_unit_test(duplicated_options),
		cmocka_unit_test(every_cause_has_a_message_and_a_code),
		cmocka_unit_test(longest_filename_is_parsed_in_place),
		cmocka_unit_test(error_without_message_nul),
		cmocka_unit_test(option_overrunning_the_packet),
		cmocka_unit_test(malformed_blksize),
		cmocka_unit_test(error_bytes),
		cmocka_unit_test(error_message_is_cut_to_fit),
		cmocka_unit_test(oack_bytes),
		cmocka_unit_test(oack_largest_and_too_small),
		cmocka_unit_test(data_header_and_ack_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
