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

const struct shutdown_action *loop_wait(struct supervisor *sv, int sfd, int timeout_ms)
{
	struct pollfd p = { .fd = sfd, .events = POLLIN };
	const struct shutdown_action *a = NULL;
	struct signalfd_siginfo si;
	bool child = false;
	int r = poll(&p, 1, timeout_ms);

	if (r < 0 && errno != EINTR)
		log_errno("unable to wait for signals: poll");
	if (r <= 0)
		return NULL;
	while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGCHLD)
			child = true;
		else if (!a)
			a = shutdown_action_for((int)si.ssi_signo);
	}
	if (child)
		supervisor_reap(sv);
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
