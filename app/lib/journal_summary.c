/* SPDX-License-Identifier: MIT */
/* journal_summary.c -- the boot journal's events merged into a table of
 * clients (pure; see journal.h). */
#include "journal.h"

#include <stdlib.h>
#include <string.h>

static const char *const stage_names[JOURNAL_STAGE_COUNT] = {
	[JOURNAL_STAGE_NONE] = "none",       [JOURNAL_STAGE_DISCOVER] = "discover",
	[JOURNAL_STAGE_OFFER] = "offer",     [JOURNAL_STAGE_REQUEST] = "request",
	[JOURNAL_STAGE_ACK] = "ack",         [JOURNAL_STAGE_FETCH] = "fetching",
	[JOURNAL_STAGE_FETCHED] = "fetched", [JOURNAL_STAGE_BOOTED] = "booted",
};

static const char *const stall_names[JOURNAL_STALL_COUNT] = {
	[JOURNAL_STALL_NONE] = "",
	[JOURNAL_STALL_NOT_ANSWERED] = "not answered",
	[JOURNAL_STALL_OFFER_IGNORED] = "offer ignored",
	[JOURNAL_STALL_NAK] = "request refused (NAK)",
	[JOURNAL_STALL_NO_FETCH] = "no TFTP/HTTP request after the offer",
	[JOURNAL_STALL_NOT_FOUND] = "file not found",
	[JOURNAL_STALL_REFUSED] = "request refused",
	[JOURNAL_STALL_AFTER_OACK] = "transfer stalled after the OACK",
	[JOURNAL_STALL_TIMED_OUT] = "transfer timed out",
	[JOURNAL_STALL_ABORTED] = "transfer ended by the client",
	[JOURNAL_STALL_XFER_STALLED] = "transfer stalled",
	[JOURNAL_STALL_AFTER_FETCH] = "no further request after a file",
};

static const char *const kind_names[JOURNAL_KIND_COUNT] = {
	[JOURNAL_DISCOVER] = "discover", [JOURNAL_OFFER] = "offer",
	[JOURNAL_REQUEST] = "request",   [JOURNAL_ACK] = "ack",
	[JOURNAL_DHCP_OTHER] = "dhcp",   [JOURNAL_XFER_START] = "start",
	[JOURNAL_XFER_END] = "end",      [JOURNAL_REFUSED] = "refused",
};

static const char *const end_names[JOURNAL_END_COUNT] = {
	[JOURNAL_END_NONE] = "running",       [JOURNAL_END_DONE] = "done",
	[JOURNAL_END_TIMED_OUT] = "timed out", [JOURNAL_END_ABORTED] = "ended by the client",
	[JOURNAL_END_NOT_FOUND] = "not found", [JOURNAL_END_REFUSED] = "refused",
	[JOURNAL_END_ERROR] = "server error",
};

static const char *const proto_names[] = {
	[JOURNAL_DHCP] = "dhcp", [JOURNAL_PXE] = "pxe", [JOURNAL_TFTP] = "tftp",
	[JOURNAL_HTTP] = "http", [JOURNAL_HTTPS] = "https",
};

#define NAME(table, i) \
	((unsigned)(i) < sizeof(table) / sizeof *(table) && (table)[i] ? (table)[i] : "?")

const char *journal_stage_name(enum journal_stage s) { return NAME(stage_names, s); }
const char *journal_stall_name(enum journal_stall s) { return NAME(stall_names, s); }
const char *journal_kind_name(enum journal_kind k) { return NAME(kind_names, k); }
const char *journal_end_name(enum journal_end e) { return NAME(end_names, e); }
const char *journal_proto_name(enum journal_proto p) { return NAME(proto_names, p); }

static int by_time(const void *a, const void *b)
{
	const struct journal_event *x = a, *y = b;

	if (x->time_ms != y->time_ms)
		return x->time_ms < y->time_ms ? -1 : 1;
	if (x->daemon != y->daemon)
		return x->daemon < y->daemon ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_last_desc(const void *a, const void *b)
{
	const struct journal_client *x = a, *y = b;

	return x->last_ms > y->last_ms ? -1 : x->last_ms < y->last_ms;
}

static bool same_ip(const struct journal_client *c, const struct journal_event *e)
{
	return c->family && c->family == e->family && !memcmp(c->ip, e->ip, sizeof c->ip);
}

/* Whether path names one of the space-separated names in list: the
 * whole path, or its end after a '/'. */
static bool is_final(const char *path, const char *list)
{
	size_t plen = strlen(path);

	for (const char *w = list; w && *w;) {
		size_t n;

		while (*w == ' ')
			w++;
		n = strcspn(w, " ");
		if (n && n <= plen && !memcmp(path + plen - n, w, n) &&
		    (n == plen || path[plen - n - 1] == '/'))
			return true;
		w += n;
	}
	return false;
}

/* Per client while events are applied: its table row and what the last
 * event was (the stall is decided from it at the end). */
struct last {
	uint8_t kind, end, flags;
	uint16_t status;
	char cause[32];
	char file[96];
};

struct state {
	struct last last, before_start; /* the last event; the one before the last START */
	enum journal_stage stage_before_start;
	bool dhcp_after_offer; /* a REQUEST to another server after our offer */
};

struct table {
	struct journal_client *c;
	struct state *st;
	unsigned n, max;
};

/* A row for a new client: a free one, or the one seen longest ago. */
static unsigned new_row(struct table *t)
{
	unsigned i = 0;

	if (t->n < t->max)
		i = t->n++;
	else
		for (unsigned k = 1; k < t->n; k++)
			if (t->c[k].last_ms < t->c[i].last_ms)
				i = k;
	memset(&t->c[i], 0, sizeof t->c[i]);
	memset(&t->st[i], 0, sizeof t->st[i]);
	return i;
}

/* The row of e's client; -1 for an event with neither MAC nor address. */
static int find_row(struct table *t, const struct journal_event *e)
{
	int by_ip = -1;

	if (e->flags & JOURNAL_HAS_MAC) {
		for (unsigned i = 0; i < t->n; i++)
			if (t->c[i].has_mac && !memcmp(t->c[i].mac, e->mac, 6))
				return (int)i;
		/* a client known by its address only until now */
		for (unsigned i = 0; e->family && i < t->n; i++)
			if (!t->c[i].has_mac && same_ip(&t->c[i], e))
				by_ip = (int)i;
		if (by_ip < 0)
			by_ip = (int)new_row(t);
		t->c[by_ip].has_mac = true;
		memcpy(t->c[by_ip].mac, e->mac, 6);
		return by_ip;
	}
	if (!e->family)
		return -1;
	for (unsigned i = 0; i < t->n; i++)
		if (same_ip(&t->c[i], e) && (by_ip < 0 || t->c[i].last_ms > t->c[by_ip].last_ms))
			by_ip = (int)i;
	return by_ip >= 0 ? by_ip : (int)new_row(t);
}

static void new_boot(struct journal_client *c, struct state *s)
{
	c->nfiles = 0;
	c->first_ms = 0;
	c->stage = JOURNAL_STAGE_NONE;
	memset(s, 0, sizeof *s);
}

static struct journal_file *add_file(struct journal_client *c, const struct journal_event *e)
{
	struct journal_file *f;

	if (c->nfiles == JOURNAL_FILES_MAX) {
		memmove(&c->files[0], &c->files[1], sizeof c->files[0] * (JOURNAL_FILES_MAX - 1));
		c->nfiles--;
	}
	f = &c->files[c->nfiles++];
	memset(f, 0, sizeof *f);
	journal_set_str(f->name, sizeof f->name, e->file);
	f->proto = e->proto;
	f->size = e->size;
	f->start_ms = e->time_ms;
	return f;
}

/* The running file of this name, started last; NULL if none. */
static struct journal_file *running_file(struct journal_client *c, const char *name)
{
	for (unsigned i = c->nfiles; i-- > 0;)
		if (c->files[i].end == JOURNAL_END_NONE && !strcmp(c->files[i].name, name))
			return &c->files[i];
	return NULL;
}

static void drop_file(struct journal_client *c, struct journal_file *f)
{
	unsigned i = (unsigned)(f - c->files);

	memmove(f, f + 1, sizeof *f * (c->nfiles - i - 1));
	c->nfiles--;
}

static void apply_transfer(struct journal_client *c, struct state *s,
			   const struct journal_event *e, const struct journal_rules *r)
{
	struct journal_file *f = running_file(c, e->file);

	if (e->kind == JOURNAL_XFER_START) {
		f = add_file(c, e);
		c->stage = JOURNAL_STAGE_FETCH;
		return;
	}
	if (e->flags & JOURNAL_PROBE) {
		/* the firmware asked a size and its real fetch follows: as if
		 * the probe had not been */
		if (f)
			drop_file(c, f);
		s->last = s->before_start;
		c->stage = s->stage_before_start;
		return;
	}
	if (!f)
		f = add_file(c, e);
	f->end = e->end ? e->end : JOURNAL_END_DONE;
	f->bytes = e->bytes;
	f->ms = e->ms;
	if (e->size)
		f->size = e->size;
	if (e->kind == JOURNAL_REFUSED || f->end != JOURNAL_END_DONE)
		c->stage = c->stage < JOURNAL_STAGE_FETCH ? JOURNAL_STAGE_FETCH : c->stage;
	else if (r->booted_files && is_final(e->file, r->booted_files))
		c->stage = JOURNAL_STAGE_BOOTED;
	else
		c->stage = JOURNAL_STAGE_FETCHED;
}

static void apply(struct journal_client *c, struct state *s, const struct journal_event *e,
		  const struct journal_rules *r)
{
	bool dhcp = e->kind >= JOURNAL_DISCOVER && e->kind <= JOURNAL_DHCP_OTHER;

	if (e->kind == JOURNAL_DHCP_OTHER) {
		/* the client's traffic with another server: its address, no stage */
		if (e->family) {
			c->family = e->family;
			memcpy(c->ip, e->ip, sizeof c->ip);
		}
		s->dhcp_after_offer |= c->stage == JOURNAL_STAGE_OFFER;
		c->last_ms = e->time_ms;
		return;
	}
	if (dhcp && c->stage == JOURNAL_STAGE_BOOTED && !(e->flags & JOURNAL_HAS_ARCH)) {
		/* the booted system's own DHCP (no option 93): no new boot */
		if (e->family) {
			c->family = e->family;
			memcpy(c->ip, e->ip, sizeof c->ip);
		}
		c->last_ms = e->time_ms;
		return;
	}
	if ((e->kind == JOURNAL_DISCOVER || e->kind == JOURNAL_OFFER) &&
	    c->stage == JOURNAL_STAGE_BOOTED)
		new_boot(c, s);
	if (!c->first_ms)
		c->first_ms = e->time_ms;
	c->last_ms = e->time_ms;
	if (dhcp && e->family) {
		c->family = e->family;
		memcpy(c->ip, e->ip, sizeof c->ip);
	} else if (!c->family && e->family) {
		c->family = e->family;
		memcpy(c->ip, e->ip, sizeof c->ip);
	}
	if (e->flags & JOURNAL_HAS_ARCH) {
		c->arch = e->arch;
		c->has_arch = true;
	}
	if (e->vendor[0])
		journal_set_str(c->vendor, sizeof c->vendor, e->vendor);
	if (e->kind == JOURNAL_XFER_START) {
		s->before_start = s->last;
		s->stage_before_start = c->stage;
	}
	s->last.kind = e->kind;
	s->last.end = e->end;
	s->last.flags = e->flags;
	s->last.status = e->status;
	journal_set_str(s->last.cause, sizeof s->last.cause, e->cause);
	journal_set_str(s->last.file, sizeof s->last.file, e->file);
	switch (e->kind) {
	case JOURNAL_DISCOVER: c->stage = JOURNAL_STAGE_DISCOVER; break;
	case JOURNAL_OFFER:
		c->stage = JOURNAL_STAGE_OFFER;
		s->dhcp_after_offer = false;
		break;
	case JOURNAL_REQUEST: c->stage = JOURNAL_STAGE_REQUEST; break;
	case JOURNAL_ACK: c->stage = JOURNAL_STAGE_ACK; break;
	default: apply_transfer(c, s, e, r); break;
	}
}

static void set_cause(struct journal_client *c, const char *a, const char *b)
{
	journal_set_str(c->cause, sizeof c->cause, a);
	if (b && *b) {
		size_t n = strlen(c->cause);

		journal_set_str(c->cause + n, sizeof c->cause - n, n ? ": " : "");
		n = strlen(c->cause);
		journal_set_str(c->cause + n, sizeof c->cause - n, b);
	}
}

/* Why c stopped, from its last event; quiet: nothing for stall_ms. */
static void decide_stall(struct journal_client *c, const struct state *st, bool quiet)
{
	const struct last *s = &st->last;
	enum journal_stall k = JOURNAL_STALL_NONE;
	const char *detail = s->file;

	switch (s->kind) {
	case JOURNAL_DISCOVER: k = JOURNAL_STALL_NOT_ANSWERED; detail = s->cause; break;
	case JOURNAL_REQUEST:
		k = s->status == 6 /* DHCPNAK */ ? JOURNAL_STALL_NAK : JOURNAL_STALL_NOT_ANSWERED;
		detail = s->cause;
		break;
	case JOURNAL_OFFER:
		if (quiet)
			k = st->dhcp_after_offer ? JOURNAL_STALL_NO_FETCH : JOURNAL_STALL_OFFER_IGNORED;
		break;
	case JOURNAL_ACK:
		if (quiet)
			k = JOURNAL_STALL_NO_FETCH;
		break;
	case JOURNAL_XFER_START:
		if (quiet)
			k = JOURNAL_STALL_XFER_STALLED;
		break;
	case JOURNAL_REFUSED:
	case JOURNAL_XFER_END:
		switch (s->end) {
		case JOURNAL_END_NOT_FOUND: k = JOURNAL_STALL_NOT_FOUND; break;
		case JOURNAL_END_REFUSED:
		case JOURNAL_END_ERROR:
			k = JOURNAL_STALL_REFUSED;
			set_cause(c, s->file, s->cause);
			c->stall = k;
			return;
		case JOURNAL_END_TIMED_OUT:
			k = s->flags & JOURNAL_OACK ? JOURNAL_STALL_AFTER_OACK : JOURNAL_STALL_TIMED_OUT;
			break;
		case JOURNAL_END_ABORTED: k = JOURNAL_STALL_ABORTED; break;
		default:
			if (quiet && c->stage != JOURNAL_STAGE_BOOTED)
				k = JOURNAL_STALL_AFTER_FETCH;
			break;
		}
		break;
	default: break;
	}
	c->stall = k;
	if (k)
		set_cause(c, detail, NULL);
}

unsigned journal_summary(struct journal_event *ev, unsigned n, const struct journal_rules *rules,
			 struct journal_client *out, unsigned max)
{
	struct table t = { out, NULL, 0, max };

	if (!max)
		return 0;
	t.st = calloc(max, sizeof *t.st);
	if (!t.st)
		return 0;
	qsort(ev, n, sizeof *ev, by_time);
	for (unsigned i = 0; i < n; i++) {
		int row = find_row(&t, &ev[i]);

		if (row >= 0)
			apply(&t.c[row], &t.st[row], &ev[i], rules);
	}
	for (unsigned i = 0; i < t.n; i++)
		/* last_ms is a ring's (any value): not subtracted, so no overflow */
		decide_stall(&t.c[i], &t.st[i], t.c[i].last_ms <= rules->now_ms - rules->stall_ms);
	free(t.st);
	qsort(out, t.n, sizeof *out, by_last_desc);
	return t.n;
}
