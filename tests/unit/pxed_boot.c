/* SPDX-License-Identifier: MIT */
/* pxed_boot -- the boot file a client gets (app/pxed/boot.c): by
 * architecture, by MAC, and the iPXE script that breaks the chain-load
 * loop. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "boot.h"

static struct pxed_conf c;
static uint8_t pkt[600];
static struct dhcp_msg m;
static const uint8_t special[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* A DISCOVER from mac with the options opts (255 appended). */
static void client(const uint8_t mac[6], const uint8_t *opts, size_t n)
{
	memset(pkt, 0, sizeof pkt);
	pkt[0] = 1, pkt[1] = 1, pkt[2] = 6;
	memcpy(pkt + 28, mac, 6);
	pkt[236] = 99, pkt[237] = 130, pkt[238] = 83, pkt[239] = 99;
	memcpy(pkt + 240, opts, n);
	pkt[240 + n] = 255;
	assert_int_equal(dhcp_parse(pkt, 241 + n, DHCP_BOOTREQUEST, &m), DHCP_OK);
}

#define PXE(a) 53, 1, 1, 60, 9, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', 93, 2, 0, (a)
/* EDK2's HttpBootDxe: "HTTPClient:Arch:00016:UNDI:003000". */
#define HTTP(a)                                                                        \
	53, 1, 1, 60, 33, 'H', 'T', 'T', 'P', 'C', 'l', 'i', 'e', 'n', 't', ':', 'A', 'r', \
	'c', 'h', ':', '0', '0', '0', '1', '6', ':', 'U', 'N', 'D', 'I', ':', '0', '0', '3', \
	'0', '0', '0', 93, 2, 0, (a)
#define LOCAL 0xc0000201u /* 192.0.2.1 */
#define CLIENT(mac, ...)                                          \
	do {                                                      \
		static const uint8_t o_[] = { __VA_ARGS__ };      \
		client(mac, o_, sizeof o_);                       \
	} while (0)

static const uint8_t other[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };

static int setup(void **state)
{
	static const char *const lines[] = {
		"arch 0 file pxelinux.0", "arch 7,9 file ipxe.efi", "arch 16 file http://192.0.2.1/x.efi",
		"ipxe file boot.ipxe", "host 52:54:00:12:34:56 file special.efi",
		"host 52:54:00:ab:cd:ef ipxe own.ipxe",
	};
	char why[PXECONF_WHY_MAX];

	(void)state;
	pxeconf_init(&c);
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		assert_int_equal(pxeconf_parse_line(&c, lines[i], strlen(lines[i]), why), CONF_OK);
	return 0;
}

static void expect(enum boot_why want_why, const char *want_file)
{
	const char *file;
	enum boot_why w = boot_choose(&c, &m, &file);

	assert_int_equal(w, want_why);
	if (want_file)
		assert_string_equal(file, want_file);
	else
		assert_null(file);
}

static void pxe_clients(void **state)
{
	(void)state;
	CLIENT(other, PXE(0));
	assert_true(boot_is_pxe(&m));
	assert_false(boot_is_ipxe(&m));
	/* Vendor class alone, or option 93 alone, is not PXE. */
	CLIENT(other, 53, 1, 1, 60, 9, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't');
	assert_false(boot_is_pxe(&m));
	CLIENT(other, 53, 1, 1, 60, 8, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 93, 2, 0, 0);
	assert_false(boot_is_pxe(&m));
	CLIENT(other, 53, 1, 1, 93, 2, 0, 0);
	assert_false(boot_is_pxe(&m));
}

static void by_arch(void **state)
{
	(void)state;
	CLIENT(other, PXE(0));
	expect(BOOT_ARCH, "pxelinux.0");
	CLIENT(other, PXE(7));
	expect(BOOT_ARCH, "ipxe.efi");
	CLIENT(other, PXE(9));
	expect(BOOT_ARCH, "ipxe.efi");
	CLIENT(other, PXE(16));
	expect(BOOT_ARCH, "http://192.0.2.1/x.efi");
	CLIENT(other, PXE(11));
	expect(BOOT_NONE, NULL);
	CLIENT(other, 53, 1, 1);
	expect(BOOT_NONE, NULL);
}

static void ipxe_loop_broken(void **state)
{
	(void)state;
	CLIENT(other, PXE(7), 77, 4, 'i', 'P', 'X', 'E');
	expect(BOOT_IPXE, "boot.ipxe");
	CLIENT(other, PXE(0), 175, 3, 177, 1, 1);
	expect(BOOT_IPXE, "boot.ipxe");
	/* Another user class is not iPXE. */
	CLIENT(other, PXE(7), 77, 4, 'g', 'P', 'X', 'E');
	expect(BOOT_ARCH, "ipxe.efi");
	/* No ipxe line: an iPXE client gets the file of its architecture. */
	c.ipxe[0] = '\0';
	CLIENT(other, PXE(7), 175, 3, 177, 1, 1);
	expect(BOOT_ARCH, "ipxe.efi");
}

static void add(const char *l)
{
	char why[PXECONF_WHY_MAX];

	assert_int_equal(pxeconf_parse_line(&c, l, strlen(l), why), CONF_OK);
}

/* boot_file(): what goes into the file field. */
static void expect_field(enum boot_why want_why, const char *want)
{
	char out[DHCP_FILE_LEN];

	memset(out, 'x', sizeof out);
	assert_int_equal(boot_file(&c, &m, LOCAL, out), want_why);
	assert_string_equal(out, want);
}

static void http_clients(void **state)
{
	(void)state;
	add("arch 15 file x86.efi");
	add("arch 19 file /arm64/tern.efi");
	add("arch 6 file tftp://192.0.2.1/ia32.efi");
	CLIENT(other, HTTP(16));
	assert_true(boot_is_http(&m));
	assert_false(boot_is_pxe(&m));
	/* A URL as configured goes as it is, with or without http-server. */
	expect_field(BOOT_ARCH, "http://192.0.2.1/x.efi");
	/* A name needs http-server to become a URL. */
	CLIENT(other, HTTP(15));
	expect_field(BOOT_NONE, "");
	add("http-server http");
	expect_field(BOOT_ARCH, "http://192.0.2.1/x86.efi");
	CLIENT(other, HTTP(19));
	expect_field(BOOT_ARCH, "http://192.0.2.1/arm64/tern.efi");
	/* A URL it cannot fetch: nothing. */
	CLIENT(other, HTTP(6));
	expect_field(BOOT_NONE, "");
	CLIENT(other, HTTP(11));
	expect_field(BOOT_NONE, "");
	/* By MAC too. */
	CLIENT(special, HTTP(16));
	expect_field(BOOT_HOST, "http://192.0.2.1/special.efi");
	/* "HTTPClien" is not HTTPClient; a PXE client is not an HTTP one. */
	CLIENT(other, 53, 1, 1, 60, 9, 'H', 'T', 'T', 'P', 'C', 'l', 'i', 'e', 'n', 93, 2, 0, 16);
	assert_false(boot_is_http(&m));
	CLIENT(other, PXE(7));
	assert_false(boot_is_http(&m));
}

static void https_host_port(void **state)
{
	(void)state;
	add("http-server https boot.lab.example:8443");
	CLIENT(other, HTTP(9));
	expect_field(BOOT_ARCH, "https://boot.lab.example:8443/ipxe.efi");
	setup(NULL);
	add("http-server http :8080");
	CLIENT(other, HTTP(9));
	expect_field(BOOT_ARCH, "http://192.0.2.1:8080/ipxe.efi");
	/* A URL that does not fit the file field: nothing, never a cut one. */
	setup(NULL);
	add("http-server https a-host-name-of-63-bytes-so-that-the-url-cannot-fit.lab.example");
	{
		char l[200] = "arch 17 file ";
		size_t n = strlen(l);

		memset(l + n, 'f', 60);
		l[n + 60] = '\0';
		add(l);
	}
	CLIENT(other, HTTP(17));
	expect_field(BOOT_NONE, "");
}

static void pxe_never_gets_a_url(void **state)
{
	(void)state;
	add("arch 6 file tftp://192.0.2.1/ia32.efi");
	add("http-server http");
	/* Firmware's PXE: the name as it is, never a URL. */
	CLIENT(other, PXE(7));
	expect_field(BOOT_ARCH, "ipxe.efi");
	CLIENT(other, PXE(6));
	expect_field(BOOT_NONE, "");
	CLIENT(other, PXE(16));
	expect_field(BOOT_NONE, "");
	/* iPXE: its script over HTTP; a URL of its architecture's as it is. */
	CLIENT(other, PXE(7), 77, 4, 'i', 'P', 'X', 'E');
	expect_field(BOOT_IPXE, "http://192.0.2.1/boot.ipxe");
	c.ipxe[0] = '\0';
	CLIENT(other, PXE(6), 175, 3, 177, 1, 1);
	expect_field(BOOT_ARCH, "tftp://192.0.2.1/ia32.efi");
	/* Without http-server, iPXE's script by name (TFTP), as before. */
	setup(NULL);
	CLIENT(other, PXE(0), 175, 3, 177, 1, 1);
	expect_field(BOOT_IPXE, "boot.ipxe");
	add("http-server http");
	CLIENT(other, PXE(0), 175, 3, 177, 1, 1);
	expect_field(BOOT_IPXE, "http://192.0.2.1/boot.ipxe");
}

static void per_mac(void **state)
{
	static const uint8_t own[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

	(void)state;
	CLIENT(special, PXE(7));
	expect(BOOT_HOST, "special.efi");
	/* Even without option 93 (a plain DHCP client in server mode). */
	CLIENT(special, 53, 1, 1);
	expect(BOOT_HOST, "special.efi");
	/* Its firmware is special; its iPXE still gets the script. */
	CLIENT(special, PXE(7), 175, 3, 177, 1, 1);
	expect(BOOT_IPXE, "boot.ipxe");
	CLIENT(own, PXE(7), 175, 3, 177, 1, 1);
	expect(BOOT_HOST_IPXE, "own.ipxe");
	CLIENT(own, PXE(7));
	expect(BOOT_ARCH, "ipxe.efi");
	assert_string_equal(boot_why_name(BOOT_HOST_IPXE), "host ipxe");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(pxe_clients, setup),
		cmocka_unit_test_setup(by_arch, setup),
		cmocka_unit_test_setup(ipxe_loop_broken, setup),
		cmocka_unit_test_setup(per_mac, setup),
		cmocka_unit_test_setup(http_clients, setup),
		cmocka_unit_test_setup(https_host_port, setup),
		cmocka_unit_test_setup(pxe_never_gets_a_url, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
