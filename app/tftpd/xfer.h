/* SPDX-License-Identifier: MIT */
/* xfer.h -- tftpd's insides, shared by the files of its loop (server.h
 * says what the loop does):
 *
 *   loop.c     the loop: waiting, completions, signals
 *   request.c  a request on port 69: admitted (admit.h), a transfer opened
 *   events.c   a transfer's completions: packets in, sends done, timeouts
 *   rrq.c      read transfers: the window of DATA blocks
 *   wrq.c      write transfers: DATA in, ACKs out
 *   xfer.c     a transfer's verbs: arm a receive, send a control packet,
 *              set its timer, end it
 *   reply.c    ERRORs to strangers, and addresses as text
 *   submit.c   sends and their count, fixed files
 *
 * Each calls only files below it in this list (record.c's journal and
 * the pure files aside), so no two call each other:
 * tests/build/app_circles.t checks it.
 */
#ifndef TERN_TFTPD_XFER_H
#define TERN_TFTPD_XFER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include "bufring.h"
#include "files.h"
#include "journal.h"
#include "netascii.h"
#include "server.h"
#include "turn.h"
#include "upload.h"
#include "uring.h"
#include "wheel.h"
#include "window.h"

/* What a completion is about (uring.h's tagged user data; every object
 * below is at least 8-byte aligned). */
enum tag {
	TAG_SERVER = 1,  /* the server's own: recvmsg on the listening socket
			  * (the object: the struct server) or the read on the
			  * signalfd (its si) */
	TAG_RECV,        /* recvmsg on a transfer's socket (multishot into the
			  * buffer ring for a read, one at a time into
			  * rbuf for a write): a struct xfer */
	TAG_SEND,        /* sendmsg of a DATA block: a struct slot (NULL:
			  * send_quick's, which completes only if it fails) */
	TAG_CTL,         /* sendmsg of an OACK, ACK or ERROR: a struct xfer */
	TAG_CANCEL,      /* cancel of a transfer's receive: a struct xfer */
	TAG_REPLY,       /* sendmsg of an ERROR to a stranger: a struct reply */
	TAG_READ,        /* a read ahead of a transfer's file (rrq.c): a struct xfer */
};

union addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_storage ss;
};

struct xfer;

/* One DATA block in flight. */
struct slot {
	struct xfer *x;
	struct msghdr msg;
	struct iovec iov[2];
	uint8_t hdr[TFTP_HEADER];
	bool busy;
} __attribute__((aligned(8)));

struct xfer {
	struct server *srv;
	struct xfer *prev, *next; /* the server's list of transfers */
	int fd;
	int ufd;                  /* the socket as its SQEs name it: a fixed
				   * file's index (fixed_get), or fd */
	unsigned char sqe_flags;  /* IOSQE_FIXED_FILE with an index, or 0 */
	bool put;                 /* WRQ */
	bool ending;              /* finished: no more I/O, freed when idle */
	bool dallying;            /* WRQ done: re-ACK a resent last block */
	bool armed;               /* RRQ: its multishot receive is on */
	bool starved;             /* RRQ: ... ended for want of buffers */
	bool timed_out;           /* it ends for its retries ran out */
	unsigned pending;         /* SQEs in the kernel */
	union addr peer;
	socklen_t peer_len;
	char who[INET6_ADDRSTRLEN + 8]; /* "192.0.2.5:2049" for the log */
	char name[128];           /* the filename, cut, for the log */
	enum tftp_mode mode;
	struct tftp_transfer t;
	struct window w;
	struct timer timer;
	int64_t started_ms;
	uint64_t retransmits;
	uint64_t bytes;           /* file bytes sent or written */
	uint64_t sent_max;        /* RRQ: highest block index sent so far */

	/* Receiving: who sent the last packet. */
	union addr rpeer;
	socklen_t rpeer_len;
	/* WRQ: DATA into rbuf, one receive at a time. */
	struct msghdr rmsg;
	struct iovec riov;
	uint8_t *rbuf;
	size_t rsize;

	/* Control packets: OACK, ACK, ERROR.  The next one is built in cnext
	 * (clen bytes) and copied to cbuf when it goes: one still in the
	 * kernel is never overwritten, and the latest one waiting wins. */
	struct msghdr cmsg;
	struct iovec ciov;
	uint8_t cbuf[TFTP_OACK_MAX + 128];
	uint8_t cnext[TFTP_OACK_MAX + 128];
	size_t clen;
	bool ctl_busy;
	bool ctl_again;           /* cnext to send once cbuf's is done */

	/* RRQ */
	struct mapped *file;
	unsigned nslots;
	struct slot *slots;       /* nslots, block i in slots[i % nslots] */
	struct netascii_enc enc;  /* netascii: the encoder after block `encoded` */
	uint64_t encoded;
	uint8_t *ring;            /* netascii: nslots blocks of blksize */
	size_t *ring_len;
	/* Reading ahead (rrq.c): file bytes resident so far (UINT64_MAX:
	 * never read ahead), the read in flight and where it ends, whether
	 * the window waits for it and since when (ms). */
	uint64_t ra_done, ra_to;
	bool ra_busy, ra_wait;
	int64_t ra_since;

	/* WRQ */
	struct upload up;
	uint64_t received;        /* index of the last block written */
	struct netascii_dec dec;
	uint8_t *wbuf;            /* netascii: decoded block */
} __attribute__((aligned(8)));

/* An ERROR sent to someone who is not (or no longer) in a transfer. */
struct reply {
	struct msghdr msg;
	struct iovec iov;
	union addr to;
	uint8_t buf[TFTP_HEADER + 96];
	bool busy;
} __attribute__((aligned(8)));
#define REPLIES 64

/* Read transfers receive ACKs and ERRORs into a ring of buffers shared by
 * all: one multishot recvmsg per transfer stays armed for its life, so an
 * ACK costs no new SQE and no poll re-arm.  A buffer holds the
 * io_uring_recvmsg_out header, the peer's address and up to
 * RECV_PAYLOAD bytes (a longer packet is cut and marked MSG_TRUNC). */
#define BGID 1
#define RECV_PAYLOAD (TFTP_HEADER + 512 + 1)
#define RECV_BUF_SIZE ((sizeof(struct io_uring_recvmsg_out) + sizeof(struct sockaddr_in6) + \
			RECV_PAYLOAD + 63) & ~(size_t)63)

struct server {
	struct config *cfg;
	struct io_uring ring;
	struct bufring rb;
	struct msghdr mmsg;       /* the multishot receives' layout: a name, no cmsg */
	unsigned starved;         /* transfers whose receive waits for buffers */
	int64_t now;              /* ms, read once per loop turn */
	unsigned sends;           /* counted sends not answered yet: send_submit
				   * raises it, send_answered lowers it */
	struct turn turn;         /* how the loop waits (turn.h) */
	unsigned packets;         /* client packets handled this loop turn */
	unsigned poll_backoff;    /* turns without polling after the next poll
				   * that gives up (loop.c, POLL_BACKOFF_MAX) */
	unsigned poll_skip;       /* turns left without polling */
	struct wheel wheel;
	struct stats *st;         /* the shared mapping (stats.h), cfg->st */
	int fd, family, sfd;
	bool stopping;
	struct xfer *xfers;
	unsigned nxfers;
	/* Transfer sockets as registered (fixed) files: no file lookup and
	 * reference count a send or receive.  nfixed slots (0: none), the
	 * free ones' indexes a stack. */
	unsigned nfixed, nfree;
	unsigned *free_fixed;

	/* The listening socket's receive. */
	struct msghdr lmsg;
	struct iovec liov;
	union addr lpeer;
	uint8_t lbuf[TFTP_PACKET_MAX + 1];
	/* control messages are read as struct cmsghdr: aligned as one */
	_Alignas(struct cmsghdr) uint8_t lctl[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
					      CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct signalfd_siginfo si;
	struct reply replies[REPLIES];
} __attribute__((aligned(8)));

static inline struct io_uring_sqe *sqe_get(struct server *s)
{
	return uring_sqe(&s->ring);
}

/* submit.c: the one place a send is submitted and counted, and the one
 * place its completion (every completion of tag t, object obj: loop.c's
 * complete()) is uncounted. */
void send_submit(struct server *s, int fd, unsigned char flags, struct msghdr *msg, void *obj,
		 enum tag t);
void send_answered(struct server *s, enum tag t, const void *obj);
/* A lockstep DATA block, sent as it is submitted (MSG_DONTWAIT): no
 * completion unless it fails (counted then as a send error; the
 * transfer's timeout sends it again), so no CQE a block and nothing for
 * the wait to count.  msg is read by the kernel in the io_uring_enter
 * that submits it, before any ACK of it can come; xfer_free submits
 * before it frees. */
void send_quick(struct server *s, const struct xfer *x, struct msghdr *msg);
/* A transfer's socket as a fixed file (x->ufd, x->sqe_flags), while
 * slots are free; fixed_put gives the slot back (before close).
 * fixed_init: as many slots as transfers may run, within the open-file
 * limit; none if the kernel refuses. */
void fixed_init(struct server *s);
void fixed_get(struct xfer *x);
void fixed_put(struct xfer *x);

/* loop.c: busy polling (-Q) backs off while it does not pay.  After a
 * turn whose poll gave up, the next *skip turns do not poll: 1, then 2,
 * 4 ... up to POLL_BACKOFF_MAX while polls keep giving up; a poll that
 * is answered starts over.  On a machine too busy for answers to come
 * within -Q (other work on its CPUs) polling would spin a timeslice the
 * client needs; this keeps it to one poll in POLL_BACKOFF_MAX turns
 * there, and changes nothing where polls are answered.  Pure. */
#define POLL_BACKOFF_MAX 256
void poll_backoff(unsigned *backoff, unsigned *skip, bool gave_up, bool answered);

/* reply.c */
void addr_text(const union addr *a, char *buf, size_t size);
void host_text(const union addr *a, char *buf, size_t size);
bool same_host(const union addr *a, const union addr *b);
bool same_peer(const union addr *a, const union addr *b);
/* Send ERROR code/message to `to` from socket fd; dropped when every reply
 * slot is in flight (a flood of bad packets is not worth queueing). */
void reply_error(struct server *s, int fd, const union addr *to, socklen_t to_len,
		 enum tftp_error code, const char *message);

/* xfer.c */
void arm_recv(struct xfer *x);
/* Send the control packet built in cnext (clen bytes). */
void send_ctl(struct xfer *x);
void arm_timer(struct xfer *x);
void xfer_log_end(struct xfer *x, bool ok, const char *why);

/* No more packets: cancel the receive; freed once the kernel has
 * answered for every SQE of ours. */
void xfer_end(struct xfer *x);
void xfer_idle(struct xfer *x);
void xfer_fail(struct xfer *x, enum tftp_error code, const char *why, bool tell);

/* record.c: the boot journal's events (journal.h).  A request refused
 * before any transfer (its peer s->lpeer); a transfer's start; its end
 * (probe: a UEFI size probe the client ended on purpose). */
void record_refused(struct server *s, const char *file, enum journal_end end, const char *why);
void record_start(const struct xfer *x);
void record_end(const struct xfer *x, enum journal_end end, const char *why, bool probe);

/* events.c: completions of a transfer's receive (a write's: one packet
 * into rbuf; a read's multishot: a ring buffer and/or its end), control
 * packet, DATA block and cancel; its timer. */
void on_recv_one(struct xfer *x, int res);
void on_recv_ring(struct xfer *x, const struct io_uring_cqe *cqe);
void on_ctl_sent(struct xfer *x, int res);
void on_block_sent(struct slot *sl, int res);
void on_cancelled(struct xfer *x);
void on_read(struct xfer *x, int res);
void on_timer(struct timer *t, void *ctx);

/* rrq.c.  A file of READ_AHEAD_MIN bytes or more, not in memory
 * (files_in_memory), is read ahead off the loop, READ_AHEAD bytes at a
 * time: see rrq.c. */
#define READ_AHEAD_MIN (64u << 10)
#define READ_AHEAD (2u << 20)
static inline bool read_ahead_wanted(const struct mapped *m)
{
	return m->size >= READ_AHEAD_MIN && !m->in_memory;
}
void rrq_start(struct xfer *x);
/* Send what the window allows; a slot still in the kernel stops it until
 * that send completes (which pumps again), a block not read ahead yet
 * until its read does. */
void pump(struct xfer *x);
/* A timeout: the window's blocks are read again before they are sent
 * again (which finds a file truncated under the transfer). */
void rrq_reread(struct xfer *x);
void rrq_ack(struct xfer *x, uint16_t n);

/* wrq.c */
void wrq_start(struct xfer *x);
void send_ack(struct xfer *x, uint64_t i);
void wrq_data(struct xfer *x, uint16_t n, const uint8_t *data, size_t len);

/* request.c */
void on_request(struct server *s, size_t len, bool truncated);

#endif
