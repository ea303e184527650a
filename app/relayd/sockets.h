/* SPDX-License-Identifier: MIT */
/* sockets.h -- the sockets of a rule: one bound input that has joined
 * its group on its interface, and one connected socket per output, so a
 * send needs no address.  Each returns the socket, or -1 with errno and
 * *what naming the step that failed ("join 239.1.1.1 on eth0"), for a log
 * line a person can act on. */
#ifndef TERN_RELAYD_SOCKETS_H
#define TERN_RELAYD_SOCKETS_H

#include "rules.h"

#define SOCK_WHAT_MAX 96

/* Bound to the rule's group or address and port, on its interface only
 * (SO_BINDTODEVICE); for a group, joined there (IGMP/MLD; (S,G) when the
 * rule has a source).  SO_RXQ_OVFL on: each datagram carries the count of
 * those the kernel dropped for want of room.  rcvbuf: SO_RCVBUF bytes. */
int sock_input(const struct relay_rule *r, int rcvbuf, char what[SOCK_WHAT_MAX]);

/* Connected to the output's destination, out of its interface when it
 * names one, from its source address when it has one, with its TTL;
 * multicast never looped back to this box.  sndbuf: SO_SNDBUF bytes. */
int sock_output(const struct relay_output *o, int sndbuf, char what[SOCK_WHAT_MAX]);

#endif
