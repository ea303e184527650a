/* boot.h -- which boot file a client gets.  Pure.
 *
 * A PXE client says so with option 60 starting "PXEClient" and option 93
 * (its architecture) present.  Its boot file is, first match wins:
 *
 *   1. a client that already is iPXE (option 77 "iPXE", or option 175):
 *      its host line's ipxe, else the `ipxe file` -- so an iPXE that was
 *      chain-loaded gets the script, not iPXE again (the chain-load loop);
 *   2. its host line's file (by MAC);
 *   3. the `arch` line of its architecture.
 *
 * With no ipxe configured an iPXE client falls through to 2 and 3 (an
 * iPXE NIC ROM wanting pxelinux.0, say).
 */
#ifndef TERN_PXED_BOOT_H
#define TERN_PXED_BOOT_H

#include <stdbool.h>

#include "dhcp.h"
#include "pxeconf.h"

enum boot_why {
	BOOT_NONE,      /* no file for this client */
	BOOT_IPXE,      /* the ipxe script */
	BOOT_HOST_IPXE, /* its host line's ipxe script */
	BOOT_HOST,      /* its host line's file */
	BOOT_ARCH,      /* the file of its architecture */
};

bool boot_is_pxe(const struct dhcp_msg *m);
bool boot_is_ipxe(const struct dhcp_msg *m);

/* The file for client m (*file, NUL-terminated, inside c) and why;
 * BOOT_NONE with *file NULL when it has none. */
enum boot_why boot_choose(const struct pxed_conf *c, const struct dhcp_msg *m, const char **file);

/* "arch 7", "host", "ipxe", "host ipxe", "none": for log lines. */
const char *boot_why_name(enum boot_why w);

#endif
