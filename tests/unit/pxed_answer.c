/* SPDX-License-Identifier: MIT */
/* pxed_answer -- what pxed answers (app/pxed/answer.c), for UEFI HTTP Boot
 * clients beside PXE ones: option 60 "HTTPClient" and a URL for the first,
 * in proxy and in server mode; "PXEClient" and never a URL for the second.
 * Relayed requests (giaddr): the pool of giaddr's subnet or no answer,
 * option 82 echoed last, the reply to the relay; serve lines.
 * The rest of answer() is fuzzed (tests/fuzz/pxed_answer.c) and run over
 * the wire (tests/net/pxed_*.t). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "answer.h"

#define LOCAL 0xc0000201u /* 192.0.2.1 */
#define NOW 1700000000

static struct pxed_conf c;
static struct leases ls[PXECONF_POOLS_MAX];
static unsigned nls;
static uint32_t giaddr, ciaddr; /* of the next request */
static uint8_t pkt[600], out[DHCP_REPLY_MAX];
static struct dhcp_msg m, back;
static struct dhcp_reply r;
static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x02, 0x64 };
static const uint8_t *client_mac = mac;

static void conf(const char *const *lines)
{
	char why[PXECONF_WHY_MAX];
	uint32_t lo[PXECONF_POOLS_MAX], hi[PXECONF_POOLS_MAX];

	pxeconf_init(&c);
	for (; *lines; lines++)
		assert_int_equal(pxeconf_parse_line(&c, *lines, strlen(*lines), why), CONF_OK);
	assert_true(pxeconf_check(&c, why));
	for (unsigned i = 0; i < c.npool; i++)
		lo[i] = c.pool[i].lo, hi[i] = c.pool[i].hi;
	assert_true(lease_pools_move(ls, nls, lo, hi, c.npool));
	nls = c.npool;
	giaddr = ciaddr = 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_true(lease_pools_move(ls, nls, NULL, NULL, 0));
	nls = 0;
	return 0;
}

/* A request with the options opts (255 appended), answered on port; the
 * reply parsed back into `back` when one is sent. */
static enum answer_outcome ask(enum answer_port port, const uint8_t *opts, size_t n)
{
	struct answer_ctx x = { .conf = &c, .leases = ls, .now = NOW, .local = LOCAL };
	enum answer_outcome o;
	size_t len;
	bool save;

	memset(pkt, 0, sizeof pkt);
	pkt[0] = 1, pkt[1] = 1, pkt[2] = 6, pkt[4] = 0x42;
	for (int i = 0; i < 4; i++) {
		pkt[12 + i] = (uint8_t)(ciaddr >> (24 - 8 * i));
		pkt[24 + i] = (uint8_t)(giaddr >> (24 - 8 * i));
	}
	memcpy(pkt + 28, client_mac, 6);
	pkt[236] = 99, pkt[237] = 130, pkt[238] = 83, pkt[239] = 99;
	memcpy(pkt + 240, opts, n);
	pkt[240 + n] = 255;
	assert_int_equal(dhcp_parse(pkt, 241 + n, DHCP_BOOTREQUEST, &m), DHCP_OK);
	o = answer(&x, &m, port, &r, &save);
	if (answer_sends(o)) {
		len = dhcp_build(out, sizeof out, &r);
		assert_int_equal(dhcp_parse(out, len, DHCP_BOOTREPLY, &back), DHCP_OK);
	}
	return o;
}

#define ASK(port, ...)                                      \
	({                                                  \
		static const uint8_t o_[] = { __VA_ARGS__ }; \
		ask(port, o_, sizeof o_);                   \
	})

/* EDK2's HttpBootDxe, x64: option 60 "HTTPClient:Arch:00016:UNDI:003000", 93 16. */
#define HTTP_DISCOVER                                                                       \
	53, 1, 1, 60, 33, 'H', 'T', 'T', 'P', 'C', 'l', 'i', 'e', 'n', 't', ':', 'A', 'r', 'c', \
	'h', ':', '0', '0', '0', '1', '6', ':', 'U', 'N', 'D', 'I', ':', '0', '0', '3', '0',   \
	'0', '0', 93, 2, 0, 16, 97, 17, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
#define PXE_DISCOVER(a) 53, 1, 1, 60, 9, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', 93, 2, 0, (a)

static void vendor_class_is(const char *want)
{
	assert_int_equal(back.opt[DHCP_F_VENDOR_CLASS].len, strlen(want));
	assert_memory_equal(back.opt[DHCP_F_VENDOR_CLASS].p, want, strlen(want));
}

static const char *const proxy[] = {
	"arch 0 file undionly.kpxe", "arch 7,9 file ipxe.efi", "arch 16 file tern.efi",
	"arch 15 file ftp://192.0.2.1/x.efi", "arch 19 file http://192.0.2.1/arm64.efi",
	"ipxe file boot.ipxe", "http-server http", NULL,
};

static void proxy_http_offer(void **state)
{
	(void)state;
	conf(proxy);
	assert_int_equal(ASK(PORT_DHCP, HTTP_DISCOVER), ANS_PROXY_OFFER);
	/* What EDK2 takes for a proxy offer with an IP URL: yiaddr 0, 60
	 * "HTTPClient", the URL in the file field. */
	assert_int_equal(back.type, DHCP_OFFER);
	assert_int_equal(back.yiaddr, 0);
	vendor_class_is("HTTPClient");
	assert_string_equal(r.file, "http://192.0.2.1/tern.efi");
	assert_int_equal(back.server_id, LOCAL);
	/* Nothing of PXE's: no 43, no 97, no sname (it does not ask on 4011). */
	assert_false(dhcp_has(&back, DHCP_F_VENDOR));
	assert_false(dhcp_has(&back, DHCP_F_UUID));
	assert_string_equal(r.sname, "");
	/* Its REQUEST goes to the site's DHCP server. */
	assert_int_equal(ASK(PORT_DHCP, 53, 1, 3, 60, 10, 'H', 'T', 'T', 'P', 'C', 'l', 'i', 'e',
			     'n', 't', 93, 2, 0, 16),
			 ANS_NOT_HANDLED);
	/* Port 4011 is PXE's only. */
	assert_int_equal(ASK(PORT_PXE, 53, 1, 3, 60, 10, 'H', 'T', 'T', 'P', 'C', 'l', 'i', 'e',
			     'n', 't', 93, 2, 0, 16),
			 ANS_NOT_PXE);
}

static void proxy_http_without_url(void **state)
{
	static const char *const no_http[] = { "arch 16 file tern.efi", NULL };

	(void)state;
	/* A name and no http-server: no URL to give, so no answer. */
	conf(no_http);
	assert_int_equal(ASK(PORT_DHCP, HTTP_DISCOVER), ANS_NO_FILE);
	/* A URL of a scheme it cannot fetch: none either. */
	conf(proxy);
	assert_int_equal(ASK(PORT_DHCP, 53, 1, 1, 60, 10, 'H', 'T', 'T', 'P', 'C', 'l', 'i', 'e',
			     'n', 't', 93, 2, 0, 15),
			 ANS_NO_FILE);
}

static void proxy_pxe_unchanged(void **state)
{
	(void)state;
	conf(proxy);
	assert_int_equal(ASK(PORT_DHCP, PXE_DISCOVER(0)), ANS_PROXY_OFFER);
	vendor_class_is("PXEClient");
	assert_string_equal(r.file, "undionly.kpxe");
	assert_true(dhcp_has(&back, DHCP_F_VENDOR));
	/* A PXE client with HTTP boot's architectures: the name as it is,
	 * and never a URL. */
	assert_int_equal(ASK(PORT_DHCP, PXE_DISCOVER(16)), ANS_PROXY_OFFER);
	assert_string_equal(r.file, "tern.efi");
	assert_int_equal(ASK(PORT_DHCP, PXE_DISCOVER(19)), ANS_NO_FILE);
	/* iPXE: its script over HTTP. */
	assert_int_equal(ASK(PORT_DHCP, PXE_DISCOVER(0), 77, 4, 'i', 'P', 'X', 'E'), ANS_PROXY_OFFER);
	vendor_class_is("PXEClient");
	assert_string_equal(r.file, "http://192.0.2.1/boot.ipxe");
	assert_int_equal(ASK(PORT_PXE, 53, 1, 3, 60, 9, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't',
			     93, 2, 0, 7, 77, 4, 'i', 'P', 'X', 'E'),
			 ANS_PXE_ACK);
	assert_string_equal(r.file, "http://192.0.2.1/boot.ipxe");
}

static void server_http_offer_and_ack(void **state)
{
	static const char *const server[] = {
		"mode server", "pool 192.0.2.100 192.0.2.109", "router 192.0.2.1",
		"arch 16 file tern.efi", "http-server https boot.lab.example", NULL,
	};

	(void)state;
	conf(server);
	assert_int_equal(ASK(PORT_DHCP, HTTP_DISCOVER), ANS_OFFER);
	assert_int_equal(back.yiaddr, 0xc0000264);
	vendor_class_is("HTTPClient");
	assert_string_equal(r.file, "https://boot.lab.example/tern.efi");
	assert_false(dhcp_has(&back, DHCP_F_VENDOR));
	assert_false(dhcp_has(&back, DHCP_F_UUID));
	assert_int_equal(ASK(PORT_DHCP, 53, 1, 3, 50, 4, 192, 0, 2, 100, 54, 4, 192, 0, 2, 1, 60, 10,
			     'H', 'T', 'T', 'P', 'C', 'l', 'i', 'e', 'n', 't', 93, 2, 0, 16),
			 ANS_ACK);
	assert_int_equal(back.yiaddr, 0xc0000264);
	vendor_class_is("HTTPClient");
	assert_string_equal(r.file, "https://boot.lab.example/tern.efi");
	/* A PXE client in the same lab: the name, as PXEClient. */
	assert_int_equal(ASK(PORT_DHCP, PXE_DISCOVER(16)), ANS_OFFER);
	assert_string_equal(r.file, "tern.efi");
	vendor_class_is("PXEClient");
}

#define AGENT 82, 12, 1, 4, 'v', '1', 'b', 0, 2, 4, 0xde, 0xad, 0xbe, 0xef

/* Where a reply goes, for the request just asked (from 192.0.2.99:68). */
static uint32_t dest(enum answer_port port, uint16_t *dport)
{
	uint32_t dst;

	answer_dest(&m, &r, port, 0xc0000263u, 68, &dst, dport);
	return dst;
}

/* The reply's option 82: the request's bytes, and the last before 255. */
static void agent_echoed_last(void)
{
	static const uint8_t want[] = { AGENT, 255 };
	uint8_t wire[DHCP_REPLY_MAX];
	size_t n = dhcp_build(wire, sizeof wire, &r), end = n;

	assert_true(dhcp_has(&back, DHCP_F_AGENT));
	while (end > DHCP_MIN_LEN && wire[end - 1] == 0)
		end--; /* the padding to 300 bytes */
	assert_true(end >= sizeof want);
	assert_memory_equal(wire + end - sizeof want, want, sizeof want);
}

static const char *const relayed[] = {
	"mode server", "pool 192.0.2.100 192.0.2.109", "router 192.0.2.1", "lease 600",
	"pool 198.51.100.100 198.51.100.109 router 198.51.100.1 lease 120",
	"arch 0 file undionly.kpxe", "arch 7 file ipxe.efi",
	"host 52:54:00:00:02:64 address 192.0.2.50", NULL,
};

/* RFC 2131 4.3.1: a relayed DISCOVER from the pool of giaddr's subnet,
 * with that pool's router and lease; the reply to the relay agent at
 * giaddr:67 with option 82 echoed last; a host line's address only in
 * its own subnet. */
static void relayed_from_giaddr_pool(void **state)
{
	uint16_t dport;

	(void)state;
	conf(relayed);
	giaddr = 0xc6336401u; /* 198.51.100.1, the relay on the far subnet */
	assert_int_equal(ASK(PORT_DHCP, PXE_DISCOVER(7), AGENT), ANS_OFFER);
	assert_int_equal(back.yiaddr, 0xc6336464u);
	assert_int_equal(back.giaddr, giaddr);
	assert_string_equal(r.file, "ipxe.efi");
	assert_int_equal(back.lease_time, 120);
	assert_int_equal(back.opt[DHCP_F_REQUESTED_IP].len, 0);
	assert_memory_equal(back.opt[DHCP_F_VENDOR_CLASS].p, "PXEClient", 9);
	agent_echoed_last();
	assert_int_equal(dest(PORT_DHCP, &dport), giaddr);
	assert_int_equal(dport, 67);
	/* Its REQUEST, relayed too: bound in the far pool, ACK to the relay. */
	assert_int_equal(ASK(PORT_DHCP, 53, 1, 3, 50, 4, 198, 51, 100, 100, 54, 4, 192, 0, 2, 1,
			     AGENT),
			 ANS_ACK);
	assert_int_equal(back.yiaddr, 0xc6336464u);
	agent_echoed_last();
	assert_int_equal(lease_at(&ls[1], 0xc6336464u)->state, LEASE_BOUND);
	assert_int_equal(lease_at(&ls[0], 0xc0000264u)->state, LEASE_FREE);
	assert_int_equal(dest(PORT_DHCP, &dport), giaddr);
	/* A REQUEST for a near address through the far relay: NAK, to the relay. */
	assert_int_equal(ASK(PORT_DHCP, 53, 1, 3, 50, 4, 192, 0, 2, 101, AGENT), ANS_NAK);
	agent_echoed_last();
	assert_int_equal(back.flags, DHCP_BROADCAST); /* the request's was 0 */
	assert_int_equal(dest(PORT_DHCP, &dport), giaddr);
	/* Its renewal, unicast with no relay: the pool of its ciaddr. */
	giaddr = 0;
	ciaddr = 0xc6336464u;
	assert_int_equal(ASK(PORT_DHCP, 53, 1, 3), ANS_ACK);
	assert_int_equal(back.yiaddr, 0xc6336464u);
	assert_false(dhcp_has(&back, DHCP_F_AGENT)); /* never added */
	assert_int_equal(dest(PORT_DHCP, &dport), ciaddr);
	assert_int_equal(dport, 68);
	/* On the near subnet the host line's address; through the relay not. */
	ciaddr = 0;
	client_mac = mac;
	assert_int_equal(ASK(PORT_DHCP, PXE_DISCOVER(0)), ANS_OFFER);
	assert_int_equal(back.yiaddr, 0xc0000232u);
	assert_int_equal(back.lease_time, 600);
	assert_int_equal(dest(PORT_DHCP, &dport), 0xffffffffu);
}

/* A relay on a subnet with no pool: no answer at all (never the near
 * pool's address the client could not use), whatever it asks. */
static void relayed_without_pool(void **state)
{
	(void)state;
	conf(relayed);
	giaddr = 0xcb007101u; /* 203.0.113.1 */
	assert_int_equal(ASK(PORT_DHCP, PXE_DISCOVER(7), AGENT), ANS_NO_POOL);
	assert_int_equal(ASK(PORT_DHCP, 53, 1, 1), ANS_NO_POOL);
	assert_int_equal(ASK(PORT_DHCP, 53, 1, 3, 50, 4, 192, 0, 2, 100), ANS_NO_POOL);
	assert_int_equal(ASK(PORT_DHCP, 53, 1, 8), ANS_NO_POOL);
	for (unsigned a = 0xc0000264u; a <= 0xc000026du; a++)
		assert_int_equal(lease_at(&ls[0], a)->state, LEASE_FREE);
	/* Several pools and a request to an address in none: none either. */
	m.giaddr = m.ciaddr = 0;
	assert_int_equal(pool_choose(&c, &m, 0xcb007101u), -1);
	assert_int_equal(pool_choose(&c, &m, 0xc6336401u), 1);
	assert_int_equal(pool_choose(&c, &m, 0xc0000201u), 0);
}

/* One pool: an unrelayed request is its, whatever the address it came
 * to (as before there were several); a relayed one still needs giaddr in
 * its subnet. */
static void one_pool_as_before(void **state)
{
	static const char *const one[] = { "mode server", "pool 192.0.2.100 192.0.2.109", NULL };

	(void)state;
	conf(one);
	m.giaddr = m.ciaddr = 0;
	assert_int_equal(pool_choose(&c, &m, 0xcb007101u), 0);
	giaddr = 0xcb007101u;
	assert_int_equal(ASK(PORT_DHCP, 53, 1, 1), ANS_NO_POOL);
	giaddr = 0xc00002feu;
	assert_int_equal(ASK(PORT_DHCP, 53, 1, 1), ANS_OFFER);
	assert_int_equal(back.yiaddr, 0xc0000264u);
}

/* Proxy mode behind a relay: the proxy offer to giaddr:67, 82 echoed;
 * port 4011 is asked directly, so its ACK goes back to the asker. */
static void proxy_relayed(void **state)
{
	uint16_t dport;

	(void)state;
	conf(proxy);
	giaddr = 0xc6336401u;
	assert_int_equal(ASK(PORT_DHCP, PXE_DISCOVER(0), AGENT), ANS_PROXY_OFFER);
	assert_int_equal(back.yiaddr, 0);
	assert_string_equal(r.file, "undionly.kpxe");
	agent_echoed_last();
	assert_int_equal(dest(PORT_DHCP, &dport), giaddr);
	assert_int_equal(dport, 67);
	giaddr = 0;
	ciaddr = 0xc6336464u;
	assert_int_equal(ASK(PORT_PXE, 53, 1, 3, 60, 9, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't',
			     93, 2, 0, 7),
			 ANS_PXE_ACK);
	assert_int_equal(dest(PORT_PXE, &dport), ciaddr);
	assert_int_equal(dport, 68);
}

/* An option 82 as long as it can be still goes back whole and last; the
 * reply keeps option 54 and its boot file. */
static void long_agent_option(void **state)
{
	uint8_t opts[300];
	size_t n = 0;

	(void)state;
	conf(proxy);
	giaddr = 0xc6336401u;
	memcpy(opts, (const uint8_t[]){ PXE_DISCOVER(0) }, 18);
	n = 18;
	opts[n++] = 82;
	opts[n++] = 200;
	opts[n++] = 1;
	opts[n++] = 198;
	memset(opts + n, 'x', 198);
	n += 198;
	assert_int_equal(ask(PORT_DHCP, opts, n), ANS_PROXY_OFFER);
	assert_int_equal(back.opt[DHCP_F_AGENT].len, 200);
	assert_memory_equal(back.opt[DHCP_F_AGENT].p, opts + 20, 200);
	assert_int_equal(back.server_id, LOCAL);
	assert_string_equal(r.file, "undionly.kpxe");
}

/* serve lines: another box's clients get nothing, on either port, in
 * either mode. */
static void serve_lines(void **state)
{
	static const char *const only_bios[] = { "arch 0 file undionly.kpxe",
						 "arch 7 file ipxe.efi", "serve arch 0",
						 "serve mac 52:54:00:aa:*", NULL };
	static const uint8_t aa[6] = { 0x52, 0x54, 0x00, 0xaa, 0x00, 0x01 };

	(void)state;
	conf(only_bios);
	assert_int_equal(ASK(PORT_DHCP, PXE_DISCOVER(0)), ANS_PROXY_OFFER);
	assert_int_equal(ASK(PORT_DHCP, PXE_DISCOVER(7)), ANS_NOT_SERVED);
	assert_int_equal(ASK(PORT_PXE, 53, 1, 3, 60, 9, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't',
			     93, 2, 0, 7),
			 ANS_NOT_SERVED);
	client_mac = aa;
	assert_int_equal(ASK(PORT_DHCP, PXE_DISCOVER(7)), ANS_PROXY_OFFER);
	client_mac = mac;
	conf(relayed);
	assert_int_equal(pxeconf_parse_line(&c, "serve arch 7", 12, (char[PXECONF_WHY_MAX]){ 0 }),
			 CONF_OK);
	assert_int_equal(ASK(PORT_DHCP, 53, 1, 1), ANS_NOT_SERVED); /* no option 93 */
	assert_int_equal(ASK(PORT_DHCP, PXE_DISCOVER(7)), ANS_OFFER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(proxy_http_offer, teardown),
		cmocka_unit_test_teardown(proxy_http_without_url, teardown),
		cmocka_unit_test_teardown(proxy_pxe_unchanged, teardown),
		cmocka_unit_test_teardown(server_http_offer_and_ack, teardown),
		cmocka_unit_test_teardown(relayed_from_giaddr_pool, teardown),
		cmocka_unit_test_teardown(relayed_without_pool, teardown),
		cmocka_unit_test_teardown(one_pool_as_before, teardown),
		cmocka_unit_test_teardown(proxy_relayed, teardown),
		cmocka_unit_test_teardown(long_agent_option, teardown),
		cmocka_unit_test_teardown(serve_lines, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
