/* SPDX-License-Identifier: MIT */
/* boot.c -- see boot.h. */
#include "boot.h"

#include <stdio.h>
#include <string.h>

#define PXE_VENDOR "PXEClient"
#define HTTP_VENDOR "HTTPClient"

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

bool boot_is_http(const struct dhcp_msg *m)
{
	const struct dhcp_bytes *v = &m->opt[DHCP_F_VENDOR_CLASS];

	return v->p && v->len >= sizeof HTTP_VENDOR - 1 &&
	       !memcmp(v->p, HTTP_VENDOR, sizeof HTTP_VENDOR - 1);
}

bool boot_is_url(const char *name)
{
	return strstr(name, "://") != NULL;
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

static bool is_http_url(const char *name)
{
	return !strncmp(name, "http://", 7) || !strncmp(name, "https://", 8);
}

/* SCHEME://HOST[:PORT]/NAME into out; false when it does not fit. */
static bool make_url(const struct pxed_conf *c, const char *name, uint32_t local,
		     char out[DHCP_FILE_LEN])
{
	char host[PXECONF_DOMAIN_MAX], port[8] = "";
	int n;

	if (c->http_host[0])
		snprintf(host, sizeof host, "%s", c->http_host);
	else
		snprintf(host, sizeof host, "%u.%u.%u.%u", local >> 24, local >> 16 & 255,
			 local >> 8 & 255, local & 255);
	if (c->http_port)
		snprintf(port, sizeof port, ":%u", c->http_port);
	while (*name == '/')
		name++;
	n = snprintf(out, DHCP_FILE_LEN, "%s://%s%s/%s", c->http == PXED_HTTPS ? "https" : "http",
		     host, port, name);
	return n > 0 && n < DHCP_FILE_LEN;
}

enum boot_why boot_file(const struct pxed_conf *c, const struct dhcp_msg *m, uint32_t local,
			char out[DHCP_FILE_LEN])
{
	const char *file;
	enum boot_why w = boot_choose(c, m, &file);
	bool script = w == BOOT_IPXE || w == BOOT_HOST_IPXE, ok;

	out[0] = '\0';
	if (w == BOOT_NONE)
		return BOOT_NONE;
	if (boot_is_http(m)) /* an http(s) URL, as given or made */
		ok = is_http_url(file) ? snprintf(out, DHCP_FILE_LEN, "%s", file) < DHCP_FILE_LEN
		     : !boot_is_url(file) && c->http && make_url(c, file, local, out);
	else if (script && c->http && !boot_is_url(file)) /* iPXE's script over HTTP */
		ok = make_url(c, file, local, out);
	else /* as given; a URL only to iPXE (or a client that is not PXE) */
		ok = (boot_is_ipxe(m) || !boot_is_pxe(m) || !boot_is_url(file)) &&
		     snprintf(out, DHCP_FILE_LEN, "%s", file) < DHCP_FILE_LEN;
	if (!ok) {
		out[0] = '\0';
		return BOOT_NONE;
	}
	return w;
}
