/* SPDX-License-Identifier: MIT */
/* rules.c -- a relayd.conf line into a struct relay_rule; see rules.h.
 * Pure: bytes in, struct out. */
#include "rules.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD_MAX 63 /* longer than any address, name or number */

/* The words of a line: runs of non-blanks; ',' is a word of its own and
 * '#' ends the line. */
struct scan {
	const char *p, *end;
	char word[WORD_MAX + 1];
	bool too_long;
};

static bool next_word(struct scan *s)
{
	size_t n = 0;

	while (s->p < s->end && conf_is_blank(*s->p))
		s->p++;
	if (s->p == s->end || *s->p == '#')
		return false;
	if (*s->p == ',') {
		s->p++;
		strcpy(s->word, ",");
		return true;
	}
	s->too_long = false;
	while (s->p < s->end && !conf_is_blank(*s->p) && *s->p != ',' && *s->p != '#') {
		if (n < WORD_MAX)
			s->word[n++] = *s->p;
		else
			s->too_long = true;
		s->p++;
	}
	s->word[n] = '\0';
	return true;
}

/* The next word, which must be there: what `after` wants. */
static bool want_word(struct scan *s, const char *after, const char *what, char *why)
{
	if (next_word(s) && strcmp(s->word, ","))
		return true;
	conf_badf(why, "'%s' wants %s", after, what);
	return false;
}

static bool parse_dev(const char *w, char dev[IFNAMSIZ])
{
	size_t n = strlen(w);

	if (n == 0 || n >= IFNAMSIZ)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!conf_is_name_char(w[i]))
			return false;
	memcpy(dev, w, n + 1);
	return true;
}

static bool parse_number(const char *w, unsigned lo, unsigned hi, unsigned *v)
{
	unsigned long n = 0;

	if (!*w || strlen(w) > 5)
		return false;
	for (const char *c = w; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		n = n * 10 + (unsigned)(*c - '0');
	}
	if (n < lo || n > hi)
		return false;
	*v = (unsigned)n;
	return true;
}

/* An IPv4 or IPv6 address, without port. */
static bool parse_ip(const char *w, union relay_addr *a)
{
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, w, &a->in.sin_addr) == 1) {
		a->in.sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, w, &a->in6.sin6_addr) == 1) {
		a->in6.sin6_family = AF_INET6;
		return true;
	}
	memset(a, 0, sizeof *a);
	return false;
}

static void set_port(union relay_addr *a, unsigned port)
{
	if (a->sa.sa_family == AF_INET)
		a->in.sin_port = htons((uint16_t)port);
	else
		a->in6.sin6_port = htons((uint16_t)port);
}

static unsigned get_port(const union relay_addr *a)
{
	return ntohs(a->sa.sa_family == AF_INET ? a->in.sin_port : a->in6.sin6_port);
}

static bool is_multicast(const union relay_addr *a)
{
	return a->sa.sa_family == AF_INET ? IN_MULTICAST(ntohl(a->in.sin_addr.s_addr))
					  : IN6_IS_ADDR_MULTICAST(&a->in6.sin6_addr);
}

static bool is_any(const union relay_addr *a)
{
	return a->sa.sa_family == AF_INET ? a->in.sin_addr.s_addr == htonl(INADDR_ANY)
					  : IN6_IS_ADDR_UNSPECIFIED(&a->in6.sin6_addr);
}

/* A, A:P, [A6], [A6]:P; the port stays 0 when not given. */
static bool parse_destination(const char *w, union relay_addr *a)
{
	char host[WORD_MAX + 1];
	const char *port = NULL;
	unsigned p = 0;

	if (*w == '[') {
		const char *close = strchr(w, ']');

		if (!close || (close[1] && close[1] != ':'))
			return false;
		memcpy(host, w + 1, (size_t)(close - w - 1));
		host[close - w - 1] = '\0';
		if (close[1] == ':')
			port = close + 2;
		if (!strchr(host, ':'))
			return false; /* brackets are for IPv6 */
	} else {
		const char *colon = strchr(w, ':');

		strcpy(host, w);
		if (colon && !strchr(colon + 1, ':')) { /* one colon: IPv4:port */
			host[colon - w] = '\0';
			port = colon + 1;
		}
	}
	if (!parse_ip(host, a))
		return false;
	if (port && !parse_number(port, 1, 65535, &p))
		return false;
	set_port(a, p);
	return true;
}

/* The words of one output, up to ',' or the end; the first is its
 * address.  n counts outputs from 1, for messages. */
static enum conf_result parse_output(struct scan *s, struct relay_rule *r, char *why)
{
	struct relay_output *o;
	unsigned n = r->nout + 1;
	bool more;

	if (r->nout == RELAY_OUTPUTS_MAX)
		return conf_badf(why, "too many outputs (at most %d)", RELAY_OUTPUTS_MAX);
	o = &r->out[r->nout];
	if (!next_word(s) || !strcmp(s->word, ","))
		return conf_badf(why, n == 1 ? "'to' wants an output" : "output %u is empty", n);
	if (s->too_long || !parse_destination(s->word, &o->to))
		return conf_badf(why, "output %u: '%.40s' is not an address, address:port or [IPv6]:port",
			   n, s->word);
	if (get_port(&o->to) == 0)
		set_port(&o->to, get_port(&r->in));
	if (is_any(&o->to))
		return conf_badf(why, "output %u: %.40s is not a destination", n, s->word);
	while ((more = next_word(s)) && strcmp(s->word, ",")) {
		if (!strcmp(s->word, "dev")) {
			if (o->dev[0])
				return conf_badf(why, "output %u: dev given twice", n);
			if (!want_word(s, "dev", "an interface name", why))
				return CONF_BAD;
			if (s->too_long || !parse_dev(s->word, o->dev))
				return conf_badf(why, "output %u: bad interface name '%.40s' (1-15 of A-Z a-z 0-9 _ . -)",
					   n, s->word);
		} else if (!strcmp(s->word, "ttl")) {
			if (o->ttl)
				return conf_badf(why, "output %u: ttl given twice", n);
			if (!want_word(s, "ttl", "a number from 1 to 255", why))
				return CONF_BAD;
			if (!parse_number(s->word, 1, 255, &o->ttl))
				return conf_badf(why, "output %u: ttl wants a number from 1 to 255, not '%.40s'",
					   n, s->word);
		} else if (!strcmp(s->word, "src")) {
			if (o->src.sa.sa_family)
				return conf_badf(why, "output %u: src given twice", n);
			if (!want_word(s, "src", "a local address", why))
				return CONF_BAD;
			if (s->too_long || !parse_ip(s->word, &o->src))
				return conf_badf(why, "output %u: src '%.40s' is not an address", n, s->word);
			if (o->src.sa.sa_family != o->to.sa.sa_family)
				return conf_badf(why, "output %u: src %.40s is not of the destination's family",
					   n, s->word);
			if (is_multicast(&o->src) || is_any(&o->src))
				return conf_badf(why, "output %u: src %.40s is not a unicast address", n, s->word);
		} else {
			return conf_badf(why, "output %u: unknown word '%.40s' (expected dev, ttl, src or ',')",
				   n, s->word);
		}
	}
	if (is_multicast(&o->to) && !o->dev[0])
		return conf_badf(why, "output %u: a multicast destination needs 'dev IFACE'", n);
	r->nout++;
	if (!strcmp(o->dev, r->dev) && !memcmp(&o->to, &r->in, sizeof o->to))
		return conf_badf(why, "output %u is the rule's own input (a loop)", n);
	if (more)
		return parse_output(s, r, why);
	return CONF_OK;
}

/* group G | address A, then port P, then perhaps source S. */
static enum conf_result parse_input(struct scan *s, struct relay_rule *r, char *why)
{
	unsigned port;

	if (!next_word(s) || (strcmp(s->word, "group") && strcmp(s->word, "address")))
		return conf_badf(why, "expected 'group' or 'address' after the interface");
	r->multicast = !strcmp(s->word, "group");
	if (!want_word(s, r->multicast ? "group" : "address", "an IPv4 or IPv6 address", why))
		return CONF_BAD;
	if (s->too_long || !parse_ip(s->word, &r->in))
		return conf_badf(why, "'%.40s' is not an IPv4 or IPv6 address", s->word);
	if (r->multicast && !is_multicast(&r->in))
		return conf_badf(why, "%.40s is not a multicast group (say 'address' for unicast)", s->word);
	if (!r->multicast && is_multicast(&r->in))
		return conf_badf(why, "%.40s is a multicast group (say 'group')", s->word);
	if (!next_word(s) || strcmp(s->word, "port"))
		return conf_badf(why, "expected 'port' after the %s", r->multicast ? "group" : "address");
	if (!want_word(s, "port", "a number from 1 to 65535", why))
		return CONF_BAD;
	if (!parse_number(s->word, 1, 65535, &port))
		return conf_badf(why, "port wants a number from 1 to 65535, not '%.40s'", s->word);
	set_port(&r->in, port);
	if (!next_word(s))
		return conf_badf(why, "missing 'to' and the outputs");
	if (!strcmp(s->word, "source")) {
		if (!r->multicast)
			return conf_badf(why, "'source' goes with a group, not an address");
		if (!want_word(s, "source", "a unicast address", why))
			return CONF_BAD;
		if (s->too_long || !parse_ip(s->word, &r->source))
			return conf_badf(why, "source '%.40s' is not an IPv4 or IPv6 address", s->word);
		if (r->source.sa.sa_family != r->in.sa.sa_family)
			return conf_badf(why, "source %.40s is not of the group's family", s->word);
		if (is_multicast(&r->source) || is_any(&r->source))
			return conf_badf(why, "source %.40s is not a unicast address", s->word);
		if (!next_word(s))
			return conf_badf(why, "missing 'to' and the outputs");
	}
	if (strcmp(s->word, "to"))
		return conf_badf(why, "expected 'to', not '%.40s'", s->word);
	return CONF_OK;
}

enum conf_result relay_parse_line(const char *line, size_t len, struct relay_rule *r,
				  char why[RELAY_WHY_MAX])
{
	struct scan s = { .p = line, .end = line + len };

	memset(r, 0, sizeof *r);
	why[0] = '\0';
	if (len > CONF_LINE_MAX)
		return conf_badf(why, "line too long (more than %d bytes)", CONF_LINE_MAX);
	if (memchr(line, '\0', len))
		return conf_badf(why, "NUL byte in line");
	if (!next_word(&s))
		return CONF_SKIP;
	if (strcmp(s.word, "relay"))
		return conf_badf(why, "expected 'relay', not '%.40s'", s.word);
	if (!next_word(&s) || strcmp(s.word, "from"))
		return conf_badf(why, "expected 'from' after 'relay'");
	if (!want_word(&s, "from", "an interface name", why))
		return CONF_BAD;
	if (s.too_long || !parse_dev(s.word, r->dev))
		return conf_badf(why, "bad interface name '%.40s' (1-15 of A-Z a-z 0-9 _ . -)", s.word);
	if (parse_input(&s, r, why) != CONF_OK || parse_output(&s, r, why) != CONF_OK) {
		memset(r, 0, sizeof *r);
		return CONF_BAD;
	}
	return CONF_OK;
}

bool relay_rule_equal(const struct relay_rule *a, const struct relay_rule *b)
{
	return !memcmp(a, b, sizeof *a); /* the parser zeroes every unused byte */
}

bool relay_same_input(const struct relay_rule *a, const struct relay_rule *b)
{
	return !strcmp(a->dev, b->dev) && !memcmp(&a->in, &b->in, sizeof a->in) &&
	       !memcmp(&a->source, &b->source, sizeof a->source);
}

static size_t addr_text(const union relay_addr *a, bool port, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	int n;

	if (a->sa.sa_family == AF_INET)
		inet_ntop(AF_INET, &a->in.sin_addr, host, sizeof host);
	else
		inet_ntop(AF_INET6, &a->in6.sin6_addr, host, sizeof host);
	if (!port)
		n = snprintf(buf, size, "%s", host);
	else
		n = snprintf(buf, size, a->sa.sa_family == AF_INET ? "%s:%u" : "[%s]:%u", host,
			     get_port(a));
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

void relay_input_text(const struct relay_rule *r, char buf[RELAY_TEXT_MAX])
{
	size_t n = (size_t)snprintf(buf, RELAY_TEXT_MAX, "%s ", r->dev);

	n += addr_text(&r->in, true, buf + n, RELAY_TEXT_MAX - n);
	if (r->source.sa.sa_family && n + 8 < RELAY_TEXT_MAX) {
		n += (size_t)snprintf(buf + n, RELAY_TEXT_MAX - n, " source ");
		addr_text(&r->source, false, buf + n, RELAY_TEXT_MAX - n);
	}
}

void relay_output_text(const struct relay_output *o, char buf[RELAY_TEXT_MAX])
{
	size_t n = addr_text(&o->to, true, buf, RELAY_TEXT_MAX);

	if (o->dev[0])
		snprintf(buf + n, RELAY_TEXT_MAX - n, " dev %s", o->dev);
}

size_t relay_rule_line(const struct relay_rule *r, char buf[RELAY_LINE_MAX])
{
	size_t n = (size_t)snprintf(buf, RELAY_LINE_MAX, "relay from %s %s ", r->dev,
				    r->multicast ? "group" : "address");

	n += addr_text(&r->in, false, buf + n, RELAY_LINE_MAX - n);
	n += (size_t)snprintf(buf + n, RELAY_LINE_MAX - n, " port %u", get_port(&r->in));
	if (r->source.sa.sa_family) {
		n += (size_t)snprintf(buf + n, RELAY_LINE_MAX - n, " source ");
		n += addr_text(&r->source, false, buf + n, RELAY_LINE_MAX - n);
	}
	n += (size_t)snprintf(buf + n, RELAY_LINE_MAX - n, " to");
	for (unsigned i = 0; i < r->nout; i++) {
		const struct relay_output *o = &r->out[i];

		n += (size_t)snprintf(buf + n, RELAY_LINE_MAX - n, "%s ", i ? "," : "");
		n += addr_text(&o->to, true, buf + n, RELAY_LINE_MAX - n);
		if (o->dev[0])
			n += (size_t)snprintf(buf + n, RELAY_LINE_MAX - n, " dev %s", o->dev);
		if (o->ttl)
			n += (size_t)snprintf(buf + n, RELAY_LINE_MAX - n, " ttl %u", o->ttl);
		if (o->src.sa.sa_family) {
			n += (size_t)snprintf(buf + n, RELAY_LINE_MAX - n, " src ");
			n += addr_text(&o->src, false, buf + n, RELAY_LINE_MAX - n);
		}
	}
	return n;
}
