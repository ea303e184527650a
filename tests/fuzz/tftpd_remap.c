/* SPDX-License-Identifier: MIT */
/* tftpd_remap -- libFuzzer: any name (and client address text) through a
 * fixed rule set that uses every flag, then through the path policy.
 * Input: name, NUL, client. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "remap.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const rule_lines[] = {
	"rg \\\\ /",
	"ri ^/?boot/ boot/",
	"re ^pxelinux\\.cfg/(01-)?([0-9a-f-]+)$ hosts/\\i/\\2",
	"ai \\.(key|pem)$",
	"rgP [^a-z0-9./_-] _",
	"e ^static/",
	"rG ^([^/]+)/(.*)$ \\2/\\1/\\0",
	"rg x* <\\0>",
	"r (a|b)?(c)?$ [\\1\\2]\\ \\#",
};
static struct remap_rules rules;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char why[REMAP_WHY_MAX];

	(void)argc;
	(void)argv;
	for (size_t i = 0; i < sizeof rule_lines / sizeof rule_lines[0]; i++) {
		if (remap_parse_line(rule_lines[i], strlen(rule_lines[i]), &rules.rule[i], why) != CONF_OK)
			abort();
		rules.n++;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char name[REMAP_NAME_MAX + 2], client[64], out[REMAP_NAME_MAX + 1], rel[PATH_MAX];
	static const struct path_policy pol = { 0, true, false };
	const uint8_t *nul = memchr(data, '\0', size);
	size_t name_len = nul ? (size_t)(nul - data) : size;
	size_t client_len = nul ? size - name_len - 1 : 0;

	if (name_len >= sizeof name || client_len >= sizeof client)
		return 0;
	memcpy(name, data, name_len);
	name[name_len] = '\0';
	memcpy(client, nul ? nul + 1 : data, client_len);
	client[client_len] = '\0'; /* a NUL inside cuts it: fine */
	for (int put = 0; put < 2; put++) {
		enum remap_result r = remap_apply(&rules, put, name, client, out, sizeof out);
		assert(r == REMAP_OK || r == REMAP_DENIED || r == REMAP_TOO_LONG);
		if (r != REMAP_OK)
			continue;
		assert(strlen(out) <= REMAP_NAME_MAX);
		path_check(&pol, out, strlen(out), rel, sizeof rel);
	}
	return 0;
}
