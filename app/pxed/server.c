/* SPDX-License-Identifier: MIT */
/* server.c -- see server.h. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "log.h"

#define SOCKETS_MAX (2 * PXED_IFACES_MAX)
#define RECV_MAX 2048 /* a DHCP message fits an Ethernet frame */

static int open_socket(const char *iface, uint16_t port)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(port) };
	const int on = 1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		die_errno("unable to create a UDP socket");
	/* One socket per interface on the same port. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof on) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) < 0)
		die_errno("unable to set the options of the port %u socket", port);
	if (iface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface, (socklen_t)strlen(iface)) < 0)
		die_errno("unable to bind a socket to interface %s", iface);
	if (bind(fd, (struct sockaddr *)&in, sizeof in) < 0)
		die_errno("unable to bind to 0.0.0.0 port %u%s%s", port, iface ? " on " : "",
			  iface ? iface : "");
	return fd;
}

bool server_leases(struct pxed *p, bool load)
{
	const struct pxed_conf *c = p->conf;
	uint32_t lo[PXECONF_POOLS_MAX], hi[PXECONF_POOLS_MAX];
	int n;

	if (c->mode != PXED_SERVER)
		return true;
	for (unsigned i = 0; i < c->npool; i++)
		lo[i] = c->pool[i].lo, hi[i] = c->pool[i].hi;
	if (!lease_pools_move(p->leases, p->nleases, lo, hi, c->npool)) {
		log_errno("unable to allocate the pools");
		return false;
	}
	p->nleases = c->npool;
	if (!load)
		return true;
	n = lease_load(p->leases, p->nleases, p->lease_path, time(NULL));
	if (n < 0 && errno != ENOENT)
		log_errno("unable to read the leases of %s; starting with none", p->lease_path);
	else if (n > 0)
		log_info("%d lease(s) read from %s", n, p->lease_path);
	return true;
}

/* SIGUSR1's lines; a cause array is logged as tftpd's loop.c does, a
 * line a cause that counted (the shape is alike, the names differ). */
static void log_stats(const struct pxed *p)
{
	const struct stats *st = p->st;
	uint64_t bad = 0;

	for (int i = 0; i < DHCP_CAUSE_COUNT; i++)
		bad += st->bad[i];
	log_info("stats: %llu received, %llu sent, %llu send errors, %llu bad packets, "
		 "%llu oversized, %llu lease file writes (%llu failed)",
		 (unsigned long long)st->received, (unsigned long long)st->sent,
		 (unsigned long long)st->send_errors, (unsigned long long)bad,
		 (unsigned long long)st->oversized, (unsigned long long)st->lease_saves,
		 (unsigned long long)st->lease_save_errors);
	for (int i = 0; i < ANS_COUNT; i++)
		if (st->outcome[i])
			log_info("stats:   %llu %s", (unsigned long long)st->outcome[i],
				 answer_name((enum answer_outcome)i));
	for (int i = 1; i < DHCP_CAUSE_COUNT; i++)
		if (st->bad[i])
			log_info("stats:   %llu bad: %s", (unsigned long long)st->bad[i],
				 dhcp_cause_message((enum dhcp_cause)i));
	if (!st->ra.received)
		return;
	log_info("stats: %llu router solicitations: %llu answered, %llu not (router-advert "
		 "off), %llu over the rate limit, %llu send errors",
		 (unsigned long long)st->ra.received, (unsigned long long)st->ra.sent,
		 (unsigned long long)st->ra.ignored, (unsigned long long)st->ra.limited,
		 (unsigned long long)st->ra.send_errors);
	for (int i = 1; i < RA_VERDICT_COUNT; i++)
		if (st->ra.bad[i])
			log_info("stats:   %llu bad router solicitations: %s",
				 (unsigned long long)st->ra.bad[i], ra_verdict_text((enum ra_verdict)i));
}

static void reload(struct pxed *p)
{
	struct pxed_conf *c = pxeconf_load(p->args.conf), *old = p->conf;

	if (!c) {
		log_err("SIGHUP: %s not loaded; the running configuration stays in force",
			p->args.conf);
		return;
	}
	p->conf = c;
	if (!server_leases(p, old->mode != PXED_SERVER)) {
		p->conf = old;
		free(c);
		return;
	}
	free(old);
	log_info("SIGHUP: %s reloaded (%s mode)", p->args.conf,
		 c->mode == PXED_SERVER ? "server" : "proxy");
}

static void addr_text(uint32_t a, char buf[INET_ADDRSTRLEN])
{
	struct in_addr in = { htonl(a) };

	inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

static void log_answer(const struct pxed *p, const struct dhcp_msg *m, const char *ifname,
		       enum answer_outcome o, const struct dhcp_reply *r)
{
	char a[INET_ADDRSTRLEN];
	const uint8_t *h = m->chaddr;

	if (!answer_sends(o) && !p->args.verbose && o != ANS_RELEASED && o != ANS_DECLINED)
		return;
	addr_text(answer_sends(o) ? r->yiaddr : m->type == DHCP_DECLINE ? m->requested_ip : m->ciaddr, a);
	log_info("%s from %02x:%02x:%02x:%02x:%02x:%02x on %s (arch %s%u%s): %s %s%s%s",
		 dhcp_type_name(m->type), h[0], h[1], h[2], h[3], h[4], h[5], ifname,
		 dhcp_has(m, DHCP_F_ARCH) ? "" : "none ", m->arch,
		 boot_is_ipxe(m) ? ", iPXE" : boot_is_http(m) ? ", HTTP" :
		 rpi_is_client(&p->conf->rpi, m) ? ", Raspberry Pi" : "",
		 answer_name(o), a, answer_sends(o) && r->file[0] ? ", file " : "",
		 answer_sends(o) ? r->file : "");
}

/* ANS_NO_POOL: said once a minute a relay (or receiving address), so a
 * relay of a subnet with no pool cannot fill the log. */
static void log_no_pool(struct pxed *p, const struct dhcp_msg *m, const char *ifname, uint32_t local)
{
	uint32_t addr = m->giaddr ? m->giaddr : local;
	struct timespec ts;
	time_t now;
	unsigned slot = 0;
	char a[INET_ADDRSTRLEN];
	const uint8_t *h = m->chaddr;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* a step of the wall clock changes nothing */
	now = ts.tv_sec;
	for (unsigned i = 0; i < sizeof p->no_pool / sizeof p->no_pool[0]; i++) {
		if (p->no_pool[i].addr == addr) {
			slot = i;
			break;
		}
		if (p->no_pool[i].said < p->no_pool[slot].said)
			slot = i;
	}
	if (p->no_pool[slot].addr == addr && now - p->no_pool[slot].said < 60)
		return;
	p->no_pool[slot].addr = addr;
	p->no_pool[slot].said = now;
	addr_text(addr, a);
	log_warn("%s from %02x:%02x:%02x:%02x:%02x:%02x on %s %s %s: no pool for its subnet, not "
		 "answered (said once a minute for it)", dhcp_type_name(m->type), h[0], h[1], h[2],
		 h[3], h[4], h[5], ifname, m->giaddr ? "relayed by" : "to", a);
}

static void send_reply(struct pxed *p, int fd, const struct dhcp_msg *m, const struct dhcp_reply *r,
		       enum answer_port port, const struct sockaddr_in *src, const struct in_pktinfo *pi)
{
	uint8_t out[DHCP_REPLY_MAX];
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct iovec iov = { out, dhcp_build(out, sizeof out, r) };
	struct msghdr msg = { .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov,
			      .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	struct in_pktinfo out_pi = { .ipi_ifindex = pi->ipi_ifindex, .ipi_spec_dst = pi->ipi_spec_dst };
	uint32_t dst;
	uint16_t dport;

	answer_dest(m, r, port, ntohl(src->sin_addr.s_addr), ntohs(src->sin_port), &dst, &dport);
	to.sin_addr.s_addr = htonl(dst);
	to.sin_port = htons(dport);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof out_pi);
	memcpy(CMSG_DATA(cm), &out_pi, sizeof out_pi);
	if (sendmsg(fd, &msg, 0) < 0) {
		p->st->send_errors++;
		log_errno("unable to send a reply to xid %08x", m->xid);
		return;
	}
	p->st->sent++;
}

static void on_packet(struct pxed *p, const struct pxed_sock *s)
{
	uint8_t buf[RECV_MAX];
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_in src;
	struct iovec iov = { buf, sizeof buf };
	struct msghdr msg = { .msg_name = &src, .msg_namelen = sizeof src, .msg_iov = &iov,
			      .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
	struct in_pktinfo pi = { 0 };
	struct dhcp_msg m;
	struct dhcp_reply r;
	enum dhcp_cause c;
	enum answer_outcome o;
	char ifname[IF_NAMESIZE] = "?";
	bool save;
	ssize_t n = recvmsg(s->fd, &msg, 0);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_errno("unable to receive a packet");
		return;
	}
	p->st->received++;
	if (msg.msg_flags & MSG_TRUNC) {
		p->st->oversized++;
		return;
	}
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO)
			memcpy(&pi, CMSG_DATA(cm), sizeof pi);
	if_indextoname((unsigned)pi.ipi_ifindex, ifname);
	if ((c = dhcp_parse(buf, (size_t)n, DHCP_BOOTREQUEST, &m)) != DHCP_OK) {
		p->st->bad[c]++;
		if (p->args.verbose)
			log_info("bad packet from %s on %s: %s", inet_ntoa(src.sin_addr), ifname,
				 dhcp_cause_message(c));
		return;
	}
	o = answer(&(struct answer_ctx){ p->conf, p->leases, time(NULL), ntohl(pi.ipi_spec_dst.s_addr) },
		   &m, s->port, &r, &save);
	p->st->outcome[o]++;
	log_answer(p, &m, ifname, o, &r);
	if (o == ANS_NO_POOL)
		log_no_pool(p, &m, ifname, ntohl(pi.ipi_spec_dst.s_addr));
	if (o == ANS_NOT_SERVED)
		return; /* another box's client: not this box's journal either */
	if (save) {
		p->st->lease_saves++;
		if (lease_save(p->leases, p->nleases, p->lease_path) < 0) {
			/* RFC 2131 4.3.1: no ACK for a binding not stored. */
			p->st->lease_save_errors++;
			log_errno("unable to write the leases to %s", p->lease_path);
			if (o == ANS_ACK)
				return;
		}
	}
	record_answer(p, &m, o, &r, s->port, ntohl(src.sin_addr.s_addr));
	if (answer_sends(o))
		send_reply(p, s->fd, &m, &r, s->port, &src, &pi);
}

void server_bind(struct pxed *p)
{
	for (unsigned i = 0; i < (p->niface ? p->niface : 1); i++) {
		const char *ifname = p->niface ? p->iface[i] : NULL;

		p->sock[p->nsock++] = (struct pxed_sock){ open_socket(ifname, p->port), PORT_DHCP };
		p->sock[p->nsock++] = (struct pxed_sock){ open_socket(ifname, p->pxe_port), PORT_PXE };
	}
	/* Raw: the one socket that needs CAP_NET_RAW, which is not kept. */
	p->ra_fd = ra_open(p->iface, p->niface);
}

int server_run(struct pxed *p, int sfd)
{
	const struct pxed_sock *socks = p->sock;
	struct pollfd pfd[SOCKETS_MAX + 2];
	unsigned n = p->nsock;
	int ra_fd = p->ra_fd;

	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (unsigned i = 0; i < n; i++)
		pfd[i + 1] = (struct pollfd){ .fd = socks[i].fd, .events = POLLIN };
	pfd[n + 1] = (struct pollfd){ .fd = ra_fd, .events = POLLIN }; /* -1: ignored */
	log_info("%s mode on ports %u and %u%s, %s", p->conf->mode == PXED_SERVER ? "server" : "proxy",
		 p->port, p->pxe_port, p->niface ? "" : " of every interface", p->args.conf);
	for (;;) {
		struct signalfd_siginfo si;

		if (poll(pfd, n + 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die_errno("unable to poll");
		}
		for (unsigned i = 0; i < n; i++)
			if (pfd[i + 1].revents & POLLIN)
				on_packet(p, &socks[i]);
		if (pfd[n + 1].revents & POLLIN)
			ra_on_packet(ra_fd, &(struct ra_ctx){ p->iface, p->niface,
				     pxeconf_router_advert(p->conf), p->args.verbose }, &p->st->ra);
		if (!(pfd[0].revents & POLLIN) || read(sfd, &si, sizeof si) != sizeof si)
			continue;
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("%s: stopping", strsignal((int)si.ssi_signo));
			return 0;
		case SIGHUP:
			reload(p);
			break;
		case SIGUSR1:
			log_stats(p);
			break;
		}
	}
}
