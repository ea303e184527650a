/* SPDX-License-Identifier: MIT */
/* status_json.c -- /status.json: the page's snapshot for scripts.  Pure.
 * Every string goes through sb_json_str (status_write.h); a value that is
 * not known is null.  Its fields: app/httpd/README.md, Status pages. */
#include "status.h"

#include <inttypes.h>

static void key(struct sbuf *b, const char *k)
{
	sb_printf(b, "\"%s\":", k);
}

/* "k":"s", or "k":null when s is empty. */
static void str_or_null(struct sbuf *b, const char *k, const char *s)
{
	key(b, k);
	if (s && s[0])
		sb_json(b, s);
	else
		sb_str(b, "null");
}

static void box_json(const struct status_box *x, struct sbuf *b)
{
	char slot[2] = { x->slot, 0 };
	const struct {
		const char *key, *value;
	} text[] = {
		{ "hostname", x->hostname }, { "version", x->version }, { "board", x->board },
		{ "slot", slot }, { "kernel", x->kernel }, { "machine", x->machine },
	};

	sb_str(b, "\"box\":{");
	for (unsigned i = 0; i < sizeof text / sizeof *text; i++) {
		sb_str(b, i ? "," : "");
		str_or_null(b, text[i].key, text[i].value);
	}
	sb_printf(b, ",\"uptime_seconds\":%" PRIu64 ",\"time_ms\":%" PRId64 ",\"interfaces\":[",
		  x->uptime_s, x->now_ms);
	for (unsigned i = 0; i < x->nifaces; i++) {
		const struct status_iface *f = &x->ifaces[i];

		sb_str(b, i ? ",{" : "{");
		str_or_null(b, "name", f->name);
		sb_printf(b, ",\"up\":%s,\"carrier\":%s,", f->up ? "true" : "false",
			  f->running ? "true" : "false");
		str_or_null(b, "mac", f->mac);
		sb_str(b, ",\"addresses\":[");
		for (unsigned a = 0; a < f->naddrs; a++) {
			sb_str(b, a ? "," : "");
			sb_json(b, f->addrs[a]);
		}
		sb_str(b, "]}");
	}
	sb_str(b, "]}");
}

static void daemons_json(const struct status_snapshot *s, struct sbuf *b)
{
	sb_printf(b, ",\"stats_unreadable\":%u,\"daemons\":", s->bad_files);
	if (!s->have_stats) {
		sb_str(b, "null");
		return;
	}
	sb_str(b, "[");
	for (unsigned i = 0; i < s->ndaemons; i++) {
		const struct status_daemon *d = &s->daemons[i];
		const struct status_sample *m;
		unsigned n = 0;

		sb_str(b, i ? ",{" : "{");
		str_or_null(b, "name", d->name);
		sb_printf(b, ",\"processes\":%u,\"running\":%u,\"pid\":%d,\"started\":%" PRId64
			  ",\"counters\":[", d->processes, d->alive, (int)d->pid, d->started_s);
		for (unsigned j = 0; (m = status_next_sample(s, d->name, &j));) {
			sb_str(b, n++ ? ",{" : "{");
			str_or_null(b, "name", m->name);
			sb_str(b, ",\"labels\":");
			sb_json(b, m->labels);
			sb_printf(b, ",\"type\":\"%s\",\"value\":%" PRIu64 "}",
				  m->type == STATS_GAUGE ? "gauge" : "counter", m->value);
		}
		sb_str(b, "]}");
	}
	sb_str(b, "]");
}

static void file_json(const struct journal_file *f, struct sbuf *b)
{
	sb_str(b, "{");
	str_or_null(b, "name", f->name);
	sb_str(b, ",");
	str_or_null(b, "protocol", journal_proto_name((enum journal_proto)f->proto));
	sb_printf(b, ",\"bytes\":%" PRIu64 ",\"size\":%" PRIu64 ",\"ms\":%" PRIu32
		  ",\"start_ms\":%" PRId64 ",\"bytes_per_second\":",
		  f->bytes, f->size, f->ms, f->start_ms);
	if (f->ms)
		sb_printf(b, "%" PRIu64, f->bytes * 1000 / f->ms);
	else
		sb_str(b, "null");
	sb_str(b, ",");
	str_or_null(b, "end", journal_end_name((enum journal_end)f->end));
	sb_str(b, "}");
}

static void client_json(const struct journal_client *c, struct sbuf *b)
{
	struct status_client_text t;

	status_client_text(c, &t);
	sb_str(b, "{");
	str_or_null(b, "mac", t.mac);
	sb_str(b, ",");
	str_or_null(b, "ip", t.ip);
	sb_str(b, ",\"arch\":");
	if (c->has_arch)
		sb_printf(b, "%u", c->arch);
	else
		sb_str(b, "null");
	sb_str(b, ",");
	str_or_null(b, "arch_name", t.arch);
	sb_str(b, ",");
	str_or_null(b, "vendor_class", c->vendor);
	sb_str(b, ",");
	str_or_null(b, "stage", journal_stage_name(c->stage));
	sb_str(b, ",");
	str_or_null(b, "stall", c->stall ? journal_stall_name(c->stall) : NULL);
	sb_str(b, ",");
	str_or_null(b, "cause", c->stall ? c->cause : NULL);
	sb_printf(b, ",\"first_ms\":%" PRId64 ",\"last_ms\":%" PRId64 ",\"files\":[",
		  c->first_ms, c->last_ms);
	for (unsigned i = 0; i < c->nfiles; i++) {
		sb_str(b, i ? "," : "");
		file_json(&c->files[i], b);
	}
	sb_str(b, "]}");
}

void status_json(const struct status_snapshot *s, struct sbuf *b)
{
	sb_str(b, "{");
	box_json(&s->box, b);
	daemons_json(s, b);
	sb_str(b, ",\"clients\":");
	if (s->have_journal) {
		sb_str(b, "[");
		for (unsigned i = 0; i < s->nclients; i++) {
			sb_str(b, i ? "," : "");
			client_json(&s->clients[i], b);
		}
		sb_str(b, "]");
	} else {
		sb_str(b, "null");
	}
	sb_str(b, "}\n");
}
