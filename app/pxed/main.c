/* SPDX-License-Identifier: MIT */
/* pxed -- the DHCP half of PXE for Tern: proxyDHCP or a small DHCP server.
 * Its reference: app/pxed/README.md. */
#define USAGE \
"usage: pxed [-fv] [-c CONFIG] [-l LEASEFILE] [-i IFACE]... [-p PORT] [-P PXEPORT]\n" \
"            [-u USER]\n" \
"       pxed [-c CONFIG] -t\n" \
"       pxed -h\n" \
"\n" \
"Tells PXE clients which file to boot: proxyDHCP, or a lab's DHCP server.\n" \
"\n" \
"  -c CONFIG     the configuration (default /etc/tern/pxed.conf)\n" \
"  -l LEASEFILE  server mode's leases (default /var/lib/pxed/leases)\n" \
"  -i IFACE      serve this interface only; repeat for more, at most 16\n" \
"                (default: every interface)\n" \
"  -p PORT       the DHCP server port (default 67)\n" \
"  -P PXEPORT    the PXE boot server port (default 4011)\n" \
"  -u USER       run as USER once the ports are bound (default nobody when\n" \
"                started as root; -u root keeps root); in server mode\n" \
"                LEASEFILE's directory is made USER's when missing\n" \
"  -t            check CONFIG, say what is wrong with it, and exit\n" \
"  -v            also log packets not answered and bad packets\n" \
"  -f            foreground (always; accepted for habit)\n" \
"  -h            this text\n" \
"\n" \
"EXIT STATUS: 0 after SIGTERM or -h or a good -t, 100 usage error or bad\n" \
"CONFIG, 111 failed system call.\n" \
"CONFIG's syntax, signals and counters: app/pxed/README.md in the Tern source.\n"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "server.h"

static uint16_t port_number(const char *s, const char *flag)
{
	return (uint16_t)flag_number(USAGE, s, 1, 65535, flag);
}

static void parse(int argc, char **argv, struct pxed *p)
{
	int opt;

	while ((opt = getopt(argc, argv, DAEMON_FLAGS "l:i:p:P:")) != -1) {
		switch (opt) {
		case 'l': p->lease_path = optarg; break;
		case 'i':
			if (p->niface == PXED_IFACES_MAX)
				usage_error(USAGE, "too many -i (at most 16): %s", optarg);
			if (!*optarg || strlen(optarg) >= 16)
				usage_error(USAGE, "-i wants an interface name, not \"%s\"", optarg);
			p->iface[p->niface++] = optarg;
			break;
		case 'p': p->port = port_number(optarg, "-p"); break;
		case 'P': p->pxe_port = port_number(optarg, "-P"); break;
		default: daemon_flag(USAGE, opt, optarg, &p->args);
		}
	}
	daemon_no_operands(USAGE, argc, argv);
}

/* Server mode writes its leases as the user it runs as (a new file and a
 * rename each save), so the lease file's directory must be that user's:
 * made, and given to the user, when missing, while still root.  Checked
 * once root is dropped: a lab's leases that cannot be kept stop pxed at
 * its start, not at its first ACK. */
static void lease_dir(const char *path, char dir[PATH_MAX])
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, PATH_MAX, ".");
	else
		snprintf(dir, PATH_MAX, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

static void lease_dir_make(const char *dir, const char *user)
{
	struct passwd *pw = NULL;

	if (geteuid() == 0 && strcmp(user, "root") && !(pw = getpwnam(user)))
		return; /* daemon_drop_privileges says so */
	if (mkdir(dir, 0750) < 0)
		return; /* there already, or not made: lease_dir_check says */
	if (pw && chown(dir, pw->pw_uid, pw->pw_gid) < 0)
		die_errno("unable to give %s to user %s", dir, user);
	log_info("made %s for the leases", dir);
}

static void lease_dir_check(const char *dir, const char *user)
{
	if (access(dir, W_OK | X_OK) < 0)
		die(EXIT_SYSCALL, "unable to write the leases in %s as user %s: %s (make it %s's, "
		    "or -l elsewhere)", dir, user, strerror(errno), user);
}

int main(int argc, char **argv)
{
	struct pxed p = {
		.args.conf = "/etc/tern/pxed.conf", .lease_path = "/var/lib/pxed/leases",
		.port = 67, .pxe_port = 4011,
	};
	char dir[PATH_MAX], uid[24];
	const char *user;
	int sfd;

	log_init("pxed");
	parse(argc, argv, &p);
	if (!(p.conf = pxeconf_load(p.args.conf)))
		die(EXIT_USAGE, "%s: not loaded (see above)", p.args.conf);
	if (p.args.check) {
		printf("%s: good, %s mode\n", p.args.conf,
		       p.conf->mode == PXED_SERVER ? "server" : "proxy");
		return 0;
	}
	if (!server_leases(&p, true))
		return EXIT_SYSCALL;
	snprintf(uid, sizeof uid, "%u", (unsigned)geteuid());
	user = geteuid() != 0 ? uid : p.args.user ? p.args.user : "nobody";
	lease_dir(p.lease_path, dir);
	/* In proxy mode too: a SIGHUP may switch to server mode once root
	 * is gone (the lab, and pxe_lab.t, do so). */
	lease_dir_make(dir, user);
	server_share(&p);
	server_bind(&p);
	/* No capability kept: broadcast replies and IP_PKTINFO need none. */
	daemon_drop_privileges(p.args.user, NULL);
	if (p.conf->mode == PXED_SERVER)
		lease_dir_check(dir, user);
	sfd = daemon_signals();
	fcntl(sfd, F_SETFL, O_NONBLOCK); /* the poll loop reads until EAGAIN */
	return server_run(&p, sfd);
}
