/* SPDX-License-Identifier: MIT */
/* metrics.c -- /metrics: Prometheus text exposition format 0.0.4.  Pure.
 *
 * Every daemon's stats fields, rendered generically: each field already
 * carries its Prometheus name (tern_<daemon>_..., units in the name,
 * _total on counters), type, help and label text (stats.h); the values of
 * a daemon's processes (its workers) are summed.  Then a few families of
 * the page's own: the box (build info, uptime), each daemon's liveness,
 * and the journal's clients by stage and by stall cause -- bounded
 * dimensions, never a client's MAC or address.
 *
 * A family's HELP and TYPE lines come once, before its samples, and the
 * samples of a family are together (the snapshot is sorted by name).  A
 * field whose name or labels are not valid exposition text, or that
 * repeats a series already written, is left out rather than break the
 * scrape. */
#include "status.h"

#include <inttypes.h>
#include <string.h>

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

static bool valid_name(const char *s)
{
	if (!name_char(*s, true))
		return false;
	while (*++s)
		if (!name_char(*s, false))
			return false;
	return true;
}

/* label="value"[,label="value"...] with \\ \" \n the only escapes; or "". */
static bool valid_labels(const char *s)
{
	while (*s) {
		if (!name_char(*s, true) || *s == ':')
			return false;
		while (name_char(*s, false) && *s != ':')
			s++;
		if (*s++ != '=' || *s++ != '"')
			return false;
		for (; *s != '"'; s++) {
			if (!*s || *s == '\n')
				return false;
			if (*s == '\\' && s[1] != '\\' && s[1] != '"' && s[1] != 'n')
				return false;
			s += *s == '\\';
		}
		if (*++s == ',')
			s++;
		else if (*s)
			return false;
	}
	return true;
}

/* HELP text: \ and newline escaped. */
static void help_text(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			sb_str(b, "\\\\");
		else if (*s == '\n')
			sb_str(b, "\\n");
		else
			sb_bytes(b, s, 1);
	}
}

static void family(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sb_printf(b, "# HELP %s ", name);
	help_text(b, help);
	sb_printf(b, "\n# TYPE %s %s\n", name, type);
}

static void stats_families(const struct status_snapshot *s, struct sbuf *b)
{
	const struct status_sample *fam = NULL, *last = NULL;

	for (unsigned i = 0; i < s->nsamples; i++) {
		const struct status_sample *m = &s->samples[i];

		if (!valid_name(m->name) || !valid_labels(m->labels) ||
		    (m->type != STATS_COUNTER && m->type != STATS_GAUGE))
			continue;
		if (!fam || strcmp(fam->name, m->name)) {
			fam = m;
			family(b, m->name, m->type == STATS_GAUGE ? "gauge" : "counter", m->help);
		} else if (m->type != fam->type || !strcmp(last->labels, m->labels)) {
			continue; /* another daemon's field of the same name */
		}
		last = m;
		sb_str(b, m->name);
		if (m->labels[0])
			sb_printf(b, "{%s}", m->labels);
		sb_printf(b, " %" PRIu64 "\n", m->value);
	}
}

static void label_value(struct sbuf *b, const char *name, const char *value)
{
	sb_printf(b, "%s=\"", name);
	sb_untrusted(b, SB_LABEL, value, strlen(value));
	sb_str(b, "\"");
}

static void box_families(const struct status_snapshot *s, struct sbuf *b)
{
	const struct status_box *x = &s->box;
	char slot[2] = { x->slot, 0 };

	family(b, "tern_build_info", "gauge",
	       "The image: board and version (from /etc/tern/release) and boot slot; always 1");
	sb_str(b, "tern_build_info{");
	label_value(b, "board", x->board);
	sb_str(b, ",");
	label_value(b, "version", x->version);
	sb_str(b, ",");
	label_value(b, "slot", slot);
	sb_str(b, "} 1\n");
	family(b, "tern_uptime_seconds", "gauge", "Seconds since the box booted");
	sb_printf(b, "tern_uptime_seconds %" PRIu64 "\n", x->uptime_s);
	if (!s->have_stats)
		return;
	family(b, "tern_daemon_up", "gauge",
	       "1 when a process of the daemon that keeps stats is running, else 0");
	for (unsigned i = 0; i < s->ndaemons; i++) {
		sb_str(b, "tern_daemon_up{");
		label_value(b, "daemon", s->daemons[i].name);
		sb_printf(b, "} %d\n", s->daemons[i].alive > 0);
	}
	family(b, "tern_daemon_start_time_seconds", "gauge",
	       "When the daemon's earliest process started, seconds since the epoch");
	for (unsigned i = 0; i < s->ndaemons; i++) {
		sb_str(b, "tern_daemon_start_time_seconds{");
		label_value(b, "daemon", s->daemons[i].name);
		sb_printf(b, "} %" PRId64 "\n", s->daemons[i].started_s);
	}
	family(b, "tern_stats_unreadable_files", "gauge",
	       "Stats files the status page skipped as inconsistent");
	sb_printf(b, "tern_stats_unreadable_files %u\n", s->bad_files);
}

/* A gauge family of one label over an enum: name{label="name_of(i)"}
 * count[i] for i from first to n-1. */
static void enum_family(struct sbuf *b, const char *name, const char *help, const char *label,
			const char *(*name_of)(unsigned), const unsigned *count, unsigned first,
			unsigned n)
{
	family(b, name, "gauge", help);
	for (unsigned i = first; i < n; i++) {
		sb_printf(b, "%s{", name);
		label_value(b, label, name_of(i));
		sb_printf(b, "} %u\n", count[i]);
	}
}

STATS_LABEL_FN(stage_name, journal_stage_name, enum journal_stage)
STATS_LABEL_FN(stall_name, journal_stall_name, enum journal_stall)

static void client_families(const struct status_snapshot *s, struct sbuf *b)
{
	unsigned stage[JOURNAL_STAGE_COUNT] = { 0 }, stall[JOURNAL_STALL_COUNT] = { 0 };

	if (!s->have_journal)
		return;
	for (unsigned i = 0; i < s->nclients; i++) {
		stage[s->clients[i].stage < JOURNAL_STAGE_COUNT ? s->clients[i].stage : 0]++;
		stall[s->clients[i].stall < JOURNAL_STALL_COUNT ? s->clients[i].stall : 0]++;
	}
	enum_family(b, "tern_journal_clients",
		    "Clients in the boot journal, by the stage their last boot reached", "stage",
		    stage_name, stage, 0, JOURNAL_STAGE_COUNT);
	enum_family(b, "tern_journal_clients_stalled",
		    "Clients in the boot journal whose last boot stalled, by likely cause", "cause",
		    stall_name, stall, 1, JOURNAL_STALL_COUNT);
}

void metrics_text(const struct status_snapshot *s, struct sbuf *b)
{
	stats_families(s, b);
	box_families(s, b);
	client_families(s, b);
}
