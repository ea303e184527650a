/* SPDX-License-Identifier: MIT */
/* rpi_conf.c -- the "rpi" line of pxed.conf, and its compiled default;
 * see rpi.h.  Apart from rpi.c, which answers the Pis: pxeconf.c reads
 * the line, and rpi.c's answers use boot.c, which uses pxeconf.c. */
#include "rpi.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "hex.h"

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

