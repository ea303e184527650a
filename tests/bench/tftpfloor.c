/* SPDX-License-Identifier: MIT */
/* tftpfloor.c -- the least a lockstep TFTP server can do, as a yardstick
 * for tests/bench/tftp.py: how fast clients can read a file over this
 * machine's network path, and at what CPU a block, from a server that
 * does nothing but the protocol's sends and receives.
 *
 * tftpfloor ADDRESS PORT FILE -- scenario 1 (one client): one transfer at
 * a time, a server that sleeps for each answer (a server that polls for
 * it, as tftpd -Q does, skips the wakeup and goes faster).
 *
 * tftpfloor -m ADDRESS PORT FILE... -- scenario 2 (many lockstep clients):
 * every transfer at once, each on a socket (a TID) of its own, in one
 * io_uring loop: one multishot recvmsg a socket into a ring of provided
 * buffers, and each turn one io_uring_enter that submits the turn's sends
 * (MSG_DONTWAIT, posting no completion unless they fail) and sleeps for
 * the next packet.  No timers, no counters, no checks: what the kernel
 * costs a block, and the least an event loop adds to it.  It serves the
 * FILE whose last component is the name asked, else the first.
 *
 * Without -m: for each RRQ on ADDRESS:PORT it serves FILE
 * (whatever name was asked; read into memory once) from a socket connected
 * to the client: an OACK echoing blksize, tsize and timeout when asked
 * (no windowsize: lockstep), then each block as one send() and its ACK as
 * one blocking recv() -- no event loop, no timers beyond poll()'s timeout
 * (resend after 1 s, at most 5 times), no counters, no checks beyond the
 * protocol's.  It is not a server to run: no path checks, no limits, no
 * concurrency.  Runs until killed; exit 100 usage, 111 system call
 * failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bufring.h"
#include "uring.h"

enum { RRQ = 1, DATA = 3, ACK = 4, ERROR = 5, OACK = 6 };
#define PKT_MAX (4 + 65464)

static void die(const char *what)
{
	perror(what);
	exit(111);
}

/* Options of an RRQ (after filename and mode): blksize, tsize, timeout
 * asked for; the OACK to send in oack (its length returned, 0: none). */
static size_t options(const char *p, const char *end, size_t size, unsigned *blksize,
		      char *oack)
{
	size_t n = 2;
	int fields = 0;

	oack[0] = 0;
	oack[1] = OACK;
	while (p < end) {
		const char *name = p, *value = name + strnlen(name, (size_t)(end - name)) + 1;

		if (value >= end)
			break;
		p = value + strnlen(value, (size_t)(end - value)) + 1;
		if (!strcasecmp(name, "blksize")) {
			unsigned b = (unsigned)atoi(value);

			*blksize = b < 8 ? 8 : b > 65464 ? 65464 : b;
			n += (size_t)sprintf(oack + n, "blksize%c%u", 0, *blksize) + 1;
		} else if (!strcasecmp(name, "tsize")) {
			n += (size_t)sprintf(oack + n, "tsize%c%zu", 0, size) + 1;
		} else if (!strcasecmp(name, "timeout")) {
			n += (size_t)sprintf(oack + n, "timeout%c%s", 0, value) + 1;
		} else {
			continue;
		}
		fields++;
	}
	return fields ? n : 0;
}

/* Send pkt (len bytes) until an ACK of block comes: 0, or -1 (gave up). */
static int lockstep(int fd, const uint8_t *pkt, size_t len, uint16_t block)
{
	uint8_t in[PKT_MAX];

	for (int tries = 0; tries < 6; tries++) {
		if (send(fd, pkt, len, 0) < 0 && errno != ECONNREFUSED)
			die("send");
		for (;;) {
			struct pollfd p = { fd, POLLIN, 0 };
			ssize_t r;

			if (poll(&p, 1, 1000) == 0)
				break; /* resend */
			r = recv(fd, in, sizeof in, 0);
			if (r < 0) {
				if (errno == ECONNREFUSED)
					return -1;
				die("recv");
			}
			if (r >= 4 && in[1] == ERROR)
				return -1;
			if (r >= 4 && in[1] == ACK && (uint16_t)(in[2] << 8 | in[3]) == block)
				return 0;
		}
	}
	return -1;
}

static void serve(const struct sockaddr_in *local, const struct sockaddr_in *peer,
		  const uint8_t *req, size_t len, const uint8_t *file, size_t size)
{
	static uint8_t pkt[PKT_MAX];
	const char *end = (const char *)req + len, *name = (const char *)req + 2;
	const char *mode = name + strnlen(name, (size_t)(end - name)) + 1;
	struct sockaddr_in me = *local;
	unsigned blksize = 512;
	char oack[512];
	size_t olen;
	int fd;

	if (mode >= end)
		return;
	olen = options(mode + strnlen(mode, (size_t)(end - mode)) + 1, end, size, &blksize, oack);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	me.sin_port = 0;
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof me) < 0 ||
	    connect(fd, (const struct sockaddr *)peer, sizeof *peer) < 0)
		die("transfer socket");
	if (olen && lockstep(fd, (uint8_t *)oack, olen, 0) < 0)
		goto out;
	for (uint64_t i = 1;; i++) {
		uint64_t off = (i - 1) * blksize;
		size_t n = off >= size ? 0 : size - off < blksize ? size - off : blksize;

		pkt[0] = 0;
		pkt[1] = DATA;
		pkt[2] = (uint8_t)(i >> 8);
		pkt[3] = (uint8_t)i;
		memcpy(pkt + 4, file + off, n);
		if (lockstep(fd, pkt, 4 + n, (uint16_t)i) < 0 || n < blksize)
			break;
	}
out:
	close(fd);
}

/* -- -m: every transfer at once, one io_uring loop --------------------- */

#define BGID 1
#define RECV_SIZE 1024 /* recvmsg_out, the name and an RRQ or ACK */
enum { T_LISTEN = 1, T_RECV, T_SEND };

struct many {
	int fd;
	struct sockaddr_in peer;
	uint64_t block;   /* the block sent and not yet acknowledged; 0: the OACK */
	unsigned blksize;
	bool last;        /* block is the file's last */
	bool done;        /* receive being cancelled: freed when it ends */
	const uint8_t *file;
	size_t size;
	uint8_t hdr[4];
	uint8_t oack[512];
	size_t olen;
	struct iovec iov[2];
	struct msghdr msg;
} __attribute__((aligned(8)));

static struct io_uring ring;
static struct bufring rb;
static struct msghdr rtmpl; /* the multishot receives' layout: a name, no cmsg */
static struct served {
	const char *name; /* last component */
	const uint8_t *data;
	size_t size;
} *served;
static int nserved;

static void many_arm(int fd, void *obj, unsigned tag)
{
	struct io_uring_sqe *sqe = uring_sqe(&ring);

	io_uring_prep_recvmsg_multishot(sqe, fd, &rtmpl, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	io_uring_sqe_set_data64(sqe, tagged(obj, tag));
}

/* Send block x->block (or the OACK): done as it is submitted, with the
 * turn's io_uring_enter; a completion only if it fails (ignored: the
 * client's resend brings it again). */
static void many_send(struct many *x)
{
	struct io_uring_sqe *sqe = uring_sqe(&ring);

	if (x->block == 0) {
		x->iov[0] = (struct iovec){ x->oack, x->olen };
		x->msg.msg_iovlen = 1;
	} else {
		uint64_t off = (x->block - 1) * x->blksize;
		size_t n = off >= x->size ? 0 : x->size - off < x->blksize ? x->size - off : x->blksize;

		x->hdr[0] = 0;
		x->hdr[1] = DATA;
		x->hdr[2] = (uint8_t)(x->block >> 8);
		x->hdr[3] = (uint8_t)x->block;
		x->iov[0] = (struct iovec){ x->hdr, 4 };
		x->iov[1] = (struct iovec){ (void *)(x->file + off), n };
		x->msg.msg_iovlen = 2;
		x->last = n < x->blksize;
	}
	x->msg.msg_name = &x->peer;
	x->msg.msg_namelen = sizeof x->peer;
	x->msg.msg_iov = x->iov;
	io_uring_prep_sendmsg(sqe, x->fd, &x->msg, MSG_DONTWAIT);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	io_uring_sqe_set_data64(sqe, tagged(x, T_SEND));
}

static void many_end(struct many *x)
{
	struct io_uring_sqe *sqe = uring_sqe(&ring);

	x->done = true;
	io_uring_prep_cancel64(sqe, tagged(x, T_RECV), 0);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	io_uring_sqe_set_data64(sqe, tagged(x, T_SEND));
}

static void many_request(const struct sockaddr_in *local, const struct sockaddr_in *peer,
			 const uint8_t *req, size_t len)
{
	const char *end = (const char *)req + len, *name = (const char *)req + 2;
	const char *mode = name + strnlen(name, (size_t)(end - name)) + 1;
	struct sockaddr_in me = *local;
	struct many *x;

	if (len < 4 || req[1] != RRQ || mode >= end || !(x = calloc(1, sizeof *x)))
		return;
	x->file = served[0].data;
	x->size = served[0].size;
	for (int i = 0; i < nserved; i++)
		if (!strcmp(served[i].name, name)) {
			x->file = served[i].data;
			x->size = served[i].size;
		}
	x->blksize = 512;
	x->olen = options(mode + strnlen(mode, (size_t)(end - mode)) + 1, end, x->size,
			  &x->blksize, (char *)x->oack);
	x->peer = *peer;
	x->block = x->olen ? 0 : 1;
	x->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	me.sin_port = 0;
	if (x->fd < 0 || bind(x->fd, (struct sockaddr *)&me, sizeof me) < 0)
		die("transfer socket");
	many_arm(x->fd, x, T_RECV);
	many_send(x);
}

static void many_packet(struct many *x, const uint8_t *p, size_t len)
{
	if (x->done || len < 4)
		return;
	if (p[1] == ERROR) {
		many_end(x);
		return;
	}
	if (p[1] != ACK)
		return;
	uint16_t n = (uint16_t)(p[2] << 8 | p[3]);

	if (n == (uint16_t)x->block) {
		if (x->block && x->last) {
			many_end(x);
			return;
		}
		x->block++;
		many_send(x);
	} else if (n == (uint16_t)(x->block - 1)) {
		many_send(x); /* our block was lost: again */
	}
}

static void many_complete(int lfd, const struct sockaddr_in *local, struct io_uring_cqe *cqe)
{
	uint64_t data = io_uring_cqe_get_data64(cqe);
	struct many *x = tag_ptr(data);

	if (tag_of(data) == T_SEND)
		return; /* a send or cancel that failed */
	if (cqe->flags & IORING_CQE_F_BUFFER) {
		unsigned id = bufring_id(cqe);
		struct io_uring_recvmsg_out *o;

		bufring_took(&rb);
		o = io_uring_recvmsg_validate(bufring_addr(&rb, id), cqe->res, &rtmpl);
		if (o && o->namelen == sizeof(struct sockaddr_in)) {
			const uint8_t *p = io_uring_recvmsg_payload(o, &rtmpl);
			size_t n = io_uring_recvmsg_payload_length(o, cqe->res, &rtmpl);
			struct sockaddr_in from;

			memcpy(&from, io_uring_recvmsg_name(o), sizeof from);
			if (tag_of(data) == T_LISTEN)
				many_request(local, &from, p, n);
			else if (from.sin_port == x->peer.sin_port)
				many_packet(x, p, n);
		}
		bufring_put(&rb, id);
	}
	if (cqe->flags & IORING_CQE_F_MORE)
		return;
	if (tag_of(data) == T_LISTEN) {
		many_arm(lfd, NULL, T_LISTEN);
	} else if (x->done) { /* cancelled: the transfer is over */
		close(x->fd);
		free(x);
	} else {
		many_arm(x->fd, x, T_RECV); /* out of buffers: again */
	}
}

static _Noreturn void serve_many(int lfd, const struct sockaddr_in *local)
{
	int r, rcvbuf = 4 << 20;

	/* a thousand RRQs at once, as tftpd's listening socket takes them */
	setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	rtmpl.msg_namelen = sizeof(struct sockaddr_in);
	if ((r = uring_init(&ring, 4096, 16384)) < 0 ||
	    (r = bufring_init(&rb, &ring, BGID, 4096, RECV_SIZE)) < 0) {
		errno = -r;
		die("io_uring");
	}
	many_arm(lfd, NULL, T_LISTEN);
	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;

		bufring_flush(&rb);
		r = io_uring_submit_and_wait(&ring, 1);
		if (r < 0 && r != -EINTR) {
			errno = -r;
			die("io_uring_submit_and_wait");
		}
		io_uring_for_each_cqe(&ring, head, cqe) {
			many_complete(lfd, local, cqe);
			n++;
		}
		io_uring_cq_advance(&ring, n);
	}
}

/* FILE, read into memory once. */
static uint8_t *load(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *data;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		die(path);
	data = malloc((size_t)st.st_size + 1);
	if (!data || read(fd, data, (size_t)st.st_size) != st.st_size)
		die("reading the file");
	close(fd);
	*size = (size_t)st.st_size;
	return data;
}

int main(int argc, char **argv)
{
	static uint8_t req[PKT_MAX];
	struct sockaddr_in local = { .sin_family = AF_INET };
	uint8_t *file;
	size_t size;
	int s;
	bool many = argc > 1 && !strcmp(argv[1], "-m");

	argc -= many;
	argv += many;
	if (argc < 4 || (argc > 4 && !many) || inet_pton(AF_INET, argv[1], &local.sin_addr) != 1) {
		fputs("usage: tftpfloor ADDRESS PORT FILE\n"
		      "       tftpfloor -m ADDRESS PORT FILE...\n", stderr);
		return 100;
	}
	local.sin_port = htons((uint16_t)atoi(argv[2]));
	file = load(argv[3], &size);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&local, sizeof local) < 0)
		die("bind");
	if (many) {
		nserved = argc - 3;
		if (!(served = calloc((size_t)nserved, sizeof *served)))
			die("calloc");
		for (int i = 0; i < nserved; i++) {
			const char *slash = strrchr(argv[3 + i], '/');

			served[i].name = slash ? slash + 1 : argv[3 + i];
			served[i].data = i ? load(argv[3 + i], &served[i].size) : file;
			if (!i)
				served[i].size = size;
		}
		serve_many(s, &local);
	}
	for (;;) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof peer;
		ssize_t r = recvfrom(s, req, sizeof req - 1, 0, (struct sockaddr *)&peer, &plen);

		if (r < 0)
			die("recvfrom");
		req[r] = 0;
		if (r >= 4 && req[1] == RRQ)
			serve(&local, &peer, req, (size_t)r, file, size);
	}
}
