/* SPDX-License-Identifier: MIT */
/* ruleset.c -- the rules in force, in the control thread: each made,
 * given to a worker, removed, and a reload applied; see controller.h.
 * control.c's loop and answer.c's requests call down into it, never
 * the other way. */
#include "controller.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

const char *rule_state(const struct rule *x)
{
	int err = atomic_load_explicit(&x->error, memory_order_relaxed);

	return err == 0 ? "running" : err == EINPROGRESS ? "starting" : "waiting";
}

struct rule *rule_new(struct control *s, const struct relay_rule *r, unsigned line)
{
	char name[RELAY_TEXT_MAX];
	unsigned id = ++s->next_id;
	/* the struct is the shared mapping of its counters (record.c) */
	struct rule *x;

	relay_input_text(r, name);
	x = record_rule(r, id, name);
	x->r = *r;
	x->id = id;
	atomic_init(&x->line, line);
	memcpy(x->name, name, sizeof x->name);
	return x;
}

void rule_start(struct control *s, struct rule *x)
{
	unsigned best = 0;

	for (unsigned i = 1; i < s->nworkers; i++)
		if (s->load[i] < s->load[best])
			best = i;
	s->load[best]++;
	worker_start_rule(s->workers[best], x);
}

void rule_remove(struct control *s, struct rule *x)
{
	s->load[x->worker]--;
	worker_remove_rule(s->workers[x->worker], x);
}

void sync_workers(struct control *s)
{
	for (unsigned i = 0; i < s->nworkers; i++)
		worker_sync(s->workers[i]);
}

unsigned count_rules(const struct control *s, unsigned *running)
{
	unsigned n = 0;

	*running = 0;
	for (const struct rule *x = s->rules; x; x = x->next, n++)
		*running += atomic_load_explicit(&x->error, memory_order_relaxed) == 0;
	return n;
}

void log_running(const struct control *s)
{
	unsigned up, n = count_rules(s, &up);

	log_info("%u of %u rules running", up, n);
}

void apply(struct control *s, const struct relay_rules *rs, unsigned *kept, unsigned *added,
	   unsigned *removed)
{
	struct rule *old = s->rules, *head = NULL, **tail = &head;

	*kept = *added = *removed = 0;
	for (size_t i = 0; i < rs->n; i++) {
		struct rule **p = &old, *x;

		while (*p && !relay_rule_equal(&(*p)->r, &rs->rule[i]))
			p = &(*p)->next;
		if (*p) {
			x = *p;
			*p = x->next;
			atomic_store_explicit(&x->line, rs->line[i], memory_order_relaxed);
			++*kept;
		} else if ((x = rule_new(s, &rs->rule[i], rs->line[i]))) {
			rule_start(s, x);
			++*added;
		} else {
			continue;
		}
		x->next = NULL;
		*tail = x;
		tail = &x->next;
	}
	while (old) {
		struct rule *x = old;

		old = x->next;
		rule_remove(s, x);
		++*removed;
	}
	s->rules = head;
	sync_workers(s);
}

const char *reload(struct control *s, const char *who, struct text *answer)
{
	const char *file = s->cfg->args.conf;
	unsigned kept, added, removed, up, n;

	if (rules_load(file, &s->spare, s->errors, sizeof s->errors) < 0) {
		log_err("%s: %s not loaded; the running rules stay in force", who, file);
		if (answer)
			text_add(answer, "%s not loaded; the running rules stay in force:\n%s", file,
				 s->errors);
		return CTL_BAD;
	}
	apply(s, &s->spare, &kept, &added, &removed);
	log_info("%s: %s reloaded: %u rules kept, %u added, %u removed", who, file, kept, added,
		 removed);
	log_running(s);
	n = count_rules(s, &up);
	if (answer)
		text_add(answer, "%s reloaded: %u rules kept, %u added, %u removed; %u of %u rules "
			 "running\n", file, kept, added, removed, up, n);
	return CTL_OK;
}

