/* SPDX-License-Identifier: MIT */
/* server.h -- pxed's loop: poll(2) over the DHCP (67) and boot server
 * (4011) sockets of each interface and a signalfd.
 *
 * poll and not io_uring: DHCP comes at a few packets a second even when
 * a lab powers on, every ACK waits for the lease file's fsync anyway
 * (RFC 2131 4.3.1: the binding is stored before the ACK goes), and a
 * synchronous loop of a dozen lines is one nobody has to debug.
 *
 * Plain UDP sockets, no packet socket: a client without an address is
 * answered by broadcast (which RFC 2131 4.1 allows whatever its broadcast
 * flag says), so no ARP entry has to be forged for an address it does not
 * have yet; IP_PKTINFO tells which interface and address a request came
 * to, and sends the reply out of that interface from that address.
 */
#ifndef TERN_PXED_SERVER_H
#define TERN_PXED_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "answer.h"
#include "daemon.h"
#include "dhcp.h"
#include "journal.h"
#include "lease.h"
#include "pxeconf.h"
#include "ra_io.h"

#define PXED_IFACES_MAX 16

/* What pxed counts; SIGUSR1 logs it, the status page reads it: the shared
 * mapping of <run>/stats/pxed (stats.h), described in record.c. */
struct stats {
	uint64_t received, sent, send_errors, oversized, lease_saves, lease_save_errors;
	uint64_t bad[DHCP_CAUSE_COUNT];
	uint64_t outcome[ANS_COUNT];
	struct ra_counters ra;      /* IPv6 router solicitations (ra_io.h) */
};

struct pxed_sock {
	int fd;
	enum answer_port port;
};

struct pxed {
	struct daemon_args args;    /* -c CONFIG -u -v -t (daemon.h) */
	const char *lease_path;
	struct pxed_conf *conf;
	struct leases leases[PXECONF_POOLS_MAX]; /* server mode: one a pool of conf */
	unsigned nleases;
	struct {                    /* relays (giaddr) or addresses with no pool, */
		uint32_t addr;      /* each said once a minute */
		time_t said;
	} no_pool[16];
	const char *iface[PXED_IFACES_MAX];
	unsigned niface;            /* 0: every interface */
	uint16_t port, pxe_port;    /* 67, 4011 */
	struct pxed_sock sock[2 * PXED_IFACES_MAX]; /* bound once, kept over reloads */
	unsigned nsock;
	int ra_fd;                  /* router solicitations (ra_io.h); -1: none */
	struct stats *st;           /* server_share, before privileges drop */
	struct journal *journal;
};

/* record.c: p->st and p->journal shared (stats.h, journal.h); a message
 * and what was done with it as a journal event (src: its source address,
 * host order).  record_kind: the event's kind for it. */
void server_share(struct pxed *p);
enum journal_kind record_kind(enum dhcp_type t, enum answer_outcome o);
void record_answer(struct pxed *p, const struct dhcp_msg *m, enum answer_outcome o,
		   const struct dhcp_reply *r, enum answer_port port, uint32_t src);

/* The pools of p->conf with the leases of p->lease_path; false when out
 * of memory.  Also what a reload calls, keeping the leases in the new
 * pools. */
bool server_leases(struct pxed *p, bool load);

/* Bind the sockets of p->iface (ports 67 and 4011 of each); dies if it
 * cannot.  The only step that needs root: a reload keeps them. */
void server_bind(struct pxed *p);

/* Serve on the bound sockets until SIGTERM or SIGINT (sfd: a signalfd
 * for SIGTERM, SIGINT, SIGHUP, SIGUSR1).  Returns the exit status. */
int server_run(struct pxed *p, int sfd);

#endif
