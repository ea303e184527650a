/* SPDX-License-Identifier: MIT */
/* loop.c -- see loop.h. */
#include "loop.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"

int loop_signals(void)
{
	sigset_t all;
	int sfd;

	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
		die_errno("unable to block signals");
	sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		die_errno("unable to create a signalfd");
	return sfd;
}

/* The first step: services started when due, retiring ones killed when
 * late; none of it once a stop was asked for (shutdown.h's step takes
 * over). */
static int64_t supervise_step(struct loop *l, void *ctx)
{
	(void)ctx;
	return l->stop_signo ? -1 : supervisor_tick(l->sv);
}

void loop_init(struct loop *l, struct supervisor *sv, int sfd, bool (*stops)(int signo))
{
	*l = (struct loop){ .sv = sv, .sfd = sfd, .stops = stops };
	loop_add(l, supervise_step, NULL);
}

void loop_add(struct loop *l, loop_step step, void *ctx)
{
	if (l->n == LOOP_STEPS_MAX)
		die(EXIT_SYSCALL, "init's loop has no room for another step");
	l->steps[l->n].step = step;
	l->steps[l->n++].ctx = ctx;
}

void loop_remove(struct loop *l, loop_step step)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->steps[i].step == step) {
			for (l->n--; i < l->n; i++)
				l->steps[i] = l->steps[i + 1];
			return;
		}
}

/* Forward what the services wrote (see output.h). */
static void forward_output(struct supervisor *sv, const struct pollfd *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct service *s;

		if (!p[i].revents)
			continue;
		for (size_t j = 0; j < sv->n; j++) {
			s = &sv->svc[j];
			if (s->log_rd == p[i].fd)
				output_drain(s->log_rd, &s->out, s->spec.name);
		}
	}
}

/* Wait up to timeout_ms (-1: no limit) for signals and service output,
 * and handle them. */
static void wait_events(struct loop *l, int timeout_ms)
{
	struct supervisor *sv = l->sv;
	struct pollfd p[1 + SUPERVISOR_MAX];
	struct signalfd_siginfo si;
	bool child = false, hangup = false, stop = false;
	size_t n = 1;
	int r;

	p[0] = (struct pollfd){ .fd = l->sfd, .events = POLLIN };
	for (size_t i = 0; i < sv->n; i++)
		if (sv->svc[i].log_rd >= 0)
			p[n++] = (struct pollfd){ .fd = sv->svc[i].log_rd, .events = POLLIN };
	r = poll(p, n, timeout_ms);
	if (r < 0 && errno != EINTR)
		log_errno("unable to wait for signals: poll");
	if (r <= 0)
		return;
	forward_output(sv, p + 1, n - 1);
	while (read(l->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGCHLD) {
			child = true;
		} else if (si.ssi_signo == SIGHUP) {
			hangup = true;
		} else if (si.ssi_signo == SIGTSTP) {
			loop_freeze();
		} else if (l->stops && l->stops((int)si.ssi_signo)) {
			stop = true;
			if (!l->stop_signo)
				l->stop_signo = (int)si.ssi_signo;
		}
	}
	if (child)
		supervisor_reap(sv);
	if (hangup && !sv->stopping && !stop && !l->stop_signo) {
		log_info("SIGHUP: reloading %s", SERVICES_FILE);
		supervisor_reload(sv);
	}
}

void loop_freeze(void)
{
	log_warn("SIGTSTP: freezing: init stops here for good, as if it hung (a watchdog "
		 "resets the box)");
	for (;;)
		pause(); /* every signal is blocked: it never returns */
}

int loop_steps(struct loop *l)
{
	int64_t next = -1;

	for (size_t i = 0; i < l->n; i++) {
		size_t n = l->n;
		int64_t due = l->steps[i].step(l, l->steps[i].ctx);

		if (l->n < n) /* it took itself off: the next one is at i */
			i--;
		else if (due >= 0 && (next < 0 || due < next))
			next = due;
	}
	return next > INT_MAX ? INT_MAX : (int)next;
}

void loop_run(struct loop *l)
{
	for (;;)
		wait_events(l, loop_steps(l));
}
