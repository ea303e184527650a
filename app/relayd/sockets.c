/* SPDX-License-Identifier: MIT */
/* sockets.c -- see sockets.h. */
#include "sockets.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* setsockopt, recording what failed; false then. */
static bool opt(int fd, int level, int name, const void *v, socklen_t len, char *what,
		const char *step)
{
	if (setsockopt(fd, level, name, v, len) == 0)
		return true;
	snprintf(what, SOCK_WHAT_MAX, "%s", step);
	return false;
}

static bool opt_int(int fd, int level, int name, int v, char *what, const char *step)
{
	return opt(fd, level, name, &v, sizeof v, what, step);
}

/* A UDP socket of family with a buffer of bytes (force: SO_SNDBUFFORCE
 * or SO_RCVBUFFORCE, which go past net.core.[rw]mem_max as root; else
 * plain, which the kernel caps); -1 with what said. */
static int udp_socket(int family, int force, int plain, int bytes, char what[SOCK_WHAT_MAX])
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(what, SOCK_WHAT_MAX, "create a UDP socket");
		return -1;
	}
	if (bytes > 0 && setsockopt(fd, SOL_SOCKET, force, &bytes, sizeof bytes) < 0)
		setsockopt(fd, SOL_SOCKET, plain, &bytes, sizeof bytes);
	return fd;
}

static socklen_t addr_len(const union relay_addr *a)
{
	return a->sa.sa_family == AF_INET ? sizeof a->in : sizeof a->in6;
}

static int fail(int fd)
{
	int err = errno;

	if (fd >= 0)
		close(fd);
	errno = err;
	return -1;
}

static int dev_index(const char *dev, char *what)
{
	unsigned i = if_nametoindex(dev);

	if (!i)
		snprintf(what, SOCK_WHAT_MAX, "find interface %s", dev);
	return (int)i;
}

/* MCAST_JOIN_GROUP / MCAST_JOIN_SOURCE_GROUP: one call for both families,
 * by interface index. */
static bool join(int fd, const struct relay_rule *r, int ifindex, char *what)
{
	int level = r->in.sa.sa_family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	char group[INET6_ADDRSTRLEN], step[SOCK_WHAT_MAX];

	inet_ntop(r->in.sa.sa_family,
		  r->in.sa.sa_family == AF_INET ? (const void *)&r->in.in.sin_addr
						: (const void *)&r->in.in6.sin6_addr,
		  group, sizeof group);
	snprintf(step, sizeof step, "join %s on %s", group, r->dev);
	if (r->source.sa.sa_family) {
		struct group_source_req gs = { .gsr_interface = (uint32_t)ifindex };

		memcpy(&gs.gsr_group, &r->in, addr_len(&r->in));
		memcpy(&gs.gsr_source, &r->source, addr_len(&r->source));
		return opt(fd, level, MCAST_JOIN_SOURCE_GROUP, &gs, sizeof gs, what, step);
	}
	struct group_req g = { .gr_interface = (uint32_t)ifindex };

	memcpy(&g.gr_group, &r->in, addr_len(&r->in));
	return opt(fd, level, MCAST_JOIN_GROUP, &g, sizeof g, what, step);
}

int sock_input(const struct relay_rule *r, int rcvbuf, char what[SOCK_WHAT_MAX])
{
	union relay_addr bind_to = r->in;
	int ifindex = dev_index(r->dev, what);
	int family = r->in.sa.sa_family, fd;

	if (!ifindex || (fd = udp_socket(family, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf, what)) < 0)
		return -1;
	/* A changed rule's new socket opens while the old one drains. */
	if (!opt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1, what, "set SO_REUSEADDR") ||
	    !opt_int(fd, SOL_SOCKET, SO_RXQ_OVFL, 1, what, "set SO_RXQ_OVFL") ||
	    !opt(fd, SOL_SOCKET, SO_BINDTODEVICE, r->dev, (socklen_t)strlen(r->dev), what,
		 "bind to the interface"))
		return fail(fd);
	if (family == AF_INET6) {
		bind_to.in6.sin6_scope_id = (uint32_t)ifindex;
		if (!opt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, what, "set IPV6_V6ONLY"))
			return fail(fd);
	}
	/* Only the groups this socket joined, not every group of the box. */
	if (r->multicast && !(family == AF_INET
		    ? opt_int(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0, what, "clear IP_MULTICAST_ALL")
		    : opt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0, what, "clear IPV6_MULTICAST_ALL")))
		return fail(fd);
	if (bind(fd, &bind_to.sa, addr_len(&bind_to)) < 0) {
		snprintf(what, SOCK_WHAT_MAX, "bind to the %s and port",
			 r->multicast ? "group" : "address");
		return fail(fd);
	}
	if (r->multicast && !join(fd, r, ifindex, what))
		return fail(fd);
	return fd;
}

int sock_output(const struct relay_output *o, int sndbuf, char what[SOCK_WHAT_MAX])
{
	union relay_addr to = o->to;
	int family = o->to.sa.sa_family, ifindex = 0, fd;
	bool v4 = family == AF_INET;

	if ((o->dev[0] && !(ifindex = dev_index(o->dev, what))) ||
	    (fd = udp_socket(family, SO_SNDBUFFORCE, SO_SNDBUF, sndbuf, what)) < 0)
		return -1;
	if (o->dev[0] && !opt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->dev, (socklen_t)strlen(o->dev),
			      what, "bind to the interface"))
		return fail(fd);
	if (v4) {
		struct ip_mreqn m = { .imr_ifindex = ifindex };

		/* Loop protection: what we send never comes back to a socket
		 * of this box, ours included. */
		if (!opt_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, what, "clear IP_MULTICAST_LOOP") ||
		    (ifindex && !opt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m, what,
				     "set IP_MULTICAST_IF")) ||
		    (o->ttl && (!opt_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, (int)o->ttl, what,
					 "set IP_MULTICAST_TTL") ||
				!opt_int(fd, IPPROTO_IP, IP_TTL, (int)o->ttl, what, "set IP_TTL"))))
			return fail(fd);
	} else {
		to.in6.sin6_scope_id = (uint32_t)ifindex;
		if (!opt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, what,
			     "clear IPV6_MULTICAST_LOOP") ||
		    (ifindex && !opt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex, what,
					 "set IPV6_MULTICAST_IF")) ||
		    (o->ttl && (!opt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, (int)o->ttl, what,
					 "set IPV6_MULTICAST_HOPS") ||
				!opt_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, (int)o->ttl, what,
					 "set IPV6_UNICAST_HOPS"))))
			return fail(fd);
	}
	if (o->src.sa.sa_family) {
		union relay_addr src = o->src;

		if (!v4)
			src.in6.sin6_scope_id = (uint32_t)ifindex;
		if (bind(fd, &src.sa, addr_len(&src)) < 0) {
			snprintf(what, SOCK_WHAT_MAX, "bind to the src address");
			return fail(fd);
		}
	}
	if (connect(fd, &to.sa, addr_len(&to)) < 0) {
		snprintf(what, SOCK_WHAT_MAX, "connect to the destination");
		return fail(fd);
	}
	return fd;
}
