/* SPDX-License-Identifier: MIT */
/* rtnl.h -- a small rtnetlink (NETLINK_ROUTE) client: what init needs to
 * bring interfaces up, nothing more.
 *
 * Every change is a request the kernel acknowledges (NLM_F_ACK) before the
 * call returns; a refusal comes back as -1 with errno set to the kernel's
 * error, for the caller to report with strerror.  Fixed buffers, no malloc.
 */
#ifndef TERN_INIT_RTNL_H
#define TERN_INIT_RTNL_H

#include <stdbool.h>
#include <stdint.h>

struct rtnl {
	int fd;
	uint32_t seq;
};

struct rtnl_link {
	int index;
	unsigned flags; /* IFF_*, as ip link shows them */
	unsigned mtu;
};

/* Returns 0, or -1 with errno. */
int rtnl_open(struct rtnl *r);
void rtnl_close(struct rtnl *r);

/* The link called name (index 0), or with that index.  -1 with errno
 * ENODEV when there is none. */
int rtnl_link_get(struct rtnl *r, int index, const char *name, struct rtnl_link *l);
/* The cable is in and the other end is up (IFF_LOWER_UP). */
bool rtnl_link_carrier(const struct rtnl_link *l);
int rtnl_link_up(struct rtnl *r, int index);
int rtnl_link_mtu(struct rtnl *r, int index, unsigned mtu);

/* Add family's address addr (4 or 16 bytes, network order) with prefix;
 * one already there is no error.  IPv4 gets the subnet's broadcast
 * address; IPv6 skips duplicate address detection (see rtnl.c). */
int rtnl_addr_add(struct rtnl *r, int index, int family, const void *addr, unsigned prefix);
/* The default route of family through gateway gw on the link: added, or
 * replacing the one there. */
int rtnl_route_default(struct rtnl *r, int index, int family, const void *gw);

/* A non-blocking socket that becomes readable when any link changes
 * (RTMGRP_LINK); -1 with errno. */
int rtnl_monitor_open(void);
/* Read and drop what it has to say. */
void rtnl_monitor_drain(int fd);

#endif
