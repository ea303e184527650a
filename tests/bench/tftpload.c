/* SPDX-License-Identifier: MIT */
/* tftpload.c -- many concurrent TFTP reads of one file, for the bench
 * (tests/bench/tftp.py) and to check a server under load.
 *
 * Each of N transfers has its own UDP socket (its own TID) and sends an
 * RRQ with the options asked for; all run at once in one io_uring loop,
 * so the client costs as few system calls as the servers it measures
 * (a multishot recvmsg a socket into a ring of provided buffers, the
 * ACKs of a loop turn sent in the one io_uring_enter that waits).  A
 * transfer follows RFC 1350/2347/7440: it takes the OACK (or a DATA 1
 * without one: no options), acknowledges each window at its end (RFC
 * 7440: windowsize blocks, or the last, short block), on a gap or old
 * blocks acknowledges the last block it has in order (once until it
 * moves on), block numbers rolling over from 65535 to 0, and resends its
 * last packet when nothing comes for the retransmission timeout (-x, or
 * the timeout option asked, or 1 s), at most -R times in a row.  Packets
 * from any port but the server's TID are dropped.
 *
 * A transfer is ok when its last block came and its size is the one
 * expected (-S, or the -k file's) and, with -k, every byte equals that
 * file's; an OACK's tsize must be that size too.  -o writes transfer 0's
 * bytes to a file (to compare with what other clients fetch).
 *
 * Output, one line on stdout, key=value (tests/bench/tftp.py reads it):
 *   ok=N failed=N bytes=N seconds=S mibps=X timeouts=N gaps=N blksize=N
 *   windowsize=N tsize=N
 * (blksize, windowsize, tsize: what the server's first OACK granted; 0 for
 * none) and one line on stderr per failed transfer (the first 10), with
 * why.  Exit 0 when every transfer is ok, 1 otherwise, 100 usage, 111
 * system call failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bufring.h"
#include "uring.h"

#define USAGE                                                                           \
	"usage: tftpload [-n TRANSFERS] [-b BLKSIZE] [-w WINDOWSIZE] [-T] [-t TIMEOUT]\n" \
	"                [-x RETRANSMIT_MS] [-R RETRIES] [-d DEADLINE_S] [-S SIZE]\n"     \
	"                [-k REFERENCE_FILE] [-o OUT] SERVER PORT FILE"
#define PKT_MAX (4 + 65464)
#define REPORT_FAILURES 10
#define BGID 1
#define TAG_SEND (1ull << 63) /* a send's user_data: the transfer's index | TAG_SEND */

enum { RRQ = 1, DATA = 3, ACK = 4, ERROR = 5, OACK = 6 };

struct xfer {
	int fd;
	bool done, failed, have_tid, gap_acked;
	struct sockaddr_storage tid;
	socklen_t tid_len;
	uint64_t next;      /* index of the block wanted next, 1 is the first */
	uint64_t bytes;     /* taken in order */
	unsigned in_window; /* blocks taken since the last ACK */
	unsigned blksize, windowsize;
	uint8_t last[PKT_MAX]; /* what to resend on a timeout */
	size_t last_len;
	struct msghdr msg; /* the send of last */
	struct iovec iov;
	bool queued;       /* a send of last is queued, not yet submitted */
	uint64_t last_rx_ns;
	unsigned tries;
	char why[96];
};

static struct {
	unsigned n, blksize, windowsize, timeout, retries, deadline;
	unsigned rto_ms;
	bool tsize;
	int64_t size; /* expected, or -1 */
	const uint8_t *ref;
	const char *out;
	FILE *out_file;
	const char *file;
	struct sockaddr_storage server;
	socklen_t server_len;
	/* what the first OACK granted */
	unsigned got_blksize, got_windowsize;
	uint64_t got_tsize;
	bool seen_oack;
	uint64_t timeouts, gaps;
} cfg = { .n = 1, .retries = 5, .deadline = 300, .size = -1 };

static struct io_uring ring;
static struct bufring rb;
static struct msghdr rmsg; /* the multishot receives' template: the sender's address */
static struct xfer **queued; /* transfers with a send queued since the last submit */
static unsigned nqueued;

static void die(const char *what)
{
	fprintf(stderr, "tftpload: unable to %s: %s\n", what, strerror(errno));
	exit(111);
}

static void usage(const char *why)
{
	if (why)
		fprintf(stderr, "tftpload: %s\n", why);
	fprintf(stderr, "%s\n", USAGE);
	exit(100);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned number(const char *s, unsigned min, unsigned max, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "tftpload: %s must be %u..%u: %s\n", what, min, max, s);
		usage(NULL);
	}
	return (unsigned)v;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static size_t add_string(uint8_t *p, size_t at, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(p + at, s, n);
	return at + n;
}

static size_t add_option(uint8_t *p, size_t at, const char *name, unsigned v)
{
	char num[24];

	snprintf(num, sizeof num, "%u", v);
	return add_string(p, add_string(p, at, name), num);
}

static size_t build_rrq(uint8_t *p)
{
	size_t n = 2;

	put16(p, RRQ);
	n = add_string(p, n, cfg.file);
	n = add_string(p, n, "octet");
	if (cfg.blksize)
		n = add_option(p, n, "blksize", cfg.blksize);
	if (cfg.timeout)
		n = add_option(p, n, "timeout", cfg.timeout);
	if (cfg.tsize)
		n = add_option(p, n, "tsize", 0);
	if (cfg.windowsize)
		n = add_option(p, n, "windowsize", cfg.windowsize);
	return n;
}

/* Submit what is queued: the sends of last packets go out now (a UDP
 * send is done as it is submitted), so their buffers may change again. */
static void submit(void)
{
	int r = io_uring_submit(&ring);

	if (r < 0) {
		errno = -r;
		die("submit to io_uring");
	}
	while (nqueued)
		queued[--nqueued]->queued = false;
}

/* Queue a send of x->last; it goes out with the loop turn's wait.  A full
 * socket buffer is a lost packet (MSG_DONTWAIT: no retry in the ring):
 * the timeout resends it. */
static void send_last(struct xfer *x, size_t i)
{
	struct io_uring_sqe *sqe;

	x->msg.msg_name = x->have_tid ? (void *)&x->tid : (void *)&cfg.server;
	x->msg.msg_namelen = x->have_tid ? x->tid_len : cfg.server_len;
	x->iov.iov_base = x->last;
	x->iov.iov_len = x->last_len;
	x->msg.msg_iov = &x->iov;
	x->msg.msg_iovlen = 1;
	sqe = uring_sqe(&ring);
	io_uring_prep_sendmsg(sqe, x->fd, &x->msg, MSG_DONTWAIT);
	io_uring_sqe_set_data64(sqe, (uint64_t)i | TAG_SEND);
	if (!x->queued) {
		x->queued = true;
		queued[nqueued++] = x;
	}
}

static void send_ack(struct xfer *x, size_t i, uint64_t index)
{
	if (x->queued)
		submit(); /* the queued send still reads x->last */
	put16(x->last, ACK);
	put16(x->last + 2, (unsigned)(index & 0xffff));
	x->last_len = 4;
	x->in_window = 0;
	send_last(x, i);
}

static void fail(struct xfer *x, const char *fmt, const char *detail)
{
	x->failed = x->done = true;
	snprintf(x->why, sizeof x->why, fmt, detail);
}

/* Read the OACK's options; unknown ones are ignored. */
static bool take_oack(struct xfer *x, const uint8_t *p, size_t len)
{
	size_t at = 2;

	x->blksize = 512; /* what an option left out of the OACK means */
	x->windowsize = 1;
	while (at < len) {
		const char *name = (const char *)p + at, *value;
		const uint8_t *nul = memchr(p + at, 0, len - at);
		if (!nul || (size_t)(nul - p) + 1 >= len)
			return false;
		value = (const char *)nul + 1;
		nul = memchr(value, 0, len - (size_t)((const uint8_t *)value - p));
		if (!nul)
			return false;
		at = (size_t)(nul - p) + 1;
		if (!strcasecmp(name, "blksize"))
			x->blksize = (unsigned)strtoul(value, NULL, 10);
		else if (!strcasecmp(name, "windowsize"))
			x->windowsize = (unsigned)strtoul(value, NULL, 10);
		else if (!strcasecmp(name, "tsize")) {
			uint64_t t = strtoull(value, NULL, 10);
			if (cfg.size >= 0 && t != (uint64_t)cfg.size) {
				fail(x, "OACK tsize %s is not the file's size", value);
				return true;
			}
			cfg.got_tsize = t;
		}
	}
	if (x->blksize < 8 || x->blksize > 65464 || x->windowsize < 1) {
		fail(x, "OACK with bad values%s", "");
		return true;
	}
	if (!cfg.seen_oack) {
		cfg.seen_oack = true;
		cfg.got_blksize = x->blksize;
		cfg.got_windowsize = x->windowsize;
	}
	return true;
}

/* keep: write the block to the -o file (transfer 0). */
static void take_data(struct xfer *x, size_t i, unsigned block, const uint8_t *d, size_t len,
		      bool keep)
{
	if (block != (x->next & 0xffff)) {
		/* a gap (a block lost) or old blocks again (our ACK lost) */
		cfg.gaps++;
		if (!x->gap_acked) {
			send_ack(x, i, x->next - 1);
			x->gap_acked = true;
		}
		return;
	}
	if (len > x->blksize) {
		fail(x, "DATA longer than blksize%s", "");
		return;
	}
	if (cfg.ref && (cfg.size < 0 || x->bytes + len > (uint64_t)cfg.size ||
			memcmp(cfg.ref + x->bytes, d, len))) {
		char at[32];
		snprintf(at, sizeof at, "%" PRIu64, x->bytes);
		fail(x, "bytes differ from the reference file at offset %s", at);
		return;
	}
	if (keep && fwrite(d, 1, len, cfg.out_file) != len)
		die("write the output file");
	x->bytes += len;
	x->next++;
	x->in_window++;
	x->gap_acked = false;
	if (len < x->blksize) {
		send_ack(x, i, x->next - 1);
		x->done = true;
		if (cfg.size >= 0 && x->bytes != (uint64_t)cfg.size) {
			char got[32];
			snprintf(got, sizeof got, "%" PRIu64, x->bytes);
			fail(x, "got %s bytes, not the file's size", got);
		}
	} else if (x->in_window >= x->windowsize) {
		send_ack(x, i, x->next - 1);
	}
}

static void take_packet(struct xfer *x, size_t i, const uint8_t *p, size_t len,
			const struct sockaddr_storage *from, socklen_t from_len)
{
	unsigned op;

	if (!x->have_tid) {
		x->tid = *from;
		x->tid_len = from_len;
		x->have_tid = true;
	} else if (from_len != x->tid_len || memcmp(from, &x->tid, from_len)) {
		return; /* another TID */
	}
	if (len < 4)
		return;
	x->tries = 0;
	x->last_rx_ns = now_ns();
	op = get16(p);
	if (op == ERROR) {
		char msg[64];
		snprintf(msg, sizeof msg, "%u %.*s", get16(p + 2), (int)(len > 4 ? len - 5 : 0),
			 (const char *)p + 4);
		fail(x, "ERROR %s", msg);
		return;
	}
	if (op == OACK) {
		if (x->next == 1 && x->bytes == 0 && take_oack(x, p, len) && !x->done)
			send_ack(x, i, 0);
		return;
	}
	if (op != DATA)
		return;
	if (x->blksize == 0) { /* DATA 1 at once: the server took no option */
		x->blksize = 512;
		x->windowsize = 1;
	}
	take_data(x, i, get16(p + 2), p + 4, len - 4, i == 0 && cfg.out_file);
}

static void open_socket(struct xfer *x)
{
	int buf = 1 << 20;

	x->fd = socket(cfg.server.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (x->fd < 0)
		die("open a UDP socket (raise the open-file limit?)");
	setsockopt(x->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
}

/* Every packet to transfer i's socket, into a buffer of the ring, until
 * the receive ends (no buffer free, an ICMP error): then again. */
static void arm_receive(struct xfer *x, size_t i)
{
	struct io_uring_sqe *sqe = uring_sqe(&ring);

	io_uring_prep_recvmsg_multishot(sqe, x->fd, &rmsg, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	io_uring_sqe_set_data64(sqe, (uint64_t)i);
}

/* One completion: a send's, or a receive's with a packet for transfer i. */
static void complete(struct xfer *xs, const struct io_uring_cqe *cqe)
{
	uint64_t ud = io_uring_cqe_get_data64(cqe);
	size_t i = (size_t)(ud & ~TAG_SEND);
	struct xfer *x = &xs[i];
	int res = cqe->res;

	if (ud & TAG_SEND) {
		if (res < 0 && res != -EAGAIN && res != -ENOBUFS && res != -ECONNREFUSED) {
			errno = -res;
			die("send");
		}
		return;
	}
	if (cqe->flags & IORING_CQE_F_BUFFER) {
		unsigned id = bufring_id(cqe);
		struct io_uring_recvmsg_out *o;

		bufring_took(&rb);
		o = io_uring_recvmsg_validate(bufring_addr(&rb, id), res, &rmsg);
		if (o && !x->done) {
			/* the buffer keeps rmsg.msg_namelen bytes for the name */
			const struct sockaddr_storage *from = io_uring_recvmsg_name(o);
			socklen_t from_len = o->namelen < sizeof *from ? o->namelen : sizeof *from;

			if (o->flags & MSG_TRUNC)
				fail(x, "a packet longer than blksize + 4%s", "");
			else
				take_packet(x, i, io_uring_recvmsg_payload(o, &rmsg),
					    io_uring_recvmsg_payload_length(o, res, &rmsg), from,
					    from_len);
		}
		bufring_put(&rb, id);
	} else if (res < 0 && res != -ENOBUFS && res != -ECONNREFUSED && res != -EINTR) {
		errno = -res;
		die("receive");
	}
	if (!(cqe->flags & IORING_CQE_F_MORE) && !x->done)
		arm_receive(x, i);
}

static void check_timeouts(struct xfer *xs, uint64_t now, uint64_t rto_ns)
{
	for (unsigned i = 0; i < cfg.n; i++) {
		struct xfer *x = &xs[i];
		if (x->done || now - x->last_rx_ns < rto_ns)
			continue;
		if (++x->tries > cfg.retries) {
			char n[16];
			snprintf(n, sizeof n, "%u", cfg.retries);
			fail(x, "no answer after %s retransmissions", n);
			continue;
		}
		cfg.timeouts++;
		x->last_rx_ns = now;
		x->gap_acked = false;
		if (!x->queued)
			send_last(x, i);
	}
}

static void resolve(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai;
	int e = getaddrinfo(host, port, &hints, &ai);

	if (e) {
		fprintf(stderr, "tftpload: %s port %s: %s\n", host, port, gai_strerror(e));
		exit(100);
	}
	memcpy(&cfg.server, ai->ai_addr, ai->ai_addrlen);
	cfg.server_len = ai->ai_addrlen;
	freeaddrinfo(ai);
}

static void map_reference(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		die("open the reference file");
	cfg.size = st.st_size;
	cfg.ref = st.st_size ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : (void *)"";
	if (cfg.ref == MAP_FAILED)
		die("map the reference file");
	close(fd);
}

static void raise_fd_limit(unsigned want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* A receive buffer: the ring's header, the sender's address and the
 * largest packet expected (DATA of the blksize asked, at least 512, or
 * an OACK), and one byte more to tell a longer packet (MSG_TRUNC). */
static size_t receive_size(void)
{
	size_t blk = cfg.blksize > 512 ? cfg.blksize : 512;

	return (sizeof(struct io_uring_recvmsg_out) + sizeof(struct sockaddr_storage) + 4 + blk +
		1 + 63) & ~(size_t)63;
}

/* Enough for every transfer's window (at most 64 a transfer) between two
 * loop turns: a power of 2, 256 to 32768 (fewer for big blocks: at most
 * 256 MiB). */
static unsigned buffers(void)
{
	unsigned window = cfg.windowsize < 2 ? 2 : cfg.windowsize < 64 ? cfg.windowsize : 64;
	uint64_t want = (uint64_t)cfg.n * window;
	unsigned n = 256;

	while (n < want && n < 32768 && (uint64_t)n * 2 * receive_size() <= (256u << 20))
		n *= 2;
	return n;
}

int main(int argc, char **argv)
{
	uint64_t start, rto_ns, checked, total = 0;
	unsigned ok = 0, failed = 0, reported = 0;
	struct xfer *xs;
	int c, r;

	while ((c = getopt(argc, argv, "n:b:w:Tt:x:R:d:S:k:o:h")) != -1) {
		switch (c) {
		case 'n': cfg.n = number(optarg, 1, 100000, "TRANSFERS"); break;
		case 'b': cfg.blksize = number(optarg, 8, 65464, "BLKSIZE"); break;
		case 'w': cfg.windowsize = number(optarg, 1, 65535, "WINDOWSIZE"); break;
		case 'T': cfg.tsize = true; break;
		case 't': cfg.timeout = number(optarg, 1, 255, "TIMEOUT"); break;
		case 'x': cfg.rto_ms = number(optarg, 1, 600000, "RETRANSMIT_MS"); break;
		case 'R': cfg.retries = number(optarg, 0, 1000, "RETRIES"); break;
		case 'd': cfg.deadline = number(optarg, 1, 86400, "DEADLINE_S"); break;
		case 'S': cfg.size = (int64_t)strtoll(optarg, NULL, 10); break;
		case 'k': map_reference(optarg); break;
		case 'o': cfg.out = optarg; break;
		case 'h': fprintf(stdout, "%s\n", USAGE); return 0;
		default: usage(NULL);
		}
	}
	if (argc - optind != 3)
		usage("SERVER PORT FILE expected");
	resolve(argv[optind], argv[optind + 1]);
	cfg.file = argv[optind + 2];
	if (strlen(cfg.file) > 400)
		usage("FILE too long");
	if (cfg.out && !(cfg.out_file = fopen(cfg.out, "wb")))
		die("create the output file");
	rto_ns = (uint64_t)(cfg.rto_ms ? cfg.rto_ms : cfg.timeout ? cfg.timeout * 1000u : 1000u) *
		 1000000u;
	raise_fd_limit(cfg.n + 64);
	xs = calloc(cfg.n, sizeof *xs);
	queued = calloc(cfg.n, sizeof *queued);
	if (!xs || !queued)
		die("allocate the transfers");
	if ((r = uring_init(&ring, 1024, 8192)) < 0 ||
	    (r = bufring_init(&rb, &ring, BGID, buffers(), receive_size())) < 0) {
		errno = -r;
		die("set up io_uring and its receive buffers");
	}
	rmsg.msg_namelen = sizeof(struct sockaddr_storage);
	start = checked = now_ns();
	for (unsigned i = 0; i < cfg.n; i++) {
		struct xfer *x = &xs[i];
		open_socket(x);
		arm_receive(x, i);
		x->next = 1;
		x->last_len = build_rrq(x->last);
		x->last_rx_ns = start;
		send_last(x, i);
	}

	for (unsigned left = cfg.n; left;) {
		struct __kernel_timespec ts = { .tv_nsec = 10000000 }; /* 10 ms */
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;
		uint64_t now;

		bufring_flush(&rb);
		r = io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, NULL);
		if (r < 0 && r != -ETIME && r != -EINTR) {
			errno = -r;
			die("wait for io_uring completions");
		}
		while (nqueued)
			queued[--nqueued]->queued = false;
		io_uring_for_each_cqe(&ring, head, cqe) {
			complete(xs, cqe);
			n++;
		}
		io_uring_cq_advance(&ring, n);
		now = now_ns();
		if (now - start > (uint64_t)cfg.deadline * 1000000000u) {
			for (unsigned i = 0; i < cfg.n; i++)
				if (!xs[i].done)
					fail(&xs[i], "not done by the deadline%s", "");
			break;
		}
		if (now - checked >= 1000000) { /* timeouts: a look a millisecond */
			check_timeouts(xs, now, rto_ns);
			checked = now;
		}
		left = 0;
		for (unsigned i = 0; i < cfg.n; i++)
			left += !xs[i].done;
	}
	submit(); /* the last ACKs */

	double secs = (double)(now_ns() - start) / 1e9;
	for (unsigned i = 0; i < cfg.n; i++) {
		struct xfer *x = &xs[i];
		total += x->bytes;
		if (!x->failed) {
			ok++;
			continue;
		}
		failed++;
		if (reported++ < REPORT_FAILURES)
			fprintf(stderr, "tftpload: transfer %u: %s\n", i, x->why);
	}
	if (cfg.out_file && fclose(cfg.out_file) != 0)
		die("close the output file");
	printf("ok=%u failed=%u bytes=%" PRIu64 " seconds=%.3f mibps=%.2f timeouts=%" PRIu64
	       " gaps=%" PRIu64 " blksize=%u windowsize=%u tsize=%" PRIu64 "\n",
	       ok, failed, total, secs, secs > 0 ? (double)total / 1048576.0 / secs : 0.0,
	       cfg.timeouts, cfg.gaps, cfg.got_blksize, cfg.got_windowsize, cfg.got_tsize);
	return failed ? 1 : 0;
}
