/* SPDX-License-Identifier: MIT */
/* status_html.c -- /status: the snapshot as one HTML page, with no
 * script, that reloads itself (a meta refresh).  Pure.  Every string a
 * client or a file chose goes through sb_html (status_write.h); our own
 * words and numbers are written as they are. */
#include "status.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char style[] =
	"body{font-family:sans-serif;margin:1em 2em;color:#222}"
	"h1{font-size:1.4em;margin:0}h2{font-size:1.1em;margin:1.2em 0 .3em}"
	"table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:.2em .5em;"
	"text-align:left;vertical-align:top}th{background:#eee}"
	"td.n{text-align:right}.bad{color:#b00;font-weight:bold}.ok{color:#070}"
	"code{font-size:.95em}p.box{margin:.3em 0}";

/* A count of bytes in the unit that keeps it short. */
static void status_bytes(struct sbuf *b, uint64_t n)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	unsigned u = 0;

	while (v >= 1024 && u < 4)
		v /= 1024, u++;
	if (u == 0)
		sb_printf(b, "%" PRIu64 " B", n);
	else
		sb_printf(b, "%.1f %s", v, units[u]);
}

static void duration(struct sbuf *b, uint64_t s)
{
	if (s >= 86400)
		sb_printf(b, "%" PRIu64 " d %" PRIu64 " h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		sb_printf(b, "%" PRIu64 " h %02" PRIu64 " min", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		sb_printf(b, "%" PRIu64 " min %02" PRIu64 " s", s / 60, s % 60);
	else
		sb_printf(b, "%" PRIu64 " s", s);
}

static void utc(struct sbuf *b, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char text[32];

	if (!gmtime_r(&t, &tm) || !strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(text, sizeof text, "-");
	sb_str(b, text);
}

static void box_section(const struct status_box *x, unsigned refresh_s, struct sbuf *b)
{
	sb_str(b, "<h1>");
	sb_html(b, x->hostname[0] ? x->hostname : "tern");
	sb_str(b, "</h1>\n<p class=\"box\">Tern");
	if (x->version[0]) {
		sb_str(b, " ");
		sb_html(b, x->version);
	}
	if (x->board[0]) {
		sb_str(b, " (");
		sb_html(b, x->board);
		sb_str(b, ")");
	}
	if (x->slot)
		sb_printf(b, ", slot %c", x->slot);
	sb_str(b, ", Linux ");
	sb_html(b, x->kernel);
	sb_str(b, " ");
	sb_html(b, x->machine);
	sb_str(b, ", up ");
	duration(b, x->uptime_s);
	sb_str(b, ".</p>\n<p class=\"box\">As of ");
	utc(b, x->now_ms);
	sb_printf(b, "; this page reloads every %u s.</p>\n", refresh_s);

	sb_str(b, "<h2>Interfaces</h2>\n<table><tr><th>interface</th><th>state</th><th>MAC</th>"
		  "<th>addresses</th></tr>\n");
	for (unsigned i = 0; i < x->nifaces; i++) {
		const struct status_iface *f = &x->ifaces[i];

		sb_str(b, "<tr><td>");
		sb_html(b, f->name);
		sb_printf(b, "</td><td>%s</td><td><code>", !f->up ? "down" : f->running ? "up" : "no carrier");
		sb_html(b, f->mac[0] ? f->mac : "-");
		sb_str(b, "</code></td><td>");
		for (unsigned a = 0; a < f->naddrs; a++) {
			sb_str(b, a ? "<br>" : "");
			sb_html(b, f->addrs[a]);
		}
		sb_str(b, f->naddrs ? "</td></tr>\n" : "-</td></tr>\n");
	}
	sb_str(b, "</table>\n");
}

/* A sample's name without its daemon's prefix: tern_tftpd_x -> x. */
static const char *short_name(const struct status_sample *m)
{
	size_t n = strlen(m->daemon);

	if (!strncmp(m->name, "tern_", 5) && !strncmp(m->name + 5, m->daemon, n) &&
	    m->name[5 + n] == '_')
		return m->name + 6 + n;
	return m->name;
}

static void daemons_section(const struct status_snapshot *s, struct sbuf *b)
{
	sb_str(b, "<h2>Daemons</h2>\n");
	if (!s->have_stats) {
		sb_str(b, "<p class=\"bad\">No counters: the stats directory could not be read.</p>\n");
		return;
	}
	sb_str(b, "<table><tr><th>daemon</th><th>state</th><th>processes</th><th>since</th>"
		  "<th>counters (not zero)</th></tr>\n");
	for (unsigned i = 0; i < s->ndaemons; i++) {
		const struct status_daemon *d = &s->daemons[i];
		const struct status_sample *m;
		unsigned shown = 0;

		sb_str(b, "<tr><td>");
		sb_html(b, d->name);
		if (d->alive)
			sb_printf(b, "</td><td class=\"ok\">running (pid %d)", (int)d->pid);
		else
			sb_str(b, "</td><td class=\"bad\">not running");
		sb_printf(b, "</td><td class=\"n\">%u of %u</td><td>", d->alive, d->processes);
		utc(b, d->started_s * 1000);
		sb_str(b, "</td><td>");
		for (unsigned j = 0; (m = status_next_sample(s, d->name, &j));) {
			if (!m->value)
				continue;
			sb_str(b, shown++ ? "<br>" : "");
			sb_html(b, short_name(m));
			if (m->labels[0]) {
				sb_str(b, "{");
				sb_html(b, m->labels);
				sb_str(b, "}");
			}
			sb_printf(b, " <b>%" PRIu64 "</b>", m->value);
		}
		sb_str(b, shown ? "</td></tr>\n" : "-</td></tr>\n");
	}
	sb_str(b, "</table>\n");
	if (s->bad_files)
		sb_printf(b, "<p class=\"bad\">%u stats files could not be read.</p>\n", s->bad_files);
}

static void client_file(const struct journal_file *f, struct sbuf *b)
{
	sb_html(b, f->name);
	sb_printf(b, " (%s, ", journal_proto_name((enum journal_proto)f->proto));
	status_bytes(b, f->bytes);
	if (f->size && f->size != f->bytes) {
		sb_str(b, " of ");
		status_bytes(b, f->size);
	}
	if (f->ms) {
		sb_str(b, ", ");
		status_bytes(b, f->bytes * 1000 / f->ms);
		sb_str(b, "/s");
	}
	sb_printf(b, ", %s)", journal_end_name((enum journal_end)f->end));
}

static void client_row(const struct journal_client *c, struct sbuf *b)
{
	struct status_client_text t;

	status_client_text(c, &t);
	sb_printf(b, "<tr><td><code>%s</code></td><td>%s</td><td>", t.mac[0] ? t.mac : "-",
		  t.ip[0] ? t.ip : "-");
	if (c->has_arch)
		sb_printf(b, "%u%s%s%s", c->arch, t.arch ? " (" : "", t.arch ? t.arch : "",
			  t.arch ? ")" : "");
	else
		sb_str(b, "-");
	sb_str(b, "</td><td>");
	sb_html(b, c->vendor[0] ? c->vendor : "-");
	sb_printf(b, "</td><td class=\"%s\">%s</td><td>", c->stage == JOURNAL_STAGE_BOOTED ? "ok" : "",
		  journal_stage_name(c->stage));
	for (unsigned i = 0; i < c->nfiles; i++) {
		sb_str(b, i ? "<br>" : "");
		client_file(&c->files[i], b);
	}
	sb_str(b, c->nfiles ? "</td><td class=\"n\">" : "-</td><td class=\"n\">");
	sb_printf(b, "%.1f s</td><td class=\"bad\">", ((double)c->last_ms - (double)c->first_ms) / 1000);
	if (c->stall) {
		sb_str(b, journal_stall_name(c->stall));
		if (c->cause[0]) {
			sb_str(b, ": ");
			sb_html(b, c->cause);
		}
	}
	sb_str(b, "</td></tr>\n");
}

static void clients_section(const struct status_snapshot *s, struct sbuf *b)
{
	sb_str(b, "<h2>Clients</h2>\n");
	if (!s->have_journal) {
		sb_str(b, "<p class=\"bad\">No clients: the journal directory could not be read.</p>\n");
		return;
	}
	if (!s->nclients) {
		sb_str(b, "<p>No client has asked for anything yet.</p>\n");
		return;
	}
	sb_str(b, "<table><tr><th>MAC</th><th>IP</th><th>arch</th><th>vendor class</th>"
		  "<th>stage</th><th>files</th><th>time</th><th>stalled</th></tr>\n");
	for (unsigned i = 0; i < s->nclients; i++)
		client_row(&s->clients[i], b);
	sb_str(b, "</table>\n");
}

void status_html(const struct status_snapshot *s, unsigned refresh_s, struct sbuf *b)
{
	sb_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		  "<meta http-equiv=\"refresh\" content=\"%u\">\n<title>", refresh_s);
	sb_html(b, s->box.hostname[0] ? s->box.hostname : "tern");
	sb_printf(b, ": Tern status</title>\n<style>%s</style></head><body>\n", style);
	box_section(&s->box, refresh_s, b);
	daemons_section(s, b);
	clients_section(s, b);
	sb_str(b, "<p>The same as <a href=\"status.json\">JSON</a> and as "
		  "<a href=\"metrics\">Prometheus metrics</a>.</p>\n</body></html>\n");
}
