/* SPDX-License-Identifier: MIT */
/* conn.c -- a connection's steps: take a request from the buffer, plan
 * its answer, send it, and go on with the next; see conn.h. */
#include "conn.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/fs.h>    /* RWF_NOWAIT: musl 1.2.3 has no preadv2 */
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "files.h"
#include "log.h"
#include "memo.h"
#include "path.h"
#include "target.h"
#include "uring.h"

/* How long a connection closed after its response may still send bytes
 * we ignore: closing with unread bytes would reset it, and the client
 * might lose the response (RFC 9112 section 9.6). */
#define DRAIN_MS 2000

/* Bytes one connection sends by sendfile in a loop turn before the
 * others' turn. */
#define SENDFILE_TURN (4u << 20)

/* With -S 0, the send path is chosen per response by what the worker is
 * doing: a body of SENDFILE_LARGE or more leaves by sendfile when the
 * worker already sends SENDFILE_BUSY such bodies, else from the mapping
 * (the kernel copying it into the socket).  On a loaded host one stream
 * went faster from the mapping; on a quiet Linux 6.18 host sendfile
 * under the not-sent limit (-L) is faster for one stream as for many, at
 * less CPU, hence -S 65536 by default (tests/bench/README.md, httpd). */
#define SENDFILE_LARGE (64u << 10)
#define SENDFILE_BUSY 4

/* Bytes of a body sent after one look at whether they are in the
 * page cache (warm). */
#define WARM_WINDOW (2u << 20)

static void arm_recv(struct server *s, struct conn *c)
{
	size_t room = s->cfg->lim.max_head - c->fill;
	struct io_uring_sqe *sqe;

	c->state = CONN_READ;
	c->inflight = true;
	if (c->tls) {
		tls_recv(s, c, c->buf + c->fill, room);
		return;
	}
	sqe = uring_sqe(&s->ring);
	io_uring_prep_recv(sqe, c->fd, c->buf + c->fill, room, 0);
	io_uring_sqe_set_data64(sqe, op_data(c->idx, OP_RECV));
}

/* Half-close and read what the client still sends, discarding it. */
static void arm_drain(struct server *s, struct conn *c)
{
	struct io_uring_sqe *sqe = uring_sqe(&s->ring);

	c->state = CONN_DRAIN;
	c->fill = 0;
	c->deadline_ms = s->now_ms + DRAIN_MS;
	if (c->tls)
		tls_close_notify(c);
	shutdown(c->fd, SHUT_WR);
	io_uring_prep_recv(sqe, c->fd, c->buf, s->cfg->lim.max_head, 0);
	io_uring_sqe_set_data64(sqe, op_data(c->idx, OP_RECV));
	c->inflight = true;
}

static uint64_t total_len(const struct conn *c)
{
	return c->head_len + c->body_len;
}

/* Is fd's byte at in the page cache: 1 yes (or beyond the end, or an
 * error sendfile will meet), 0 no, -1 its file system cannot say. */
static int cached(int fd, uint64_t at)
{
	char b;
	struct iovec v = { &b, 1 };

	if (syscall(SYS_preadv2, fd, &v, 1, (unsigned long)at, 0ul, RWF_NOWAIT) >= 0)
		return 1;
	return errno == EAGAIN ? 0 : errno == EOPNOTSUPP ? -1 : 1;
}

/* sendfile reads a page missing from the page cache from the disk (as
 * does a send from the mapping, faulting), and the worker's loop would
 * wait for it, every other connection with it.  So before a body's send
 * goes past c->warm_to (bytes of fd known cached), the next
 * WARM_WINDOW bytes from at (up to end) are looked at: their last byte
 * cached (RWF_NOWAIT, a read that does not wait), the send goes on (the
 * kernel reads ahead in order, so the bytes before it are too, but for a
 * page evicted alone); else, or on a file system that cannot say (FUSE,
 * NFS), they are read ahead off the loop, in io_uring's workers:
 * fadvise(WILLNEED) for the window and the next, and a one-byte read of
 * its last byte, whose completion (conn_warmed) lets the response go on.
 * false: c waits for that read, in CONN_SEND under the send's deadline
 * (both callers set them). */
static bool warm(struct server *s, struct conn *c, int fd, uint64_t at, uint64_t end)
{
	uint64_t to = end - at > WARM_WINDOW ? at + WARM_WINDOW : end;
	struct io_uring_sqe *sqe;

	if (c->in_memory || cached(fd, to - 1) == 1) {
		c->warm_to = c->in_memory ? UINT64_MAX : to;
		return true;
	}
	s->n->reads_ahead++;
	/* two windows: the next one is read while this one is sent.  Fire
	 * and forget: only a failure completes (ignored: the read below,
	 * then the send, meet what matters) */
	sqe = uring_sqe(&s->ring);
	io_uring_prep_fadvise(sqe, fd, at,
			      (off_t)(end - to > WARM_WINDOW ? 2 * WARM_WINDOW : end - at),
			      POSIX_FADV_WILLNEED);
	io_uring_sqe_set_data64(sqe, op_data(c->idx, OP_ADVISE));
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	sqe = uring_sqe(&s->ring);
	io_uring_prep_read(sqe, fd, &c->warm_byte, 1, to - 1);
	io_uring_sqe_set_data64(sqe, op_data(c->idx, OP_WARM));
	c->warm_end = to;
	c->warming = c->inflight = true;
	return false;
}

/* Send what is left of head and body, from c->sent on. */
static void arm_send(struct server *s, struct conn *c)
{
	struct io_uring_sqe *sqe;
	uint64_t h = c->head_len, into_body = c->sent > h ? c->sent - h : 0;
	struct iovec *iov = c->msg_iov;

	/* before warm, whose wait for the disk is the send's */
	c->state = CONN_SEND;
	c->deadline_ms = s->now_ms + (int64_t)s->cfg->send_s * 1000;
	c->msg.msg_iov = iov;
	c->msg.msg_iovlen = 0;
	if (c->sent < h)
		iov[c->msg.msg_iovlen++] = (struct iovec){ c->head + c->sent, h - c->sent };
	if (into_body < c->body_len) {
		uint64_t len = c->body_len - into_body;

		if (c->warm_fd >= 0) { /* a body from the mapping: as sendfile's */
			uint64_t at = c->reply.offset + into_body;

			if (at >= c->warm_to && !warm(s, c, c->warm_fd, at, at + len))
				return;
			if (len > c->warm_to - at)
				len = c->warm_to - at;
		}
		iov[c->msg.msg_iovlen++] = (struct iovec){ (char *)c->body + into_body, len };
	}
	c->inflight = true;
	if (c->tls) {
		tls_send(s, c, &c->msg);
		return;
	}
	sqe = uring_sqe(&s->ring);
	io_uring_prep_sendmsg(sqe, c->fd, &c->msg, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, op_data(c->idx, OP_SEND));
}

/* Wait until c's socket has room (for sendfile_more). */
static void arm_room(struct server *s, struct conn *c)
{
	struct io_uring_sqe *sqe = uring_sqe(&s->ring);

	c->state = CONN_SEND;
	io_uring_prep_poll_add(sqe, c->fd, POLLOUT);
	io_uring_sqe_set_data64(sqe, op_data(c->idx, OP_SEND));
	c->inflight = true;
}

/* Start sending c->reply, whose body is body (NULL: none). */
static void start_response(struct server *s, struct conn *c, const void *body)
{
	c->head_len = http_head(c->head, sizeof c->head, &c->reply, time(NULL));
	c->body = body;
	c->body_len = c->reply.head_only || !body ? 0 : c->reply.length;
	c->sent = 0;
	arm_send(s, c);
}

/* Corked, TCP sends only full segments (as nginx's tcp_nopush): the end
 * of one sendfile call does not push a short one.  Uncorking pushes the
 * rest. */
static void cork(const struct conn *c, bool on)
{
	setsockopt(c->fd, IPPROTO_TCP, TCP_CORK, &(int){ on }, sizeof(int));
}

/* Start sending c->reply, whose body is file_fd's bytes from
 * c->reply.offset on (c now owns file_fd).  The first bytes go when the
 * poll for room completes (at once, in the next submission), not from
 * here: a response that ended here would take the next pipelined request
 * a level deeper down the stack. */
static void start_sendfile(struct server *s, struct conn *c, int file_fd)
{
	c->head_len = http_head(c->head, sizeof c->head, &c->reply, time(NULL));
	c->file_fd = file_fd;
	c->body = NULL;
	c->body_len = c->reply.length;
	c->sent = 0;
	c->deadline_ms = s->now_ms + (int64_t)s->cfg->send_s * 1000;
	/* sendfile must not wait; io_uring's operations on the socket still
	 * wait for readiness (it polls a non-blocking socket for them) */
	if (!c->nonblocking)
		c->nonblocking = fcntl(c->fd, F_SETFL, O_NONBLOCK) == 0;
	cork(c, true);
	/* At most -L bytes wait unsent: this worker sends them in its own
	 * sendfile calls, rather than leaving megabytes for the receiver's
	 * ACKs to send in the receiver's time (tests/bench/README.md, httpd:
	 * on loopback twice the MiB/s at half the machine's CPU) */
	if (s->cfg->notsent && !c->notsent)
		c->notsent = setsockopt(c->fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT,
					&(int){ (int)s->cfg->notsent }, sizeof(int)) == 0;
	c->warm_to = 0;
	c->in_memory = files_in_memory(file_fd);
	arm_room(s, c);
}

/* Answer status instead of a file.  A request refused by the parser
 * (req NULL) or for its target's spelling is malformed: counted, and its
 * connection closed; a 403, 404 or 500 keeps a sound connection. */
static void refuse(struct server *s, struct conn *c, int status,
		   const struct http_request *req, const char *why)
{
	bool malformed = !req || (status != 403 && status != 404 && status != 500);
	bool keep = req && req->keep_alive && !malformed && status != 500;

	http_plan_error(status, req ? req->minor : 1, keep, req && req->method == HTTP_HEAD,
			&c->reply);
	c->close_after = !keep;
	s->n->malformed += malformed;
	c->record = true;
	if (s->cfg->verbose && why)
		log_info("%s \"%s\" refused: %s", c->who, c->path, why);
	start_response(s, c, c->reply.text);
}

/* The status for path_open's errno. */
static int open_status(int err)
{
	switch (err) {
	case ENOENT: case ENOTDIR: case EISDIR: case ENAMETOOLONG:
		return 404; /* no directory listings: a directory is not found */
	case EACCES: case EPERM: case EXDEV: case ELOOP:
		return 403;
	default:
		return 500;
	}
}

/* Answer from the memo (memo.h) when rel is remembered and the file is
 * mapped now: no system call.  Only small files are remembered, whose
 * bodies leave from the mapping. */
static bool from_memo(struct server *s, struct conn *c, const struct http_request *req,
		      const char *rel)
{
	struct stat st;
	struct mapped *m = NULL;

	if (!memo_find(s->memo, rel, s->now_ms, &st))
		return false;
	http_plan(req, rel, (uint64_t)st.st_size, st.st_mtime, time(NULL), &c->reply);
	if (!c->reply.head_only && c->reply.length && !(m = files_find(&st))) {
		memo_forget(s->memo, rel); /* its mapping is gone: open it again */
		return false;
	}
	c->close_after = c->reply.close;
	c->file = m;
	start_response(s, c, m ? m->data + c->reply.offset : NULL);
	return true;
}

/* Answer a sound request for a file. */
static void respond(struct server *s, struct conn *c, const struct http_request *req)
{
	char rel[PATH_MAX];
	enum target_cause tc = target_decode(req->target.p, req->target.len, rel, sizeof rel);
	struct stat st;
	int fd;

	c->record = true;
	if (tc != TARGET_OK) {
		refuse(s, c, target_status(tc), req, target_cause_message(tc));
		return;
	}
	if (s->cfg->page) { /* the status process: pages, never a file (status.h) */
		if (!(c->file = s->cfg->page(req, rel, &c->reply))) {
			refuse(s, c, errno == ENOENT ? 404 : 500, req, strerror(errno));
			return;
		}
		c->close_after = c->reply.close;
		start_response(s, c, c->file->data);
		return;
	}
	if (from_memo(s, c, req, rel))
		return;
	/* O_NONBLOCK kept: the file is only mapped, never read (and
	 * path_open then has no flags to set again) */
	fd = path_open_stat(s->cfg->root_fd, rel, O_RDONLY | O_NONBLOCK, &st);
	if (fd < 0) {
		refuse(s, c, open_status(errno), req, strerror(errno));
		return;
	}
	http_plan(req, rel, (uint64_t)st.st_size, st.st_mtime, time(NULL), &c->reply);
	c->close_after = c->reply.close;
	/* By sendfile(2), the socket taking references to the page cache's
	 * pages, no byte copied by the server: bodies of -S or more, or
	 * with -S 0 large ones while the worker is busy (SENDFILE_BUSY);
	 * otherwise with its head in one sendmsg from the file's mapping
	 * (files.h), which the kernel copies */
	c->large = !c->reply.head_only && !c->tls && c->reply.length >= SENDFILE_LARGE;
	s->large_sends += c->large;
	if (!c->reply.head_only && !c->tls &&
	    (s->cfg->sendfile_min ? c->reply.length >= s->cfg->sendfile_min
				  : c->large && s->large_sends > SENDFILE_BUSY)) {
		start_sendfile(s, c, fd);
		return;
	}
	if (!c->reply.head_only && c->reply.length && !(c->file = files_get_stat(fd, &st))) {
		log_errno("unable to map %s", rel);
		close(fd);
		refuse(s, c, 500, req, NULL);
		return;
	}
	if (c->file) { /* for warm; a memo's file (above) was opened lately */
		c->warm_fd = fd;
		c->warm_to = 0;
		c->in_memory = c->file->in_memory;
	} else {
		close(fd);
	}
	if ((uint64_t)st.st_size < SENDFILE_LARGE &&
	    (!s->cfg->sendfile_min || (uint64_t)st.st_size < s->cfg->sendfile_min))
		memo_keep(s->memo, rel, &st, s->now_ms, s->cfg->memo_ms);
	start_response(s, c, c->file ? c->file->data + c->reply.offset : NULL);
}

/* c->path: "GET /target" or "HEAD /target", the target cut at
 * CONN_LOG_PATH - 5 bytes (by hand, not snprintf: textbuf.h). */
static void set_path(struct conn *c, const struct http_request *req)
{
	const char *method = req->method == HTTP_HEAD ? "HEAD " : "GET ";
	size_t m = strlen(method);
	size_t t = req->target.len < CONN_LOG_PATH - 5 ? req->target.len : CONN_LOG_PATH - 5;

	memcpy(c->path, method, m);
	memcpy(c->path + m, req->target.p, t);
	c->path[m + t] = '\0';
}

void conn_process(struct server *s, struct conn *c)
{
	struct http_request req;
	int status;

	if (!c->fill || !(status = http_parse_request(c->buf, c->fill, &s->cfg->lim, &req))) {
		arm_recv(s, c);
		return;
	}
	s->n->requests++;
	c->started_ms = s->now_ms;
	c->record = false;
	if (status != 200) {
		snprintf(c->path, sizeof c->path, "-");
		c->consumed = c->fill;
		refuse(s, c, status, NULL, "malformed request");
		return;
	}
	c->consumed = req.head_len;
	set_path(c, &req);
	respond(s, c, &req);
}

void conn_received(struct server *s, struct conn *c, int res)
{
	if (c->tls && !c->closing && c->state == CONN_READ &&
	    (res = tls_completed(s, c, res)) == TLS_AGAIN)
		return;
	c->inflight = false;
	if (c->closing || res <= 0) {
		if (res < 0 && res != -ECONNRESET && res != -ECANCELED && c->state == CONN_READ)
			log_info("%s: receive failed: %s", c->who, strerror(-res));
		conn_close(s, c, false);
		return;
	}
	if (c->state == CONN_DRAIN) {
		arm_drain(s, c);
		return;
	}
	if (!c->fill)
		c->deadline_ms = s->now_ms + (int64_t)s->cfg->header_s * 1000;
	c->fill += (size_t)res;
	conn_process(s, c);
}

/* One line per transfer: client, request, status, body bytes, seconds;
 * and its journal event (cut: as record_response). */
static void log_transfer(struct server *s, struct conn *c, const char *end, int cut)
{
	uint64_t body = c->sent > c->head_len ? c->sent - c->head_len : 0;
	int64_t ms = s->now_ms > c->started_ms ? s->now_ms - c->started_ms : 0;

	s->n->bytes += c->reply.text ? 0 : body;
	if (c->record)
		record_response(s, c, body, cut);
	/* seconds as whole and thousandths: no floating point in printf */
	log_info("%s \"%s\" %d %" PRIu64 " bytes %" PRId64 ".%03d s%s", c->who, c->path,
		 c->reply.status, body, ms / 1000, (int)(ms % 1000), end);
}

/* The response's body is done with: its mapping, or its file. */
static void unmap(struct server *s, struct conn *c)
{
	if (c->file)
		files_put(c->file);
	if (c->file_fd >= 0)
		close(c->file_fd);
	if (c->warm_fd >= 0)
		close(c->warm_fd);
	c->file = NULL;
	c->file_fd = c->warm_fd = -1;
	c->body = NULL;
	s->large_sends -= c->large;
	c->large = false;
}

/* The response has ended, whole or cut (err: why, if cut). */
static void response_ended(struct server *s, struct conn *c, int err)
{
	if (c->sent < total_len(c)) {
		s->n->resets += !c->closing;
		log_transfer(s, c, err < 0 ? ", cut short" : ", cut short by the client",
			     err < 0 ? JOURNAL_END_ERROR : JOURNAL_END_ABORTED);
		unmap(s, c);
		conn_close(s, c, true);
		return;
	}
	s->n->responses[c->reply.status / 100 % 6]++;
	log_transfer(s, c, "", JOURNAL_END_NONE);
	unmap(s, c);
	memmove(c->buf, c->buf + c->consumed, c->fill - c->consumed);
	c->fill -= c->consumed;
	if (c->closing) {
		conn_close(s, c, false);
	} else if (c->close_after) {
		arm_drain(s, c);
	} else {
		c->deadline_ms = s->now_ms + (int64_t)(c->fill ? s->cfg->header_s : s->cfg->idle_s) * 1000;
		conn_process(s, c);
	}
}

/* Send by sendfile while the socket (non-blocking) takes bytes, up to
 * SENDFILE_TURN; then wait until it is writable again.  The head goes
 * first, corked, so that it leaves in the body's first segment. */
static void sendfile_more(struct server *s, struct conn *c)
{
	uint64_t turn = 0;

	if (!c->nonblocking) {
		response_ended(s, c, -EINVAL);
		return;
	}
	c->deadline_ms = s->now_ms + (int64_t)s->cfg->send_s * 1000;
	while (c->sent < total_len(c) && turn < SENDFILE_TURN) {
		uint64_t want;
		ssize_t r;

		if (c->sent < c->head_len) {
			want = c->head_len - c->sent;
			r = send(c->fd, c->head + c->sent, want, MSG_DONTWAIT | MSG_NOSIGNAL);
		} else {
			off_t at = (off_t)(c->reply.offset + c->sent - c->head_len);
			uint64_t left = total_len(c) - c->sent;

			want = left < SENDFILE_TURN - turn ? left : SENDFILE_TURN - turn;
			if ((uint64_t)at >= c->warm_to &&
			    !warm(s, c, c->file_fd, (uint64_t)at, (uint64_t)at + left))
				return;
			if (want > c->warm_to - (uint64_t)at)
				want = c->warm_to - (uint64_t)at;
			r = sendfile(c->fd, c->file_fd, &at, want);
			if (r == 0) /* the file was truncated under us */
				errno = EFAULT, r = -1;
		}
		if (r < 0 && errno == EAGAIN)
			break;
		if (r < 0) {
			response_ended(s, c, -errno);
			return;
		}
		c->sent += (uint64_t)r;
		turn += (uint64_t)r;
		/* Short: the socket is full.  Wait for room now rather than
		 * learn it again from an EAGAIN: in a VM each system call
		 * costs an exit (as nginx, which takes a short count so). */
		if ((uint64_t)r < want)
			break;
	}
	if (c->sent == total_len(c)) {
		cork(c, false);
		response_ended(s, c, 0);
	}
	else
		arm_room(s, c);
}

void conn_sent(struct server *s, struct conn *c, int res)
{
	if (c->tls && !c->closing && (res = tls_completed(s, c, res)) == TLS_AGAIN)
		return;
	c->inflight = false;
	if (c->file_fd >= 0) { /* a poll for room, for sendfile_more */
		if (res >= 0 && !c->closing)
			sendfile_more(s, c);
		else
			response_ended(s, c, res < 0 ? res : 0);
		return;
	}
	if (res > 0)
		c->sent += (uint64_t)res;
	if (res > 0 && c->sent < total_len(c) && !c->closing) {
		arm_send(s, c);
		return;
	}
	response_ended(s, c, res);
}

void conn_warmed(struct server *s, struct conn *c)
{
	c->inflight = c->warming = false;
	c->warm_to = c->warm_end;
	if (c->closing)
		response_ended(s, c, 0);
	else if (c->file_fd >= 0)
		sendfile_more(s, c);
	else
		arm_send(s, c);
}

void conn_close(struct server *s, struct conn *c, bool reset)
{
	if (c->inflight) {
		if (!c->closing) {
			struct io_uring_sqe *sqe = uring_sqe(&s->ring);
			enum op op = c->warming ? OP_WARM : c->state == CONN_SEND ? OP_SEND : OP_RECV;

			c->closing = true;
			io_uring_prep_cancel64(sqe, op_data(c->idx, op), 0);
			io_uring_sqe_set_data64(sqe, op_data(0, OP_CANCEL));
			shutdown(c->fd, SHUT_RDWR);
		}
		return;
	}
	if (reset)
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &(struct linger){ 1, 0 }, sizeof(struct linger));
	close(c->fd);
	unmap(s, c);
	tls_conn_free(c->tls);
	s->conns[c->idx] = NULL;
	s->free_slots[s->nfree++] = c->idx;
	s->nconns--;
	free(c->buf);
	free(c);
}
