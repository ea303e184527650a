/* SPDX-License-Identifier: MIT */
/* record.c -- what httpd shares with the status page: its counters
 * described for stats.h (struct counters is the mapping itself), and one
 * boot journal event a file response (or refusal) once it has ended
 * (journal.h), keyed by the client's address: the journal's summary finds
 * the MAC through pxed's events. */
#include "conn.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "stats.h"

static const char *class_label(unsigned i)
{
	static const char *const names[] = { [2] = "2xx", [3] = "3xx", [4] = "4xx", [5] = "5xx" };

	return i < sizeof names / sizeof *names ? names[i] : NULL;
}

STATS_LABEL_FN(tls_label, tls_failure_name, enum tls_failure)

#define C(field, name, help) STATS_U64(struct counters, field, STATS_COUNTER, name, help)

/* One row a counter or array: every record.c's table has this shape (stats.h). */
static const struct stats_def defs[] = {
	C(accepted, "tern_httpd_connections_accepted_total", "Connections accepted"),
	C(refused_full, "tern_httpd_connections_refused_full_total", "Connections refused: all slots in use"),
	C(refused_client, "tern_httpd_connections_refused_client_total",
	  "Connections refused: too many from one address"),
	C(requests, "tern_httpd_requests_total", "Requests received"),
	STATS_ARRAY(struct counters, responses, STATS_COUNTER, "tern_httpd_responses_total",
		    "Responses sent, by status class", "code", 2, 6, class_label),
	C(malformed, "tern_httpd_malformed_requests_total", "Requests refused as malformed (then closed)"),
	C(header_timeouts, "tern_httpd_header_timeouts_total", "Connections closed waiting for a request head"),
	C(idle_closes, "tern_httpd_idle_closes_total", "Keep-alive connections closed when idle"),
	C(send_timeouts, "tern_httpd_send_timeouts_total", "Connections cut: the client stopped reading"),
	C(resets, "tern_httpd_responses_cut_total", "Responses cut short"),
	C(bytes, "tern_httpd_bytes_sent_total", "File body bytes sent"),
	C(reads_ahead, "tern_httpd_reads_ahead_total",
	  "Windows of large bodies' files not in the page cache, read ahead off the loop"),
	C(tls.handshakes, "tern_httpd_tls_handshakes_total", "TLS handshakes completed"),
	STATS_CAUSES(struct counters, tls.failures, "tern_httpd_tls_failures_total",
		     "TLS connections ended by a failure, by cause", 1, TLS_FAIL_COUNT, tls_label),
};

void server_share(struct config *cfg, int worker)
{
	cfg->n = stats_open("httpd", worker, defs, sizeof defs / sizeof *defs, sizeof *cfg->n);
	if (cfg->tls)
		tls_count_into(cfg->tls, &cfg->n->tls);
	cfg->journal = journal_open(JOURNAL_HTTPD, worker, CONFIG_JOURNAL_EVENTS);
}

void record_response(const struct server *s, const struct conn *c, uint64_t body, int cut)
{
	struct journal_event *e = journal_begin(s->cfg->journal);
	const char *target = strchr(c->path, ' ');
	const struct http_reply *r = &c->reply;
	int64_t ms = s->now_ms - c->started_ms;
	int status = r->status;

	e->kind = status >= 400 ? JOURNAL_REFUSED : JOURNAL_XFER_END;
	e->proto = c->tls ? JOURNAL_HTTPS : JOURNAL_HTTP;
	e->status = (uint16_t)status;
	if (IN6_IS_ADDR_V4MAPPED(&c->addr)) {
		uint32_t v4;

		memcpy(&v4, &c->addr.s6_addr[12], 4);
		journal_set_ipv4(e, v4);
	} else {
		e->family = AF_INET6;
		memcpy(e->ip, &c->addr, 16);
	}
	journal_set_str(e->file, sizeof e->file, target ? target + 1 : c->path);
	e->end = (uint8_t)(cut ? cut : status < 400 ? JOURNAL_END_DONE
				      : status == 404 ? JOURNAL_END_NOT_FOUND
						      : JOURNAL_END_REFUSED);
	if (status >= 400)
		snprintf(e->cause, sizeof e->cause, "%d %s", status, http_reason(status));
	if (!r->text) {
		e->bytes = body;
		e->size = r->size ? r->size : r->length;
		if (status == 206) {
			e->flags |= JOURNAL_HAS_RANGE;
			e->range_first = r->offset;
			e->range_last = r->offset + r->length - 1;
		}
	}
	e->ms = ms < 0 ? 0 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
	journal_commit(s->cfg->journal, e);
}
