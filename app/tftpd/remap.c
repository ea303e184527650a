/* SPDX-License-Identifier: MIT */
/* remap.c -- one rule line, and rules applied to a name; see remap.h.
 * Pure: regcomp/regexec and memory, no I/O. */
#include "remap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textbuf.h"

static const struct {
	char c;
	unsigned flag;
} flag_table[] = {
	{ 'r', REMAP_REPLACE }, { 'g', REMAP_GLOBAL }, { 'i', REMAP_ICASE },
	{ 'e', REMAP_END },     { 'a', REMAP_DENY },   { 'G', REMAP_GET },
	{ 'P', REMAP_PUT },
};

/* Flags that make no sense together, or alone. */
static const struct {
	unsigned has, lacks;
	const char *why;
} combo_table[] = {
	{ REMAP_GLOBAL, REMAP_REPLACE, "flag g needs flag r" },
	{ REMAP_DENY | REMAP_REPLACE, 0, "flags a and r cannot be combined" },
	{ REMAP_DENY | REMAP_END, 0, "flags a and e cannot be combined" },
	{ REMAP_GET | REMAP_PUT, 0, "flags G and P cannot be combined" },
};

/* The next field of [*p, end): blanks skipped, then up to an unescaped
 * blank or '#'.  Copied to out (CONF_LINE_MAX + 1 bytes), with "\ " and
 * "\#" made plain when plain is set, every other escape as written.  False
 * at the end of the line or at a comment. */
static bool take_field(const char **p, const char *end, char *out, bool plain)
{
	const char *s = *p;
	size_t n = 0;

	while (s < end && conf_is_blank(*s))
		s++;
	if (s == end || *s == '#')
		return false;
	while (s < end && !conf_is_blank(*s) && *s != '#') {
		if (*s == '\\' && s + 1 < end) {
			if (!plain || !(conf_is_blank(s[1]) || s[1] == '#'))
				out[n++] = *s;
			s++;
		}
		out[n++] = *s++;
	}
	out[n] = '\0';
	*p = s;
	return true;
}

static enum conf_result parse_flags(const char *f, unsigned *flags, char why[REMAP_WHY_MAX])
{
	char c[2] = "";

	if (*f == ':')
		return conf_badf(why, "labels (%s) are not supported", f);
	for (*flags = 0; *f; f++) {
		size_t i = 0;
		while (i < sizeof flag_table / sizeof flag_table[0] && flag_table[i].c != *f)
			i++;
		c[0] = *f;
		if (i == sizeof flag_table / sizeof flag_table[0])
			return conf_badf(why, "unknown flag '%s' (expected r g i e a G P)", c);
		*flags |= flag_table[i].flag;
	}
	for (size_t i = 0; i < sizeof combo_table / sizeof combo_table[0]; i++)
		if ((*flags & combo_table[i].has) == combo_table[i].has &&
		    !(*flags & combo_table[i].lacks))
			return conf_badf(why, "%s", combo_table[i].why);
	return CONF_OK;
}

/* Every escape of the replacement is one we expand, and every group it
 * names is one the regex has. */
static enum conf_result check_replacement(const char *rep, size_t groups, char why[REMAP_WHY_MAX])
{
	char esc[3] = "\\";

	for (; *rep; rep++) {
		if (*rep != '\\')
			continue;
		esc[1] = *++rep;
		if (*rep >= '0' && *rep <= '9') {
			if ((size_t)(*rep - '0') > groups)
				return conf_badf(why, "%s names a group the regex does not have", esc);
		} else if (!*rep) {
			return conf_badf(why, "%s", "replacement ends with a lone backslash");
		} else if (!strchr("i\\ \t#", *rep)) {
			return conf_badf(why, "unknown escape %s (expected \\0-\\9 \\i \\\\ \\# or \\ and a blank)", esc);
		}
	}
	return CONF_OK;
}

enum conf_result remap_parse_line(const char *line, size_t len, struct remap_rule *r,
				  char why[REMAP_WHY_MAX])
{
	const char *p = line, *end = line + len;
	char flags[CONF_LINE_MAX + 1], regex[CONF_LINE_MAX + 1], extra[CONF_LINE_MAX + 1];
	bool has_rep;
	int err;

	if (len > CONF_LINE_MAX)
		return conf_badf(why, "%s", "line too long (more than 1024 bytes)");
	if (memchr(line, '\0', len))
		return conf_badf(why, "%s", "NUL byte in line");
	if (!take_field(&p, end, flags, true))
		return CONF_SKIP;
	if (parse_flags(flags, &r->flags, why) != CONF_OK)
		return CONF_BAD;
	if (!take_field(&p, end, regex, true))
		return conf_badf(why, "%s", "missing regex");
	has_rep = take_field(&p, end, r->replacement, false);
	if (!has_rep)
		r->replacement[0] = '\0';
	if (has_rep && !(r->flags & REMAP_REPLACE))
		return conf_badf(why, "%s", "replacement given without flag r");
	if (take_field(&p, end, extra, false))
		return conf_badf(why, "text after the replacement: %s", extra);
	err = regcomp(&r->re, regex, REG_EXTENDED | (r->flags & REMAP_ICASE ? REG_ICASE : 0));
	if (err) {
		char msg[REMAP_WHY_MAX - 16];
		regerror(err, &r->re, msg, sizeof msg);
		return conf_badf(why, "bad regex: %s", msg);
	}
	if (check_replacement(r->replacement, r->re.re_nsub, why) != CONF_OK) {
		regfree(&r->re);
		return CONF_BAD;
	}
	return CONF_OK;
}

void remap_rule_free(struct remap_rule *r)
{
	regfree(&r->re);
}

void remap_free(struct remap_rules *rules)
{
	if (!rules)
		return;
	for (size_t i = 0; i < rules->n; i++)
		remap_rule_free(&rules->rule[i]);
	free(rules);
}

/* The replacement for a match m in s (check_replacement vetted it). */
static void expand(const char *rep, const char *s, const regmatch_t *m, const char *client,
		   struct textbuf *o)
{
	for (; *rep; rep++) {
		if (*rep != '\\') {
			text_add(o, rep, 1);
		} else if (*++rep >= '0' && *rep <= '9') {
			const regmatch_t *g = &m[*rep - '0'];
			if (g->rm_so >= 0)
				text_add(o, s + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
		} else if (*rep == 'i') {
			text_str(o, client);
		} else {
			text_add(o, rep, 1); /* \\, \#, \ blank */
		}
	}
}

/* Replace the match m in in (and with g every later one) into o.  As in
 * sed: after an empty match one byte is copied before searching again, and
 * an empty match right after a match is no match. */
static void substitute(const struct remap_rule *r, const char *in, regmatch_t m[10],
		       const char *client, struct textbuf *o)
{
	const char *s = in;
	bool after_match = false, first = true;

	for (;; first = false) {
		if (!first && regexec(&r->re, s, 10, m, REG_NOTBOL) != 0)
			break;
		if (m[0].rm_eo == 0 && after_match) {
			if (!*s)
				break;
			text_add(o, s++, 1);
			after_match = false;
			continue;
		}
		text_add(o, s, (size_t)m[0].rm_so);
		expand(r->replacement, s, m, client, o);
		s += m[0].rm_eo;
		after_match = m[0].rm_eo > m[0].rm_so;
		if (!(r->flags & REMAP_GLOBAL))
			break;
		if (!after_match) {
			if (!*s)
				break;
			text_add(o, s++, 1);
		}
	}
	text_str(o, s);
}

static bool applies(const struct remap_rule *r, bool put)
{
	return !(r->flags & (put ? REMAP_GET : REMAP_PUT));
}

enum remap_result remap_apply(const struct remap_rules *rules, bool put, const char *name,
			      const char *client, char *out, size_t size)
{
	char a[REMAP_NAME_MAX + 1], b[REMAP_NAME_MAX + 1];
	char *cur = a, *next = b;
	size_t cap = size < sizeof a ? size : sizeof a;
	size_t n = strnlen(name, cap);

	if (n == cap)
		return REMAP_TOO_LONG;
	memcpy(cur, name, n + 1);
	for (size_t i = 0; rules && i < rules->n; i++) {
		const struct remap_rule *r = &rules->rule[i];
		regmatch_t m[10];

		if (!applies(r, put) || regexec(&r->re, cur, 10, m, 0) != 0)
			continue;
		if (r->flags & REMAP_DENY)
			return REMAP_DENIED;
		if (r->flags & REMAP_REPLACE) {
			struct textbuf o = { next, 0, cap, false };
			substitute(r, cur, m, client ? client : "", &o);
			if (o.full)
				return REMAP_TOO_LONG;
			next = cur;
			cur = o.buf;
		}
		if (r->flags & REMAP_END)
			break;
	}
	memcpy(out, cur, strlen(cur) + 1);
	return REMAP_OK;
}
