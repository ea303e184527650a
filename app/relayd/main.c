/* SPDX-License-Identifier: MIT */
/* relayd -- the UDP / multicast relay of Tern.  Its reference:
 * app/relayd/README.md. */
#define USAGE \
"usage: relayd [-fv] [-c FILE] [-w WORKERS] [-S SOCKET] [-q DEPTH] [-b BATCH]\n" \
"              [-m BYTES] [-s SNDBUF] [-r RCVBUF] [-G SEGS] [-L USEC] [-u USER]\n" \
"       relayd [-c FILE] -t\n" \
"       relayd -h\n" \
"\n" \
"Relays UDP datagrams, multicast or unicast, by the rules of FILE.\n" \
"\n" \
"  -c FILE    the rules (default " RELAYD_CONF ")\n" \
"  -t         check FILE, print its rules, exit\n" \
"  -w WORKERS threads relaying, 1-64 (default " STR(CONFIG_RELAYD_WORKERS) ")\n" \
"  -S SOCKET  relayctl's Unix socket, '' for none (default " CONFIG_RELAYD_SOCKET ")\n" \
"  -q DEPTH   io_uring depth per worker, a power of 2, 64-32768 (default " STR(CONFIG_RELAYD_RING_DEPTH) ")\n" \
"  -b BATCH   datagrams relayed per loop turn, 1-4096 (default " STR(CONFIG_RELAYD_BATCH) ")\n" \
"  -m BYTES   largest datagram relayed, 1-65535 (default " STR(CONFIG_RELAYD_MAX_DATAGRAM) ")\n" \
"  -s SNDBUF  SO_SNDBUF of each output, bytes (default " STR(CONFIG_RELAYD_SNDBUF) ")\n" \
"  -r RCVBUF  SO_RCVBUF of each input, bytes (default " STR(CONFIG_RELAYD_RCVBUF) ")\n" \
"  -G SEGS    UDP GSO on egress, 2-64 datagrams a send, 0: off (default " STR(RELAYD_GSO_SEGS) ")\n" \
"  -L USEC    coalescing, 0-1000000 microseconds, 0: off (default " STR(CONFIG_RELAYD_COALESCE_US) ")\n" \
"  -u USER    run as USER once SOCKET is bound, keeping CAP_NET_ADMIN and\n" \
"             CAP_NET_BIND_SERVICE only (default nobody when started as root;\n" \
"             -u root keeps root)\n" \
"  -v         log every failed send\n" \
"  -f         foreground (always; accepted for habit)\n" \
"  -h         this text\n" \
"\n" \
"EXIT STATUS: 0 after SIGTERM or -h, 100 usage error or bad FILE,\n" \
"111 failed system call (or another relayd answering on SOCKET).\n" \
"Rules syntax, signals, counters, relayctl: app/relayd/README.md in the\n" \
"Tern source.\n"

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

static void parse(int argc, char **argv, struct relay_config *c)
{
	int opt;

	while ((opt = getopt(argc, argv, DAEMON_FLAGS "w:S:q:b:m:s:r:G:L:")) != -1) {
		switch (opt) {
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
		default: daemon_flag(USAGE, opt, optarg, &c->args);
		}
	}
	daemon_no_operands(USAGE, argc, argv);
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
		.args.conf = RELAYD_CONF, .socket_path = CONFIG_RELAYD_SOCKET,
		.workers = CONFIG_RELAYD_WORKERS, .depth = CONFIG_RELAYD_RING_DEPTH,
		.batch = CONFIG_RELAYD_BATCH, .max_datagram = CONFIG_RELAYD_MAX_DATAGRAM,
		.sndbuf = CONFIG_RELAYD_SNDBUF, .rcvbuf = CONFIG_RELAYD_RCVBUF,
		.gso_segs = RELAYD_GSO_SEGS, .coalesce_us = CONFIG_RELAYD_COALESCE_US,
	};
	int sfd;

	log_init("relayd");
	parse(argc, argv, &c);
	if (rules_load(c.args.conf, &rules, NULL, 0) < 0)
		die(EXIT_USAGE, "%s: not loaded (see above)", c.args.conf);
	if (c.args.check) {
		print_rules(&rules);
		return 0;
	}
	sfd = daemon_signals();
	log_info("%zu rule%s from %s; %u worker%s, ring depth %u, batch %u, datagrams up to %u "
		 "bytes, UDP GSO %s%u, coalescing %u us", rules.n, rules.n == 1 ? "" : "s",
		 c.args.conf, c.workers, c.workers == 1 ? "" : "s", c.depth, c.batch,
		 c.max_datagram, c.gso_segs ? "up to " : "off: ", c.gso_segs, c.coalesce_us);
	return control_run(&c, &rules, sfd);
}
