/* SPDX-License-Identifier: MIT */
/* relayd_rules -- libFuzzer: relay_parse_line on any line.  What it
 * accepts must hold together (outputs, ports, names, families) and, written
 * back out in the file's syntax (relay_rule_line), parse to an equal rule. */
#include <arpa/inet.h>
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *dev, bool empty_ok)
{
	size_t n = strnlen(dev, IFNAMSIZ);

	assert(n < IFNAMSIZ && (n > 0 || empty_ok));
	for (size_t i = 0; i < n; i++)
		assert(conf_is_name_char(dev[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct relay_rule r, again;
	char why[RELAY_WHY_MAX], text[RELAY_TEXT_MAX], line[RELAY_LINE_MAX];
	enum conf_result c = relay_parse_line((const char *)data, size, &r, why);
	size_t n;

	if (c == CONF_BAD)
		assert(why[0] && strnlen(why, sizeof why) < sizeof why);
	if (c != CONF_OK)
		return 0;
	check_name(r.dev, false);
	assert(r.nout >= 1 && r.nout <= RELAY_OUTPUTS_MAX);
	assert(r.in.sa.sa_family == AF_INET || r.in.sa.sa_family == AF_INET6);
	assert(r.in.in.sin_port != 0); /* sin_port and sin6_port share their place */
	assert(!r.source.sa.sa_family || (r.multicast && r.source.sa.sa_family == r.in.sa.sa_family));
	relay_input_text(&r, text);
	assert(strlen(text) < sizeof text);
	for (unsigned i = 0; i < r.nout; i++) {
		const struct relay_output *o = &r.out[i];

		check_name(o->dev, true);
		assert(o->to.in.sin_port != 0 && o->ttl <= 255);
		assert(!o->src.sa.sa_family || o->src.sa.sa_family == o->to.sa.sa_family);
		relay_output_text(o, text);
		assert(strlen(text) < sizeof text);
	}
	n = relay_rule_line(&r, line);
	assert(n < sizeof line && strlen(line) == n);
	if (n <= CONF_LINE_MAX) {
		assert(relay_parse_line(line, n, &again, why) == CONF_OK);
		assert(relay_rule_equal(&r, &again));
	}
	return 0;
}
