/* pxed -- the DHCP half of PXE for Tern: proxyDHCP or a small DHCP server. */
#define USAGE \
"usage: pxed [-fv] [-c CONFIG] [-l LEASEFILE] [-i IFACE]... [-p PORT] [-P PXEPORT]\n" \
"       pxed [-c CONFIG] -t\n" \
"       pxed -h\n" \
"\n" \
"Tells PXE clients which file to boot.  In proxy mode (the default) it\n" \
"answers only PXE clients (option 60 \"PXEClient...\" and option 93), next\n" \
"to the site's DHCP server, with a boot file and no address; in server\n" \
"mode it is the DHCP server of an isolated lab: addresses from a pool,\n" \
"static hosts by MAC, router, DNS servers and domain, and the boot file.\n" \
"Either way it is also a PXE boot server on port 4011, where UEFI\n" \
"firmware and iPXE ask again.  The boot file is chosen by the client's\n" \
"architecture (option 93), by its MAC, and a client that already is iPXE\n" \
"(option 77 \"iPXE\" or option 175) gets the iPXE script instead, so iPXE\n" \
"never chain-loads itself forever.  Runs in the foreground, logs to stderr.\n" \
"\n" \
"  -c CONFIG     the configuration (default /etc/tern/pxed.conf); its\n" \
"                syntax, one directive a line:\n" \
"                  mode proxy|server\n" \
"                  next-server ADDRESS      (default: the receiving address)\n" \
"                  arch N[,N...] file NAME  (0 BIOS, 6 EFI IA32, 7/9 EFI x64,\n" \
"                                            10/11 ARM, 16 x64 HTTP boot)\n" \
"                  ipxe file NAME|URL       (what iPXE clients get)\n" \
"                  host MAC [file NAME] [ipxe NAME] [address ADDRESS]\n" \
"                  pool FIRST LAST    netmask MASK    lease SECONDS\n" \
"                  router ADDRESS     dns ADDRESS...  domain NAME\n" \
"                a bad line is reported as file:line and nothing changes\n" \
"  -l LEASEFILE  server mode's leases (default /var/lib/pxed/leases),\n" \
"                rewritten whole on every change: a temporary file, fsync,\n" \
"                rename, fsync of the directory\n" \
"  -i IFACE      serve this interface only (SO_BINDTODEVICE); repeat for\n" \
"                more, at most 16 (default: every interface)\n" \
"  -p PORT       the DHCP server port (default 67)\n" \
"  -P PXEPORT    the PXE boot server port (default 4011)\n" \
"  -t            check CONFIG, say what is wrong with it, and exit\n" \
"  -v            also log packets not answered and bad packets\n" \
"  -f            foreground (always; accepted for habit)\n" \
"  -h            this text\n" \
"\n" \
"SIGNALS\n" \
"  SIGTERM, SIGINT: stop.  SIGHUP: reload CONFIG; a bad file keeps the\n" \
"  running configuration.  SIGUSR1: log the counters (packets, replies by\n" \
"  kind, packets not answered by why, bad packets by cause).\n" \
"\n" \
"EXIT STATUS\n" \
"  0 after SIGTERM or -h or a good -t, 100 usage error or bad CONFIG,\n" \
"  111 failed system call.\n"

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
	sfd = daemon_signals();
	fcntl(sfd, F_SETFL, O_NONBLOCK); /* the poll loop reads until EAGAIN */
	return server_run(&p, sfd);
}
