/* SPDX-License-Identifier: MIT */
/* text.c -- see text.h; and rule_label, a rule named in a log line
 * (relay.h). */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "relay.h"

void text_add(struct text *t, const char *fmt, ...)
{
	while (!t->failed) {
		size_t room = t->cap - t->len, cap;
		va_list ap;
		char *p;
		int n;

		va_start(ap, fmt);
		n = vsnprintf(t->p ? t->p + t->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < room) {
			t->len += (size_t)n;
			return;
		}
		for (cap = t->cap ? t->cap * 2 : 1024; n >= 0 && cap - t->len <= (size_t)n; cap *= 2)
			;
		if (n < 0 || !(p = realloc(t->p, cap))) {
			t->failed = true;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
}

void log_lines(const char *prefix, const struct text *t)
{
	for (size_t i = 0; i < t->len;) {
		const char *nl = memchr(t->p + i, '\n', t->len - i);
		size_t n = nl ? (size_t)(nl - (t->p + i)) : t->len - i;

		log_info("%s%.*s", prefix, (int)n, t->p + i);
		i += n + 1;
	}
}

const char *rule_label(const struct rule *x, char buf[RULE_LABEL_MAX])
{
	unsigned line = atomic_load_explicit(&x->line, memory_order_relaxed);

	if (line)
		snprintf(buf, RULE_LABEL_MAX, "#%u %s (line %u)", x->id, x->name, line);
	else
		snprintf(buf, RULE_LABEL_MAX, "#%u %s (relayctl)", x->id, x->name);
	return buf;
}
