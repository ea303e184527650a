/* SPDX-License-Identifier: MIT */
/* pxed_answer -- what pxed answers (app/pxed/answer.c), for UEFI HTTP Boot
 * clients beside PXE ones: option 60 "HTTPClient" and a URL for the first,
 * in proxy and in server mode; "PXEClient" and never a URL for the second.
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
static struct leases ls;
static uint8_t pkt[600], out[DHCP_REPLY_MAX];
static struct dhcp_msg m, back;
static struct dhcp_reply r;
static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x02, 0x64 };

static void conf(const char *const *lines)
{
	char why[PXECONF_WHY_MAX];

	pxeconf_init(&c);
	for (; *lines; lines++)
		assert_int_equal(pxeconf_parse_line(&c, *lines, strlen(*lines), why), CONF_OK);
	assert_true(pxeconf_check(&c, why));
	lease_pool_free(&ls);
	if (c.mode == PXED_SERVER)
		assert_true(lease_pool_init(&ls, c.pool_lo, c.pool_hi));
}

static int teardown(void **state)
{
	(void)state;
	lease_pool_free(&ls);
	return 0;
}

/* A request with the options opts (255 appended), answered on port; the
 * reply parsed back into `back` when one is sent. */
static enum answer_outcome ask(enum answer_port port, const uint8_t *opts, size_t n)
{
	struct answer_ctx x = { .conf = &c, .leases = &ls, .now = NOW, .local = LOCAL };
	enum answer_outcome o;
	size_t len;
	bool save;

	memset(pkt, 0, sizeof pkt);
	pkt[0] = 1, pkt[1] = 1, pkt[2] = 6, pkt[4] = 0x42;
	memcpy(pkt + 28, mac, 6);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(proxy_http_offer, teardown),
		cmocka_unit_test_teardown(proxy_http_without_url, teardown),
		cmocka_unit_test_teardown(proxy_pxe_unchanged, teardown),
		cmocka_unit_test_teardown(server_http_offer_and_ack, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
