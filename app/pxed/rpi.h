/* SPDX-License-Identifier: MIT */
/* rpi.h -- Raspberry Pi network-boot clients: who they are and what they
 * are answered.  Pure.
 *
 * The Pi's boot code (the boot ROM of the Pi 3B, 3B+ and 2B v1.2, the
 * bootcode.bin of older models, the EEPROM bootloader of the Pi 4 and
 * later) says it is a PXE client and is not one.  Its DISCOVER carries
 * option 93 architecture 0 (x86 BIOS), option 94 1.2.1 and option 60
 * "PXEClient:Arch:00000:UNDI:002001", exactly what an x86 PC's PXE ROM
 * sends; it never runs the boot file it is given (undionly.kpxe would be
 * x86 code).  What it needs, from Raspberry Pi's network boot pages
 * (hardware/raspberrypi/bootmodes/net.md, bcm2711_bootloader_config.md)
 * and the reply dnsmasq makes for `pxe-service=0,"Raspberry Pi Boot"`:
 *
 *   - option 43 holding the string "Raspberry Pi Boot" (the Pi 4's
 *     PXE_OPTION43 match string), as dnsmasq encodes it, PXE suboptions:
 *       6  len 1  3            discovery control: no broadcast or
 *                              multicast discovery (boot from this reply)
 *       10 len 4  0 "PXE"      menu prompt, timeout 0
 *       9  len 20 0 0 17 "Raspberry Pi Boot"
 *                              boot menu: item type 0, the description
 *       255
 *     "due to a bug in the boot ROM, you may need to add three spaces to
 *     the end of the string" (net.md): `pad 3` adds them;
 *   - option 60 "PXEClient", option 97 echoed;
 *   - the TFTP server: option 66 as dotted text (the boot ROM takes it
 *     from 66, else from the DHCP server; the EEPROM from 66 or siaddr),
 *     and siaddr; no file (it asks for files by its own names).
 *
 * Then it fetches over TFTP: the Pi 3 boot ROM bootcode.bin (and
 * bootsig.bin, normally not found), then <serial>/start.elf; the Pi 4
 * <serial>/start4.elf (its TFTP_PREFIX: the serial number as 8 lower-case
 * hex digits, by default).  When that file is not there it drops the
 * prefix and asks for start.elf / start4.elf and every later file at the
 * root.  tftpd needs nothing special (app/tftpd/README.md#raspberry-pi).
 *
 * Recognised (rpi_is_client) only when it is all of: a message (of any
 * type) from a PXE client of architecture 0 with exactly that option 60,
 * not iPXE, and either a MAC of one of the OUIs
 * (by default Raspberry Pi's, rpi.c) or the Pi 4 bootloader's option 97,
 * whose GUID starts with the fourcc "RPi4" (DHCP_OPTION97's default).  A
 * PC with the same vendor class but another MAC is not a Pi.
 *
 * pxed.conf (pxeconf.h):
 *   rpi off                    Pis are PXE clients like any other
 *   rpi on [mac OUI[,OUI...]] [pad N]
 *                              recognise Pis (default: on when Kconfig
 *                              PXED_RPI, Raspberry Pi's OUIs, pad 0); mac
 *                              replaces the OUI list (xx:xx:xx each, 16 at
 *                              most), pad adds N (0 to 3) spaces
 */
#ifndef TERN_PXED_RPI_H
#define TERN_PXED_RPI_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "dhcp.h"

#define RPI_OUIS_MAX 16
#define RPI_PAD_MAX 3
#define RPI_VENDOR_CLASS "PXEClient:Arch:00000:UNDI:002001"
#define RPI_MENU "Raspberry Pi Boot"

struct rpi_rule {
	bool on;
	unsigned pad;                     /* spaces after RPI_MENU */
	unsigned noui;
	uint8_t oui[RPI_OUIS_MAX][3];
};

/* The compiled default: on when Kconfig PXED_RPI is, Raspberry Pi's OUIs. */
void rpi_init(struct rpi_rule *r);

/* The words after "rpi" (argc of them) into r; CONF_BAD with why, r
 * unchanged, when they are not "off" or "on [mac LIST] [pad N]". */
enum conf_result rpi_parse(struct rpi_rule *r, const char *const *argv, unsigned argc,
			   char why[CONF_WHY_MAX]);

/* m is a Raspberry Pi's boot code (see above). */
bool rpi_is_client(const struct rpi_rule *r, const struct dhcp_msg *m);

/* A Pi's boot fields in reply, for m: siaddr tftp, option 60
 * "PXEClient", 97 as m sent it, 43 (the menu), 66 (tftp, dotted); file
 * and sname left empty.  False when they do not all fit (nothing to
 * send then: a Pi ignores a reply without 43). */
bool rpi_answer(const struct rpi_rule *r, const struct dhcp_msg *m, uint32_t tftp,
		struct dhcp_reply *reply);

/* Option 43's bytes for r into out (at least 64 bytes); their length. */
size_t rpi_option43(const struct rpi_rule *r, uint8_t *out);

#endif
