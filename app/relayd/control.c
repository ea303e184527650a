/* control.c -- see control.h. */
#include "control.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_request.h"
#include "log.h"
#include "uring.h"

#define WORKERS_MAX 64
#define CONNS_MAX 8   /* relayctl conversations at once; more wait in listen() */

/* What a completion is about: the low 3 bits of its user_data, the rest
 * a pointer (8-byte aligned) for a connection's. */
enum tag {
	TAG_SIGNAL = 1, /* read on the signalfd */
	TAG_TICK,       /* the 1 s timeout: rates, stale connections */
	TAG_ACCEPT,     /* multishot accept on relayctl's socket */
	TAG_RECV,       /* a connection's request: a struct conn */
	TAG_SEND,       /* a connection's answer: a struct conn */
};
#define TAG_MASK 7u

/* Text that grows: an answer, the counters. */
struct text {
	char *p;
	size_t len, cap;
	bool failed;          /* out of memory: the text is cut */
};

/* A relayctl conversation: one request read, one answer sent, at most
 * one SQE in the kernel at a time. */
struct conn {
	int fd;
	bool busy;            /* its recv or send is in the kernel */
	bool expired;         /* too slow: shut down, freed when idle */
	double started;
	size_t len, sent;
	char req[CTL_REQUEST_MAX + 1];
	struct text answer;
	struct conn *next;
} __attribute__((aligned(8)));

struct control {
	const struct relay_config *cfg;
	struct worker *workers[WORKERS_MAX];
	unsigned load[WORKERS_MAX]; /* rules of each worker */
	unsigned nworkers;
	struct rule *rules;   /* in force: the file's in its order, then relayctl's */
	unsigned next_id;
	struct io_uring ring;
	int sfd;
	struct signalfd_siginfo si;
	int lfd;              /* relayctl's socket; -1: none */
	bool accepting;       /* its multishot accept is in the kernel */
	struct conn *conns;
	unsigned nconns;
	struct __kernel_timespec tick;
	double sampled;       /* when the rates were last computed */
	bool stopping;
	struct relay_rules spare; /* a reload is read into it */
	char errors[4096];    /* a reload's bad lines */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t tagged(void *p, enum tag t)
{
	return (uint64_t)(uintptr_t)p | t;
}

/* -- text ---------------------------------------------------------------- */

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(struct text *t, const char *fmt, ...)
{
	while (!t->failed) {
		size_t room = t->cap - t->len, cap;
		va_list ap;
		char *p;
		int n;

		va_start(ap, fmt);
		n = vsnprintf(t->p ? t->p + t->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < room) {
			t->len += (size_t)n;
			return;
		}
		for (cap = t->cap ? t->cap * 2 : 1024; n >= 0 && cap - t->len <= (size_t)n; cap *= 2)
			;
		if (n < 0 || !(p = realloc(t->p, cap))) {
			t->failed = true;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
}

/* Each line of t logged with prefix. */
static void log_lines(const char *prefix, const struct text *t)
{
	for (size_t i = 0; i < t->len;) {
		const char *nl = memchr(t->p + i, '\n', t->len - i);
		size_t n = nl ? (size_t)(nl - (t->p + i)) : t->len - i;

		log_info("%s%.*s", prefix, (int)n, t->p + i);
		i += n + 1;
	}
}

/* -- rules and workers --------------------------------------------------- */

static const char *state(const struct rule *x)
{
	int err = atomic_load_explicit(&x->error, memory_order_relaxed);

	return err == 0 ? "running" : err == EINPROGRESS ? "starting" : "waiting";
}

static struct rule *rule_new(struct control *s, const struct relay_rule *r, unsigned line)
{
	struct rule *x = calloc(1, sizeof *x);

	if (!x) {
		log_errno("unable to allocate a rule");
		return NULL;
	}
	x->r = *r;
	x->id = ++s->next_id;
	atomic_init(&x->line, line);
	relay_input_text(r, x->name);
	return x;
}

/* To the worker with the fewest rules. */
static void rule_start(struct control *s, struct rule *x)
{
	unsigned best = 0;

	for (unsigned i = 1; i < s->nworkers; i++)
		if (s->load[i] < s->load[best])
			best = i;
	s->load[best]++;
	worker_start_rule(s->workers[best], x);
}

/* Out of s->rules already; never touched again here. */
static void rule_remove(struct control *s, struct rule *x)
{
	s->load[x->worker]--;
	worker_remove_rule(s->workers[x->worker], x);
}

static void sync_workers(struct control *s)
{
	for (unsigned i = 0; i < s->nworkers; i++)
		worker_sync(s->workers[i]);
}

static unsigned count_rules(const struct control *s, unsigned *running)
{
	unsigned n = 0;

	*running = 0;
	for (const struct rule *x = s->rules; x; x = x->next, n++)
		*running += atomic_load_explicit(&x->error, memory_order_relaxed) == 0;
	return n;
}

static void log_running(const struct control *s)
{
	unsigned up, n = count_rules(s, &up);

	log_info("%u of %u rules running", up, n);
}

/* The rules in force become rs: unchanged ones stay as they are, the
 * others go, new ones start.  Counts what it did. */
static void apply(struct control *s, const struct relay_rules *rs, unsigned *kept,
		  unsigned *added, unsigned *removed)
{
	struct rule *old = s->rules, *head = NULL, **tail = &head;

	*kept = *added = *removed = 0;
	for (size_t i = 0; i < rs->n; i++) {
		struct rule **p = &old, *x;

		while (*p && !relay_rule_equal(&(*p)->r, &rs->rule[i]))
			p = &(*p)->next;
		if (*p) {
			x = *p;
			*p = x->next;
			atomic_store_explicit(&x->line, rs->line[i], memory_order_relaxed);
			++*kept;
		} else if ((x = rule_new(s, &rs->rule[i], rs->line[i]))) {
			rule_start(s, x);
			++*added;
		} else {
			continue;
		}
		x->next = NULL;
		*tail = x;
		tail = &x->next;
	}
	while (old) {
		struct rule *x = old;

		old = x->next;
		rule_remove(s, x);
		++*removed;
	}
	s->rules = head;
	sync_workers(s);
}

/* SIGHUP or relayctl reload (who says which); answer: relayctl's, or
 * NULL.  A bad file changes nothing. */
static const char *reload(struct control *s, const char *who, struct text *answer)
{
	const char *file = s->cfg->conf_file;
	unsigned kept, added, removed, up, n;

	if (rules_load(file, &s->spare, s->errors, sizeof s->errors) < 0) {
		log_err("%s: %s not loaded; the running rules stay in force", who, file);
		if (answer)
			text_add(answer, "%s not loaded; the running rules stay in force:\n%s", file,
				 s->errors);
		return CTL_BAD;
	}
	apply(s, &s->spare, &kept, &added, &removed);
	log_info("%s: %s reloaded: %u rules kept, %u added, %u removed", who, file, kept, added,
		 removed);
	log_running(s);
	n = count_rules(s, &up);
	if (answer)
		text_add(answer, "%s reloaded: %u rules kept, %u added, %u removed; %u of %u rules "
			 "running\n", file, kept, added, removed, up, n);
	return CTL_OK;
}

/* -- relayctl's requests ------------------------------------------------- */

static void rule_line_text(const struct rule *x, struct text *t)
{
	char line[RELAY_LINE_MAX];

	relay_rule_line(&x->r, line);
	text_add(t, "%s\n", line);
}

static void stats_text(const struct control *s, struct text *t)
{
	for (const struct rule *x = s->rules; x; x = x->next) {
		char label[RULE_LABEL_MAX];
		int err = atomic_load_explicit(&x->error, memory_order_relaxed);

		text_add(t, "%s: %llu packets, %llu bytes in, %llu pps; dropped: %llu no buffer, "
			 "%llu truncated", rule_label(x, label),
			 (unsigned long long)counter_get(&x->packets),
			 (unsigned long long)counter_get(&x->bytes), (unsigned long long)x->pps,
			 (unsigned long long)counter_get(&x->no_buffer),
			 (unsigned long long)counter_get(&x->truncated));
		if (err)
			text_add(t, "; not running: %s", strerror(err));
		text_add(t, "\n");
		for (unsigned i = 0; i < x->r.nout; i++) {
			char out[RELAY_TEXT_MAX];
			uint64_t gso = counter_get(&x->out[i].gso_sends);

			relay_output_text(&x->r.out[i], out);
			text_add(t, "  to %s: %llu packets, %llu bytes, %llu pps; dropped: %llu send "
				 "error, %llu no route", out,
				 (unsigned long long)counter_get(&x->out[i].packets),
				 (unsigned long long)counter_get(&x->out[i].bytes),
				 (unsigned long long)x->out_pps[i],
				 (unsigned long long)counter_get(&x->out[i].send_errors),
				 (unsigned long long)counter_get(&x->out[i].no_route));
			if (gso)
				text_add(t, "; %llu of the packets in %llu GSO sends",
					 (unsigned long long)counter_get(&x->out[i].gso_packets),
					 (unsigned long long)gso);
			text_add(t, "\n");
		}
	}
}

static void list_text(const struct control *s, struct text *t)
{
	text_add(t, "%4s  %-6s  %-8s  %-8s  %s\n", "ID", "WORKER", "STATE", "ORIGIN", "RULE");
	for (const struct rule *x = s->rules; x; x = x->next) {
		unsigned line = atomic_load_explicit(&x->line, memory_order_relaxed);
		char origin[16];

		if (line)
			snprintf(origin, sizeof origin, "line %u", line);
		else
			snprintf(origin, sizeof origin, "relayctl");
		text_add(t, "%4u  %-6u  %-8s  %-8s  ", x->id, x->worker, state(x), origin);
		rule_line_text(x, t);
	}
}

static const char *add(struct control *s, const struct relay_rule *r, struct text *t)
{
	struct rule **tail = &s->rules, *x;
	unsigned n = 0;
	int err;

	for (; *tail; tail = &(*tail)->next, n++) {
		if (relay_same_input(&(*tail)->r, r)) {
			char label[RULE_LABEL_MAX];

			text_add(t, "the same input as rule %s\n", rule_label(*tail, label));
			return CTL_BAD;
		}
	}
	if (n >= RELAY_RULES_MAX) {
		text_add(t, "too many rules (at most %d)\n", RELAY_RULES_MAX);
		return CTL_BAD;
	}
	if (!(x = rule_new(s, r, 0))) {
		text_add(t, "out of memory\n");
		return CTL_FAIL;
	}
	*tail = x;
	rule_start(s, x);
	sync_workers(s);
	err = atomic_load_explicit(&x->error, memory_order_relaxed);
	log_info("relayctl: added rule #%u", x->id);
	log_running(s);
	text_add(t, "added rule %u (worker %u, %s", x->id, x->worker, state(x));
	if (err)
		text_add(t, ": %s; retried every 2 s", strerror(err));
	text_add(t, "): ");
	rule_line_text(x, t);
	return CTL_OK;
}

static const char *remove_rule(struct control *s, const struct ctl_request *req, struct text *t)
{
	struct rule **p = &s->rules, *x;

	while (*p && (req->id ? (*p)->id != req->id : !relay_rule_equal(&(*p)->r, &req->rule)))
		p = &(*p)->next;
	if (!*p) {
		if (req->id)
			text_add(t, "no rule %u (relayctl list shows them)\n", req->id);
		else
			text_add(t, "no such rule (relayctl list shows them)\n");
		return CTL_BAD;
	}
	x = *p;
	*p = x->next;
	log_info("relayctl: removing rule #%u", x->id);
	text_add(t, "removed rule %u: ", x->id);
	rule_line_text(x, t);
	rule_remove(s, x);
	sync_workers(s);
	log_running(s);
	return CTL_OK;
}

/* The request of c: its answer, status line first. */
static void respond(struct control *s, struct conn *c)
{
	struct ctl_request *req = malloc(sizeof *req); /* a rule: not small */
	struct text body = { 0 };
	char why[RELAY_WHY_MAX];
	const char *status = CTL_OK;

	if (!req) {
		status = CTL_FAIL;
		text_add(&body, "out of memory\n");
	} else if (ctl_parse_request(c->req, c->len, req, why) < 0) {
		status = CTL_BAD;
		text_add(&body, "%s\n", why);
	} else {
		switch (req->verb) {
		case CTL_LIST:
			list_text(s, &body);
			break;
		case CTL_STATS:
			stats_text(s, &body);
			break;
		case CTL_RELOAD:
			status = reload(s, "relayctl", &body);
			break;
		case CTL_ADD:
			status = add(s, &req->rule, &body);
			break;
		case CTL_REMOVE:
			status = remove_rule(s, req, &body);
			break;
		}
	}
	free(req);
	if (body.failed)
		status = CTL_FAIL;
	text_add(&c->answer, "%s\n%.*s%s", status, (int)body.len, body.p ? body.p : "",
		 body.failed ? "out of memory: the answer is cut short\n" : "");
	free(body.p);
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

/* Root or relayd's own user only (the socket's mode says so too). */
static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	       (cred.uid == 0 || cred.uid == geteuid());
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
	enum tag t = (enum tag)(data & TAG_MASK);

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
		on_conn(s, (struct conn *)(uintptr_t)(data & ~(uint64_t)TAG_MASK), t, cqe->res);
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
	io_uring_queue_exit(&s->ring);
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
