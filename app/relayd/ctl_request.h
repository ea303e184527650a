/* SPDX-License-Identifier: MIT */
/* ctl_request.h -- a relayctl request (app/lib/ctl.h) as relayd reads it.
 * Pure: bytes in, struct out, for the control thread and its fuzzer. */
#ifndef TERN_RELAYD_CTL_REQUEST_H
#define TERN_RELAYD_CTL_REQUEST_H

#include "rules.h"

enum ctl_verb { CTL_LIST, CTL_STATS, CTL_RELOAD, CTL_ADD, CTL_REMOVE };

struct ctl_request {
	enum ctl_verb verb;
	unsigned id;            /* remove ID: 1-4294967295; 0 when by rule */
	struct relay_rule rule; /* add RULE, remove RULE */
};

/* The request in buf (len bytes: one line, its newline optional, nothing
 * after it).  0, or -1 with why saying what is wrong. */
int ctl_parse_request(const char *buf, size_t len, struct ctl_request *req,
		      char why[RELAY_WHY_MAX]);

#endif
