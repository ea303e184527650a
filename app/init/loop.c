/* loop.c -- see loop.h. */
#include "loop.h"

#include <errno.h>
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

const struct shutdown_action *loop_wait(struct supervisor *sv, int sfd, int timeout_ms)
{
	struct pollfd p[1 + SUPERVISOR_MAX];
	const struct shutdown_action *a = NULL;
	struct signalfd_siginfo si;
	bool child = false, hangup = false;
	size_t n = 1;
	int r;

	p[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (size_t i = 0; i < sv->n; i++)
		if (sv->svc[i].log_rd >= 0)
			p[n++] = (struct pollfd){ .fd = sv->svc[i].log_rd, .events = POLLIN };
	r = poll(p, n, timeout_ms);
	if (r < 0 && errno != EINTR)
		log_errno("unable to wait for signals: poll");
	if (r <= 0)
		return NULL;
	forward_output(sv, p + 1, n - 1);
	while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGCHLD)
			child = true;
		else if (si.ssi_signo == SIGHUP)
			hangup = true;
		else if (!a)
			a = shutdown_action_for((int)si.ssi_signo);
	}
	if (child)
		supervisor_reap(sv);
	if (hangup && !sv->stopping && !a) {
		log_info("SIGHUP: reloading %s", SERVICES_FILE);
		supervisor_reload(sv);
	}
	return a;
}

const struct shutdown_action *loop_run(struct supervisor *sv, int sfd)
{
	const struct shutdown_action *a;

	do
		a = loop_wait(sv, sfd, supervisor_tick(sv));
	while (!a);
	return a;
}
