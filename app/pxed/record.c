/* SPDX-License-Identifier: MIT */
/* record.c -- what pxed shares with the status page: its counters
 * described for stats.h (struct stats is the mapping itself), and one
 * boot journal event a DHCP message it handled (journal.h), carrying the
 * client's MAC and, where this message tells it, its IP: the address
 * offered or acked, the one it asks for (option 50; pxed sees that
 * REQUEST even in proxy mode, where the site's server answers it), its
 * ciaddr, or the source of a port 4011 request.  That is how tftpd's and
 * httpd's events, keyed by IP, find the client's MAC. */
#include "server.h"

#include <arpa/inet.h>
#include <string.h>

#include "config.h"
#include "journal.h"
#include "stats.h"

STATS_LABEL_FN(bad_label, dhcp_cause_message, enum dhcp_cause)
STATS_LABEL_FN(outcome_label, answer_name, enum answer_outcome)
STATS_LABEL_FN(ra_label, ra_verdict_text, enum ra_verdict)

#define C(field, name, help) STATS_U64(struct stats, field, STATS_COUNTER, name, help)

/* One row a counter or array: every record.c's table has this shape (stats.h). */
static const struct stats_def defs[] = {
	C(received, "tern_pxed_packets_received_total", "DHCP packets received"),
	C(sent, "tern_pxed_replies_sent_total", "Replies sent"),
	C(send_errors, "tern_pxed_send_errors_total", "Replies that could not be sent"),
	C(oversized, "tern_pxed_oversized_packets_total", "Packets longer than the receive buffer"),
	C(lease_saves, "tern_pxed_lease_file_writes_total", "Writes of the lease file"),
	C(lease_save_errors, "tern_pxed_lease_file_write_errors_total", "Lease file writes that failed"),
	STATS_CAUSES(struct stats, bad, "tern_pxed_bad_packets_total",
		     "Packets dropped as malformed, by cause", 1, DHCP_CAUSE_COUNT, bad_label),
	STATS_ARRAY(struct stats, outcome, STATS_COUNTER, "tern_pxed_messages_total",
		    "Messages handled, by what was done", "outcome", 0, ANS_COUNT, outcome_label),
	C(ra.received, "tern_pxed_router_solicitations_total", "IPv6 router solicitations received"),
	C(ra.sent, "tern_pxed_router_advertisements_sent_total",
	  "Router advertisements (of no router) sent in answer"),
	C(ra.ignored, "tern_pxed_router_solicitations_unanswered_total",
	  "Router solicitations not answered: router-advert off"),
	C(ra.limited, "tern_pxed_router_solicitations_rate_limited_total",
	  "Router solicitations from no address not answered: one a second an interface"),
	C(ra.send_errors, "tern_pxed_router_advertisement_send_errors_total",
	  "Router advertisements that could not be sent"),
	STATS_CAUSES(struct stats, ra.bad, "tern_pxed_bad_router_solicitations_total",
		     "Router solicitations dropped as invalid, by cause", 1, RA_VERDICT_COUNT, ra_label),
};

void server_share(struct pxed *p)
{
	p->st = stats_open("pxed", -1, defs, sizeof defs / sizeof *defs, sizeof *p->st);
	p->journal = journal_open(JOURNAL_PXED, -1, CONFIG_JOURNAL_EVENTS);
}

/* The journal's name for what was done with a message of type t. */
enum journal_kind record_kind(enum dhcp_type t, enum answer_outcome o)
{
	switch (o) {
	case ANS_PROXY_OFFER:
	case ANS_OFFER: return JOURNAL_OFFER;
	case ANS_PXE_ACK:
	case ANS_ACK:
	case ANS_INFORM: return JOURNAL_ACK;
	case ANS_NAK: return JOURNAL_REQUEST;
	case ANS_RELEASED:
	case ANS_DECLINED:
	case ANS_NOT_HANDLED:
	case ANS_OTHER_SERVER: return JOURNAL_DHCP_OTHER; /* not a stage of ours */
	default:
		return t == DHCP_DISCOVER ? JOURNAL_DISCOVER
		       : t == DHCP_REQUEST || t == DHCP_INFORM ? JOURNAL_REQUEST
							   : JOURNAL_DHCP_OTHER;
	}
}

void record_answer(struct pxed *p, const struct dhcp_msg *m, enum answer_outcome o,
		   const struct dhcp_reply *r, enum answer_port port, uint32_t src)
{
	struct journal_event *e = journal_begin(p->journal);
	bool sends = answer_sends(o);
	uint32_t ip = sends && r->yiaddr ? r->yiaddr
		      : m->requested_ip	 ? m->requested_ip
		      : m->ciaddr	 ? m->ciaddr
		      : port == PORT_PXE ? src
					 : 0;
	struct dhcp_bytes vc = m->opt[DHCP_F_VENDOR_CLASS];

	e->kind = (uint8_t)record_kind(m->type, o);
	e->proto = port == PORT_PXE ? JOURNAL_PXE : JOURNAL_DHCP;
	if (m->hlen == 6) {
		memcpy(e->mac, m->chaddr, 6);
		e->flags |= JOURNAL_HAS_MAC;
	}
	if (ip)
		journal_set_ipv4(e, htonl(ip));
	if (dhcp_has(m, DHCP_F_ARCH)) {
		e->arch = m->arch;
		e->flags |= JOURNAL_HAS_ARCH;
	}
	if (vc.p)
		memcpy(e->vendor, vc.p, vc.len < sizeof e->vendor ? vc.len : sizeof e->vendor - 1);
	if (sends)
		journal_set_str(e->file, sizeof e->file, r->file);
	e->status = sends ? r->type : 0;
	journal_set_str(e->cause, sizeof e->cause, answer_name(o));
	journal_commit(p->journal, e);
}
