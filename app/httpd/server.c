/* SPDX-License-Identifier: MIT */
/* server.c -- the event loop of one worker; see server.h. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"
#include "files.h"
#include "log.h"
#include "memo.h"
#include "uring.h"

struct loop {
	struct server s;
	int listen_fd, signal_fd;
	struct signalfd_siginfo si;
	struct __kernel_timespec tick;
	unsigned accept_later;   /* listeners to arm again: 1 plain, 2 TLS */
	bool stop;
};

/* tls: the TLS listener (op_data's index 1), not the plain one (0). */
static void arm_accept(struct loop *l, bool tls)
{
	struct io_uring_sqe *sqe = uring_sqe(&l->s.ring);

	io_uring_prep_multishot_accept(sqe, tls ? l->s.cfg->tls_fd : l->listen_fd, NULL, NULL,
				       SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, op_data(tls, OP_ACCEPT));
}

static void arm_signal(struct loop *l)
{
	struct io_uring_sqe *sqe = uring_sqe(&l->s.ring);

	io_uring_prep_read(sqe, l->signal_fd, &l->si, sizeof l->si, 0);
	io_uring_sqe_set_data64(sqe, op_data(0, OP_SIGNAL));
}

static void arm_tick(struct loop *l)
{
	struct io_uring_sqe *sqe = uring_sqe(&l->s.ring);

	l->tick = (struct __kernel_timespec){ .tv_sec = 1 };
	io_uring_prep_timeout(sqe, &l->tick, 0, 0);
	io_uring_sqe_set_data64(sqe, op_data(0, OP_TICK));
}

/* Connections from addr already open in this worker. */
static unsigned from_client(const struct server *s, const struct in6_addr *addr)
{
	unsigned n = 0;

	for (unsigned i = 0; i < s->cfg->max_conns; i++)
		n += s->conns[i] && !memcmp(&s->conns[i]->addr, addr, sizeof *addr);
	return n;
}

/* The client's address as IPv6 (IPv4 mapped) and as text for the log. */
static void peer_of(int fd, struct in6_addr *addr, char *who, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char text[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	memset(addr, 0, sizeof *addr);
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET) {
			const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;

			addr->s6_addr[10] = addr->s6_addr[11] = 0xff;
			memcpy(&addr->s6_addr[12], &in->sin_addr, 4);
			port = ntohs(in->sin_port);
		} else {
			const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;

			*addr = in6->sin6_addr;
			port = ntohs(in6->sin6_port);
		}
	}
	if (IN6_IS_ADDR_V4MAPPED(addr))
		inet_ntop(AF_INET, &addr->s6_addr[12], text, sizeof text);
	else
		inet_ntop(AF_INET6, addr, text, sizeof text);
	snprintf(who, size, "%s:%u", text, port);
}

/* Refuse fd at once with 503, without waiting for the client (a TLS
 * client would take the 503 for garbage: closed only). */
static void refuse_now(int fd, bool tls)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
				   "Content-Length: 0\r\n\r\n";

	if (!tls)
		(void)!send(fd, busy, sizeof busy - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

static void accepted(struct loop *l, int fd, bool tls)
{
	struct server *s = &l->s;
	const int on = 1;
	struct conn *c;
	struct in6_addr addr;
	char who[sizeof c->who];

	peer_of(fd, &addr, who, sizeof who);
	if (!s->nfree) {
		s->n->refused_full++;
		refuse_now(fd, tls);
		return;
	}
	if (from_client(s, &addr) >= s->cfg->per_client) {
		s->n->refused_client++;
		refuse_now(fd, tls);
		return;
	}
	c = calloc(1, sizeof *c);
	if (!c || !(c->buf = malloc(s->cfg->lim.max_head)) ||
	    (tls && !(c->tls = tls_conn_new(s->cfg->tls, fd)))) {
		log_errno("unable to take a connection from %s", who);
		if (c)
			free(c->buf);
		free(c);
		refuse_now(fd, tls);
		return;
	}
	s->n->accepted++;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	c->fd = fd;
	c->file_fd = c->warm_fd = -1;
	c->addr = addr;
	memcpy(c->who, who, sizeof who);
	c->idx = s->free_slots[--s->nfree];
	s->conns[c->idx] = c;
	s->nconns++;
	c->deadline_ms = s->now_ms + (int64_t)s->cfg->header_s * 1000;
	conn_process(s, c);
}

/* Close every connection whose deadline has passed. */
static void sweep(struct server *s)
{
	for (unsigned i = 0; i < s->cfg->max_conns; i++) {
		struct conn *c = s->conns[i];

		if (!c || c->closing || c->deadline_ms > s->now_ms)
			continue;
		if (c->tls && tls_handshaking(c->tls))
			tls_timed_out(s->cfg->tls, c);
		else if (c->state == CONN_SEND)
			s->n->send_timeouts++;
		else if (c->state == CONN_READ && c->fill)
			s->n->header_timeouts++;
		else if (c->state == CONN_READ)
			s->n->idle_closes++;
		conn_close(s, c, c->state == CONN_SEND);
	}
}

static void log_counters(const struct server *s)
{
	const struct counters *n = s->n;

	log_info("counters: %u open, %" PRIu64 " accepted, %" PRIu64 " refused (full), %" PRIu64
		 " refused (per client), %" PRIu64 " requests, %" PRIu64 " 2xx, %" PRIu64
		 " 3xx, %" PRIu64 " 4xx, %" PRIu64 " 5xx, %" PRIu64 " malformed, %" PRIu64
		 " header timeouts, %" PRIu64 " idle closes, %" PRIu64 " send timeouts, %" PRIu64
		 " cut short, %" PRIu64 " bytes, %" PRIu64 " reads ahead",
		 s->nconns, n->accepted, n->refused_full, n->refused_client, n->requests,
		 n->responses[2], n->responses[3], n->responses[4], n->responses[5], n->malformed,
		 n->header_timeouts, n->idle_closes, n->send_timeouts, n->resets, n->bytes,
		 n->reads_ahead);
	if (s->cfg->tls)
		tls_log_counters(s->cfg->tls);
}

/* SIGHUP: the root opened again (a tree replaced or remounted). */
static void reopen_root(struct config *cfg)
{
	int fd = open(cfg->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		log_errno("SIGHUP: unable to open %s again; still serving the old one", cfg->root);
		return;
	}
	close(cfg->root_fd);
	cfg->root_fd = fd;
	log_info("SIGHUP: %s opened again", cfg->root);
}

static void on_signal(struct loop *l, int res)
{
	struct config *cfg = l->s.cfg;

	if (res == (int)sizeof l->si) {
		for (unsigned i = 0; i < cfg->nworkers; i++)
			kill(cfg->workers[i], (int)l->si.ssi_signo);
		switch (l->si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			l->stop = true;
			return;
		case SIGHUP:
			reopen_root(cfg);
			memo_clear(l->s.memo); /* its paths named files of the old root */
			break;
		case SIGUSR1:
			log_counters(&l->s);
			break;
		}
	}
	arm_signal(l);
}

/* A multishot accept that ended on an error (EMFILE, ENOBUFS) is armed
 * again at the next tick, not at once: the error would come straight
 * back, and the loop would spin. */
static void on_accept(struct loop *l, const struct io_uring_cqe *cqe)
{
	bool tls = io_uring_cqe_get_data64(cqe) >> OP_BITS;

	if (cqe->res >= 0)
		accepted(l, cqe->res, tls);
	else if (cqe->res != -EAGAIN && cqe->res != -ECONNABORTED && cqe->res != -EINTR)
		log_info("accept failed: %s", strerror(-cqe->res));
	if (cqe->flags & IORING_CQE_F_MORE)
		return;
	if (cqe->res >= 0)
		arm_accept(l, tls);
	else
		l->accept_later |= 1u << tls;
}

static void on_tick(struct loop *l)
{
	sweep(&l->s);
	for (unsigned tls = 0; tls < 2; tls++)
		if (l->accept_later & 1u << tls)
			arm_accept(l, tls);
	l->accept_later = 0;
	arm_tick(l);
}

static void dispatch(struct loop *l, const struct io_uring_cqe *cqe)
{
	uint64_t data = io_uring_cqe_get_data64(cqe);
	struct conn *c = l->s.conns[data >> OP_BITS];

	switch ((enum op)(data & ((1u << OP_BITS) - 1))) {
	case OP_ACCEPT: on_accept(l, cqe); break;
	case OP_SIGNAL: on_signal(l, cqe->res); break;
	case OP_TICK: on_tick(l); break;
	case OP_RECV: conn_received(&l->s, c, cqe->res); break;
	case OP_SEND: conn_sent(&l->s, c, cqe->res); break;
	case OP_WARM: conn_warmed(&l->s, c); break;
	case OP_CANCEL:
	case OP_ADVISE: break; /* only a failed one completes (conn.c, warm) */
	}
}

static bool setup(struct loop *l, struct config *cfg)
{
	struct server *s = &l->s;
	/* a CQE a connection, and the accept, signal and tick ones, never
	 * fewer than the SQ has entries (io_uring_setup refuses that) */
	unsigned cq = cfg->max_conns * 2 + 64;
	int r;

	if (cq < cfg->ring_entries * 2)
		cq = cfg->ring_entries * 2;

	s->cfg = cfg;
	s->n = cfg->n;
	s->conns = calloc(cfg->max_conns, sizeof *s->conns);
	s->free_slots = calloc(cfg->max_conns, sizeof *s->free_slots);
	s->memo = calloc(1, sizeof *s->memo);
	if (!s->conns || !s->free_slots || !s->memo) {
		log_errno("unable to allocate %u connection slots", cfg->max_conns);
		free(s->conns);
		free(s->free_slots);
		free(s->memo);
		return false;
	}
	for (unsigned i = 0; i < cfg->max_conns; i++)
		s->free_slots[s->nfree++] = cfg->max_conns - 1 - i;
	r = uring_init(&s->ring, cfg->ring_entries, cq < 65536 ? cq : 65536);
	if (r < 0) {
		log_err("unable to set up an io_uring: %s", strerror(-r));
		free(s->conns);
		free(s->free_slots);
		free(s->memo);
		return false;
	}
	return true;
}

/* Close every connection, and wait (a second at most) for the operations
 * in flight to end so that each is freed. */
static void stop(struct loop *l)
{
	struct server *s = &l->s;
	struct __kernel_timespec wait = { .tv_nsec = 100000000 };
	struct io_uring_cqe *cqe;
	unsigned head, seen;

	for (unsigned i = 0; i < s->cfg->max_conns; i++)
		if (s->conns[i])
			conn_close(s, s->conns[i], false);
	for (int turns = 0; s->nconns && turns < 10; turns++) {
		io_uring_submit_and_wait_timeout(&s->ring, &cqe, 1, &wait, NULL);
		seen = 0;
		io_uring_for_each_cqe(&s->ring, head, cqe) {
			uint64_t data = io_uring_cqe_get_data64(cqe);
			struct conn *c = s->conns[data >> OP_BITS];
			enum op op = (enum op)(data & ((1u << OP_BITS) - 1));

			if (op == OP_RECV)
				conn_received(s, c, cqe->res);
			else if (op == OP_SEND)
				conn_sent(s, c, cqe->res);
			else if (op == OP_WARM)
				conn_warmed(s, c);
			seen++;
		}
		io_uring_cq_advance(&s->ring, seen);
	}
	uring_exit(&s->ring);
	files_keep_idle(0);
	free(s->conns);
	free(s->free_slots);
	free(s->memo);
}

int server_run(struct config *cfg, int listen_fd, int signal_fd)
{
	struct loop l = { .listen_fd = listen_fd, .signal_fd = signal_fd };
	struct io_uring_cqe *cqe;
	unsigned head, seen;

	if (!setup(&l, cfg) || (cfg->tls && !tls_worker_init(cfg->tls)))
		return EXIT_SYSCALL;
	files_keep_idle(cfg->keep_mapped);
	l.s.now_ms = clock_ms();
	arm_accept(&l, false);
	if (cfg->tls)
		arm_accept(&l, true);
	arm_signal(&l);
	arm_tick(&l);
	while (!l.stop) {
		int r = io_uring_submit_and_wait(&l.s.ring, 1);

		if (r < 0 && r != -EINTR && r != -ETIME) {
			log_err("unable to wait for the ring: %s", strerror(-r));
			return EXIT_SYSCALL;
		}
		l.s.now_ms = clock_ms();
		seen = 0;
		log_hold(); /* a turn's log lines in one write (log.h) */
		io_uring_for_each_cqe(&l.s.ring, head, cqe) {
			dispatch(&l, cqe);
			seen++;
		}
		io_uring_cq_advance(&l.s.ring, seen);
		log_flush();
	}
	log_counters(&l.s);
	stop(&l);
	return 0;
}
