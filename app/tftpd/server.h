/* SPDX-License-Identifier: MIT */
/* server.h -- tftpd's io_uring loop: requests on the listening socket,
 * one transfer per request on a socket (and port, the server's TID) of
 * its own, every receive, send and cancel in one ring, every timeout in
 * one timing wheel.
 *
 * One loop iteration is one io_uring_submit_and_wait_timeout(): the sends
 * of every window that moved, the receives re-armed and the requests
 * answered since the last one go to the kernel together.  A read transfer
 * sends straight from the file's mapping (files.h): each DATA packet is
 * two iovecs, the 4-byte header and the file's bytes, so tftpd itself
 * copies nothing (netascii, which must be converted, excepted).
 */
#ifndef TERN_TFTPD_SERVER_H
#define TERN_TFTPD_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "options.h"
#include "packet.h"
#include "path.h"
#include "remap.h"

struct config {
	const char *root;          /* served directory */
	int root_fd;
	const char *upload_dir;    /* NULL: WRQ refused */
	int upload_fd;
	const char *stage_dir;     /* NULL: temporary files beside their target */
	int stage_fd;
	bool overwrite;            /* an upload may replace a file */
	struct tftp_limits lim;
	struct path_policy path;
	unsigned retries;          /* timeouts in a row before giving up */
	unsigned max_transfers;    /* at once, in this worker */
	unsigned per_client;       /* at once, from one address */
	unsigned port_lo, port_hi; /* transfer ports; 0: any */
	const char *remap_file;    /* NULL: none */
	int remap_dir;             /* its directory, opened before any chroot */
	const char *remap_name;    /* its name there */
	struct remap_rules *remap;
	bool verbose;              /* a line per transfer started, too */
	unsigned ring_entries;
	unsigned coalesce_us;      /* after a busy turn, wait this long for more; 0: off */
	unsigned poll_us;          /* poll this long for an answer before sleeping; 0: off */
	const pid_t *workers;      /* pids the signals are passed on to */
	unsigned nworkers;
	struct stats *st;          /* this worker's counters and journal: */
	struct journal *journal;   /* server_share, before privileges drop; */
	unsigned journal_events;   /* its size (-J); 0: no journal, journal NULL */
};

/* What the server counts; SIGUSR1 logs them, the status page reads them:
 * this struct is the shared mapping of <run>/stats/tftpd.<worker>
 * (stats.h), described field by field in share.c. */
struct stats {
	uint64_t requests, rrq, wrq;
	uint64_t completed, failed, timeouts, client_errors, uefi_probes;
	uint64_t retransmits, dup_requests, wrong_tid, busy, denied, not_found;
	uint64_t bytes_sent, bytes_received, send_errors;
	uint64_t recv_starved; /* receives ended: all ring buffers were full */
	uint64_t quick_sends;  /* lockstep blocks sent with no completion (send_quick) */
	uint64_t fixed;        /* transfers whose socket was a fixed file */
	uint64_t reads_ahead;  /* file windows read ahead off the loop (rrq.c) */
	uint64_t bad_packet[TFTP_CAUSE_COUNT];
	uint64_t bad_path[PATH_CAUSE_COUNT];
	uint64_t running;      /* gauge: transfers now */
};

/* Worker worker's counters and boot journal, shared (stats.h,
 * journal.h) into cfg->st and cfg->journal; before chroot. */
void server_share(struct config *cfg, int worker);

/* Run the loop on the bound UDP socket fd (family AF_INET or AF_INET6,
 * with IP_PKTINFO / IPV6_RECVPKTINFO set) until SIGTERM or SIGINT; signals
 * come from the signalfd sfd.  Returns the exit status. */
int server_run(struct config *cfg, int fd, int family, int sfd);

#endif
