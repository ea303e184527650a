/* SPDX-License-Identifier: MIT */
/* pxed_rpi -- Raspberry Pi network-boot clients (app/pxed/rpi.c): who is
 * one (architecture 0, the BIOS PXE vendor class, a Raspberry Pi OUI or a
 * Pi 4's "RPi4" GUID; never a PC that sends the same options), the rpi
 * line of pxed.conf, option 43 byte for byte as Raspberry Pi's network
 * boot page shows dnsmasq's reply, and what answer() sends a Pi in proxy
 * mode, server mode and on port 4011: 60, 97, 43, 66 and no file, where
 * a PC with the same options gets undionly.kpxe. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "answer.h"
#include "config.h"
#include "rpi.h"

#define LOCAL 0xc0000201u /* 192.0.2.1 */
#define NOW 1700000000

static struct pxed_conf c;
static struct leases ls;
static uint8_t pkt[600], out[DHCP_REPLY_MAX];
static size_t out_len;
static struct dhcp_msg m, back;
static struct dhcp_reply r;

static const uint8_t pi3[6] = { 0xb8, 0x27, 0xeb, 0x28, 0xf6, 0x6d }; /* net.md's capture */
static const uint8_t pi4[6] = { 0xdc, 0xa6, 0x32, 0x01, 0x36, 0xc2 };
static const uint8_t pc[6] = { 0x52, 0x54, 0x00, 0x00, 0x02, 0x64 };

/* The Pi 3 boot ROM's DISCOVER (hardware/raspberrypi/bootmodes/net.md):
 * 55 as captured, 93 0, 94 1.2.1, 97 0 and 16 times 0x44, 60. */
#define VC 60, 32, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', ':', 'A', 'r', 'c', 'h', ':', \
	   '0', '0', '0', '0', '0', ':', 'U', 'N', 'D', 'I', ':', '0', '0', '2', '0', '0', '1'
#define GUID_D 97, 17, 0, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68
/* The Pi 4 EEPROM's option 97: "RPi4", board revision, MAC, serial. */
#define GUID_RPI4 97, 17, 0, 'R', 'P', 'i', '4', 0x11, 0x31, 0xc0, 0x00, 0x32, 0x01, 0x36, \
		  0xc2, 0xef, 0xfd, 0xfe, 0x9f
#define PI_OPTS(type, guid) 53, 1, (type), 55, 12, 43, 60, 67, 128, 129, 130, 131, 132, 133, \
			    134, 135, 66, 93, 2, 0, 0, 94, 3, 1, 2, 1, guid, VC

/* Option 43 as net.md shows dnsmasq's reply to a Pi, pxe-service=0,"Raspberry Pi Boot". */
static const uint8_t doc43[32] = {
	6, 1, 3, 10, 4, 0, 80, 88, 69, 9, 20, 0, 0, 17, 82, 97, 115, 112, 98, 101, 114,
	114, 121, 32, 80, 105, 32, 66, 111, 111, 116, 255,
};

static void conf(const char *const *lines)
{
	char why[PXECONF_WHY_MAX];

	pxeconf_init(&c);
	for (; *lines; lines++)
		assert_int_equal(pxeconf_parse_line(&c, *lines, strlen(*lines), why), CONF_OK);
	assert_true(pxeconf_check(&c, why));
	lease_pool_free(&ls);
	if (c.mode == PXED_SERVER)
		assert_true(lease_pool_init(&ls, c.pool[0].lo, c.pool[0].hi));
}

static int teardown(void **state)
{
	(void)state;
	lease_pool_free(&ls);
	return 0;
}

static void parse(const uint8_t mac[6], const uint8_t *opts, size_t n)
{
	memset(pkt, 0, sizeof pkt);
	pkt[0] = 1, pkt[1] = 1, pkt[2] = 6, pkt[4] = 0x26, pkt[5] = 0xf3, pkt[6] = 0x03;
	memcpy(pkt + 28, mac, 6);
	pkt[236] = 99, pkt[237] = 130, pkt[238] = 83, pkt[239] = 99;
	memcpy(pkt + 240, opts, n);
	pkt[240 + n] = 255;
	assert_int_equal(dhcp_parse(pkt, 241 + n, DHCP_BOOTREQUEST, &m), DHCP_OK);
}

/* mac's request with opts (255 appended) answered on port; the reply
 * built and parsed back into `back` when one is sent. */
static enum answer_outcome ask(enum answer_port port, const uint8_t mac[6], const uint8_t *opts,
			       size_t n)
{
	struct answer_ctx x = { .conf = &c, .leases = &ls, .now = NOW, .local = LOCAL };
	enum answer_outcome o;
	bool save;

	parse(mac, opts, n);
	o = answer(&x, &m, port, &r, &save);
	if (answer_sends(o)) {
		out_len = dhcp_build(out, sizeof out, &r);
		assert_int_equal(dhcp_parse(out, out_len, DHCP_BOOTREPLY, &back), DHCP_OK);
	}
	return o;
}

#define OPTS(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })
#define IS_PI(mac, ...) (parse(mac, OPTS(__VA_ARGS__)), rpi_is_client(&c.rpi, &m))

/* Option code of the reply in out, or NULL; *len its length. */
static const uint8_t *reply_option(uint8_t code, size_t *len)
{
	for (size_t i = DHCP_MIN_LEN; i + 1 < out_len && out[i] != 255;) {
		if (out[i] == 0) {
			i++;
			continue;
		}
		if (out[i] == code) {
			*len = out[i + 1];
			return out + i + 2;
		}
		i += 2 + (size_t)out[i + 1];
	}
	return NULL;
}

/* The reply to a Pi: what rpi.h promises, its TFTP server tftp. */
static void pi_reply(const char *tftp)
{
	size_t len = 0;
	const uint8_t *o66 = reply_option(66, &len);

	assert_int_equal(back.opt[DHCP_F_VENDOR_CLASS].len, 9);
	assert_memory_equal(back.opt[DHCP_F_VENDOR_CLASS].p, "PXEClient", 9);
	assert_int_equal(back.opt[DHCP_F_UUID].len, 17);
	assert_memory_equal(back.opt[DHCP_F_UUID].p, m.opt[DHCP_F_UUID].p, 17);
	assert_int_equal(back.opt[DHCP_F_VENDOR].len, sizeof doc43);
	assert_memory_equal(back.opt[DHCP_F_VENDOR].p, doc43, sizeof doc43);
	assert_non_null(o66);
	assert_int_equal(len, strlen(tftp));
	assert_memory_equal(o66, tftp, len);
	assert_int_equal(r.file[0], 0);
	assert_int_equal(r.sname[0], 0);
}

static void option43_bytes(void **state)
{
	uint8_t o[64];
	size_t n;

	(void)state;
	rpi_init(&c.rpi);
	n = rpi_option43(&c.rpi, o);
	assert_int_equal(n, sizeof doc43);
	assert_memory_equal(o, doc43, n);
	/* pad 3: "Raspberry Pi Boot   ", suboption 9 three bytes longer. */
	c.rpi.pad = 3;
	n = rpi_option43(&c.rpi, o);
	assert_int_equal(n, sizeof doc43 + 3);
	assert_memory_equal(o, doc43, 10);
	assert_int_equal(o[10], 23);
	assert_int_equal(o[13], 20);
	assert_memory_equal(o + 14, "Raspberry Pi Boot   ", 20);
	assert_int_equal(o[34], 255);
}

static void who_is_a_pi(void **state)
{
	static const char *const none[] = { NULL };
	static const char *const own[] = { "rpi on mac 52:54:00", NULL };

	(void)state;
	conf(none);
#ifdef CONFIG_PXED_RPI
	assert_true(c.rpi.on);
#else
	assert_false(c.rpi.on);
	c.rpi.on = true;
#endif
	/* The Pi 3 boot ROM, as captured; its REQUEST too. */
	assert_true(IS_PI(pi3, PI_OPTS(1, GUID_D)));
	assert_true(IS_PI(pi3, PI_OPTS(3, GUID_D)));
	/* A Pi 4 by its OUI, and a Pi 4 of an OUI not listed by its GUID. */
	assert_true(IS_PI(pi4, PI_OPTS(1, GUID_D)));
	assert_true(IS_PI(pc, PI_OPTS(1, GUID_RPI4)));
	/* A PC's PXE ROM sends the same options: not a Pi. */
	assert_false(IS_PI(pc, PI_OPTS(1, GUID_D)));
	/* Not architecture 0, not that vendor class, no 93, iPXE: not a Pi. */
	assert_false(IS_PI(pi3, 53, 1, 1, 93, 2, 0, 7, GUID_D, VC));
	assert_false(IS_PI(pi3, 53, 1, 1, 93, 2, 0, 0, GUID_D, 60, 9, 'P', 'X', 'E', 'C', 'l', 'i',
			   'e', 'n', 't'));
	assert_false(IS_PI(pi3, 53, 1, 1, GUID_D, VC));
	assert_false(IS_PI(pi3, PI_OPTS(1, GUID_D), 77, 4, 'i', 'P', 'X', 'E'));
	/* rpi off: nobody; rpi on mac: that OUI only (and the GUID). */
	c.rpi.on = false;
	assert_false(IS_PI(pi3, PI_OPTS(1, GUID_D)));
	assert_false(IS_PI(pc, PI_OPTS(1, GUID_RPI4)));
	conf(own);
	assert_true(IS_PI(pc, PI_OPTS(1, GUID_D)));
	assert_false(IS_PI(pi3, PI_OPTS(1, GUID_D)));
	assert_true(IS_PI(pi3, PI_OPTS(1, GUID_RPI4)));
}

static void rpi_lines(void **state)
{
	static const char *const bad[] = {
		"rpi", "rpi maybe", "rpi off pad 3", "rpi on mac", "rpi on pad 4", "rpi on pad 01",
		"rpi on pad -1", "rpi on mac zz:27:eb", "rpi on mac b8:27:eb:28", "rpi on mac b8:27",
		"rpi on mac b8:27:eb,", "rpi on mac ,b8:27:eb", "rpi on mac b8-27-eb",
		"rpi on mac b8:27:eb mac dc:a6:32", "rpi on pad 1 pad 2", "rpi on bogus 1",
		"rpi on mac 00:00:01,00:00:02,00:00:03,00:00:04,00:00:05,00:00:06,00:00:07,"
		"00:00:08,00:00:09,00:00:0a,00:00:0b,00:00:0c,00:00:0d,00:00:0e,00:00:0f,00:00:10,"
		"00:00:11",
	};
	char why[PXECONF_WHY_MAX];
	const char *l;

	(void)state;
	pxeconf_init(&c);
	l = "rpi off";
	assert_int_equal(pxeconf_parse_line(&c, l, strlen(l), why), CONF_OK);
	assert_false(c.rpi.on);
	l = "rpi on";
	assert_int_equal(pxeconf_parse_line(&c, l, strlen(l), why), CONF_BAD); /* given twice */
	pxeconf_init(&c);
	l = "rpi on pad 3 mac B8:27:EB,dc:a6:32";
	assert_int_equal(pxeconf_parse_line(&c, l, strlen(l), why), CONF_OK);
	assert_true(c.rpi.on);
	assert_int_equal(c.rpi.pad, 3);
	assert_int_equal(c.rpi.noui, 2);
	assert_memory_equal(c.rpi.oui[0], pi3, 3);
	assert_memory_equal(c.rpi.oui[1], pi4, 3);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct pxed_conf before;

		pxeconf_init(&c);
		before = c;
		why[0] = '\0';
		assert_int_equal(pxeconf_parse_line(&c, bad[i], strlen(bad[i]), why), CONF_BAD);
		assert_true(why[0] != '\0');
		assert_memory_equal(&c, &before, sizeof c); /* unchanged */
	}
}

static const char *const proxy[] = { "arch 0 file undionly.kpxe", "arch 7,9 file ipxe.efi",
				     "ipxe file boot.ipxe", NULL };

static void proxy_mode(void **state)
{
	static const char *const next[] = { "arch 0 file undionly.kpxe", "next-server 198.51.100.7",
					    NULL };
	static const char *const off[] = { "arch 0 file undionly.kpxe", "rpi off", NULL };

	(void)state;
	conf(proxy);
	c.rpi.on = true; /* whatever Kconfig says */
	assert_int_equal(ask(PORT_DHCP, pi3, OPTS(PI_OPTS(1, GUID_D))), ANS_PROXY_OFFER);
	assert_int_equal(back.type, DHCP_OFFER);
	assert_int_equal(back.yiaddr, 0);
	assert_int_equal(back.server_id, LOCAL);
	assert_int_equal(back.siaddr, LOCAL);
	pi_reply("192.0.2.1");
	/* Its TFTP server is next-server's when there is one. */
	conf(next);
	c.rpi.on = true;
	assert_int_equal(ask(PORT_DHCP, pi4, OPTS(PI_OPTS(1, GUID_RPI4))), ANS_PROXY_OFFER);
	assert_int_equal(back.siaddr, 0xc6336407u);
	pi_reply("198.51.100.7");
	/* A PC with the same options gets the BIOS file, and 43 is PXE's. */
	conf(proxy);
	assert_int_equal(ask(PORT_DHCP, pc, OPTS(PI_OPTS(1, GUID_D))), ANS_PROXY_OFFER);
	assert_string_equal(r.file, "undionly.kpxe");
	assert_int_equal(back.opt[DHCP_F_VENDOR].len, 4);
	assert_memory_equal(back.opt[DHCP_F_VENDOR].p, "\x06\x01\x08\xff", 4);
	/* rpi off: so does the Pi. */
	conf(off);
	assert_int_equal(ask(PORT_DHCP, pi3, OPTS(PI_OPTS(1, GUID_D))), ANS_PROXY_OFFER);
	assert_string_equal(r.file, "undionly.kpxe");
	/* Port 4011 (a Pi does not ask there; if it did): the Pi's fields. */
	conf(proxy);
	c.rpi.on = true;
	assert_int_equal(ask(PORT_PXE, pi3, OPTS(PI_OPTS(3, GUID_D))), ANS_PXE_ACK);
	pi_reply("192.0.2.1");
	/* With no BIOS file at all a Pi is still answered. */
	conf((const char *const[]){ "rpi on", NULL });
	assert_int_equal(ask(PORT_DHCP, pi3, OPTS(PI_OPTS(1, GUID_D))), ANS_PROXY_OFFER);
	pi_reply("192.0.2.1");
	assert_int_equal(ask(PORT_DHCP, pc, OPTS(PI_OPTS(1, GUID_D))), ANS_NO_FILE);
}

static void server_mode(void **state)
{
	static const char *const server[] = { "mode server", "pool 192.0.2.100 192.0.2.109",
					      "router 192.0.2.1", "arch 0 file undionly.kpxe",
					      "rpi on", NULL };
	uint32_t a;

	(void)state;
	conf(server);
	assert_int_equal(ask(PORT_DHCP, pi3, OPTS(PI_OPTS(1, GUID_D))), ANS_OFFER);
	a = back.yiaddr;
	assert_true(a >= 0xc0000264u && a <= 0xc000026du);
	pi_reply("192.0.2.1");
	assert_int_equal(ask(PORT_DHCP, pi3, OPTS(PI_OPTS(3, GUID_D), 54, 4, 192, 0, 2, 1, 50, 4,
						(uint8_t)(a >> 24), (uint8_t)(a >> 16),
						(uint8_t)(a >> 8), (uint8_t)a)),
			 ANS_ACK);
	assert_int_equal(back.yiaddr, a);
	pi_reply("192.0.2.1");
	/* The PC beside it: an address and undionly.kpxe. */
	assert_int_equal(ask(PORT_DHCP, pc, OPTS(PI_OPTS(1, GUID_D))), ANS_OFFER);
	assert_string_equal(r.file, "undionly.kpxe");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(option43_bytes),
		cmocka_unit_test_teardown(who_is_a_pi, teardown),
		cmocka_unit_test(rpi_lines),
		cmocka_unit_test_teardown(proxy_mode, teardown),
		cmocka_unit_test_teardown(server_mode, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
