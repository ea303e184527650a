/* SPDX-License-Identifier: MIT */
/* request.c -- a request on port 69: admitted (admit.h), then a transfer
 * with a socket of its own, its file opened and its options negotiated. */
#include "xfer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "admit.h"
#include "clock.h"
#include "log.h"

/* The address the request was sent to, and the interface it came in on,
 * from the IP_PKTINFO / IPV6_PKTINFO control message. */
static bool request_local(struct server *s, union addr *local, unsigned *ifindex)
{
	memset(local, 0, sizeof *local);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&s->lmsg); c; c = CMSG_NXTHDR(&s->lmsg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			*ifindex = (unsigned)pi.ipi_ifindex;
			if (s->family == AF_INET) {
				local->in.sin_family = AF_INET;
				local->in.sin_addr = pi.ipi_spec_dst;
			} else { /* IPv4 on a dual-stack socket: v4-mapped */
				local->in6.sin6_family = AF_INET6;
				local->in6.sin6_addr.s6_addr[10] = 0xff;
				local->in6.sin6_addr.s6_addr[11] = 0xff;
				memcpy(&local->in6.sin6_addr.s6_addr[12], &pi.ipi_spec_dst, 4);
			}
			return true;
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			*ifindex = pi.ipi6_ifindex;
			local->in6.sin6_family = AF_INET6;
			local->in6.sin6_addr = pi.ipi6_addr;
			if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
				local->in6.sin6_scope_id = pi.ipi6_ifindex;
			return true;
		}
	}
	return false;
}

/* The interface's MTU: the ceiling for blksize (RFC 2348 asks servers not
 * to make IP fragment); 0 if unknown. */
static unsigned interface_mtu(int fd, unsigned ifindex)
{
	struct ifreq ifr = { 0 };

	if (!ifindex || !if_indextoname(ifindex, ifr.ifr_name) || ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		return 0;
	return ifr.ifr_mtu > 0 ? (unsigned)ifr.ifr_mtu : 0;
}

/* A socket for the transfer, on the address the request came to (so a
 * multi-homed box answers from the address the client knows), on an
 * ephemeral port or one of the configured range. */
static int transfer_socket(struct server *s, union addr *local)
{
	const struct config *c = s->cfg;
	socklen_t len = s->family == AF_INET ? sizeof local->in : sizeof local->in6;
	unsigned span = c->port_hi >= c->port_lo && c->port_lo ? c->port_hi - c->port_lo + 1 : 0;
	unsigned tries = span ? (span < 64 ? span : 64) : 1;
	unsigned start = span ? (unsigned)random() % span : 0;
	int fd = socket(s->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	for (unsigned k = 0; k < tries; k++) {
		uint16_t port = span ? htons((uint16_t)(c->port_lo + (start + k) % span)) : 0;

		if (s->family == AF_INET)
			local->in.sin_port = port;
		else
			local->in6.sin6_port = port;
		if (bind(fd, &local->sa, len) == 0)
			return fd;
		if (errno != EADDRINUSE)
			break;
	}
	int err = errno;
	close(fd);
	errno = err;
	return -1;
}

static unsigned transfers_from(struct server *s, const union addr *peer, bool *dup)
{
	unsigned n = 0;

	*dup = false;
	for (struct xfer *x = s->xfers; x; x = x->next) {
		if (x->ending)
			continue;
		if (same_peer(&x->peer, peer))
			*dup = true;
		n += same_host(&x->peer, peer);
	}
	return n;
}

static bool xfer_buffers(struct xfer *x)
{
	size_t bs = x->t.blksize;

	if (x->put) {
		x->rsize = TFTP_HEADER + bs + 1;
		if (!(x->rbuf = malloc(x->rsize)))
			return false;
		return x->mode == TFTP_OCTET || (x->wbuf = malloc(bs + 1));
	}
	x->nslots = x->t.windowsize;
	x->slots = calloc(x->nslots, sizeof *x->slots);
	if (!x->slots)
		return false;
	if (x->mode == TFTP_OCTET)
		return true;
	x->ring = malloc((size_t)x->nslots * bs);
	x->ring_len = calloc(x->nslots, sizeof *x->ring_len);
	return x->ring && x->ring_len;
}

/* Open the file of request r and negotiate; on failure *code and *why say
 * what to answer, and false is returned. */
static bool xfer_open(struct xfer *x, const struct tftp_request *r, const char *rel,
		      unsigned mtu, enum tftp_error *code, const char **why)
{
	struct server *s = x->srv;
	struct tftp_limits lim = s->cfg->lim;
	uint64_t size = 0;
	int fd;

	lim.mtu = mtu;
	lim.ipv6 = s->family == AF_INET6 && !IN6_IS_ADDR_V4MAPPED(&x->peer.in6.sin6_addr);
	if (x->put) {
		if (upload_begin(&x->up, s->cfg->upload_fd, s->cfg->stage_fd, rel,
				 s->cfg->overwrite) < 0)
			goto refused;
	} else {
		fd = path_open(s->cfg->root_fd, rel, O_RDONLY);
		if (fd < 0)
			goto refused;
		x->file = files_get(fd);
		x->ra_done = x->file && read_ahead_wanted(x->file) ? 0 : UINT64_MAX;
		close(fd);
		if (!x->file)
			goto refused;
		size = x->file->size;
	}
	enum tftp_cause c = tftp_negotiate(r, x->put ? TFTP_WRQ : TFTP_RRQ, size, &lim, &x->t);
	if (c != TFTP_OK) {
		s->st->bad_packet[c]++;
		*code = tftp_cause_code(c);
		*why = tftp_cause_message(c);
		return false;
	}
	if (!xfer_buffers(x)) {
		*code = TFTP_EUNDEF;
		*why = "out of memory";
		return false;
	}
	return true;
refused:
	*code = path_errno_code(errno);
	*why = *code == TFTP_ENOTFOUND ? "file not found" : strerror(errno);
	if (*code == TFTP_ENOTFOUND)
		s->st->not_found++;
	else
		s->st->denied++;
	if (*code == TFTP_EUNDEF)
		*code = TFTP_EACCESS;
	return false;
}

static void xfer_start(struct xfer *x)
{
	x->started_ms = clock_ms();
	record_start(x);
	arm_recv(x);
	arm_timer(x);
	if (x->put)
		wrq_start(x);
	else
		rrq_start(x);
}

/* Whether request p from s->lpeer is taken (admit.h), counted and
 * answered if not; on true, rel holds the file. */
static bool admitted(struct server *s, const struct tftp_packet *p, const char *who,
		     char *rel, size_t size)
{
	const struct config *cfg = s->cfg;
	char host[INET6_ADDRSTRLEN];
	struct admit_state st = {
		.uploads = cfg->upload_dir != NULL, .stopping = s->stopping,
		.running = s->nxfers, .max_transfers = cfg->max_transfers,
		.per_client = cfg->per_client, .remap = cfg->remap, .path = &cfg->path,
	};
	struct admission a;

	st.from_host = transfers_from(s, &s->lpeer, &st.resent);
	host_text(&s->lpeer, host, sizeof host);
	a = admit(&st, &p->req, p->opcode == TFTP_WRQ, host, rel, size);
	switch (a.verdict) {
	case ADMIT_OK:
		return true;
	case ADMIT_RESENT:
		s->st->dup_requests++;
		return false;
	case ADMIT_BUSY:
		s->st->busy++;
		break;
	case ADMIT_DENIED:
		s->st->denied++;
		break;
	case ADMIT_BAD_PATH:
		s->st->bad_path[a.path]++;
		if (!a.remapped)
			log_warn("%s %.*s from %s: refused: %s", p->opcode == TFTP_RRQ ? "RRQ" : "WRQ",
				 100, p->req.filename, who, a.message);
		break;
	}
	record_refused(s, p->req.filename, JOURNAL_END_REFUSED, a.message);
	reply_error(s, s->fd, &s->lpeer, s->lmsg.msg_namelen, a.code, a.message);
	return false;
}

void on_request(struct server *s, size_t len, bool truncated)
{
	const struct config *cfg = s->cfg;
	struct tftp_packet p = { 0 };
	enum tftp_cause c = truncated ? TFTP_OVERSIZED : tftp_parse(s->lbuf, len, &p);
	socklen_t plen = s->lmsg.msg_namelen;
	char who[INET6_ADDRSTRLEN + 8], rel[PATH_MAX];
	const char *why;
	enum tftp_error code;
	union addr local;
	unsigned ifindex = 0;
	struct xfer *x;

	s->st->requests++;
	if (c != TFTP_OK) {
		s->st->bad_packet[c]++;
		if (p.opcode != TFTP_ERROR)
			reply_error(s, s->fd, &s->lpeer, plen, tftp_cause_code(c),
				    tftp_cause_message(c));
		return;
	}
	if (p.opcode != TFTP_RRQ && p.opcode != TFTP_WRQ) {
		/* DATA, ACK or ERROR to port 69: no transfer has that TID. */
		s->st->wrong_tid++;
		if (p.opcode != TFTP_ERROR)
			reply_error(s, s->fd, &s->lpeer, plen, TFTP_EBADID, "unknown transfer ID");
		return;
	}
	p.opcode == TFTP_RRQ ? s->st->rrq++ : s->st->wrq++;
	addr_text(&s->lpeer, who, sizeof who);
	if (!admitted(s, &p, who, rel, sizeof rel))
		return;
	if (!request_local(s, &local, &ifindex)) {
		log_err("request from %s without its destination address; dropped", who);
		return;
	}
	x = calloc(1, sizeof *x);
	if (!x) {
		reply_error(s, s->fd, &s->lpeer, plen, TFTP_EUNDEF, "out of memory");
		return;
	}
	x->srv = s;
	x->put = p.opcode == TFTP_WRQ;
	x->mode = p.req.mode;
	x->peer = s->lpeer;
	x->peer_len = plen;
	x->up = (struct upload)UPLOAD_NONE;
	snprintf(x->who, sizeof x->who, "%s", who);
	snprintf(x->name, sizeof x->name, "%.*s", (int)sizeof x->name - 1, rel);
	x->fd = transfer_socket(s, &local);
	if (x->fd < 0) {
		log_errno("unable to open a socket for %s", who);
		reply_error(s, s->fd, &s->lpeer, plen, TFTP_EUNDEF, "server out of sockets");
		free(x);
		return;
	}
	fixed_get(x);
	x->next = s->xfers;
	if (s->xfers)
		s->xfers->prev = x;
	s->xfers = x;
	s->nxfers++;
	s->st->running = s->nxfers;
	if (!xfer_open(x, &p.req, rel, interface_mtu(x->fd, ifindex), &code, &why)) {
		if (cfg->verbose || code != TFTP_ENOTFOUND)
			log_info("%s %s from %s: %s", x->put ? "WRQ" : "RRQ", x->name, who, why);
		record_refused(s, x->name, code == TFTP_ENOTFOUND ? JOURNAL_END_NOT_FOUND
								 : JOURNAL_END_REFUSED, why);
		x->clen = tftp_build_error(x->cnext, sizeof x->cnext, code, why);
		send_ctl(x);
		xfer_end(x);
		return;
	}
	xfer_start(x);
}
