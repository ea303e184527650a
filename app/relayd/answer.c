/* SPDX-License-Identifier: MIT */
/* answer.c -- relayctl's requests answered: see controller.h. */
#include "controller.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_request.h"
#include "log.h"

static void rule_line_text(const struct rule *x, struct text *t)
{
	char line[RELAY_LINE_MAX];

	relay_rule_line(&x->r, line);
	text_add(t, "%s\n", line);
}

void stats_text(const struct control *s, struct text *t)
{
	for (const struct rule *x = s->rules; x; x = x->next) {
		char label[RULE_LABEL_MAX];
		int err = atomic_load_explicit(&x->error, memory_order_relaxed);

		text_add(t, "%s: %llu packets, %llu bytes in, %llu pps; dropped: %llu no buffer, "
			 "%llu truncated", rule_label(x, label),
			 (unsigned long long)counter_get(&x->packets),
			 (unsigned long long)counter_get(&x->bytes), (unsigned long long)x->pps,
			 (unsigned long long)counter_get(&x->no_buffer),
			 (unsigned long long)counter_get(&x->truncated));
		if (err)
			text_add(t, "; not running: %s", strerror(err));
		text_add(t, "\n");
		for (unsigned i = 0; i < x->r.nout; i++) {
			char out[RELAY_TEXT_MAX];
			uint64_t gso = counter_get(&x->out[i].gso_sends);

			relay_output_text(&x->r.out[i], out);
			text_add(t, "  to %s: %llu packets, %llu bytes, %llu pps; dropped: %llu send "
				 "error, %llu no route", out,
				 (unsigned long long)counter_get(&x->out[i].packets),
				 (unsigned long long)counter_get(&x->out[i].bytes),
				 (unsigned long long)x->out_pps[i],
				 (unsigned long long)counter_get(&x->out[i].send_errors),
				 (unsigned long long)counter_get(&x->out[i].no_route));
			if (gso)
				text_add(t, "; %llu of the packets in %llu GSO sends",
					 (unsigned long long)counter_get(&x->out[i].gso_packets),
					 (unsigned long long)gso);
			text_add(t, "\n");
		}
	}
}

static void list_text(const struct control *s, struct text *t)
{
	text_add(t, "%4s  %-6s  %-8s  %-8s  %s\n", "ID", "WORKER", "STATE", "ORIGIN", "RULE");
	for (const struct rule *x = s->rules; x; x = x->next) {
		unsigned line = atomic_load_explicit(&x->line, memory_order_relaxed);
		char origin[16];

		if (line)
			snprintf(origin, sizeof origin, "line %u", line);
		else
			snprintf(origin, sizeof origin, "relayctl");
		text_add(t, "%4u  %-6u  %-8s  %-8s  ", x->id, x->worker, rule_state(x), origin);
		rule_line_text(x, t);
	}
}

static const char *add(struct control *s, const struct relay_rule *r, struct text *t)
{
	struct rule **tail = &s->rules, *x;
	unsigned n = 0;
	int err;

	for (; *tail; tail = &(*tail)->next, n++) {
		if (relay_same_input(&(*tail)->r, r)) {
			char label[RULE_LABEL_MAX];

			text_add(t, "the same input as rule %s\n", rule_label(*tail, label));
			return CTL_BAD;
		}
	}
	if (n >= RELAY_RULES_MAX) {
		text_add(t, "too many rules (at most %d)\n", RELAY_RULES_MAX);
		return CTL_BAD;
	}
	if (!(x = rule_new(s, r, 0))) {
		text_add(t, "out of memory\n");
		return CTL_FAIL;
	}
	*tail = x;
	rule_start(s, x);
	sync_workers(s);
	err = atomic_load_explicit(&x->error, memory_order_relaxed);
	log_info("relayctl: added rule #%u", x->id);
	log_running(s);
	text_add(t, "added rule %u (worker %u, %s", x->id, x->worker, rule_state(x));
	if (err)
		text_add(t, ": %s; retried every 2 s", strerror(err));
	text_add(t, "): ");
	rule_line_text(x, t);
	return CTL_OK;
}

static const char *remove_rule(struct control *s, const struct ctl_request *req, struct text *t)
{
	struct rule **p = &s->rules, *x;

	while (*p && (req->id ? (*p)->id != req->id : !relay_rule_equal(&(*p)->r, &req->rule)))
		p = &(*p)->next;
	if (!*p) {
		if (req->id)
			text_add(t, "no rule %u (relayctl list shows them)\n", req->id);
		else
			text_add(t, "no such rule (relayctl list shows them)\n");
		return CTL_BAD;
	}
	x = *p;
	*p = x->next;
	log_info("relayctl: removing rule #%u", x->id);
	text_add(t, "removed rule %u: ", x->id);
	rule_line_text(x, t);
	rule_remove(s, x);
	sync_workers(s);
	log_running(s);
	return CTL_OK;
}

void respond(struct control *s, struct conn *c)
{
	struct ctl_request *req = malloc(sizeof *req); /* a rule: not small */
	struct text body = { 0 };
	char why[RELAY_WHY_MAX];
	const char *status = CTL_OK;

	if (!req) {
		status = CTL_FAIL;
		text_add(&body, "out of memory\n");
	} else if (ctl_parse_request(c->req, c->len, req, why) < 0) {
		status = CTL_BAD;
		text_add(&body, "%s\n", why);
	} else {
		switch (req->verb) {
		case CTL_LIST:
			list_text(s, &body);
			break;
		case CTL_STATS:
			stats_text(s, &body);
			break;
		case CTL_RELOAD:
			status = reload(s, "relayctl", &body);
			break;
		case CTL_ADD:
			status = add(s, &req->rule, &body);
			break;
		case CTL_REMOVE:
			status = remove_rule(s, req, &body);
			break;
		}
	}
	free(req);
	if (body.failed)
		status = CTL_FAIL;
	text_add(&c->answer, "%s\n%.*s%s", status, (int)body.len, body.p ? body.p : "",
		 body.failed ? "out of memory: the answer is cut short\n" : "");
	free(body.p);
}
