/* SPDX-License-Identifier: MIT */
/* pxed_dhcp -- DHCP packets (app/pxed/dhcp.c): every option pxed reads,
 * overload, each malformed packet refused with its cause, and replies
 * built without overrun and parsed back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "dhcp.h"

static uint8_t pkt[1024];

/* A BOOTREQUEST from 52:54:00:12:34:56 with the options opts (n bytes,
 * 255 included or not, as the test wants); its length. */
static size_t request(const uint8_t *opts, size_t n)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memset(pkt, 0, sizeof pkt);
	pkt[0] = 1, pkt[1] = 1, pkt[2] = 6;
	pkt[4] = 0xde, pkt[5] = 0xad, pkt[6] = 0xbe, pkt[7] = 0xef;
	pkt[10] = 0x80;
	memcpy(pkt + 28, mac, 6);
	pkt[236] = 99, pkt[237] = 130, pkt[238] = 83, pkt[239] = 99;
	memcpy(pkt + 240, opts, n);
	return 240 + n;
}

#define REQ(...)                                                   \
	({                                                         \
		static const uint8_t o_[] = { __VA_ARGS__ };       \
		request(o_, sizeof o_);                            \
	})

static enum dhcp_cause parse(size_t len, struct dhcp_msg *m)
{
	return dhcp_parse(pkt, len, DHCP_BOOTREQUEST, m);
}

static void pxe_discover(void **state)
{
	struct dhcp_msg m;
	size_t n = REQ(53, 1, 1, 57, 2, 0x05, 0xc0, 93, 2, 0, 7, 94, 3, 1, 3, 16,
		       60, 32, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', ':', 'A', 'r', 'c', 'h',
		       ':', '0', '0', '0', '0', '7', ':', 'U', 'N', 'D', 'I', ':', '0', '0', '3',
		       '0', '1', '6', 97, 17, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
		       16, 55, 3, 1, 3, 6, 255);

	(void)state;
	assert_int_equal(parse(n, &m), DHCP_OK);
	assert_int_equal(m.type, DHCP_DISCOVER);
	assert_int_equal(m.xid, 0xdeadbeef);
	assert_int_equal(m.flags, DHCP_BROADCAST);
	assert_int_equal(m.arch, 7);
	assert_int_equal(m.max_size, 1472);
	assert_int_equal(m.opt[DHCP_F_VENDOR_CLASS].len, 32);
	assert_memory_equal(m.opt[DHCP_F_VENDOR_CLASS].p, "PXEClient:", 10);
	assert_int_equal(m.opt[DHCP_F_UUID].len, 17);
	assert_int_equal(m.opt[DHCP_F_NDI].p[0], 1);
	assert_int_equal(m.opt[DHCP_F_PARAMS].len, 3);
	assert_int_equal(m.chaddr[5], 0x56);
	assert_false(dhcp_has(&m, DHCP_F_IPXE));
}

static void request_fields(void **state)
{
	struct dhcp_msg m;
	size_t n = REQ(53, 1, 3, 50, 4, 192, 0, 2, 100, 54, 4, 192, 0, 2, 1, 51, 4, 0, 0, 14, 16,
		       61, 7, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56, 0, 0, 255, 0, 0);

	(void)state;
	assert_int_equal(parse(n, &m), DHCP_OK);
	assert_int_equal(m.type, DHCP_REQUEST);
	assert_int_equal(m.requested_ip, 0xc0000264);
	assert_int_equal(m.server_id, 0xc0000201);
	assert_int_equal(m.lease_time, 3600);
	assert_int_equal(m.opt[DHCP_F_CLIENT_ID].len, 7);
}

static void bootp_and_unknown_options(void **state)
{
	struct dhcp_msg m;

	(void)state;
	assert_int_equal(parse(REQ(200, 3, 1, 2, 3, 0, 12, 2, 'h', 'i', 255), &m), DHCP_OK);
	assert_int_equal(m.type, DHCP_NONE);
	assert_int_equal(m.opt[DHCP_F_HOSTNAME].len, 2);
	assert_string_equal(dhcp_type_name(m.type), "BOOTP");
}

static void ipxe_markers(void **state)
{
	struct dhcp_msg m;

	(void)state;
	assert_int_equal(parse(REQ(53, 1, 1, 77, 4, 'i', 'P', 'X', 'E', 175, 3, 177, 1, 1, 255), &m),
			 DHCP_OK);
	assert_true(dhcp_has(&m, DHCP_F_IPXE));
	assert_true(dhcp_user_class_has(m.opt[DHCP_F_USER_CLASS], "iPXE"));
	/* RFC 3004's form: length-prefixed items. */
	assert_int_equal(parse(REQ(53, 1, 1, 77, 9, 3, 'f', 'o', 'o', 4, 'i', 'P', 'X', 'E', 255), &m),
			 DHCP_OK);
	assert_true(dhcp_user_class_has(m.opt[DHCP_F_USER_CLASS], "iPXE"));
	assert_false(dhcp_user_class_has(m.opt[DHCP_F_USER_CLASS], "iPX"));
	assert_false(dhcp_user_class_has(m.opt[DHCP_F_HOSTNAME], "iPXE"));
}

static void pxe_suboptions(void **state)
{
	struct dhcp_msg m;
	struct dhcp_bytes item;

	(void)state;
	assert_int_equal(parse(REQ(53, 1, 3, 43, 9, 0, 71, 4, 0x80, 0, 0, 0, 255, 9, 255), &m), DHCP_OK);
	assert_true(dhcp_find_sub(m.opt[DHCP_F_VENDOR], PXE_BOOT_ITEM, &item));
	assert_int_equal(item.len, 4);
	assert_int_equal(item.p[0], 0x80);
	assert_false(dhcp_find_sub(m.opt[DHCP_F_VENDOR], PXE_DISCOVERY_CONTROL, &item));
	/* A suboption running past option 43 is not found. */
	assert_int_equal(parse(REQ(53, 1, 3, 43, 3, 71, 4, 1, 255), &m), DHCP_OK);
	assert_false(dhcp_find_sub(m.opt[DHCP_F_VENDOR], PXE_BOOT_ITEM, &item));
}

static void overload(void **state)
{
	struct dhcp_msg m;
	size_t n = REQ(53, 1, 1, 52, 1, 3, 255);

	(void)state;
	/* file: 93; sname: 60 "PXEClient". */
	memcpy(pkt + 108, (uint8_t[]){ 93, 2, 0, 9, 255 }, 5);
	memcpy(pkt + 44, (uint8_t[]){ 60, 9, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', 255 }, 12);
	assert_int_equal(parse(n, &m), DHCP_OK);
	assert_int_equal(m.overload, 3);
	assert_int_equal(m.arch, 9);
	assert_int_equal(m.opt[DHCP_F_VENDOR_CLASS].len, 9);
	/* The file field without its 255. */
	memset(pkt + 108, 0, 128);
	pkt[108] = 93, pkt[109] = 2;
	assert_int_equal(parse(n, &m), DHCP_NO_END);
	/* An option running out of the sname field into file is an overrun. */
	n = REQ(53, 1, 1, 52, 1, 2, 255);
	pkt[44 + 62] = 60, pkt[44 + 63] = 5;
	assert_int_equal(parse(n, &m), DHCP_OPTION_OVERRUN);
	n = REQ(53, 1, 1, 52, 1, 4, 255);
	assert_int_equal(parse(n, &m), DHCP_BAD_OVERLOAD);
}

static void malformed(void **state)
{
	struct dhcp_msg m;
	size_t n;

	(void)state;
	n = REQ(53, 1, 1, 255);
	assert_int_equal(parse(239, &m), DHCP_SHORT);
	assert_int_equal(parse(0, &m), DHCP_SHORT);
	pkt[0] = 2;
	assert_int_equal(parse(n, &m), DHCP_WRONG_OP);
	pkt[0] = 1, pkt[1] = 6;
	assert_int_equal(parse(n, &m), DHCP_BAD_HTYPE);
	pkt[1] = 1, pkt[2] = 16;
	assert_int_equal(parse(n, &m), DHCP_BAD_HLEN);
	pkt[2] = 6, pkt[239] = 98;
	assert_int_equal(parse(n, &m), DHCP_BAD_COOKIE);
	assert_int_equal(parse(REQ(53, 1, 1), &m), DHCP_NO_END);
	assert_int_equal(parse(REQ(53, 1, 1, 0, 0, 0), &m), DHCP_NO_END);
	assert_int_equal(parse(REQ(53, 1, 1, 12, 5, 'a', 'b'), &m), DHCP_OPTION_OVERRUN);
	assert_int_equal(parse(REQ(53, 1, 1, 12), &m), DHCP_OPTION_OVERRUN);
	assert_int_equal(parse(REQ(53, 2, 1, 1, 255), &m), DHCP_BAD_LENGTH);
	assert_int_equal(parse(REQ(53, 1, 1, 93, 3, 0, 0, 0, 255), &m), DHCP_BAD_LENGTH);
	assert_int_equal(parse(REQ(53, 1, 1, 97, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
				   14, 15, 255), &m), DHCP_BAD_LENGTH);
	assert_int_equal(parse(REQ(53, 1, 1, 61, 1, 1, 255), &m), DHCP_BAD_LENGTH);
	assert_int_equal(parse(REQ(53, 1, 1, 82, 1, 1, 255), &m), DHCP_BAD_LENGTH);
	assert_int_equal(parse(REQ(53, 1, 1, 82, 2, 1, 0, 82, 2, 2, 0, 255), &m), DHCP_DUPLICATE);
	assert_int_equal(parse(REQ(53, 1, 1, 53, 1, 3, 255), &m), DHCP_DUPLICATE);
	assert_int_equal(parse(REQ(53, 1, 9, 255), &m), DHCP_BAD_TYPE);
	assert_int_equal(parse(REQ(53, 1, 0, 255), &m), DHCP_BAD_TYPE);
	for (int c = 0; c < DHCP_CAUSE_COUNT; c++)
		assert_non_null(dhcp_cause_message((enum dhcp_cause)c));
}

static void build_and_parse_back(void **state)
{
	struct dhcp_msg m, back;
	struct dhcp_reply r;
	uint8_t out[DHCP_REPLY_MAX];
	size_t n = REQ(53, 1, 1, 255), len;

	(void)state;
	assert_int_equal(parse(n, &m), DHCP_OK);
	dhcp_reply_init(&r, &m, DHCP_OFFER);
	r.yiaddr = 0xc0000264;
	r.siaddr = 0xc0000201;
	strcpy(r.file, "ipxe.efi");
	assert_true(dhcp_reply_add32(&r, DHCP_OPT_SERVER_ID, 0xc0000201));
	assert_true(dhcp_reply_add(&r, DHCP_OPT_VENDOR_CLASS, "PXEClient", 9));
	len = dhcp_build(out, sizeof out, &r);
	assert_int_equal(len, DHCP_REPLY_MIN);
	assert_int_equal(dhcp_parse(out, len, DHCP_BOOTREPLY, &back), DHCP_OK);
	assert_int_equal(back.type, DHCP_OFFER);
	assert_int_equal(back.xid, 0xdeadbeef);
	assert_int_equal(back.flags, DHCP_BROADCAST);
	assert_int_equal(back.yiaddr, 0xc0000264);
	assert_int_equal(back.siaddr, 0xc0000201);
	assert_int_equal(back.server_id, 0xc0000201);
	assert_string_equal((const char *)back.file, "ipxe.efi");
	assert_memory_equal(back.chaddr, m.chaddr, 16);
	/* Too small a buffer: nothing. */
	assert_int_equal(dhcp_build(out, DHCP_REPLY_MIN - 1, &r), 0);
}

static void builder_never_overruns(void **state)
{
	struct dhcp_msg m;
	struct dhcp_reply r;
	uint8_t big[255] = { 0 }, out[DHCP_REPLY_MAX + 16];
	size_t len, added = 0;

	(void)state;
	assert_int_equal(parse(REQ(53, 1, 1, 255), &m), DHCP_OK);
	dhcp_reply_init(&r, &m, DHCP_ACK);
	assert_false(dhcp_reply_add(&r, 43, big, 256));
	while (dhcp_reply_add(&r, 43, big, 255))
		added++;
	assert_int_equal(added, 1);
	while (dhcp_reply_add(&r, 200, big, 1))
		added++;
	assert_true(r.len <= sizeof r.opts - 4);
	memset(out, 0xaa, sizeof out);
	len = dhcp_build(out, sizeof out, &r);
	assert_true(len > 0 && len <= DHCP_REPLY_MAX);
	assert_int_equal(out[len - 1], 255);
	for (size_t i = len; i < sizeof out; i++)
		assert_int_equal(out[i], 0xaa);
	assert_int_equal(dhcp_parse(out, len, DHCP_BOOTREPLY, &m), DHCP_OK);
}

/* Option 82 (RFC 3046): read as sent, copied into the reply, written
 * last before 255 however many options come after it is copied, and
 * room kept for it so that no option added can push it out. */
static void agent_option_echoed_last(void **state)
{
	struct dhcp_msg m, back;
	struct dhcp_reply r;
	uint8_t out[DHCP_REPLY_MAX], big[255] = { 0 };
	size_t len;

	(void)state;
	assert_int_equal(parse(REQ(53, 1, 1, 82, 6, 1, 4, 'v', '1', 'a', 0, 93, 2, 0, 7, 255), &m),
			 DHCP_OK);
	assert_int_equal(m.opt[DHCP_F_AGENT].len, 6);
	dhcp_reply_init(&r, &m, DHCP_OFFER);
	assert_true(dhcp_reply_add32(&r, DHCP_OPT_SERVER_ID, 0xc0000201));
	while (dhcp_reply_add(&r, 200, big, 40))
		;
	len = dhcp_build(out, sizeof out, &r);
	assert_true(len > 0 && len <= DHCP_REPLY_MAX);
	assert_memory_equal(out + len - 9, ((const uint8_t[]){ 82, 6, 1, 4, 'v', '1', 'a', 0, 255 }),
			    9);
	assert_int_equal(dhcp_parse(out, len, DHCP_BOOTREPLY, &back), DHCP_OK);
	assert_int_equal(back.opt[DHCP_F_AGENT].len, 6);
	/* None asked: none sent. */
	assert_int_equal(parse(REQ(53, 1, 1, 255), &m), DHCP_OK);
	dhcp_reply_init(&r, &m, DHCP_OFFER);
	len = dhcp_build(out, sizeof out, &r);
	assert_int_equal(dhcp_parse(out, len, DHCP_BOOTREPLY, &back), DHCP_OK);
	assert_false(dhcp_has(&back, DHCP_F_AGENT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pxe_discover),
		cmocka_unit_test(request_fields),
		cmocka_unit_test(bootp_and_unknown_options),
		cmocka_unit_test(ipxe_markers),
		cmocka_unit_test(pxe_suboptions),
		cmocka_unit_test(overload),
		cmocka_unit_test(malformed),
		cmocka_unit_test(build_and_parse_back),
		cmocka_unit_test(builder_never_overruns),
		cmocka_unit_test(agent_option_echoed_last),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
