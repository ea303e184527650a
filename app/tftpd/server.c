/* server.c -- see server.h. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "block.h"
#include "bufring.h"
#include "files.h"
#include "log.h"
#include "netascii.h"
#include "upload.h"
#include "uring.h"
#include "wheel.h"
#include "window.h"

/* What a completion is about: the low 3 bits of its user_data, the rest a
 * pointer (every object below is at least 8-byte aligned). */
enum tag {
	TAG_REQUEST = 1, /* recvmsg on the listening socket: a struct server */
	TAG_RECV,        /* recvmsg on a transfer's socket (multishot into the
			  * buffer ring for a read, one at a time into
			  * rbuf for a write): a struct xfer */
	TAG_SEND,        /* sendmsg of a DATA block: a struct slot */
	TAG_CTL,         /* sendmsg of an OACK, ACK or ERROR: a struct xfer */
	TAG_CANCEL,      /* cancel of a transfer's receive: a struct xfer */
	TAG_REPLY,       /* sendmsg of an ERROR to a stranger: a struct reply */
	TAG_SIGNAL,      /* read on the signalfd: a struct server */
};
#define TAG_MASK 7u

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
	bool put;                 /* WRQ */
	bool ending;              /* finished: no more I/O, freed when idle */
	bool dallying;            /* WRQ done: re-ACK a resent last block */
	bool armed;               /* RRQ: its multishot receive is on */
	bool starved;             /* RRQ: ... ended for want of buffers */
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
/* Coalescing asks for at most this many packets more. */
#define COALESCE_MAX 1024
/* Busy polling (-Q) only while this few transfers run: more, and the
 * answers come in faster than a wakeup costs anyway. */
#define POLL_MAX 4
#define RECV_BUF_SIZE ((sizeof(struct io_uring_recvmsg_out) + sizeof(struct sockaddr_in6) + \
			RECV_PAYLOAD + 63) & ~(size_t)63)

struct server {
	struct config *cfg;
	struct io_uring ring;
	struct bufring rb;
	struct msghdr mmsg;       /* the multishot receives' layout: a name, no cmsg */
	unsigned starved;         /* transfers whose receive waits for buffers */
	int64_t now;              /* ms, read once per loop turn */
	unsigned sends;           /* counted sends (counted()) not answered yet */
	bool poll_off;            /* the last busy poll gave up: sleep, timed (wait_turn) */
	int64_t slept_us;         /* how long that timed sleep was; -1: none */
	unsigned packets;         /* client packets handled this loop turn */
	struct wheel wheel;
	struct stats st;
	int fd, family, sfd;
	bool stopping;
	struct xfer *xfers;
	unsigned nxfers;

	/* The listening socket's receive. */
	struct msghdr lmsg;
	struct iovec liov;
	union addr lpeer;
	uint8_t lbuf[TFTP_PACKET_MAX + 1];
	uint8_t lctl[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct signalfd_siginfo si;
	struct reply replies[REPLIES];
} __attribute__((aligned(8)));

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t tagged(void *p, enum tag t)
{
	return (uint64_t)(uintptr_t)p | t;
}

static struct io_uring_sqe *sqe_get(struct server *s)
{
	return uring_sqe(&s->ring);
}

static void addr_text(const union addr *a, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	unsigned port;

	if (a->sa.sa_family == AF_INET6) {
		const struct in6_addr *in6 = &a->in6.sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(in6))
			inet_ntop(AF_INET, &in6->s6_addr[12], host, sizeof host);
		else
			inet_ntop(AF_INET6, in6, host, sizeof host);
		port = ntohs(a->in6.sin6_port);
		snprintf(buf, size, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
	} else {
		inet_ntop(AF_INET, &a->in.sin_addr, host, sizeof host);
		snprintf(buf, size, "%s:%u", host, ntohs(a->in.sin_port));
	}
}

/* The client's address without the port: what remap's \i and the
 * per-client cap see. */
static void host_text(const union addr *a, char *buf, size_t size)
{
	char *colon;

	addr_text(a, buf, size);
	if (buf[0] == '[') {
		memmove(buf, buf + 1, strlen(buf));
		*strchr(buf, ']') = '\0';
	} else if ((colon = strrchr(buf, ':'))) {
		*colon = '\0';
	}
}

static bool same_host(const union addr *a, const union addr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
	return !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, sizeof a->in6.sin6_addr);
}

static bool same_peer(const union addr *a, const union addr *b)
{
	if (!same_host(a, b))
		return false;
	return a->sa.sa_family == AF_INET ? a->in.sin_port == b->in.sin_port
					   : a->in6.sin6_port == b->in6.sin6_port;
}

/* -- replies to strangers -------------------------------------------- */

/* Send ERROR code/message to `to` from socket fd; dropped when every reply
 * slot is in flight (a flood of bad packets is not worth queueing). */
static void reply_error(struct server *s, int fd, const union addr *to, socklen_t to_len,
			enum tftp_error code, const char *message)
{
	struct reply *r = NULL;

	for (unsigned i = 0; i < REPLIES && !r; i++)
		if (!s->replies[i].busy)
			r = &s->replies[i];
	if (!r)
		return;
	r->busy = true;
	r->to = *to;
	r->iov.iov_base = r->buf;
	r->iov.iov_len = tftp_build_error(r->buf, sizeof r->buf, code, message);
	r->msg = (struct msghdr){ .msg_name = &r->to, .msg_namelen = to_len,
				  .msg_iov = &r->iov, .msg_iovlen = 1 };
	struct io_uring_sqe *sqe = sqe_get(s);
	io_uring_prep_sendmsg(sqe, fd, &r->msg, 0);
	io_uring_sqe_set_data64(sqe, tagged(r, TAG_REPLY));
	s->sends++;
}

/* -- a transfer's I/O -------------------------------------------------- */

/* Whether the next wait counts on a send of x completing as it is
 * submitted: it is the only packet its socket has in flight (a lockstep
 * DATA or OACK, a write's ACK, an ERROR).  A window's sends may wait for
 * socket buffer space; counted, they would hold the wait, and every other
 * client's answer with it, until that window drained. */
static bool counted(const struct xfer *x)
{
	return x->put || x->t.windowsize <= 1;
}

static void arm_recv(struct xfer *x)
{
	struct io_uring_sqe *sqe = sqe_get(x->srv);

	if (x->put) {
		x->riov = (struct iovec){ x->rbuf, x->rsize };
		x->rmsg = (struct msghdr){ .msg_name = &x->rpeer, .msg_namelen = sizeof x->rpeer,
					   .msg_iov = &x->riov, .msg_iovlen = 1 };
		io_uring_prep_recvmsg(sqe, x->fd, &x->rmsg, 0);
	} else {
		io_uring_prep_recvmsg_multishot(sqe, x->fd, &x->srv->mmsg, 0);
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = BGID;
		x->armed = true;
	}
	io_uring_sqe_set_data64(sqe, tagged(x, TAG_RECV));
	x->pending++;
}

/* Send the control packet built in cnext (clen bytes). */
static void send_ctl(struct xfer *x)
{
	struct io_uring_sqe *sqe;

	if (x->ctl_busy) { /* the last one is still going: this one after it */
		x->ctl_again = true;
		return;
	}
	x->ctl_busy = true;
	memcpy(x->cbuf, x->cnext, x->clen);
	x->ciov = (struct iovec){ x->cbuf, x->clen };
	x->cmsg = (struct msghdr){ .msg_name = &x->peer, .msg_namelen = x->peer_len,
				   .msg_iov = &x->ciov, .msg_iovlen = 1 };
	sqe = sqe_get(x->srv);
	io_uring_prep_sendmsg(sqe, x->fd, &x->cmsg, 0);
	io_uring_sqe_set_data64(sqe, tagged(x, TAG_CTL));
	x->pending++;
	x->srv->sends += counted(x);
}

static void arm_timer(struct xfer *x)
{
	wheel_set(&x->srv->wheel, &x->timer, x->srv->now + x->t.timeout * 1000LL);
}

static void xfer_log_end(struct xfer *x, bool ok, const char *why)
{
	int64_t ms = now_ms() - x->started_ms;
	double mib = (double)x->bytes / (1024.0 * 1024.0);
	double s = ms > 0 ? ms / 1000.0 : 0.001;

	if (ok)
		log_info("%s %s %s from %s: %llu bytes in %.3f s (%.2f MiB/s), blksize %u "
			 "windowsize %u, %llu retransmitted", x->put ? "WRQ" : "RRQ",
			 x->name, x->mode == TFTP_OCTET ? "octet" : "netascii", x->who,
			 (unsigned long long)x->bytes, s, mib / s, x->t.blksize,
			 x->t.windowsize, (unsigned long long)x->retransmits);
	else
		log_warn("%s %s from %s failed after %llu bytes: %s", x->put ? "WRQ" : "RRQ",
			 x->name, x->who, (unsigned long long)x->bytes, why);
}

static void xfer_free(struct xfer *x)
{
	struct server *s = x->srv;

	if (x->prev)
		x->prev->next = x->next;
	else
		s->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
	s->nxfers--;
	s->starved -= x->starved;
	wheel_cancel(&s->wheel, &x->timer);
	/* A reply to a stranger may still be queued on this fd: let the
	 * kernel take it before the number can be reused. */
	io_uring_submit(&s->ring);
	close(x->fd);
	if (x->file)
		files_put(x->file);
	upload_abort(&x->up);
	free(x->rbuf);
	free(x->slots);
	free(x->ring);
	free(x->ring_len);
	free(x->wbuf);
	free(x);
}

/* No more packets: cancel the receive; freed once the kernel has
 * answered for every SQE of ours. */
static void xfer_end(struct xfer *x)
{
	struct io_uring_sqe *sqe;

	if (x->ending)
		return;
	x->ending = true;
	wheel_cancel(&x->srv->wheel, &x->timer);
	sqe = sqe_get(x->srv);
	io_uring_prep_cancel64(sqe, tagged(x, TAG_RECV), 0);
	io_uring_sqe_set_data64(sqe, tagged(x, TAG_CANCEL));
	x->pending++;
}

static void xfer_idle(struct xfer *x)
{
	if (x->ending && x->pending == 0)
		xfer_free(x);
}

static void xfer_fail(struct xfer *x, enum tftp_error code, const char *why, bool tell)
{
	x->srv->st.failed++;
	xfer_log_end(x, false, why);
	if (tell) {
		x->clen = tftp_build_error(x->cnext, sizeof x->cnext, code, why);
		send_ctl(x);
	}
	xfer_end(x);
}

/* -- read transfers ---------------------------------------------------- */

/* Point slot's second iovec at block i's bytes (building them first for
 * netascii); false if i is past the end (netascii only learns it here). */
static void block_bytes(struct xfer *x, uint64_t i, struct iovec *iov)
{
	uint64_t bs = x->t.blksize;

	if (x->mode == TFTP_OCTET) {
		uint64_t off = (i - 1) * bs, left = x->file->size - off;

		iov->iov_base = (void *)(x->file->data ? x->file->data + off : x->file->data);
		iov->iov_len = left < bs ? (size_t)left : (size_t)bs;
		return;
	}
	/* netascii: blocks are made in order, kept in the ring for resends. */
	unsigned r = (unsigned)(i % x->nslots);
	uint8_t *out = x->ring + (size_t)r * bs;

	if (i > x->encoded) {
		uint64_t off = x->enc.offset, left = x->file->size - off;
		const uint8_t *in = x->file->data ? x->file->data + off : NULL;

		x->ring_len[r] = netascii_encode(&x->enc, in, (size_t)left, out, (size_t)bs);
		x->encoded = i;
		if (x->ring_len[r] < bs)
			x->w.last = i;
	}
	iov->iov_base = out;
	iov->iov_len = x->ring_len[r];
}

static void send_block(struct xfer *x, uint64_t i, struct slot *sl)
{
	struct io_uring_sqe *sqe;

	sl->busy = true;
	sl->x = x;
	tftp_build_data_header(sl->hdr, sizeof sl->hdr, tftp_block_number(i, x->t.rollover));
	sl->iov[0] = (struct iovec){ sl->hdr, sizeof sl->hdr };
	block_bytes(x, i, &sl->iov[1]);
	sl->msg = (struct msghdr){ .msg_name = &x->peer, .msg_namelen = x->peer_len,
				   .msg_iov = sl->iov, .msg_iovlen = 2 };
	sqe = sqe_get(x->srv);
	io_uring_prep_sendmsg(sqe, x->fd, &sl->msg, 0);
	io_uring_sqe_set_data64(sqe, tagged(sl, TAG_SEND));
	x->pending++;
	x->srv->sends += counted(x);
}

/* Send what the window allows; a slot still in the kernel stops it until
 * that send completes (which pumps again). */
static void pump(struct xfer *x)
{
	uint64_t from, to, i;

	if (x->ending || x->put)
		return;
	window_due(&x->w, &from, &to);
	if (from == 0) { /* the OACK; data waits for its ACK 0 */
		x->clen = tftp_build_oack(x->cnext, sizeof x->cnext, &x->t.oack);
		send_ctl(x);
		window_sent(&x->w, 1);
		return;
	}
	if (x->w.acked == UINT64_MAX)
		return;
	for (i = from; i < to; i++) {
		struct slot *sl = &x->slots[i % x->nslots];

		if (sl->busy)
			break;
		/* netascii learns where the file ends while building blocks */
		if (x->w.last != WINDOW_LAST_UNKNOWN && i > x->w.last)
			break;
		send_block(x, i, sl);
		if (i <= x->sent_max) { /* sent before: a retransmission */
			x->retransmits++;
			x->srv->st.retransmits++;
		} else {
			x->sent_max = i;
		}
		x->srv->st.bytes_sent += sl->iov[1].iov_len;
		window_sent(&x->w, i + 1);
	}
}

static void rrq_ack(struct xfer *x, uint16_t n)
{
	switch (window_ack(&x->w, n)) {
	case WINDOW_IGNORED:
		return;
	case WINDOW_DONE:
		x->bytes = x->file->size;
		x->srv->st.completed++;
		xfer_log_end(x, true, NULL);
		xfer_end(x);
		return;
	case WINDOW_MOVED:
		arm_timer(x);
		pump(x);
		return;
	}
}

/* -- write transfers --------------------------------------------------- */

static void send_ack(struct xfer *x, uint64_t i)
{
	x->clen = tftp_build_ack(x->cnext, sizeof x->cnext, tftp_block_number(i, x->t.rollover));
	send_ctl(x);
}

static void wrq_data(struct xfer *x, uint16_t n, const uint8_t *data, size_t len)
{
	uint64_t i = tftp_block_index(n, x->received + 1, x->t.rollover);
	const uint64_t cap = x->srv->cfg->lim.max_upload;
	const uint8_t *bytes = data;
	size_t blen = len;

	if (x->dallying) { /* our last ACK was lost: say it again */
		if (i == UINT64_MAX || (uint16_t)n == tftp_block_number(x->received, x->t.rollover))
			send_ack(x, x->received);
		return;
	}
	if (len > x->t.blksize) {
		xfer_fail(x, TFTP_EBADOP, "DATA longer than the negotiated blksize", true);
		return;
	}
	if (i != x->received + 1) {
		/* A duplicate (our ACK was lost: the client went back) or a gap
		 * (a block was lost): either way the client must hear where we
		 * are.  RFC 7440 section 4. */
		bool gap = i != UINT64_MAX && i - (x->received + 1) < x->t.windowsize;

		if (gap || (uint16_t)n == tftp_block_number(x->received, x->t.rollover))
			send_ack(x, x->received);
		return;
	}
	if (x->mode == TFTP_NETASCII) {
		blen = netascii_decode(&x->dec, data, len, x->wbuf);
		bytes = x->wbuf;
	}
	if (cap && x->bytes + blen > cap) {
		xfer_fail(x, TFTP_ENOSPACE, "upload larger than the server allows", true);
		return;
	}
	if (upload_write(&x->up, bytes, blen, x->bytes) < 0) {
		int err = errno;
		char why[96];

		snprintf(why, sizeof why, "unable to write the file: %s", strerror(err));
		xfer_fail(x, err == ENOSPC || err == EDQUOT ? TFTP_ENOSPACE : TFTP_EUNDEF, why, true);
		return;
	}
	x->bytes += blen;
	x->received = i;
	x->srv->st.bytes_received += len;
	x->w.retries = 0;
	arm_timer(x);
	if (len < x->t.blksize) { /* the last block */
		if (x->mode == TFTP_NETASCII) {
			size_t tail = netascii_decode_end(&x->dec, x->wbuf);

			if (tail && upload_write(&x->up, x->wbuf, tail, x->bytes) == 0)
				x->bytes += tail;
		}
		if (upload_commit(&x->up, x->srv->cfg->overwrite) < 0) {
			char why[96];

			snprintf(why, sizeof why, "unable to put the file in place: %s",
				 strerror(errno));
			xfer_fail(x, errno == EEXIST ? TFTP_EEXISTS : TFTP_EUNDEF, why, true);
			return;
		}
		send_ack(x, i);
		x->srv->st.completed++;
		xfer_log_end(x, true, NULL);
		x->dallying = true; /* until a timeout passes without a resend */
		return;
	}
	if (i % x->t.windowsize == 0)
		send_ack(x, i);
}

/* -- what comes back on a transfer's socket --------------------------- */

static void on_packet(struct xfer *x, const uint8_t *buf, size_t len, bool truncated)
{
	struct server *s = x->srv;
	struct tftp_packet p = { 0 };
	enum tftp_cause c = truncated ? TFTP_OVERSIZED : tftp_parse(buf, len, &p);

	if (!same_peer(&x->rpeer, &x->peer)) {
		/* RFC 1350 section 4: another TID.  Tell it; the transfer goes on. */
		s->st.wrong_tid++;
		reply_error(s, x->fd, &x->rpeer, x->rpeer_len, TFTP_EBADID, "unknown transfer ID");
		return;
	}
	if (c == TFTP_OK || (c != TFTP_OK && p.opcode == TFTP_ERROR)) {
		if (p.opcode == TFTP_ERROR) {
			char msg[64];
			size_t k = 0;

			/* The client's words, without control characters, for the log. */
			for (const char *m = c == TFTP_OK ? p.error.message : ""; *m && k + 1 < sizeof msg; m++)
				msg[k++] = (*m >= 0x20 && *m < 0x7f) ? *m : '?';
			msg[k] = '\0';
			if (p.error.code == TFTP_EOPTION && !x->put && x->w.acked == UINT64_MAX) {
				/* UEFI asks for tsize, then ends with ERROR 8 and asks again. */
				s->st.uefi_probes++;
				if (s->cfg->verbose)
					log_info("RRQ %s from %s: size probe (client ended it after the OACK)",
						 x->name, x->who);
			} else {
				s->st.client_errors++;
				log_warn("%s %s from %s: the client ended it: error %u \"%s\"",
					 x->put ? "WRQ" : "RRQ", x->name, x->who, p.error.code, msg);
			}
			xfer_end(x);
			return;
		}
		if (!x->put && p.opcode == TFTP_ACK) {
			rrq_ack(x, p.ack);
			return;
		}
		if (x->put && p.opcode == TFTP_DATA) {
			wrq_data(x, p.data.block, p.data.data, p.data.len);
			return;
		}
		c = TFTP_BAD_OPCODE; /* a request, or DATA/ACK the wrong way */
	}
	s->st.bad_packet[c]++;
	xfer_fail(x, tftp_cause_code(c), tftp_cause_message(c), true);
}

/* A write's receive: one packet into rbuf. */
static void on_recv_one(struct xfer *x, int res)
{
	x->pending--;
	if (x->ending) {
		xfer_idle(x);
		return;
	}
	if (res < 0) {
		if (res == -EINTR || res == -EAGAIN || res == -ECONNREFUSED) {
			arm_recv(x); /* ICMP from an earlier send, or nothing: again */
			return;
		}
		errno = -res;
		log_errno("%s from %s: unable to receive", x->name, x->who);
		xfer_fail(x, TFTP_EUNDEF, "receive failed", false);
		xfer_idle(x);
		return;
	}
	x->rpeer_len = x->rmsg.msg_namelen;
	x->srv->packets++;
	on_packet(x, x->rbuf, (size_t)res, x->rmsg.msg_flags & MSG_TRUNC);
	if (!x->ending)
		arm_recv(x);
	xfer_idle(x);
}

/* A read's multishot receive: a packet in a ring buffer, and/or its end. */
static void on_recv_ring(struct xfer *x, const struct io_uring_cqe *cqe)
{
	struct server *s = x->srv;
	int res = cqe->res;

	if (cqe->flags & IORING_CQE_F_BUFFER) {
		unsigned id = bufring_id(cqe);
		struct io_uring_recvmsg_out *o;

		bufring_took(&s->rb);
		o = io_uring_recvmsg_validate(bufring_addr(&s->rb, id), res, &s->mmsg);
		s->packets++;
		if (o && !x->ending && o->namelen <= sizeof x->rpeer) {
			memcpy(&x->rpeer, io_uring_recvmsg_name(o), o->namelen);
			x->rpeer_len = o->namelen;
			on_packet(x, io_uring_recvmsg_payload(o, &s->mmsg),
				  io_uring_recvmsg_payload_length(o, res, &s->mmsg),
				  o->flags & MSG_TRUNC);
		}
		bufring_put(&s->rb, id);
	}
	if (cqe->flags & IORING_CQE_F_MORE)
		return;
	/* The kernel ended it: cancelled (the transfer is over), out of
	 * buffers (again once some are back), or an error. */
	x->armed = false;
	x->pending--;
	if (!x->ending) {
		if (res >= 0 || res == -ENOBUFS || res == -EINTR || res == -EAGAIN ||
		    res == -ECONNREFUSED) {
			x->starved = true;
			s->starved++;
			s->st.recv_starved += res == -ENOBUFS;
		} else {
			errno = -res;
			log_errno("%s from %s: unable to receive", x->name, x->who);
			xfer_fail(x, TFTP_EUNDEF, "receive failed", false);
		}
	}
	xfer_idle(x);
}

/* Before each wait: ring buffers back to the kernel, and the receives
 * that ran out of them armed again. */
static void refill(struct server *s)
{
	bufring_flush(&s->rb);
	if (!s->starved || !s->rb.free)
		return;
	for (struct xfer *x = s->xfers; x && s->starved; x = x->next)
		if (x->starved) {
			x->starved = false;
			s->starved--;
			if (!x->ending)
				arm_recv(x);
		}
}

static void on_timer(struct timer *t, void *ctx)
{
	struct xfer *x = (struct xfer *)((char *)t - offsetof(struct xfer, timer));
	struct server *s = ctx;

	if (x->ending)
		return;
	if (x->dallying) { /* no resend of the last block came: done */
		xfer_end(x);
		return;
	}
	if (!window_timeout(&x->w, s->cfg->retries)) {
		s->st.timeouts++;
		xfer_fail(x, TFTP_EUNDEF, "timed out", true);
		return;
	}
	arm_timer(x);
	if (x->put) { /* say again where we are */
		x->retransmits++;
		s->st.retransmits++;
		send_ack(x, x->received);
		return;
	}
	if (x->w.next == 0) { /* the OACK again */
		x->retransmits++;
		s->st.retransmits++;
	}
	pump(x);
}

/* -- requests ---------------------------------------------------------- */

/* The address the request was sent to, and the interface it came in on,
 * from the IP_PKTINFO / IPV6_PKTINFO control message. */
static bool request_local(struct server *s, union addr *local, unsigned *ifindex)
{
	memset(local, 0, sizeof *local);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&s->lmsg); c; c = CMSG_NXTHDR(&s->lmsg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			*ifindex = (unsigned)pi.ipi_ifindex;
			if (s->family == AF_INET) {
				local->in.sin_family = AF_INET;
				local->in.sin_addr = pi.ipi_spec_dst;
			} else { /* IPv4 on a dual-stack socket: v4-mapped */
				local->in6.sin6_family = AF_INET6;
				local->in6.sin6_addr.s6_addr[10] = 0xff;
				local->in6.sin6_addr.s6_addr[11] = 0xff;
				memcpy(&local->in6.sin6_addr.s6_addr[12], &pi.ipi_spec_dst, 4);
			}
			return true;
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			*ifindex = pi.ipi6_ifindex;
			local->in6.sin6_family = AF_INET6;
			local->in6.sin6_addr = pi.ipi6_addr;
			if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
				local->in6.sin6_scope_id = pi.ipi6_ifindex;
			return true;
		}
	}
	return false;
}

/* The interface's MTU: the ceiling for blksize (RFC 2348 asks servers not
 * to make IP fragment); 0 if unknown. */
static unsigned interface_mtu(int fd, unsigned ifindex)
{
	struct ifreq ifr = { 0 };

	if (!ifindex || !if_indextoname(ifindex, ifr.ifr_name) || ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		return 0;
	return ifr.ifr_mtu > 0 ? (unsigned)ifr.ifr_mtu : 0;
}

/* A socket for the transfer, on the address the request came to (so a
 * multi-homed box answers from the address the client knows), on an
 * ephemeral port or one of the configured range. */
static int transfer_socket(struct server *s, union addr *local)
{
	const struct config *c = s->cfg;
	socklen_t len = s->family == AF_INET ? sizeof local->in : sizeof local->in6;
	unsigned span = c->port_hi >= c->port_lo && c->port_lo ? c->port_hi - c->port_lo + 1 : 0;
	unsigned tries = span ? (span < 64 ? span : 64) : 1;
	unsigned start = span ? (unsigned)random() % span : 0;
	int fd = socket(s->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	for (unsigned k = 0; k < tries; k++) {
		uint16_t port = span ? htons((uint16_t)(c->port_lo + (start + k) % span)) : 0;

		if (s->family == AF_INET)
			local->in.sin_port = port;
		else
			local->in6.sin6_port = port;
		if (bind(fd, &local->sa, len) == 0)
			return fd;
		if (errno != EADDRINUSE)
			break;
	}
	int err = errno;
	close(fd);
	errno = err;
	return -1;
}

static unsigned transfers_from(struct server *s, const union addr *peer, bool *dup)
{
	unsigned n = 0;

	*dup = false;
	for (struct xfer *x = s->xfers; x; x = x->next) {
		if (x->ending)
			continue;
		if (same_peer(&x->peer, peer))
			*dup = true;
		n += same_host(&x->peer, peer);
	}
	return n;
}

static bool xfer_buffers(struct xfer *x)
{
	size_t bs = x->t.blksize;

	if (x->put) {
		x->rsize = TFTP_HEADER + bs + 1;
		if (!(x->rbuf = malloc(x->rsize)))
			return false;
		return x->mode == TFTP_OCTET || (x->wbuf = malloc(bs + 1));
	}
	x->nslots = x->t.windowsize;
	x->slots = calloc(x->nslots, sizeof *x->slots);
	if (!x->slots)
		return false;
	if (x->mode == TFTP_OCTET)
		return true;
	x->ring = malloc((size_t)x->nslots * bs);
	x->ring_len = calloc(x->nslots, sizeof *x->ring_len);
	return x->ring && x->ring_len;
}

/* Open the file of request r and negotiate; on failure *code and *why say
 * what to answer, and false is returned. */
static bool xfer_open(struct xfer *x, const struct tftp_request *r, const char *rel,
		      unsigned mtu, enum tftp_error *code, const char **why)
{
	struct server *s = x->srv;
	struct tftp_limits lim = s->cfg->lim;
	uint64_t size = 0;
	int fd;

	lim.mtu = mtu;
	lim.ipv6 = s->family == AF_INET6 && !IN6_IS_ADDR_V4MAPPED(&x->peer.in6.sin6_addr);
	if (x->put) {
		if (upload_begin(&x->up, s->cfg->upload_fd, rel, s->cfg->overwrite) < 0)
			goto refused;
	} else {
		fd = path_open(s->cfg->root_fd, rel, O_RDONLY);
		if (fd < 0)
			goto refused;
		x->file = files_get(fd);
		close(fd);
		if (!x->file)
			goto refused;
		size = x->file->size;
	}
	enum tftp_cause c = tftp_negotiate(r, x->put ? TFTP_WRQ : TFTP_RRQ, size, &lim, &x->t);
	if (c != TFTP_OK) {
		s->st.bad_packet[c]++;
		*code = tftp_cause_code(c);
		*why = tftp_cause_message(c);
		return false;
	}
	if (!xfer_buffers(x)) {
		*code = TFTP_EUNDEF;
		*why = "out of memory";
		return false;
	}
	return true;
refused:
	*code = path_errno_code(errno);
	*why = *code == TFTP_ENOTFOUND ? "file not found" : strerror(errno);
	if (*code == TFTP_ENOTFOUND)
		s->st.not_found++;
	else
		s->st.denied++;
	if (*code == TFTP_EUNDEF)
		*code = TFTP_EACCESS;
	return false;
}

static void xfer_start(struct xfer *x)
{
	struct server *s = x->srv;

	x->started_ms = now_ms();
	arm_recv(x);
	arm_timer(x);
	if (x->put) {
		window_start(&x->w, 0, 1, x->t.rollover); /* retries only */
		if (x->t.oack.mask) {
			x->clen = tftp_build_oack(x->cnext, sizeof x->cnext, &x->t.oack);
			send_ctl(x);
		} else {
			send_ack(x, 0);
		}
		return;
	}
	x->enc = (struct netascii_enc)NETASCII_ENC_START;
	window_start(&x->w, x->t.oack.mask ? 0 : 1, x->t.windowsize, x->t.rollover);
	if (x->mode == TFTP_OCTET)
		x->w.last = x->file->size / x->t.blksize + 1;
	pump(x);
	if (s->cfg->verbose)
		log_info("RRQ %s %s from %s: %llu bytes, blksize %u windowsize %u",
			 x->name, x->mode == TFTP_OCTET ? "octet" : "netascii", x->who,
			 (unsigned long long)x->file->size, x->t.blksize, x->t.windowsize);
}

static void on_request(struct server *s, size_t len, bool truncated)
{
	const struct config *cfg = s->cfg;
	struct tftp_packet p = { 0 };
	enum tftp_cause c = truncated ? TFTP_OVERSIZED : tftp_parse(s->lbuf, len, &p);
	socklen_t plen = s->lmsg.msg_namelen;
	char host[INET6_ADDRSTRLEN], who[INET6_ADDRSTRLEN + 8];
	char mapped[PATH_MAX], rel[PATH_MAX];
	const char *name, *why;
	enum tftp_error code;
	union addr local;
	unsigned ifindex = 0;
	bool dup;
	struct xfer *x;

	s->st.requests++;
	if (c != TFTP_OK) {
		s->st.bad_packet[c]++;
		if (p.opcode != TFTP_ERROR)
			reply_error(s, s->fd, &s->lpeer, plen, tftp_cause_code(c),
				    tftp_cause_message(c));
		return;
	}
	if (p.opcode != TFTP_RRQ && p.opcode != TFTP_WRQ) {
		/* DATA, ACK or ERROR to port 69: no transfer has that TID. */
		s->st.wrong_tid++;
		if (p.opcode != TFTP_ERROR)
			reply_error(s, s->fd, &s->lpeer, plen, TFTP_EBADID, "unknown transfer ID");
		return;
	}
	p.opcode == TFTP_RRQ ? s->st.rrq++ : s->st.wrq++;
	addr_text(&s->lpeer, who, sizeof who);
	host_text(&s->lpeer, host, sizeof host);
	if (p.opcode == TFTP_WRQ && !cfg->upload_dir) {
		s->st.denied++;
		reply_error(s, s->fd, &s->lpeer, plen, TFTP_EACCESS, "uploads are not allowed");
		return;
	}
	if (transfers_from(s, &s->lpeer, &dup) >= cfg->per_client || dup ||
	    s->nxfers >= cfg->max_transfers || s->stopping) {
		if (dup) { /* the client sent its request again: ours is on its way */
			s->st.dup_requests++;
			return;
		}
		s->st.busy++;
		reply_error(s, s->fd, &s->lpeer, plen, TFTP_EUNDEF, "server busy; try again later");
		return;
	}
	name = p.req.filename;
	if (cfg->remap) {
		switch (remap_apply(cfg->remap, p.opcode == TFTP_WRQ, name, host, mapped, sizeof mapped)) {
		case REMAP_OK:
			name = mapped;
			break;
		case REMAP_DENIED:
			s->st.denied++;
			reply_error(s, s->fd, &s->lpeer, plen, TFTP_EACCESS, "access denied");
			return;
		default:
			s->st.bad_path[PATH_TOO_LONG]++;
			reply_error(s, s->fd, &s->lpeer, plen, TFTP_EACCESS, "filename too long");
			return;
		}
	}
	enum path_cause pc = path_check(&cfg->path, name, strlen(name), rel, sizeof rel);
	if (pc != PATH_OK) {
		s->st.bad_path[pc]++;
		log_warn("%s %.*s from %s: refused: %s", p.opcode == TFTP_RRQ ? "RRQ" : "WRQ",
			 100, p.req.filename, who, path_cause_message(pc));
		reply_error(s, s->fd, &s->lpeer, plen, TFTP_EACCESS, path_cause_message(pc));
		return;
	}
	if (!request_local(s, &local, &ifindex)) {
		log_err("request from %s without its destination address; dropped", who);
		return;
	}
	x = calloc(1, sizeof *x);
	if (!x) {
		reply_error(s, s->fd, &s->lpeer, plen, TFTP_EUNDEF, "out of memory");
		return;
	}
	x->srv = s;
	x->put = p.opcode == TFTP_WRQ;
	x->mode = p.req.mode;
	x->peer = s->lpeer;
	x->peer_len = plen;
	x->up = (struct upload)UPLOAD_NONE;
	snprintf(x->who, sizeof x->who, "%s", who);
	snprintf(x->name, sizeof x->name, "%.*s", (int)sizeof x->name - 1, rel);
	x->fd = transfer_socket(s, &local);
	if (x->fd < 0) {
		log_errno("unable to open a socket for %s", who);
		reply_error(s, s->fd, &s->lpeer, plen, TFTP_EUNDEF, "server out of sockets");
		free(x);
		return;
	}
	x->next = s->xfers;
	if (s->xfers)
		s->xfers->prev = x;
	s->xfers = x;
	s->nxfers++;
	if (!xfer_open(x, &p.req, rel, interface_mtu(x->fd, ifindex), &code, &why)) {
		if (cfg->verbose || code != TFTP_ENOTFOUND)
			log_info("%s %s from %s: %s", x->put ? "WRQ" : "RRQ", x->name, who, why);
		x->clen = tftp_build_error(x->cnext, sizeof x->cnext, code, why);
		send_ctl(x);
		xfer_end(x);
		return;
	}
	xfer_start(x);
}

static void arm_request(struct server *s)
{
	struct io_uring_sqe *sqe = sqe_get(s);

	s->liov = (struct iovec){ s->lbuf, sizeof s->lbuf };
	s->lmsg = (struct msghdr){ .msg_name = &s->lpeer, .msg_namelen = sizeof s->lpeer,
				   .msg_iov = &s->liov, .msg_iovlen = 1,
				   .msg_control = s->lctl, .msg_controllen = sizeof s->lctl };
	io_uring_prep_recvmsg(sqe, s->fd, &s->lmsg, 0);
	io_uring_sqe_set_data64(sqe, tagged(s, TAG_REQUEST));
}

static void arm_signal(struct server *s)
{
	struct io_uring_sqe *sqe = sqe_get(s);

	io_uring_prep_read(sqe, s->sfd, &s->si, sizeof s->si, 0);
	io_uring_sqe_set_data64(sqe, tagged(s, TAG_SIGNAL));
}

/* -- the loop ---------------------------------------------------------- */

static void log_stats(const struct server *s)
{
	const struct stats *st = &s->st;
	uint64_t bad = 0, path = 0;

	for (int i = 0; i < TFTP_CAUSE_COUNT; i++)
		bad += st->bad_packet[i];
	for (int i = 0; i < PATH_CAUSE_COUNT; i++)
		path += st->bad_path[i];
	log_info("stats: %u transfers running, %u files mapped; %llu requests (%llu RRQ, "
		 "%llu WRQ), %llu completed, %llu failed (%llu timed out, %llu ended by the "
		 "client), %llu UEFI size probes", s->nxfers, files_count(),
		 (unsigned long long)st->requests, (unsigned long long)st->rrq,
		 (unsigned long long)st->wrq, (unsigned long long)st->completed,
		 (unsigned long long)st->failed, (unsigned long long)st->timeouts,
		 (unsigned long long)st->client_errors, (unsigned long long)st->uefi_probes);
	log_info("stats: %llu bytes sent, %llu received, %llu blocks retransmitted, "
		 "%llu send errors; %llu not found, %llu denied, %llu busy, %llu duplicate "
		 "requests, %llu wrong TID", (unsigned long long)st->bytes_sent,
		 (unsigned long long)st->bytes_received, (unsigned long long)st->retransmits,
		 (unsigned long long)st->send_errors, (unsigned long long)st->not_found,
		 (unsigned long long)st->denied, (unsigned long long)st->busy,
		 (unsigned long long)st->dup_requests, (unsigned long long)st->wrong_tid);
	log_info("stats: %llu bad packets, %llu bad filenames; receive buffers %u of %u free, "
		 "%llu times all full; %llu waits coalesced; %llu answers polled for, %llu polls "
		 "gave up", (unsigned long long)bad,
		 (unsigned long long)path, s->rb.free, s->rb.count,
		 (unsigned long long)st->recv_starved, (unsigned long long)st->coalesced,
		 (unsigned long long)st->polled, (unsigned long long)st->poll_slept);
	for (int i = 1; i < TFTP_CAUSE_COUNT; i++)
		if (st->bad_packet[i])
			log_info("stats:   %llu %s", (unsigned long long)st->bad_packet[i],
				 tftp_cause_message((enum tftp_cause)i));
	for (int i = 1; i < PATH_CAUSE_COUNT; i++)
		if (st->bad_path[i])
			log_info("stats:   %llu %s", (unsigned long long)st->bad_path[i],
				 path_cause_message((enum path_cause)i));
}

static void reload(struct server *s)
{
	struct remap_rules *r;

	if (!s->cfg->remap_file) {
		log_info("SIGHUP: no remap file to reload");
		return;
	}
	r = remap_load(s->cfg->remap_file); /* logs every bad line */
	if (!r) {
		log_err("SIGHUP: %s not loaded; the running rules stay in force",
			s->cfg->remap_file);
		return;
	}
	remap_free(s->cfg->remap);
	s->cfg->remap = r;
	log_info("SIGHUP: %s reloaded", s->cfg->remap_file);
}

static void on_signal(struct server *s, int res)
{
	if (res == (int)sizeof s->si) {
		for (unsigned i = 0; i < s->cfg->nworkers; i++)
			kill(s->cfg->workers[i], (int)s->si.ssi_signo);
		switch (s->si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("%s: stopping; %u transfer(s) cut short",
				 strsignal((int)s->si.ssi_signo), s->nxfers);
			s->stopping = true;
			for (struct xfer *x = s->xfers; x; x = x->next)
				if (!x->ending)
					xfer_fail(x, TFTP_EUNDEF, "server shutting down", true);
			break;
		case SIGHUP:
			reload(s);
			break;
		case SIGUSR1:
			log_stats(s);
			break;
		}
	}
	arm_signal(s);
}

static void on_send_done(struct xfer *x, int res, size_t len)
{
	if (res < 0) {
		x->srv->st.send_errors++;
		if (!x->ending && res != -ECONNREFUSED && res != -EAGAIN) {
			char why[96];

			snprintf(why, sizeof why, "send failed: %s", strerror(-res));
			xfer_fail(x, TFTP_EUNDEF, why, false);
		}
	}
	(void)len;
}

static void complete(struct server *s, struct io_uring_cqe *cqe)
{
	uint64_t data = io_uring_cqe_get_data64(cqe);
	void *p = (void *)(uintptr_t)(data & ~(uint64_t)TAG_MASK);
	int res = cqe->res;

	switch ((enum tag)(data & TAG_MASK)) {
	case TAG_REQUEST:
		if (res >= 0)
			on_request(s, (size_t)res, s->lmsg.msg_flags & MSG_TRUNC);
		else if (res != -EINTR && res != -EAGAIN)
			log_err("unable to receive a request: %s", strerror(-res));
		arm_request(s);
		break;
	case TAG_RECV: {
		struct xfer *x = p;

		if (x->put)
			on_recv_one(x, res);
		else
			on_recv_ring(x, cqe);
		break;
	}
	case TAG_SEND: {
		struct slot *sl = p;
		struct xfer *x = sl->x;

		s->sends -= counted(x);
		sl->busy = false;
		x->pending--;
		on_send_done(x, res, sl->iov[1].iov_len);
		pump(x); /* a slot is free: the window may go on */
		xfer_idle(x);
		break;
	}
	case TAG_CTL: {
		struct xfer *x = p;

		x->ctl_busy = false;
		x->pending--;
		s->sends -= counted(x);
		on_send_done(x, res, 0);
		if (x->ctl_again) {
			x->ctl_again = false;
			send_ctl(x);
		}
		xfer_idle(x);
		break;
	}
	case TAG_CANCEL: {
		struct xfer *x = p;

		x->pending--;
		xfer_idle(x);
		break;
	}
	case TAG_REPLY:
		((struct reply *)p)->busy = false;
		s->sends--;
		break;
	case TAG_SIGNAL:
		on_signal(s, res);
		break;
	}
}

/* Busy polling (cfg->poll_us): for a few transfers, the answer to what
 * was just sent comes back within tens of microseconds, and sleeping for
 * it costs a wakeup (an interrupt to an idle CPU; on a virtual machine, a
 * trip through the hypervisor) that can be most of a lockstep block's
 * time.  So before sleeping, the loop looks for want completions for up
 * to us microseconds without sleeping: the kernel flags the ring when an
 * answer's work is pending (IORING_SETUP_TASKRUN_FLAG, read with no
 * system call), and only then does io_uring_get_events run it.  True: the
 * completions are there; false: sleep as usual.  A poll that gives up
 * (a client farther away than us, or slow) turns polling off
 * (poll_off) until a sleep ends with a client packet within us again
 * (server_run): a far client costs one poll, not one a block. */
static bool poll_turn(struct server *s, unsigned want, int64_t us)
{
	bool flagged = s->ring.flags & IORING_SETUP_TASKRUN_FLAG;
	int64_t end;

	if (io_uring_submit(&s->ring) < 0)
		return false; /* the wait that follows reports it */
	end = now_us() + us;
	do {
		if (io_uring_cq_ready(&s->ring) >= want) {
			s->st.polled++;
			return true;
		}
		if (!flagged || (IO_URING_READ_ONCE(*s->ring.sq.kflags) & IORING_SQ_TASKRUN))
			io_uring_get_events(&s->ring);
		else
			cpu_relax();
	} while (now_us() < end);
	if (io_uring_cq_ready(&s->ring) >= want) {
		s->st.polled++;
		return true;
	}
	s->st.poll_slept++;
	return false;
}

/* Submit what this turn queued and wait.  A lone UDP packet's send
 * completes as it is submitted, so the wait asks for the completions of
 * those not answered yet (s->sends, counted()) and one more: it returns
 * with the next client packet, not at once with our own sends'
 * completions (lockstep: one io_uring_enter a block, not two).  After a
 * busy turn, one that handled more than one client packet, it coalesces
 * as a NIC does its interrupts: it asks for as many packets as that turn
 * had (the answers to what it sent), or until cfg->coalesce_us has
 * passed, whichever comes first; fewer, bigger turns cost less CPU a
 * block.  A lone client is never held.  Otherwise, while at most
 * POLL_MAX transfers run, it may first poll (poll_turn).  packets: the
 * last turn's; wait_ms: the timer wheel's, or -1. */
static int wait_turn(struct server *s, unsigned packets, int wait_ms)
{
	struct __kernel_timespec ts, *tp = NULL;
	struct io_uring_cqe *cqe;
	unsigned want = s->sends + 1;
	int64_t us = wait_ms < 0 ? -1 : wait_ms * 1000LL, slept = 0;
	int r;

	s->slept_us = -1;
	if (packets > 1 && s->cfg->coalesce_us) {
		want = s->sends + (packets < COALESCE_MAX ? packets : COALESCE_MAX);
		s->st.coalesced++;
		if (us < 0 || us > s->cfg->coalesce_us)
			us = s->cfg->coalesce_us;
	} else if (s->cfg->poll_us && s->nxfers && s->nxfers <= POLL_MAX && us != 0) {
		if (s->poll_off) {
			slept = now_us();
		} else if (poll_turn(s, want, us < 0 || us > s->cfg->poll_us ? s->cfg->poll_us : us)) {
			return 0;
		} else {
			s->poll_off = true;
		}
	}
	if (us >= 0) {
		ts.tv_sec = us / 1000000;
		ts.tv_nsec = (us % 1000000) * 1000;
		tp = &ts;
	}
	r = io_uring_submit_and_wait_timeout(&s->ring, &cqe, want, tp, NULL);
	s->slept_us = slept && r >= 0 ? now_us() - slept : -1;
	return r;
}

/* Ring buffers: one per transfer that may have an ACK waiting in the same
 * loop turn, a power of 2 from 256 to 4096 (576 bytes each). */
static unsigned recv_buffers(const struct config *cfg)
{
	unsigned n = 256;

	while (n < cfg->max_transfers && n < 4096)
		n *= 2;
	return n;
}

int server_run(struct config *cfg, int fd, int family, int sfd)
{
	static struct server srv; /* big (receive buffer, reply slots): not on the stack */
	struct server *s = &srv;
	int r;

	s->cfg = cfg;
	s->fd = fd;
	s->family = family;
	s->sfd = sfd;
	s->now = now_ms();
	wheel_init(&s->wheel, s->now);
	srandom((unsigned)now_ms() ^ (unsigned)getpid());
	/* -Q: the kernel flags the ring when work waits (poll_turn) */
	if ((r = uring_init_flags(&s->ring, s->cfg->ring_entries, s->cfg->ring_entries * 4,
				  cfg->poll_us ? IORING_SETUP_TASKRUN_FLAG : 0)) < 0) {
		errno = -r;
		log_errno("unable to set up io_uring");
		return EXIT_SYSCALL;
	}
	if ((r = bufring_init(&s->rb, &s->ring, BGID, recv_buffers(cfg), RECV_BUF_SIZE)) < 0) {
		errno = -r;
		log_errno("unable to set up %u receive buffers (Linux 5.19 or later)",
			  recv_buffers(cfg));
		return EXIT_SYSCALL;
	}
	s->mmsg.msg_namelen = sizeof(struct sockaddr_in6);
	arm_request(s);
	arm_signal(s);
	while (!(s->stopping && s->nxfers == 0)) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;

		s->now = now_ms();
		wheel_expire(&s->wheel, s->now, on_timer, s);
		refill(s);
		r = wait_turn(s, s->packets, wheel_next(&s->wheel, s->now));
		if (r < 0 && r != -ETIME && r != -EINTR && r != -EBUSY) {
			errno = -r;
			log_errno("unable to wait for io_uring completions");
			return EXIT_SYSCALL;
		}
		s->now = now_ms();
		s->packets = 0;
		io_uring_for_each_cqe(&s->ring, head, cqe) {
			complete(s, cqe);
			n++;
		}
		io_uring_cq_advance(&s->ring, n);
		if (s->slept_us >= 0 && s->packets && s->slept_us < s->cfg->poll_us)
			s->poll_off = false; /* polling would have caught this answer */
	}
	log_stats(s);
	bufring_free(&s->rb, &s->ring, BGID);
	io_uring_queue_exit(&s->ring);
	return 0;
}
