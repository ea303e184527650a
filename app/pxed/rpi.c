/* SPDX-License-Identifier: MIT */
/* rpi.c -- Raspberry Pi clients known and answered; see rpi.h (the
 * "rpi" line: rpi_conf.c). */
#include "rpi.h"

#include <stdio.h>
#include <string.h>

#include "boot.h"

#define PXE_VENDOR "PXEClient"
#define PXE_MENU_PROMPT 10 /* PXE 2.1 suboption: timeout, prompt */
#define PXE_BOOT_MENU 9    /* PXE 2.1 suboption: type (2), length, description */
#define DISCOVERY_NONE 3   /* bits 0-1: no broadcast, no multicast discovery */
#define GUID_RPI4 "RPi4"   /* option 97's GUID: fourcc 0x34695052, little-endian */

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
