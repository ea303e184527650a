/* SPDX-License-Identifier: MIT */
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
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

void usage_error(const char *usage, const char *fmt, const char *what)
{
	log_err(fmt, what);
	if (usage)
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

void daemon_flag_other(const char *usage, int opt)
{
	if (opt == 'h') {
		fputs(usage, stdout);
		exit(0);
	}
	if (opt != 'f') {
		fputs(usage, stderr);
		exit(EXIT_USAGE);
	}
}

void daemon_flag(const char *usage, int opt, const char *arg, struct daemon_args *a)
{
	switch (opt) {
	case 'v': a->verbose = true; break;
	case 't': a->check = true; break;
	case 'c': a->conf = arg; break;
	case 'u': a->user = arg; break;
	default: daemon_flag_other(usage, opt);
	}
}

void daemon_no_operands(const char *usage, int argc, char **argv)
{
	if (optind < argc)
		usage_error(usage, "unexpected argument %s", argv[optind]);
}

int daemon_signals(void)
{
	static const int answered[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };

	return daemon_signals_of(answered, sizeof answered / sizeof answered[0]);
}

int daemon_signals_of(const int *sigs, size_t n)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	for (size_t i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (fd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		die_errno("unable to set up a signalfd");
	signal(SIGPIPE, SIG_IGN);
	return fd;
}

/* Only caps, permitted and effective (none inheritable): capset(2), as
 * neither libc has a wrapper. */
static int keep_only(const int *caps, unsigned n)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

	for (unsigned i = 0; i < n; i++) {
		d[caps[i] / 32].permitted |= 1u << (caps[i] % 32);
		d[caps[i] / 32].effective |= 1u << (caps[i] % 32);
	}
	return (int)syscall(SYS_capset, &h, d);
}

void daemon_drop_privileges(const char *user, const char *dir)
{
	daemon_drop_privileges_keep(user, dir, NULL, 0);
}

void daemon_drop_privileges_keep(const char *user, const char *dir, const int *caps,
				 unsigned n)
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
	/* setuid clears every capability unless told to keep them. */
	if (pw && n && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		die_errno("unable to keep capabilities");
	if (pw && (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0))
		die_errno("unable to become user %s", user);
	if (pw && n && (keep_only(caps, n) < 0 || prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0))
		die_errno("unable to keep only the capabilities needed as user %s", user);
}
