/* SPDX-License-Identifier: MIT */
/* record.c -- relayd's counters shared with the status page (stats.h).
 * Rules come and go (a reload, relayctl) while the workers count, so a
 * rule's counters cannot move: each rule is allocated as the values area
 * of a stats file of its own, <run>/stats/relayd-rule.<id>, whose fields
 * name its counters (relay.h's struct rule, counted in place by its
 * worker with relaxed atomics), labelled rule="eth0 239.1.1.1:5000" and,
 * for an output's, output="192.0.2.9:5000".  relayctl and SIGUSR1 read
 * the same struct. */
#include "relay.h"

#include <stddef.h>
#include <string.h>

#include "stats.h"

#define RULE_FIELDS 4
#define OUTPUT_FIELDS 6

static const struct {
	size_t offset;
	const char *name, *help;
} rule_fields[RULE_FIELDS] = {
#define R(f) offsetof(struct rule, f)
	{ R(packets), "tern_relayd_received_packets_total", "Datagrams received by a rule" },
	{ R(bytes), "tern_relayd_received_bytes_total", "Bytes received by a rule" },
	{ R(no_buffer), "tern_relayd_no_buffer_drops_total",
	  "Datagrams dropped: no receive buffer free" },
	{ R(truncated), "tern_relayd_truncated_drops_total",
	  "Datagrams dropped: longer than the largest" },
#undef R
}, output_fields[OUTPUT_FIELDS] = {
#define O(f) offsetof(struct rule, out[0].f)
	{ O(packets), "tern_relayd_output_sent_packets_total", "Datagrams sent to an output" },
	{ O(bytes), "tern_relayd_output_sent_bytes_total", "Bytes sent to an output" },
	{ O(send_errors), "tern_relayd_output_send_errors_total", "Sends to an output that failed" },
	{ O(no_route), "tern_relayd_output_no_route_total", "Sends to an output without a route" },
	{ O(gso_packets), "tern_relayd_output_gso_packets_total",
	  "Datagrams sent to an output in GSO sends" },
	{ O(gso_sends), "tern_relayd_output_gso_sends_total", "GSO sends to an output" },
#undef O
};

struct rule *record_rule(const struct relay_rule *r, unsigned id, const char *name)
{
	static char labels[1 + RELAY_OUTPUTS_MAX][STATS_LABELS_MAX];
	struct stats_def defs[RULE_FIELDS + RELAY_OUTPUTS_MAX * OUTPUT_FIELDS];
	size_t out_size = offsetof(struct rule, out[1]) - offsetof(struct rule, out[0]);
	unsigned n = 0;

	/* one rule at a time: rule_new runs on the control thread only */
	labels[0][0] = 0;
	stats_label(labels[0], sizeof labels[0], "rule", name);
	for (unsigned f = 0; f < RULE_FIELDS; f++)
		defs[n++] = STATS_FIXED(rule_fields[f].name, rule_fields[f].help,
					rule_fields[f].offset, labels[0]);
	for (unsigned o = 0; o < r->nout && o < RELAY_OUTPUTS_MAX; o++) {
		char text[RELAY_TEXT_MAX];

		relay_output_text(&r->out[o], text);
		memcpy(labels[1 + o], labels[0], sizeof labels[0]);
		stats_label(labels[1 + o], sizeof labels[1 + o], "output", text);
		for (unsigned f = 0; f < OUTPUT_FIELDS; f++)
			defs[n++] = STATS_FIXED(output_fields[f].name, output_fields[f].help,
						output_fields[f].offset + o * out_size, labels[1 + o]);
	}
	return stats_open("relayd-rule", (int)id, defs, n, sizeof(struct rule));
}
