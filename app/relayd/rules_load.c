/* rules_load.c -- a relayd.conf read and checked whole; see rules.h. */
#include "rules.h"

#include "log.h"

struct load {
	struct relay_rules *rules;
	unsigned bad;
};

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
		log_err("%s:%u: %s", file, lineno, why);
		l->bad++;
		return;
	case CONF_OK:
		break;
	}
	for (size_t i = 0; i < rs->n; i++) {
		if (relay_same_input(&rs->rule[i], &r)) {
			log_err("%s:%u: the same input as line %u", file, lineno, rs->line[i]);
			l->bad++;
			return;
		}
	}
	if (rs->n == RELAY_RULES_MAX) {
		log_err("%s:%u: too many rules (at most %d)", file, lineno, RELAY_RULES_MAX);
		l->bad++;
		return;
	}
	rs->line[rs->n] = lineno;
	rs->rule[rs->n++] = r;
}

int rules_load(const char *path, struct relay_rules *rules)
{
	struct load l = { rules, 0 };

	rules->n = 0;
	if (conf_read(path, load_line, &l) < 0) {
		log_errno("unable to read %s", path);
		return -1;
	}
	return l.bad ? -1 : 0;
}
