/* SPDX-License-Identifier: MIT */
/* submit.c -- what every file of tftpd's loop submits through (xfer.h):
 * sends, counted as they go and uncounted as they are answered, and the
 * fixed-file slots of transfer sockets.  It calls none of them back, so
 * their calls go one way: loop.c -> events.c -> rrq.c, wrq.c -> xfer.c
 * -> submit.c. */
#include "xfer.h"

#include <liburing.h>
#include <stdlib.h>
#include <sys/resource.h>

/* -- the send count ---------------------------------------------------- */

/* Whether the next wait counts on send t of object p completing as it is
 * submitted: it is the only packet its socket has in flight (a lockstep
 * DATA or OACK, a write's ACK, an ERROR).  A window's sends may wait for
 * socket buffer space; counted, they would hold the wait, and every other
 * client's answer with it, until that window drained. */
static bool counts(enum tag t, const void *p)
{
	const struct xfer *x;

	switch (t) {
	case TAG_SEND:
		if (!p) /* send_quick's, failed: it was never counted */
			return false;
		x = ((const struct slot *)p)->x;
		break;
	case TAG_CTL:
		x = p;
		break;
	case TAG_REPLY:
		return true;
	default:
		return false;
	}
	return x->put || x->t.windowsize <= 1;
}

void send_submit(struct server *s, int fd, unsigned char flags, struct msghdr *msg, void *obj,
		 enum tag t)
{
	struct io_uring_sqe *sqe = sqe_get(s);

	io_uring_prep_sendmsg(sqe, fd, msg, 0);
	sqe->flags |= flags;
	io_uring_sqe_set_data64(sqe, tagged(obj, t));
	s->sends += counts(t, obj);
}

void send_quick(struct server *s, const struct xfer *x, struct msghdr *msg)
{
	struct io_uring_sqe *sqe = sqe_get(s);

	io_uring_prep_sendmsg(sqe, x->ufd, msg, MSG_DONTWAIT);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS | x->sqe_flags;
	io_uring_sqe_set_data64(sqe, tagged(NULL, TAG_SEND));
	s->st->quick_sends++;
}

/* -- fixed files ------------------------------------------------------- */

/* As many slots as transfers may run, within the open-file limit (the
 * kernel's bound on a file table); none if the kernel refuses. */
void fixed_init(struct server *s)
{
	struct rlimit rl;
	unsigned n = s->cfg->max_transfers;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && n > rl.rlim_cur)
		n = (unsigned)rl.rlim_cur;
	if (n > 65536)
		n = 65536;
	if (!n || !(s->free_fixed = malloc(n * sizeof *s->free_fixed)))
		return;
	if (io_uring_register_files_sparse(&s->ring, n) < 0) {
		free(s->free_fixed);
		s->free_fixed = NULL;
		return;
	}
	s->nfixed = s->nfree = n;
	for (unsigned i = 0; i < n; i++)
		s->free_fixed[i] = n - 1 - i;
}

void fixed_get(struct xfer *x)
{
	struct server *s = x->srv;

	x->ufd = x->fd;
	x->sqe_flags = 0;
	if (!s->nfree)
		return;
	unsigned i = s->free_fixed[s->nfree - 1];

	if (io_uring_register_files_update(&s->ring, i, &x->fd, 1) != 1)
		return;
	s->nfree--;
	s->st->fixed++;
	x->ufd = (int)i;
	x->sqe_flags = IOSQE_FIXED_FILE;
}

void fixed_put(struct xfer *x)
{
	struct server *s = x->srv;
	int none = -1;

	if (!(x->sqe_flags & IOSQE_FIXED_FILE))
		return;
	io_uring_register_files_update(&s->ring, (unsigned)x->ufd, &none, 1);
	s->free_fixed[s->nfree++] = (unsigned)x->ufd;
	x->sqe_flags = 0;
	x->ufd = x->fd;
}

void send_answered(struct server *s, enum tag t, const void *obj)
{
	s->sends -= counts(t, obj); /* the wait no longer counts on it */
}
