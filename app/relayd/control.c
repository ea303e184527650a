/* SPDX-License-Identifier: MIT */
/* control.c -- see control.h (its other file: controller.h). */
#include "control.h"

#include "controller.h"

#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "daemon.h"
#include "log.h"

/* What relayd keeps of root once relayctl's socket (in root's /run) is
 * bound, for the sockets of rules started, retried or added later:
 * SO_RCVBUFFORCE/SO_SNDBUFFORCE past net.core.[rw]mem_max need
 * CAP_NET_ADMIN, a rule's port below 1024 CAP_NET_BIND_SERVICE.  Joins,
 * IP_MULTICAST_IF and SO_BINDTODEVICE on a fresh socket need none
 * (Linux 5.7 and later), so no CAP_NET_RAW. */
static const int kept_caps[] = { CAP_NET_ADMIN, CAP_NET_BIND_SERVICE };
static uid_t started_uid; /* before the drop */

/* Seconds on the monotonic clock. */
static double now(void)
{
	return (double)clock_ns() / 1e9;
}

/* -- connections --------------------------------------------------------- */

static void conn_recv(struct control *s, struct conn *c)
{
	struct io_uring_sqe *sqe = uring_sqe(&s->ring);

	io_uring_prep_recv(sqe, c->fd, c->req + c->len, sizeof c->req - c->len, 0);
	io_uring_sqe_set_data64(sqe, tagged(c, TAG_RECV));
	c->busy = true;
}

static void conn_send(struct control *s, struct conn *c)
{
	struct io_uring_sqe *sqe = uring_sqe(&s->ring);

	io_uring_prep_send(sqe, c->fd, c->answer.p + c->sent, c->answer.len - c->sent,
			   MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, tagged(c, TAG_SEND));
	c->busy = true;
}

static void conn_free(struct control *s, struct conn *c)
{
	for (struct conn **p = &s->conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	s->nconns--;
	close(c->fd);
	free(c->answer.p);
	free(c);
}

/* Root, or the user who started relayd, only (the socket's mode says so
 * too): not the user it runs as, which other daemons may share. */
static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	       (cred.uid == 0 || cred.uid == started_uid);
}

static void on_accept(struct control *s, struct io_uring_cqe *cqe)
{
	struct conn *c;

	if (!(cqe->flags & IORING_CQE_F_MORE))
		s->accepting = false; /* the tick re-arms it */
	if (cqe->res < 0) {
		if (cqe->res != -ECANCELED)
			log_err("unable to accept a relayctl connection: %s", strerror(-cqe->res));
		return;
	}
	if (s->nconns >= CONNS_MAX || !(c = calloc(1, sizeof *c))) {
		log_warn("relayctl: a connection refused: %s", s->nconns >= CONNS_MAX
			 ? "too many at once" : "out of memory");
		close(cqe->res);
		return;
	}
	c->fd = cqe->res;
	c->started = now();
	c->next = s->conns;
	s->conns = c;
	s->nconns++;
	if (!peer_allowed(c->fd)) {
		log_warn("relayctl: a connection refused: not root");
		text_add(&c->answer, "%s\nonly root may talk to relayd\n", CTL_FAIL);
		conn_send(s, c);
		return;
	}
	conn_recv(s, c);
}

static void on_conn(struct control *s, struct conn *c, enum tag t, int res)
{
	c->busy = false;
	if (c->expired || res < 0 || (t == TAG_SEND && c->answer.failed)) {
		conn_free(s, c);
		return;
	}
	if (t == TAG_RECV) {
		c->len += (size_t)res;
		/* The whole line, or all there will be, or too much. */
		if (res > 0 && !memchr(c->req, '\n', c->len) && c->len < sizeof c->req) {
			conn_recv(s, c);
			return;
		}
		respond(s, c);
	} else {
		c->sent += (size_t)res;
		if (c->sent == c->answer.len) {
			conn_free(s, c);
			return;
		}
	}
	conn_send(s, c);
}

static void arm_accept(struct control *s)
{
	struct io_uring_sqe *sqe;

	if (s->lfd < 0 || s->accepting)
		return;
	sqe = uring_sqe(&s->ring);
	io_uring_prep_multishot_accept(sqe, s->lfd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, TAG_ACCEPT);
	s->accepting = true;
}

/* Mode 0600 from the start (umask); a socket file left by a relayd that
 * died is replaced, one that answers is another relayd's. */
static int ctl_listen(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	mode_t mask;
	int fd;

	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("unable to create relayctl's socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
		die(EXIT_SYSCALL, "another relayd answers on %s", path);
	if (errno == ECONNREFUSED)
		unlink(path);
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("unable to create relayctl's socket");
	mask = umask(077);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
		die_errno("unable to bind relayctl's socket to %s", path);
	umask(mask);
	if (chmod(path, 0600) < 0 || listen(fd, 16) < 0)
		die_errno("unable to listen on %s", path);
	return fd;
}

/* -- signals, the tick --------------------------------------------------- */

static void arm_signal(struct control *s)
{
	struct io_uring_sqe *sqe = uring_sqe(&s->ring);

	io_uring_prep_read(sqe, s->sfd, &s->si, sizeof s->si, 0);
	io_uring_sqe_set_data64(sqe, TAG_SIGNAL);
}

static void arm_tick(struct control *s)
{
	struct io_uring_sqe *sqe = uring_sqe(&s->ring);

	s->tick = (struct __kernel_timespec){ .tv_sec = 1 };
	io_uring_prep_timeout(sqe, &s->tick, 0, 0);
	io_uring_sqe_set_data64(sqe, TAG_TICK);
}

static void log_stats(const struct control *s)
{
	struct text t = { 0 };

	stats_text(s, &t);
	log_lines("stats: ", &t);
	free(t.p);
}

static void on_signal(struct control *s, int res)
{
	if (res == (int)sizeof s->si) {
		switch (s->si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("%s: stopping", strsignal((int)s->si.ssi_signo));
			s->stopping = true;
			return;
		case SIGHUP:
			reload(s, "SIGHUP", NULL);
			break;
		case SIGUSR1:
			log_stats(s);
			break;
		}
	}
	arm_signal(s);
}

static uint64_t rate(uint64_t count, uint64_t *last, double dt)
{
	uint64_t d = count - *last;

	*last = count;
	return (uint64_t)((double)d / dt + 0.5);
}

/* Packets per second of every rule and output over the last second;
 * relayctl conversations past their time shut down. */
static void on_tick(struct control *s)
{
	double t = now(), dt = t - s->sampled;

	s->sampled = t;
	for (struct rule *x = s->rules; x; x = x->next) {
		x->pps = rate(counter_get(&x->packets), &x->last_packets, dt);
		for (unsigned i = 0; i < x->r.nout; i++)
			x->out_pps[i] = rate(counter_get(&x->out[i].packets), &x->out_last[i], dt);
	}
	for (struct conn *c = s->conns; c; c = c->next) {
		if (!c->expired && t - c->started > CTL_TIMEOUT_SECONDS) {
			c->expired = true;
			shutdown(c->fd, SHUT_RDWR); /* its SQE completes, then it goes */
		}
	}
	arm_accept(s);
	arm_tick(s);
}

/* -- the loop ------------------------------------------------------------ */

static void complete(struct control *s, struct io_uring_cqe *cqe)
{
	uint64_t data = io_uring_cqe_get_data64(cqe);
	enum tag t = (enum tag)tag_of(data);

	switch (t) {
	case TAG_SIGNAL:
		on_signal(s, cqe->res);
		break;
	case TAG_TICK:
		on_tick(s);
		break;
	case TAG_ACCEPT:
		on_accept(s, cqe);
		break;
	case TAG_RECV:
	case TAG_SEND:
		on_conn(s, tag_ptr(data), t, cqe->res);
		break;
	}
}

static void stop(struct control *s)
{
	log_stats(s);
	while (s->rules) {
		struct rule *x = s->rules;

		s->rules = x->next;
		rule_remove(s, x);
	}
	for (unsigned i = 0; i < s->nworkers; i++)
		worker_stop(s->workers[i]);
	while (s->conns)
		conn_free(s, s->conns);
	if (s->lfd >= 0) {
		close(s->lfd);
		unlink(s->cfg->socket_path);
	}
	uring_exit(&s->ring);
}

int control_run(const struct relay_config *cfg, const struct relay_rules *rules, int sfd)
{
	static struct control control; /* the spare rules are big: not on the stack */
	struct control *s = &control;
	unsigned kept, added, removed;
	int r;

	s->cfg = cfg;
	s->sfd = sfd;
	s->lfd = -1;
	r = uring_init(&s->ring, 64, 256);
	if (r < 0) {
		errno = -r;
		log_errno("unable to set up io_uring");
		return EXIT_SYSCALL;
	}
	if (cfg->socket_path && cfg->socket_path[0])
		s->lfd = ctl_listen(cfg->socket_path);
	started_uid = geteuid();
	/* Before the workers: threads inherit capabilities, not share them. */
	daemon_drop_privileges_keep(cfg->args.user, NULL, kept_caps,
				    sizeof kept_caps / sizeof kept_caps[0]);
	for (; s->nworkers < cfg->workers; s->nworkers++) {
		if (!(s->workers[s->nworkers] = worker_new(s->nworkers, cfg))) {
			stop(s);
			return EXIT_SYSCALL;
		}
	}
	apply(s, rules, &kept, &added, &removed);
	log_running(s);
	s->sampled = now();
	arm_signal(s);
	arm_tick(s);
	arm_accept(s);
	while (!s->stopping) {
		struct io_uring_cqe *cqe;

		r = io_uring_submit_and_wait(&s->ring, 1);
		if (r < 0 && r != -EINTR && r != -EBUSY && r != -ETIME) {
			errno = -r;
			log_errno("unable to wait for io_uring completions");
			stop(s);
			return EXIT_SYSCALL;
		}
		while (!s->stopping && io_uring_peek_cqe(&s->ring, &cqe) == 0) {
			complete(s, cqe);
			io_uring_cqe_seen(&s->ring, cqe);
		}
	}
	stop(s);
	return 0;
}