/* SPDX-License-Identifier: MIT */
/* ctl_request.c -- see ctl_request.h. */
#include "ctl_request.h"

#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const struct {
	const char *word;
	enum ctl_verb verb;
	bool argument;
} verbs[] = {
	{ "list", CTL_LIST, false },
	{ "stats", CTL_STATS, false },
	{ "reload", CTL_RELOAD, false },
	{ "add", CTL_ADD, true },
	{ "remove", CTL_REMOVE, true },
};

static int bad(char *why, const char *what)
{
	snprintf(why, RELAY_WHY_MAX, "%s", what);
	return -1;
}

/* A decimal rule ID, 1-4294967295; 0 if the text is not one. */
static unsigned parse_id(const char *s, size_t len)
{
	unsigned long long v = 0;

	if (len == 0 || len > 10)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= 0xffffffffu ? (unsigned)v : 0;
}

int ctl_parse_request(const char *buf, size_t len, struct ctl_request *req,
		      char why[RELAY_WHY_MAX])
{
	const char *nl = memchr(buf, '\n', len), *arg;
	size_t n, word, rest;

	memset(req, 0, sizeof *req);
	why[0] = '\0';
	if (len > CTL_REQUEST_MAX)
		return bad(why, "request too long");
	if (nl) {
		if (nl + 1 != buf + len)
			return bad(why, "more than one line in the request");
		len = (size_t)(nl - buf);
	}
	if (memchr(buf, '\0', len))
		return bad(why, "NUL byte in the request");
	for (word = 0; word < len && !conf_is_blank(buf[word]); word++)
		;
	for (arg = buf + word; arg < buf + len && conf_is_blank(*arg); arg++)
		;
	rest = (size_t)(buf + len - arg);
	while (rest && conf_is_blank(arg[rest - 1]))
		rest--;
	for (n = 0; n < sizeof verbs / sizeof *verbs; n++)
		if (strlen(verbs[n].word) == word && !memcmp(buf, verbs[n].word, word))
			break;
	if (n == sizeof verbs / sizeof *verbs) {
		snprintf(why, RELAY_WHY_MAX, "unknown request '%.*s' (list, stats, add, remove, reload)",
			 (int)(word < 20 ? word : 20), buf);
		return -1;
	}
	req->verb = verbs[n].verb;
	if (!verbs[n].argument)
		return rest ? bad(why, "this request takes no argument") : 0;
	if (!rest)
		return bad(why, req->verb == CTL_ADD ? "add wants a rule"
						     : "remove wants a rule ID or the rule");
	if (req->verb == CTL_REMOVE && arg[0] >= '0' && arg[0] <= '9') {
		if (!(req->id = parse_id(arg, rest)))
			return bad(why, "a rule ID is a number from 1 to 4294967295");
		return 0;
	}
	switch (relay_parse_line(arg, rest, &req->rule, why)) {
	case CONF_OK:
		return 0;
	case CONF_SKIP:
		return bad(why, req->verb == CTL_ADD ? "add wants a rule, not a comment"
						     : "remove wants a rule, not a comment");
	case CONF_BAD:
		break;
	}
	return -1;
}
