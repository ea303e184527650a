/* SPDX-License-Identifier: MIT */
/* rules.h -- relayd's rules: /etc/tern/relayd.conf, one rule a line, in
 * words a smcroute user reads at a glance.
 *
 *   # input: interface, group (or address) and port, optionally the source
 *   # outputs: address[:port] and where it goes, separated by commas
 *   relay from eth0 group 239.1.1.1 port 5000 to 239.2.2.2:6000 dev eth1 ttl 8
 *   relay from eth0 group 239.1.1.1 port 5001 source 192.0.2.1 to 239.2.2.2 dev eth1, 198.51.100.7:7000 dev eth2
 *   relay from eth1 address 198.51.100.1 port 7000 to [ff0e::db8:5]:7000 dev eth2 ttl 4 src 2001:db8:2::1
 *   relay from eth2 group ff0e::db8:1 port 5000 to 203.0.113.9
 *
 * Input, in this order:
 *   from IFACE        the interface the datagrams arrive on (1-15 of
 *                     A-Z a-z 0-9 _ . -); nothing from elsewhere is taken
 *   group G           an IPv4 or IPv6 multicast group, joined (IGMP/MLD) on
 *                     IFACE; or
 *   address A         a unicast address of this box, or 0.0.0.0 / :: for
 *                     any, that the datagrams are sent to
 *   port P            the UDP destination port, 1-65535
 *   source S          with group only: take only what S sends, and join
 *                     source-specifically (S,G); S is of G's family
 * Then `to` and one or more outputs, separated by ',' (at most
 * RELAY_OUTPUTS_MAX), each an address and what qualifies it, in any order:
 *   A, A:P, [A6], [A6]:P   destination: unicast or multicast, IPv4 or IPv6
 *                     (either family, whatever the input's); P defaults to
 *                     the input's port
 *   dev IFACE         send out of IFACE only; a multicast output needs it
 *   ttl N             TTL or hop limit, 1-255 (default: the kernel's, 1
 *                     for multicast, 64 for unicast)
 *   src A             send from this local address (of the output's family)
 *
 * '#' starts a comment anywhere.  A line is bad (and says why) for any
 * other word, a word out of place, an address of the wrong kind or family,
 * a port out of range, an option given twice in an output, an empty output,
 * an output that is the rule's own input (a loop), or more than
 * CONF_LINE_MAX bytes.  rules_load also refuses two rules with the same
 * input (interface, group or address, port, source).
 */
#ifndef TERN_RELAYD_RULES_H
#define TERN_RELAYD_RULES_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "conf.h"

#define RELAY_OUTPUTS_MAX 16
#define RELAY_RULES_MAX 256
#define RELAY_WHY_MAX CONF_WHY_MAX /* a bad line's message (conf.h) */
#define RELAY_TEXT_MAX 128     /* relay_input_text, relay_output_text */
#define RELAY_LINE_MAX 4096    /* relay_rule_line: 16 outputs of the longest kind */

/* An address and port; sa_family AF_UNSPEC when absent. */
union relay_addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

struct relay_output {
	union relay_addr to;   /* address and port */
	char dev[IFNAMSIZ];    /* "" when not given (unicast only) */
	unsigned ttl;          /* 0: the kernel's default */
	union relay_addr src;  /* AF_UNSPEC: the kernel picks; port 0 */
};

struct relay_rule {
	char dev[IFNAMSIZ];
	union relay_addr in;   /* group or address, and port */
	bool multicast;        /* `group`, not `address` */
	union relay_addr source; /* AF_UNSPEC: any; port 0 */
	unsigned nout;
	struct relay_output out[RELAY_OUTPUTS_MAX];
};

struct relay_rules {
	size_t n;
	struct relay_rule rule[RELAY_RULES_MAX];
	unsigned line[RELAY_RULES_MAX]; /* where each was read */
};

/* Parse one line.  CONF_OK: *r is the rule, every byte of it set (unused
 * ones zero), so two rules written alike compare equal with
 * relay_rule_equal.  CONF_BAD: why says what is wrong.  Pure. */
enum conf_result relay_parse_line(const char *line, size_t len, struct relay_rule *r,
				  char why[RELAY_WHY_MAX]);

bool relay_rule_equal(const struct relay_rule *a, const struct relay_rule *b);

/* Two rules that take the same datagrams (interface, group or address,
 * port and source): a file may not have both. */
bool relay_same_input(const struct relay_rule *a, const struct relay_rule *b);

/* "eth0 239.1.1.1:5000", "eth0 [ff0e::1]:5000 source 2001:db8::7" */
void relay_input_text(const struct relay_rule *r, char buf[RELAY_TEXT_MAX]);
/* "239.2.2.2:6000 dev eth1", "[2001:db8::9]:7000" */
void relay_output_text(const struct relay_output *o, char buf[RELAY_TEXT_MAX]);

/* The rule as a relayd.conf line, which relay_parse_line reads back to an
 * equal rule (when it fits CONF_LINE_MAX).  Its length. */
size_t relay_rule_line(const struct relay_rule *r, char buf[RELAY_LINE_MAX]);

/* Read the rules of the file path into *rules: 0, or -1 when a line is
 * bad (each logged as "path:line: why") or the file unreadable (logged),
 * and then *rules is garbage: load into a spare, so that the rules in
 * force stay so.  When errors is not NULL, the same messages go there
 * too, one a line, as many as fit in size bytes (NUL-terminated). */
int rules_load(const char *path, struct relay_rules *rules, char *errors, size_t size);

#endif
