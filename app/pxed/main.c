/* pxed -- the DHCP half of PXE for Tern: proxyDHCP or a small DHCP server.
 * Its reference: app/pxed/README.md. */
#define USAGE \
"usage: pxed [-fv] [-c CONFIG] [-l LEASEFILE] [-i IFACE]... [-p PORT] [-P PXEPORT]\n" \
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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "server.h"

static uint16_t port_number(const char *s, const char *flag)
{
	return (uint16_t)flag_number(USAGE, s, 1, 65535, flag);
}

static bool parse(int argc, char **argv, struct pxed *p)
{
	bool check = false;
	int opt;

	while ((opt = getopt(argc, argv, "hfvtc:l:i:p:P:")) != -1) {
		switch (opt) {
		case 'h': fputs(USAGE, stdout); exit(0);
		case 'f': break;
		case 'v': p->verbose = true; break;
		case 't': check = true; break;
		case 'c': p->conf_path = optarg; break;
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
		default: fputs(USAGE, stderr); exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		usage_error(USAGE, "unexpected argument %s", argv[optind]);
	return check;
}

int main(int argc, char **argv)
{
	struct pxed p = {
		.conf_path = "/etc/tern/pxed.conf", .lease_path = "/var/lib/pxed/leases",
		.port = 67, .pxe_port = 4011,
	};
	bool check;
	int sfd;

	log_init("pxed");
	check = parse(argc, argv, &p);
	if (!(p.conf = pxeconf_load(p.conf_path)))
		die(EXIT_USAGE, "%s: not loaded (see above)", p.conf_path);
	if (check) {
		printf("%s: good, %s mode\n", p.conf_path,
		       p.conf->mode == PXED_SERVER ? "server" : "proxy");
		return 0;
	}
	if (!server_leases(&p, true))
		return EXIT_SYSCALL;
	server_share(&p);
	sfd = daemon_signals();
	fcntl(sfd, F_SETFL, O_NONBLOCK); /* the poll loop reads until EAGAIN */
	return server_run(&p, sfd);
}
