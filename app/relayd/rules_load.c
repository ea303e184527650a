/* SPDX-License-Identifier: MIT */
/* rules_load.c -- a relayd.conf read and checked whole; see rules.h. */
#include "rules.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

struct load {
	struct relay_rules *rules;
	unsigned bad;
	char *errors;         /* NULL, or where the messages go too */
	size_t size, len;
};

/* One message: to the log, and to the caller's errors if it wants them. */
static void report(struct load *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(struct load *l, const char *fmt, ...)
{
	char msg[CONF_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_err("%s", msg);
	if (l->errors && l->len + 1 < l->size) {
		int n = snprintf(l->errors + l->len, l->size - l->len, "%s\n", msg);

		if (n > 0)
			l->len += (size_t)n < l->size - l->len ? (size_t)n : l->size - l->len - 1;
	}
}

static void load_line(void *ctx, const char *file, unsigned lineno, const char *line, size_t len)
{
	struct load *l = ctx;
	struct relay_rules *rs = l->rules;
	struct relay_rule r;
	char why[RELAY_WHY_MAX];

	switch (relay_parse_line(line, len, &r, why)) {
	case CONF_SKIP:
		return;
	case CONF_BAD:
		report(l, "%s:%u: %s", file, lineno, why);
		l->bad++;
		return;
	case CONF_OK:
		break;
	}
	for (size_t i = 0; i < rs->n; i++) {
		if (relay_same_input(&rs->rule[i], &r)) {
			report(l, "%s:%u: the same input as line %u", file, lineno, rs->line[i]);
			l->bad++;
			return;
		}
	}
	if (rs->n == RELAY_RULES_MAX) {
		report(l, "%s:%u: too many rules (at most %d)", file, lineno, RELAY_RULES_MAX);
		l->bad++;
		return;
	}
	rs->line[rs->n] = lineno;
	rs->rule[rs->n++] = r;
}

int rules_load(const char *path, struct relay_rules *rules, char *errors, size_t size)
{
	struct load l = { rules, 0, errors, size, 0 };

	rules->n = 0;
	if (errors && size)
		errors[0] = '\0';
	if (conf_read(path, load_line, &l) < 0) {
		report(&l, "unable to read %s: %s", path, strerror(errno));
		return -1;
	}
	return l.bad ? -1 : 0;
}
