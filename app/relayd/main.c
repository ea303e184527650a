/* relayd -- the UDP / multicast relay of Tern. */
#define USAGE \
"usage: relayd [-fv] [-c FILE] [-q DEPTH] [-b BATCH] [-m BYTES] [-s SNDBUF]\n" \
"              [-r RCVBUF]\n" \
"       relayd [-c FILE] -t\n" \
"       relayd -h\n" \
"\n" \
"Relays UDP datagrams, multicast or unicast, IPv4 or IPv6, that arrive on\n" \
"one interface to one or more outputs, by the rules of FILE: one io_uring\n" \
"loop, multishot receives into provided buffers, one buffer sent to every\n" \
"output of its rule.  Runs in the foreground, logs to stderr.\n" \
"\n" \
"  -c FILE    the rules (default " CONFIG_RELAYD_CONF "), one a line:\n" \
"               relay from IFACE group G port P [source S] to OUTPUT, ...\n" \
"               relay from IFACE address A port P to OUTPUT, ...\n" \
"             where OUTPUT is ADDR[:PORT] or [ADDR6][:PORT] (the input's\n" \
"             port by default) followed by any of: dev IFACE, ttl N (1-255),\n" \
"             src ADDR.  A multicast output needs its dev; '#' comments.\n" \
"             e.g. relay from eth0 group 239.1.1.1 port 5000 to\n" \
"                    239.2.2.2:6000 dev eth1 ttl 8, 198.51.100.7:7000\n" \
"  -t         check FILE, print its rules, exit (0: good, 100: bad)\n" \
"  -q DEPTH   io_uring depth and receive buffers, a power of 2 from 64 to\n" \
"             32768 (default " STR(CONFIG_RELAYD_RING_DEPTH) ")\n" \
"  -b BATCH   datagrams relayed per loop turn, 1-4096 (default " STR(CONFIG_RELAYD_BATCH) ")\n" \
"  -m BYTES   largest datagram relayed, 1-65535 (default " STR(CONFIG_RELAYD_MAX_DATAGRAM) ");\n" \
"             a longer one is dropped and counted as truncated\n" \
"  -s SNDBUF  SO_SNDBUF of each output, bytes (default " STR(CONFIG_RELAYD_SNDBUF) ")\n" \
"  -r RCVBUF  SO_RCVBUF of each input, bytes (default " STR(CONFIG_RELAYD_RCVBUF) ")\n" \
"  -f         foreground (always; accepted for habit)\n" \
"  -v         log every failed send\n" \
"  -h         this text\n" \
"\n" \
"A rule joins its group (IGMP/MLD; source-specific with `source`) on its\n" \
"interface and takes nothing from elsewhere; outputs are connected UDP\n" \
"sockets whose multicast never loops back to this box.  A rule whose\n" \
"interface is missing is reported and retried every 2 s while the others\n" \
"run; an interface deleted and made again is rejoined.\n" \
"\n" \
"SIGNALS\n" \
"  SIGTERM, SIGINT: log the counters and stop.  SIGHUP: reload FILE;\n" \
"  unchanged rules keep running with their counters, added and removed\n" \
"  ones take effect, a file with a bad line changes nothing (each bad line\n" \
"  is logged as FILE:LINE).  SIGUSR1: log the counters of each rule\n" \
"  (packets, bytes; dropped for want of buffers, truncated) and of each\n" \
"  output (packets, bytes; dropped by send error, no route).\n" \
"\n" \
"EXIT STATUS\n" \
"  0 after SIGTERM or -h, 100 usage error or bad FILE, 111 failed system\n" \
"  call.\n"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "relay.h"
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

	while ((opt = getopt(argc, argv, "hfvtc:q:b:m:s:r:")) != -1) {
		switch (opt) {
		case 'h': fputs(USAGE, stdout); exit(0);
		case 'f': break;
		case 'v': c->verbose = true; break;
		case 't': check = true; break;
		case 'c': c->conf_file = optarg; break;
		case 'q':
			c->depth = number(optarg, 64, 32768, "-q");
			if (c->depth & (c->depth - 1))
				usage_error(USAGE, "-q wants a power of 2, not %s", optarg);
			break;
		case 'b': c->batch = number(optarg, 1, 4096, "-b"); break;
		case 'm': c->max_datagram = number(optarg, 1, 65535, "-m"); break;
		case 's': c->sndbuf = (int)number(optarg, 4096, 1u << 30, "-s"); break;
		case 'r': c->rcvbuf = (int)number(optarg, 4096, 1u << 30, "-r"); break;
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
		const struct relay_rule *r = &rs->rule[i];
		char text[RELAY_TEXT_MAX];

		relay_input_text(r, text);
		printf("line %u: %s ->", rs->line[i], text);
		for (unsigned j = 0; j < r->nout; j++) {
			relay_output_text(&r->out[j], text);
			printf("%s %s", j ? "," : "", text);
			if (r->out[j].ttl)
				printf(" ttl %u", r->out[j].ttl);
		}
		putchar('\n');
	}
}

int main(int argc, char **argv)
{
	static struct relay_rules rules; /* big: not on the stack */
	struct relay_config c = {
		.conf_file = CONFIG_RELAYD_CONF, .depth = CONFIG_RELAYD_RING_DEPTH,
		.batch = CONFIG_RELAYD_BATCH, .max_datagram = CONFIG_RELAYD_MAX_DATAGRAM,
		.sndbuf = CONFIG_RELAYD_SNDBUF, .rcvbuf = CONFIG_RELAYD_RCVBUF,
	};
	bool check;
	int sfd;

	log_init("relayd");
	check = parse(argc, argv, &c);
	if (rules_load(c.conf_file, &rules) < 0)
		die(EXIT_USAGE, "%s: not loaded (see above)", c.conf_file);
	if (check) {
		print_rules(&rules);
		return 0;
	}
	sfd = daemon_signals();
	log_info("%zu rule%s from %s; ring depth %u, batch %u, datagrams up to %u bytes",
		 rules.n, rules.n == 1 ? "" : "s", c.conf_file, c.depth, c.batch, c.max_datagram);
	return relay_run(&c, &rules, sfd);
}
