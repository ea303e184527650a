/* SPDX-License-Identifier: MIT */
/* record.c -- what tftpd shares with the status page: its counters
 * described for stats.h (struct stats is the mapping itself) and its
 * transfers written to the boot journal (journal.h): a START when a
 * transfer begins, an END when it ends, a REFUSED for a request that
 * got no transfer.  An event is a few plain stores into the ring; with
 * -J 0 there is no ring and no event (the journal's cost, measured by
 * tests/bench/tftp.py as tftpd against tftpd-nojournal). */
#include "xfer.h"

#include <string.h>

#include "clock.h"
#include "journal.h"
#include "stats.h"

STATS_LABEL_FN(bad_packet_label, tftp_cause_message, enum tftp_cause)
STATS_LABEL_FN(bad_path_label, path_cause_message, enum path_cause)

#define C(field, name, help) STATS_U64(struct stats, field, STATS_COUNTER, name, help)

/* One row a counter or array: every record.c's table has this shape (stats.h). */
static const struct stats_def defs[] = {
	C(requests, "tern_tftpd_requests_total", "Requests received on port 69"),
	C(rrq, "tern_tftpd_read_requests_total", "Read requests (RRQ)"),
	C(wrq, "tern_tftpd_write_requests_total", "Write requests (WRQ)"),
	C(completed, "tern_tftpd_transfers_completed_total", "Transfers completed"),
	C(failed, "tern_tftpd_transfers_failed_total", "Transfers failed (timed out, bad packet, send error)"),
	C(timeouts, "tern_tftpd_transfer_timeouts_total", "Transfers given up after their retries"),
	C(client_errors, "tern_tftpd_transfers_ended_by_client_total", "Transfers the client ended with an ERROR"),
	C(uefi_probes, "tern_tftpd_uefi_size_probes_total", "UEFI size probes (tsize asked, then ended)"),
	C(retransmits, "tern_tftpd_retransmits_total", "Blocks, OACKs and ACKs sent again after a timeout"),
	C(dup_requests, "tern_tftpd_duplicate_requests_total", "Requests resent for a running transfer"),
	C(wrong_tid, "tern_tftpd_wrong_tid_packets_total", "Packets from an unknown transfer ID"),
	C(busy, "tern_tftpd_busy_refusals_total", "Requests refused: too many transfers"),
	C(denied, "tern_tftpd_denied_total", "Requests refused: access denied"),
	C(not_found, "tern_tftpd_not_found_total", "Requests for a file that does not exist"),
	C(bytes_sent, "tern_tftpd_bytes_sent_total", "File bytes sent in DATA blocks"),
	C(bytes_received, "tern_tftpd_bytes_received_total", "File bytes received (uploads)"),
	C(send_errors, "tern_tftpd_send_errors_total", "Sends that failed"),
	C(recv_starved, "tern_tftpd_receive_starved_total", "Receives ended with every ring buffer full"),
	C(quick_sends, "tern_tftpd_quick_sends_total", "Lockstep blocks sent with no completion"),
	C(fixed, "tern_tftpd_fixed_file_transfers_total", "Transfers whose socket was a fixed file"),
	C(reads_ahead, "tern_tftpd_reads_ahead_total", "File windows read ahead off the loop"),
	STATS_CAUSES(struct stats, bad_packet, "tern_tftpd_bad_packets_total",
		     "Packets refused, by cause", 1, TFTP_CAUSE_COUNT, bad_packet_label),
	STATS_CAUSES(struct stats, bad_path, "tern_tftpd_bad_filenames_total",
		     "Filenames refused, by cause", 1, PATH_CAUSE_COUNT, bad_path_label),
	STATS_U64(struct stats, running, STATS_GAUGE, "tern_tftpd_transfers",
		  "Transfers running now"),
};

void server_share(struct config *cfg, int worker)
{
	cfg->st = stats_open("tftpd", worker, defs, sizeof defs / sizeof *defs, sizeof *cfg->st);
	cfg->journal = cfg->journal_events
		? journal_open(JOURNAL_TFTPD, worker, cfg->journal_events) : NULL;
}

void record_refused(struct server *s, const char *file, enum journal_end end, const char *why)
{
	struct journal_event *e;

	if (!s->cfg->journal)
		return;
	e = journal_begin(s->cfg->journal);
	e->kind = JOURNAL_REFUSED;
	e->proto = JOURNAL_TFTP;
	e->end = (uint8_t)end;
	journal_set_addr(e, &s->lpeer);
	journal_set_str(e->file, sizeof e->file, file);
	journal_set_str(e->cause, sizeof e->cause, why);
	journal_commit(s->cfg->journal, e);
}

static struct journal_event *transfer_event(const struct xfer *x, enum journal_kind kind)
{
	struct journal_event *e = journal_begin(x->srv->cfg->journal);

	e->kind = (uint8_t)kind;
	e->proto = JOURNAL_TFTP;
	journal_set_addr(e, &x->peer);
	journal_set_str(e->file, sizeof e->file, x->name);
	e->blksize = (uint16_t)x->t.blksize;
	e->windowsize = (uint16_t)x->t.windowsize;
	e->size = x->put ? x->t.tsize_known ? x->t.tsize : 0 : x->file ? x->file->size : 0;
	e->flags = x->t.oack.mask ? JOURNAL_OACK : 0;
	return e;
}

void record_start(const struct xfer *x)
{
	if (x->srv->cfg->journal)
		journal_commit(x->srv->cfg->journal, transfer_event(x, JOURNAL_XFER_START));
}

/* File bytes the client has: written (WRQ), or acknowledged (RRQ). */
static uint64_t bytes_done(const struct xfer *x)
{
	uint64_t b;

	if (x->put || x->bytes)
		return x->bytes;
	if (x->w.acked == UINT64_MAX || x->w.acked == 0 || !x->file)
		return 0;
	b = x->w.acked * x->t.blksize;
	return b < x->file->size ? b : x->file->size;
}

void record_end(const struct xfer *x, enum journal_end end, const char *why, bool probe)
{
	struct journal_event *e;
	int64_t ms;

	if (!x->srv->cfg->journal)
		return;
	e = transfer_event(x, JOURNAL_XFER_END);
	ms = clock_ms() - x->started_ms;
	e->end = (uint8_t)end;
	e->bytes = bytes_done(x);
	e->ms = ms < 0 ? 0 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
	e->flags |= probe ? JOURNAL_PROBE : 0;
	journal_set_str(e->cause, sizeof e->cause, why);
	journal_commit(x->srv->cfg->journal, e);
}
