/* SPDX-License-Identifier: MIT */
/* relayd_ctl -- libFuzzer: ctl_parse_request on any bytes, as relayd's
 * control thread reads them from relayctl's socket.  A request it takes
 * holds together: a known verb, an ID only for remove, a rule that is a
 * rule (written out, it parses back to the same). */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "ctl_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request req;
	struct relay_rule again;
	char why[RELAY_WHY_MAX], line[RELAY_LINE_MAX];
	size_t n;

	if (ctl_parse_request((const char *)data, size, &req, why) < 0) {
		assert(why[0] && strnlen(why, sizeof why) < sizeof why);
		return 0;
	}
	switch (req.verb) {
	case CTL_LIST:
	case CTL_STATS:
	case CTL_RELOAD:
		assert(req.id == 0 && req.rule.nout == 0);
		break;
	case CTL_ADD:
		assert(req.id == 0);
		/* fall through */
	case CTL_REMOVE:
		if (req.id)
			break;
		assert(req.rule.nout >= 1 && req.rule.nout <= RELAY_OUTPUTS_MAX);
		n = relay_rule_line(&req.rule, line);
		if (n <= CONF_LINE_MAX) {
			assert(relay_parse_line(line, n, &again, why) == CONF_OK);
			assert(relay_rule_equal(&req.rule, &again));
		}
		break;
	}
	return 0;
}
