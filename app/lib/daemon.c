/* daemon.c -- see daemon.h. */
#include "daemon.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

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

void daemon_drop_privileges(const char *user, const char *dir)
{
	struct passwd *pw = NULL;
	bool root = geteuid() == 0;

	if (!user && root)
		user = "nobody";
	/* The user from the real /etc/passwd: after chroot it is ROOT's. */
	if (root && strcmp(user, "root") && !(pw = getpwnam(user)))
		die(EXIT_USAGE, "no user %s in /etc/passwd (-u root keeps root)", user);
	if (dir && (chroot(dir) < 0 || chdir("/") < 0))
		die_errno("unable to chroot into %s", dir);
	if (!root) {
		if (user)
			log_warn("not root: -u %s ignored", user);
		return;
	}
	if (pw && (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0))
		die_errno("unable to become user %s", user);
}
