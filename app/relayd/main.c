/* relayd -- the UDP / multicast relay of Tern. */
#define USAGE \
"usage: relayd [-fv] [-c FILE] [-w WORKERS] [-S SOCKET] [-q DEPTH] [-b BATCH]\n" \
"              [-m BYTES] [-s SNDBUF] [-r RCVBUF] [-G SEGS] [-L USEC]\n" \
"       relayd [-c FILE] -t\n" \
"       relayd -h\n" \
"\n" \
"Relays UDP datagrams, multicast or unicast, IPv4 or IPv6, that arrive on\n" \
"one interface to one or more outputs, by the rules of FILE: io_uring\n" \
"loops, multishot receives into provided buffers, one buffer sent to every\n" \
"output of its rule, datagrams of one size as one UDP GSO send (-G).  Runs\n" \
"in the foreground, logs to stderr.\n" \
"\n" \
"  -c FILE    the rules (default " RELAYD_CONF "), one a line:\n" \
"               relay from IFACE group G port P [source S] to OUTPUT, ...\n" \
"               relay from IFACE address A port P to OUTPUT, ...\n" \
"             where OUTPUT is ADDR[:PORT] or [ADDR6][:PORT] (the input's\n" \
"             port by default) followed by any of: dev IFACE, ttl N (1-255),\n" \
"             src ADDR.  A multicast output needs its dev; '#' comments.\n" \
"             e.g. relay from eth0 group 239.1.1.1 port 5000 to\n" \
"                    239.2.2.2:6000 dev eth1 ttl 8, 198.51.100.7:7000\n" \
"  -t         check FILE, print its rules, exit (0: good, 100: bad)\n" \
"  -w WORKERS threads relaying, 1-64 (default " STR(CONFIG_RELAYD_WORKERS) "), each with its own\n" \
"             io_uring and buffers; a rule runs in one of them (the one with\n" \
"             the fewest rules when it came), so its datagrams stay in order\n" \
"  -S SOCKET  relayctl's Unix socket (default " CONFIG_RELAYD_SOCKET "), mode 0600,\n" \
"             root only; -S '' for none\n" \
"  -q DEPTH   io_uring depth and receive buffers of each worker, a power\n" \
"             of 2 from 64 to 32768 (default " STR(CONFIG_RELAYD_RING_DEPTH) ")\n" \
"  -b BATCH   datagrams relayed per loop turn, 1-4096 (default " STR(CONFIG_RELAYD_BATCH) ")\n" \
"  -m BYTES   largest datagram relayed, 1-65535 (default " STR(CONFIG_RELAYD_MAX_DATAGRAM) ");\n" \
"             a longer one is dropped and counted as truncated\n" \
"  -s SNDBUF  SO_SNDBUF of each output, bytes (default " STR(CONFIG_RELAYD_SNDBUF) ")\n" \
"  -r RCVBUF  SO_RCVBUF of each input, bytes (default " STR(CONFIG_RELAYD_RCVBUF) ")\n" \
"  -G SEGS    UDP GSO on egress, 2-64 datagrams a send, or 0: off (default\n" \
"             " STR(RELAYD_GSO_SEGS) "); datagrams of a rule that came in one loop turn, all\n" \
"             of one size but a shorter last, go to each output as one\n" \
"             sendmsg with UDP_SEGMENT (up to SEGS of them and 65507\n" \
"             bytes), which the kernel or the NIC cuts into the same\n" \
"             datagrams; to an output whose path MTU is too small for\n" \
"             them, or that refuses GSO (logged once), one by one\n" \
"  -L USEC    coalescing, 0-1000000 microseconds, 0: off (default " STR(CONFIG_RELAYD_COALESCE_US) "):\n" \
"             after a loop turn that relayed more than one datagram, the\n" \
"             next waits for BATCH completions or USEC, whichever comes\n" \
"             first, as a NIC coalesces its interrupts: bigger turns, longer\n" \
"             GSO runs, fewer sends and wakeups, for at most USEC more\n" \
"             latency while datagrams keep coming; a datagram after a quiet\n" \
"             turn (one datagram or none) is relayed at once\n" \
"  -f         foreground (always; accepted for habit)\n" \
"  -v         log every failed send\n" \
"  -h         this text\n" \
"\n" \
"A rule joins its group (IGMP/MLD; source-specific with `source`) on its\n" \
"interface and takes nothing from elsewhere; outputs are connected UDP\n" \
"sockets whose multicast never loops back to this box.  A rule whose\n" \
"interface is missing is reported and retried every 2 s while the others\n" \
"run; an interface deleted and made again is rejoined.  Rules have IDs\n" \
"(relayctl list), kept for as long as the rule is unchanged.\n" \
"\n" \
"SIGNALS\n" \
"  SIGTERM, SIGINT: log the counters and stop.  SIGHUP: reload FILE;\n" \
"  unchanged rules keep running with their counters, losing nothing,\n" \
"  added and removed ones take effect, a file with a bad line changes\n" \
"  nothing (each bad line is logged as FILE:LINE).  SIGUSR1: log the\n" \
"  counters (relayctl stats): of each rule, packets, bytes and packets per\n" \
"  second over the last second in, dropped for want of buffers and\n" \
"  truncated; of each output, packets, bytes and packets per second out,\n" \
"  dropped by send error and for want of a route, and, once there were\n" \
"  some, how many of the packets went in how many GSO sends.\n" \
"\n" \
"RELAYCTL\n" \
"  relayctl list, stats, add RULE, remove ID|RULE and reload talk to\n" \
"  SOCKET (relayctl -h).  Rules added or removed that way last until the\n" \
"  next reload, which returns to FILE; FILE is never written.\n" \
"\n" \
"EXIT STATUS\n" \
"  0 after SIGTERM or -h, 100 usage error or bad FILE, 111 failed system\n" \
"  call (or another relayd answering on SOCKET).\n"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "log.h"
#include "settings.h"

#define STR(x) STR_(x)
#define STR_(x) #x

static unsigned number(const char *s, unsigned lo, unsigned hi, const char *flag)
{
	return flag_number(USAGE, s, lo, hi, flag);
}

static bool parse(int argc, char **argv, struct relay_config *c)
{
	bool check = false;
	int opt;

	while ((opt = getopt(argc, argv, "hfvtc:w:S:q:b:m:s:r:G:L:")) != -1) {
		switch (opt) {
		case 'h': fputs(USAGE, stdout); exit(0);
		case 'f': break;
		case 'v': c->verbose = true; break;
		case 't': check = true; break;
		case 'c': c->conf_file = optarg; break;
		case 'w': c->workers = number(optarg, 1, 64, "-w"); break;
		case 'S':
			if (strlen(optarg) >= sizeof ((struct sockaddr_un *)0)->sun_path)
				usage_error(USAGE, "-S: %s is too long for a Unix socket", optarg);
			c->socket_path = optarg;
			break;
		case 'q':
			c->depth = number(optarg, 64, 32768, "-q");
			if (c->depth & (c->depth - 1))
				usage_error(USAGE, "-q wants a power of 2, not %s", optarg);
			break;
		case 'b': c->batch = number(optarg, 1, 4096, "-b"); break;
		case 'm': c->max_datagram = number(optarg, 1, 65535, "-m"); break;
		case 's': c->sndbuf = (int)number(optarg, 4096, 1u << 30, "-s"); break;
		case 'r': c->rcvbuf = (int)number(optarg, 4096, 1u << 30, "-r"); break;
		case 'G':
			c->gso_segs = number(optarg, 0, 64, "-G");
			if (c->gso_segs == 1)
				usage_error(USAGE, "-G wants 0 (off) or 2-64 datagrams a send, not %s", optarg);
			break;
		case 'L': c->coalesce_us = number(optarg, 0, 1000000, "-L"); break;
		default: fputs(USAGE, stderr); exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		usage_error(USAGE, "unexpected argument %s", argv[optind]);
	return check;
}

/* -t: the rules as relayd reads them. */
static void print_rules(const struct relay_rules *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		char line[RELAY_LINE_MAX];

		relay_rule_line(&rs->rule[i], line);
		printf("line %u: %s\n", rs->line[i], line);
	}
}

int main(int argc, char **argv)
{
	static struct relay_rules rules; /* big: not on the stack */
	struct relay_config c = {
		.conf_file = RELAYD_CONF, .socket_path = CONFIG_RELAYD_SOCKET,
		.workers = CONFIG_RELAYD_WORKERS, .depth = CONFIG_RELAYD_RING_DEPTH,
		.batch = CONFIG_RELAYD_BATCH, .max_datagram = CONFIG_RELAYD_MAX_DATAGRAM,
		.sndbuf = CONFIG_RELAYD_SNDBUF, .rcvbuf = CONFIG_RELAYD_RCVBUF,
		.gso_segs = RELAYD_GSO_SEGS, .coalesce_us = CONFIG_RELAYD_COALESCE_US,
	};
	bool check;
	int sfd;

	log_init("relayd");
	check = parse(argc, argv, &c);
	if (rules_load(c.conf_file, &rules, NULL, 0) < 0)
		die(EXIT_USAGE, "%s: not loaded (see above)", c.conf_file);
	if (check) {
		print_rules(&rules);
		return 0;
	}
	sfd = daemon_signals();
	log_info("%zu rule%s from %s; %u worker%s, ring depth %u, batch %u, datagrams up to %u "
		 "bytes, UDP GSO %s%u, coalescing %u us", rules.n, rules.n == 1 ? "" : "s",
		 c.conf_file, c.workers, c.workers == 1 ? "" : "s", c.depth, c.batch,
		 c.max_datagram, c.gso_segs ? "up to " : "off: ", c.gso_segs, c.coalesce_us);
	return control_run(&c, &rules, sfd);
}
