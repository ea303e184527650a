/* SPDX-License-Identifier: MIT */
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
 *
 * A UEFI HTTP Boot client says so with option 60 starting "HTTPClient"
 * (UEFI 2.x, 24.7; its option 93 is 15, 16 or 19): it chooses the same
 * way, and can only use a URL.  What goes into the boot-file field
 * (boot_file) is therefore:
 *
 *   - for an HTTP client, an http:// or https:// URL as configured, or a
 *     name made one with the http-server line (SCHEME://HOST[:PORT]/NAME);
 *     nothing when there is neither;
 *   - for an iPXE client's script (1), a name made a URL the same way
 *     when there is an http-server line, so that the script, and what it
 *     names relative to its own URL, come over HTTP;
 *   - for any other PXE client, the name as configured, and nothing when
 *     it is a URL: its TFTP client cannot fetch one.
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
bool boot_is_http(const struct dhcp_msg *m);

/* name has a scheme ("tftp://...", "http://..."). */
bool boot_is_url(const char *name);

/* The file for client m (*file, NUL-terminated, inside c) and why;
 * BOOT_NONE with *file NULL when it has none. */
enum boot_why boot_choose(const struct pxed_conf *c, const struct dhcp_msg *m, const char **file);

/* boot_choose's file for m as the client can use it (see above), in out
 * (NUL-terminated, fitting the DHCP file field), local the address its
 * request came in on; BOOT_NONE with out "" when it has no file it can
 * use (a URL longer than the field included). */
enum boot_why boot_file(const struct pxed_conf *c, const struct dhcp_msg *m, uint32_t local,
			char out[DHCP_FILE_LEN]);

/* "arch 7", "host", "ipxe", "host ipxe", "none": for log lines. */
const char *boot_why_name(enum boot_why w);

#endif
