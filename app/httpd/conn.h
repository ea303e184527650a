/* SPDX-License-Identifier: MIT */
/* conn.h -- one client connection: its receive buffer, the response in
 * progress, and the steps the loop (server.c) calls as operations
 * complete.  A connection has at most one operation in flight (inflight);
 * it is freed only when none is, so no completion finds it gone.
 */
#ifndef TERN_HTTPD_CONN_H
#define TERN_HTTPD_CONN_H

#include <liburing.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "files.h"
#include "journal.h"
#include "response.h"
#include "server.h"
#include "tls.h"

#define CONN_HEAD_MAX 1024 /* a response head; ours are under 400 bytes */
#define CONN_LOG_PATH 200  /* bytes of the target a log line shows */

enum conn_state { CONN_READ, CONN_SEND, CONN_DRAIN };

struct conn {
	unsigned idx;            /* slot in the server's table */
	int fd;
	enum conn_state state;
	bool inflight, closing, close_after;
	bool nonblocking;        /* O_NONBLOCK set, for sendfile (conn.c) */
	bool notsent;            /* TCP_NOTSENT_LOWAT set (conn.c) */
	bool large;              /* its response is counted in large_sends */
	bool warming;            /* the op in flight is a read ahead (conn.c, warm) */
	bool in_memory;          /* file_fd's file system has no disk (tmpfs) */
	struct in6_addr addr;    /* the client's (IPv4 as ::ffff:a.b.c.d) */
	char who[INET6_ADDRSTRLEN + 8];
	struct tls_conn *tls;    /* tls.h: accepted on the TLS port; else NULL */
	int64_t deadline_ms;     /* the current state's, CLOCK_MONOTONIC */
	char *buf;               /* lim.max_head bytes */
	size_t fill;             /* bytes received, not yet answered */
	size_t consumed;         /* the head being answered, to drop after */
	/* the response */
	struct http_reply reply;
	char head[CONN_HEAD_MAX];
	size_t head_len;
	const void *body;        /* into file's mapping, or an error's text */
	uint64_t body_len;       /* 0 for HEAD and bodiless statuses */
	struct iovec msg_iov[2]; /* what is left to send */
	struct msghdr msg;
	struct mapped *file;     /* files.h: the file's mapping, shared */
	int file_fd;             /* or the file, sent by sendfile; else -1 */
	int warm_fd;             /* a body's file, sent from the mapping and
				  * looked at by warm (conn.c); else -1 */
	uint64_t sent;           /* of head + body */
	uint64_t warm_to;        /* file_fd's bytes before it known cached, */
	uint64_t warm_end;       /* and up to where the read ahead in flight reads */
	char warm_byte;          /* that read's byte */
	int64_t started_ms;
	bool record;             /* a file's response (or refusal): journaled */
	char path[CONN_LOG_PATH + 1];
};

struct server {
	struct config *cfg;
	struct io_uring ring;
	struct conn **conns;     /* cfg->max_conns slots */
	unsigned nconns, *free_slots, nfree;
	unsigned large_sends;    /* plain responses of SENDFILE_LARGE or more, in flight */
	struct memo *memo;       /* small files opened lately (memo.h) */
	int64_t now_ms;
	struct counters *n;      /* cfg->n: the shared mapping (stats.h) */
};

/* The user data of an operation: the connection's slot and what it is. */
enum op { OP_ACCEPT, OP_SIGNAL, OP_TICK, OP_RECV, OP_SEND, OP_CANCEL, OP_WARM, OP_ADVISE };
#define OP_BITS 3
static inline uint64_t op_data(unsigned idx, enum op op)
{
	return (uint64_t)idx << OP_BITS | op;
}

/* Take as many pipelined requests from the buffer as are complete, then
 * send the first answer or arm a receive. */
void conn_process(struct server *s, struct conn *c);
void conn_received(struct server *s, struct conn *c, int res);
void conn_sent(struct server *s, struct conn *c, int res);
/* A read ahead (OP_WARM) ended: the response goes on. */
void conn_warmed(struct server *s, struct conn *c);
/* Close now, or as soon as the operation in flight ends; reset: abortive
 * close (RST), for clients that broke a deadline. */
void conn_close(struct server *s, struct conn *c, bool reset);

/* record.c: a response to the boot journal (journal.h), once it ended:
 * whole (cut JOURNAL_END_NONE) or cut short (JOURNAL_END_ERROR: by us,
 * JOURNAL_END_ABORTED: by the client). */
void record_response(const struct server *s, const struct conn *c, uint64_t body, int cut);

#endif
