/* boot.c -- see boot.h. */
#include "boot.h"

#include <string.h>

#define PXE_VENDOR "PXEClient"

static const char *const why_table[] = {
	[BOOT_NONE] = "none", [BOOT_IPXE] = "ipxe", [BOOT_HOST_IPXE] = "host ipxe",
	[BOOT_HOST] = "host", [BOOT_ARCH] = "arch",
};

const char *boot_why_name(enum boot_why w)
{
	return why_table[w];
}

bool boot_is_pxe(const struct dhcp_msg *m)
{
	const struct dhcp_bytes *v = &m->opt[DHCP_F_VENDOR_CLASS];

	return v->p && v->len >= sizeof PXE_VENDOR - 1 &&
	       !memcmp(v->p, PXE_VENDOR, sizeof PXE_VENDOR - 1) && dhcp_has(m, DHCP_F_ARCH);
}

bool boot_is_ipxe(const struct dhcp_msg *m)
{
	return dhcp_has(m, DHCP_F_IPXE) || dhcp_user_class_has(m->opt[DHCP_F_USER_CLASS], "iPXE");
}

enum boot_why boot_choose(const struct pxed_conf *c, const struct dhcp_msg *m, const char **file)
{
	const struct pxed_host *h = pxeconf_host(c, m->chaddr);

	*file = NULL;
	if (boot_is_ipxe(m) && h && h->ipxe[0]) {
		*file = h->ipxe;
		return BOOT_HOST_IPXE;
	}
	if (boot_is_ipxe(m) && c->ipxe[0]) {
		*file = c->ipxe;
		return BOOT_IPXE;
	}
	if (h && h->file[0]) {
		*file = h->file;
		return BOOT_HOST;
	}
	if (!dhcp_has(m, DHCP_F_ARCH))
		return BOOT_NONE;
	for (unsigned i = 0; i < c->narch; i++)
		if (c->arch[i].arch == m->arch) {
			*file = c->arch[i].file;
			return BOOT_ARCH;
		}
	return BOOT_NONE;
}
