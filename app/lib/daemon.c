/* daemon.c -- see daemon.h. */
#include "daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>

#include "log.h"

void usage_error(const char *usage, const char *fmt, const char *what)
{
	log_err(fmt, what);
	fputs(usage, stderr);
	exit(EXIT_USAGE);
}

unsigned flag_number(const char *usage, const char *s, unsigned lo, unsigned hi,
		     const char *flag)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < lo || v > hi) {
		char msg[96];

		snprintf(msg, sizeof msg, "%s wants a number from %u to %u, not %%s", flag, lo, hi);
		usage_error(usage, msg, s);
	}
	return (unsigned)v;
}

int daemon_signals(void)
{
	static const int answered[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	sigset_t set;
	int fd;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof answered / sizeof answered[0]; i++)
		sigaddset(&set, answered[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (fd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		die_errno("unable to set up a signalfd");
	signal(SIGPIPE, SIG_IGN);
	return fd;
}
