/* SPDX-License-Identifier: MIT */
/* reply.c -- see xfer.h. */
#include "xfer.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

void addr_text(const union addr *a, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	unsigned port;

	if (a->sa.sa_family == AF_INET6) {
		const struct in6_addr *in6 = &a->in6.sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(in6))
			inet_ntop(AF_INET, &in6->s6_addr[12], host, sizeof host);
		else
			inet_ntop(AF_INET6, in6, host, sizeof host);
		port = ntohs(a->in6.sin6_port);
		snprintf(buf, size, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
	} else {
		inet_ntop(AF_INET, &a->in.sin_addr, host, sizeof host);
		snprintf(buf, size, "%s:%u", host, ntohs(a->in.sin_port));
	}
}

/* The client's address without the port: what remap's \i and the
 * per-client cap see. */
void host_text(const union addr *a, char *buf, size_t size)
{
	char *colon;

	addr_text(a, buf, size);
	if (buf[0] == '[') {
		memmove(buf, buf + 1, strlen(buf));
		*strchr(buf, ']') = '\0';
	} else if ((colon = strrchr(buf, ':'))) {
		*colon = '\0';
	}
}

bool same_host(const union addr *a, const union addr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
	return !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, sizeof a->in6.sin6_addr);
}

bool same_peer(const union addr *a, const union addr *b)
{
	if (!same_host(a, b))
		return false;
	return a->sa.sa_family == AF_INET ? a->in.sin_port == b->in.sin_port
					   : a->in6.sin6_port == b->in6.sin6_port;
}

/* -- replies to strangers -------------------------------------------- */

void reply_error(struct server *s, int fd, const union addr *to, socklen_t to_len,
		 enum tftp_error code, const char *message)
{
	struct reply *r = NULL;

	for (unsigned i = 0; i < REPLIES && !r; i++)
		if (!s->replies[i].busy)
			r = &s->replies[i];
	if (!r)
		return;
	r->busy = true;
	r->to = *to;
	r->iov.iov_base = r->buf;
	r->iov.iov_len = tftp_build_error(r->buf, sizeof r->buf, code, message);
	r->msg = (struct msghdr){ .msg_name = &r->to, .msg_namelen = to_len,
				  .msg_iov = &r->iov, .msg_iovlen = 1 };
	send_submit(s, fd, 0, &r->msg, r, TAG_REPLY);
}
