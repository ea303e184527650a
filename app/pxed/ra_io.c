/* SPDX-License-Identifier: MIT */
/* ra_io.c -- the socket side of ra.h: receive router solicitations on the
 * served interfaces, answer each with ra_build()'s advertisement. */
#include "ra_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* ff02::2, all routers: where solicitations go. */
static const struct in6_addr all_routers = { { { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
						 0, 0, 0, 0, 0, 0, 0, 2 } } };
static const struct in6_addr all_nodes = { { { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
					       0, 0, 0, 0, 0, 0, 0, 1 } } };

static bool join(int fd, unsigned ifindex, const char *name)
{
	struct ipv6_mreq mr = { .ipv6mr_multiaddr = all_routers, .ipv6mr_interface = ifindex };

	if (setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof mr) == 0)
		return true;
	log_errno("router solicitations: unable to join ff02::2 on %s", name);
	return false;
}

int ra_open(const char *const *iface, unsigned n)
{
	struct icmp6_filter filter;
	const int on = 1, hops = 255;
	unsigned joined = 0;
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);

	if (fd < 0) {
		log_errno("router solicitations will not be answered: no raw ICMPv6 socket");
		return -1;
	}
	ICMP6_FILTER_SETBLOCKALL(&filter);
	ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &filter);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) < 0) {
		log_errno("router solicitations will not be answered: socket options");
		close(fd);
		return -1;
	}
	if (n) {
		for (unsigned i = 0; i < n; i++) {
			unsigned ix = if_nametoindex(iface[i]);

			if (ix && join(fd, ix, iface[i]))
				joined++;
		}
	} else {
		struct if_nameindex *all = if_nameindex();

		for (struct if_nameindex *p = all; p && p->if_index; p++)
			if (strcmp(p->if_name, "lo") && join(fd, p->if_index, p->if_name))
				joined++;
		if_freenameindex(all);
	}
	if (!joined) {
		log_err("router solicitations will not be answered: no interface joined ff02::2");
		close(fd);
		return -1;
	}
	return fd;
}

/* Whether interface ifindex is one pxed serves. */
static bool served(const char *const *iface, unsigned n, unsigned ifindex)
{
	char name[IF_NAMESIZE];

	if (!n)
		return true;
	if (!if_indextoname(ifindex, name))
		return false;
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(iface[i], name))
			return true;
	return false;
}

void ra_on_packet(int fd, const struct ra_ctx *ctx, struct ra_counters *c)
{
	uint8_t buf[1500], ra[RA_LEN];
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_in6 src, to;
	struct iovec iov = { buf, sizeof buf };
	struct msghdr msg = { .msg_name = &src, .msg_namelen = sizeof src, .msg_iov = &iov,
			      .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
	struct in6_pktinfo pi = { .ipi6_ifindex = 0 };
	int hops = -1;
	char from[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE] = "?";
	enum ra_verdict v;
	bool unspecified;
	ssize_t n = recvmsg(fd, &msg, 0);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_errno("unable to receive a router solicitation");
		return;
	}
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != IPPROTO_IPV6)
			continue;
		if (cm->cmsg_type == IPV6_PKTINFO)
			memcpy(&pi, CMSG_DATA(cm), sizeof pi);
		else if (cm->cmsg_type == IPV6_HOPLIMIT)
			memcpy(&hops, CMSG_DATA(cm), sizeof hops);
	}
	if (!served(ctx->iface, ctx->niface, pi.ipi6_ifindex))
		return;
	c->received++;
	if_indextoname(pi.ipi6_ifindex, ifname);
	inet_ntop(AF_INET6, &src.sin6_addr, from, sizeof from);
	unspecified = IN6_IS_ADDR_UNSPECIFIED(&src.sin6_addr);
	v = (msg.msg_flags & MSG_TRUNC) ? RA_BAD_LENGTH
					 : ra_check(buf, (size_t)n, hops, unspecified);
	if (v != RA_SOLICIT) {
		c->bad[v]++;
		if (ctx->verbose)
			log_info("bad router solicitation from %s on %s: %s", from, ifname,
				 ra_verdict_text(v));
		return;
	}
	if (!ctx->answer) {
		c->ignored++;
		return;
	}
	/* RFC 4861 6.2.6: to the soliciting host, or to all nodes when it
	 * has no address yet; at most one multicast answer a second on an
	 * interface (its MIN_DELAY_BETWEEN_RAS is for unsolicited ones). */
	to = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_addr = src.sin6_addr,
				    .sin6_scope_id = pi.ipi6_ifindex };
	if (unspecified) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((uint64_t)now.tv_sec == c->last_multicast_s &&
		    pi.ipi6_ifindex == c->last_multicast_if) {
			c->limited++;
			return;
		}
		c->last_multicast_s = (uint64_t)now.tv_sec;
		c->last_multicast_if = pi.ipi6_ifindex;
		to.sin6_addr = all_nodes;
	}
	ra_build(ra);
	if (sendto(fd, ra, sizeof ra, 0, (struct sockaddr *)&to, sizeof to) < 0) {
		c->send_errors++;
		log_errno("unable to send a router advertisement to %s on %s", from, ifname);
		return;
	}
	c->sent++;
	if (ctx->verbose)
		log_info("router solicitation from %s on %s: advertisement sent (lifetime 0, "
			 "no prefix)", from, ifname);
}
