/* SPDX-License-Identifier: MIT */
/* rpi.c -- see rpi.h. */
#include "rpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "config.h"
#include "hex.h"

#define PXE_VENDOR "PXEClient"
#define PXE_MENU_PROMPT 10 /* PXE 2.1 suboption: timeout, prompt */
#define PXE_BOOT_MENU 9    /* PXE 2.1 suboption: type (2), length, description */
#define DISCOVERY_NONE 3   /* bits 0-1: no broadcast, no multicast discovery */
#define GUID_RPI4 "RPi4"   /* option 97's GUID: fourcc 0x34695052, little-endian */

/* The OUIs of Raspberry Pi's boards (IEEE registry): the first for the
 * Pi 1-3 (Raspberry Pi Foundation), the others Raspberry Pi Ltd's, for
 * the Pi 4, 400, 5 and the compute modules. */
static const uint8_t default_ouis[][3] = {
	{ 0xb8, 0x27, 0xeb }, { 0xdc, 0xa6, 0x32 }, { 0xe4, 0x5f, 0x01 },
	{ 0x28, 0xcd, 0xc1 }, { 0xd8, 0x3a, 0xdd }, { 0x2c, 0xcf, 0x67 },
};

void rpi_init(struct rpi_rule *r)
{
	memset(r, 0, sizeof *r);
#ifdef CONFIG_PXED_RPI
	r->on = true;
#endif
	r->noui = sizeof default_ouis / sizeof default_ouis[0];
	memcpy(r->oui, default_ouis, sizeof default_ouis);
}

/* "b8:27:eb" (either case) into oui. */
static bool parse_oui(const char *s, size_t n, uint8_t oui[3])
{
	if (n != 8 || s[2] != ':' || s[5] != ':')
		return false;
	for (int i = 0; i < 3; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		oui[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static enum conf_result parse_ouis(struct rpi_rule *r, const char *list, char *why)
{
	r->noui = 0;
	for (const char *p = list;; p++) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (r->noui == RPI_OUIS_MAX)
			return conf_badf(why, "more than %d OUIs", RPI_OUIS_MAX);
		if (!parse_oui(p, n, r->oui[r->noui++]))
			return conf_badf(why, "not an OUI (like b8:27:eb): %.*s", (int)n, p);
		if (!comma)
			return CONF_OK;
		p = comma;
	}
}

enum conf_result rpi_parse(struct rpi_rule *r, const char *const *argv, unsigned argc,
			   char why[CONF_WHY_MAX])
{
	struct rpi_rule v;
	bool mac = false, pad = false;

	rpi_init(&v);
	if (argc == 1 && !strcmp(argv[0], "off")) {
		v.on = false;
		*r = v;
		return CONF_OK;
	}
	if (argc < 1 || strcmp(argv[0], "on") || argc % 2 == 0)
		return conf_badf(why, "expected: rpi off, or rpi on [mac OUI[,OUI...]] [pad N]");
	v.on = true;
	for (unsigned i = 1; i < argc; i += 2) {
		const char *k = argv[i], *val = argv[i + 1];

		if (!strcmp(k, "mac") && !mac) {
			mac = true;
			if (parse_ouis(&v, val, why) != CONF_OK)
				return CONF_BAD;
		} else if (!strcmp(k, "pad") && !pad) {
			pad = true;
			if (val[0] < '0' || val[0] > '0' + RPI_PAD_MAX || val[1])
				return conf_badf(why, "pad is 0 to %d spaces, not %s", RPI_PAD_MAX, val);
			v.pad = (unsigned)(val[0] - '0');
		} else {
			return conf_badf(why, "%s: expected mac or pad, each once", k);
		}
	}
	*r = v;
	return CONF_OK;
}

static bool has_oui(const struct rpi_rule *r, const uint8_t *mac)
{
	for (unsigned i = 0; i < r->noui; i++)
		if (!memcmp(r->oui[i], mac, 3))
			return true;
	return false;
}

bool rpi_is_client(const struct rpi_rule *r, const struct dhcp_msg *m)
{
	const struct dhcp_bytes *vc = &m->opt[DHCP_F_VENDOR_CLASS], *uuid = &m->opt[DHCP_F_UUID];
	bool pi4_guid = uuid->len == 17 && !memcmp(uuid->p + 1, GUID_RPI4, 4);

	return r->on && dhcp_has(m, DHCP_F_ARCH) && m->arch == 0 &&
	       vc->len == sizeof RPI_VENDOR_CLASS - 1 &&
	       !memcmp(vc->p, RPI_VENDOR_CLASS, sizeof RPI_VENDOR_CLASS - 1) &&
	       !boot_is_ipxe(m) &&
	       (has_oui(r, m->chaddr) || pi4_guid);
}

/* One PXE suboption: code, len, data; returns the bytes written. */
static size_t sub(uint8_t *out, uint8_t code, const void *data, size_t len)
{
	out[0] = code;
	out[1] = (uint8_t)len;
	memcpy(out + 2, data, len);
	return 2 + len;
}

size_t rpi_option43(const struct rpi_rule *r, uint8_t *out)
{
	static const uint8_t discovery = DISCOVERY_NONE, prompt[] = { 0, 'P', 'X', 'E' };
	uint8_t item[3 + sizeof RPI_MENU - 1 + RPI_PAD_MAX];
	size_t desc = sizeof RPI_MENU - 1 + r->pad, n = 0;

	item[0] = 0, item[1] = 0; /* boot server type 0 */
	item[2] = (uint8_t)desc;
	memcpy(item + 3, RPI_MENU, sizeof RPI_MENU - 1);
	memset(item + 3 + sizeof RPI_MENU - 1, ' ', r->pad);
	n += sub(out + n, PXE_DISCOVERY_CONTROL, &discovery, 1);
	n += sub(out + n, PXE_MENU_PROMPT, prompt, sizeof prompt);
	n += sub(out + n, PXE_BOOT_MENU, item, 3 + desc);
	out[n++] = DHCP_OPT_END;
	return n;
}

bool rpi_answer(const struct rpi_rule *r, const struct dhcp_msg *m, uint32_t tftp,
		struct dhcp_reply *reply)
{
	uint8_t v43[64];
	char server[16];
	size_t len = reply->len, n43 = rpi_option43(r, v43);
	int ns = snprintf(server, sizeof server, "%u.%u.%u.%u", tftp >> 24, tftp >> 16 & 255,
			  tftp >> 8 & 255, tftp & 255);

	reply->siaddr = tftp;
	reply->file[0] = reply->sname[0] = '\0';
	if (dhcp_reply_add(reply, DHCP_OPT_VENDOR_CLASS, PXE_VENDOR, sizeof PXE_VENDOR - 1) &&
	    (!dhcp_has(m, DHCP_F_UUID) ||
	     dhcp_reply_add(reply, DHCP_OPT_UUID, m->opt[DHCP_F_UUID].p, m->opt[DHCP_F_UUID].len)) &&
	    dhcp_reply_add(reply, DHCP_OPT_VENDOR, v43, n43) &&
	    dhcp_reply_add(reply, DHCP_OPT_TFTP_SERVER, server, (size_t)ns))
		return true;
	reply->len = len;
	return false;
}
