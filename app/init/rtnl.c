/* SPDX-License-Identifier: MIT */
/* rtnl.c -- see rtnl.h.  The messages are those `ip link set`, `ip addr
 * add` and `ip route replace` send (iproute2's ip/iplink.c, ipaddress.c,
 * iproute.c), built in one fixed buffer. */
#include "rtnl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* A kernel answers a request before send() returns; this only bounds a
 * reply lost to a full socket buffer, so PID 1 cannot hang on it. */
#define REPLY_TIMEOUT_S 2

/* A request: room for the largest family header and three attributes of
 * up to 16 bytes, more than any request below needs. */
struct msg {
	struct nlmsghdr nh;
	char body[NLMSG_ALIGN(sizeof(struct ifinfomsg)) + 3 * RTA_SPACE(16)];
};

/* Replies: a link's RTM_NEWLINK with its statistics is 1-2 KiB. */
union reply {
	struct nlmsghdr nh;
	char buf[16384];
};

int rtnl_open(struct rtnl *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_S };

	r->seq = 0;
	r->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (r->fd < 0)
		return -1;
	if (bind(r->fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) {
		int err = errno;
		close(r->fd);
		errno = err;
		return -1;
	}
	return 0;
}

void rtnl_close(struct rtnl *r)
{
	close(r->fd);
	r->fd = -1;
}

/* Start m as a request of type with flags (NLM_F_REQUEST | NLM_F_ACK and
 * these); returns its family header of size bytes, zeroed. */
static void *msg_start(struct msg *m, uint16_t type, uint16_t flags, size_t size)
{
	memset(m, 0, sizeof *m);
	m->nh.nlmsg_len = NLMSG_LENGTH(size);
	m->nh.nlmsg_type = type;
	m->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	return NLMSG_DATA(&m->nh);
}

static void msg_attr(struct msg *m, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)m + NLMSG_ALIGN(m->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	m->nh.nlmsg_len = NLMSG_ALIGN(m->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static void link_parse(const struct nlmsghdr *nh, struct rtnl_link *l)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = IFLA_PAYLOAD(nh);

	l->index = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->mtu = 0;
	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_MTU && RTA_PAYLOAD(a) >= sizeof(uint32_t))
			memcpy(&l->mtu, RTA_DATA(a), sizeof(uint32_t));
}

/* Read up to the kernel's ack of request seq; a link it describes on the
 * way goes to l.  0, or -1 with errno. */
static int read_ack(struct rtnl *r, uint32_t seq, struct rtnl_link *l)
{
	union reply rep;

	for (;;) {
		ssize_t n = recv(r->fd, &rep, sizeof rep, MSG_TRUNC);
		int left = (int)n;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno == EAGAIN)
				errno = ETIMEDOUT;
			return -1;
		}
		if ((size_t)n > sizeof rep) {
			errno = EMSGSIZE;
			return -1;
		}
		/* glibc's NLMSG_OK compares the int length with the __u32
		 * nlmsg_len: clang (the fuzzers' compiler) warns inside the
		 * macro, gcc does not.  left stays an int so that NLMSG_NEXT
		 * past the end makes it negative, not huge. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
		for (struct nlmsghdr *nh = &rep.nh; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_seq != seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);
				errno = -e->error;
				return e->error ? -1 : 0;
			}
			if (nh->nlmsg_type == RTM_NEWLINK && l)
				link_parse(nh, l);
		}
#pragma GCC diagnostic pop
	}
}

/* Send m; 0 once the kernel has acked it, or -1 with errno. */
static int request(struct rtnl *r, struct msg *m, struct rtnl_link *l)
{
	m->nh.nlmsg_seq = ++r->seq;
	while (send(r->fd, m, m->nh.nlmsg_len, 0) < 0)
		if (errno != EINTR)
			return -1;
	return read_ack(r, m->nh.nlmsg_seq, l);
}

int rtnl_link_get(struct rtnl *r, int index, const char *name, struct rtnl_link *l)
{
	struct msg m;
	struct ifinfomsg *ifi = msg_start(&m, RTM_GETLINK, 0, sizeof *ifi);

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	if (!index)
		msg_attr(&m, IFLA_IFNAME, name, strnlen(name, IFNAMSIZ - 1) + 1);
	l->index = 0;
	if (request(r, &m, l) < 0)
		return -1;
	if (!l->index) { /* acked, yet no link: not a kernel we know */
		errno = ENODEV;
		return -1;
	}
	return 0;
}

bool rtnl_link_carrier(const struct rtnl_link *l)
{
	return l->flags & IFF_LOWER_UP;
}

int rtnl_link_up(struct rtnl *r, int index)
{
	struct msg m;
	struct ifinfomsg *ifi = msg_start(&m, RTM_NEWLINK, 0, sizeof *ifi);

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return request(r, &m, NULL);
}

int rtnl_link_mtu(struct rtnl *r, int index, unsigned mtu)
{
	struct msg m;
	struct ifinfomsg *ifi = msg_start(&m, RTM_NEWLINK, 0, sizeof *ifi);
	uint32_t v = mtu;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	msg_attr(&m, IFLA_MTU, &v, sizeof v);
	return request(r, &m, NULL);
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

int rtnl_addr_add(struct rtnl *r, int index, int family, const void *addr, unsigned prefix)
{
	struct msg m;
	struct ifaddrmsg *ifa = msg_start(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifa);

	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)index;
	/* A static IPv6 address would stay tentative through duplicate
	 * address detection (a second or more; for as long as there is no
	 * carrier), and the services started next could not bind to it.
	 * The address plan of a box configured by hand is its owner's;
	 * RFC 4429 rules out optimistic DAD for such addresses, so no DAD. */
	if (family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	msg_attr(&m, IFA_LOCAL, addr, addr_len(family));
	msg_attr(&m, IFA_ADDRESS, addr, addr_len(family));
	if (family == AF_INET && prefix < 31) { /* as ifconfig and udhcpc's script do */
		uint32_t a, host = 0xffffffffu >> prefix;
		memcpy(&a, addr, sizeof a);
		a |= htonl(host);
		msg_attr(&m, IFA_BROADCAST, &a, sizeof a);
	}
	if (request(r, &m, NULL) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int rtnl_route_default(struct rtnl *r, int index, int family, const void *gw)
{
	struct msg m;
	struct rtmsg *rtm = msg_start(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, sizeof *rtm);
	uint32_t oif = (uint32_t)index;

	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	msg_attr(&m, RTA_GATEWAY, gw, addr_len(family));
	msg_attr(&m, RTA_OIF, &oif, sizeof oif);
	return request(r, &m, NULL);
}

int rtnl_monitor_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

void rtnl_monitor_drain(int fd)
{
	union reply rep;

	while (recv(fd, &rep, sizeof rep, 0) > 0 || errno == EINTR || errno == ENOBUFS)
		;
}
