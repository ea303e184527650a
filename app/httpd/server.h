/* SPDX-License-Identifier: MIT */
/* server.h -- httpd's io_uring loop: one ring per worker, a multishot
 * accept on the listening socket, and for each connection one operation
 * in flight at a time (a receive, or a send), so requests on a connection
 * are answered strictly in order: a pipelined request waits in the
 * receive buffer until the response before it is sent.
 *
 * A response is sent by one sendmsg of two iovecs, its head and the file's
 * bytes straight from the file's mapping (files.h: one a file, shared by
 * its responses, and the last keep_mapped unused ones kept): httpd copies
 * no file byte through user space (the kernel copies from the page cache
 * into the socket), and a small file leaves in the same segment as its
 * head.
 *
 * Deadlines, checked by a once-a-second sweep: a request head must be
 * complete within header_s of its first byte (slow-loris), an idle
 * keep-alive connection closes after idle_s, and a response that makes no
 * progress for send_s (a client that stopped reading) is cut with a reset.
 */
#ifndef TERN_HTTPD_SERVER_H
#define TERN_HTTPD_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "request.h"
#include "tls.h"

struct http_reply;
struct mapped;

struct config {
	const char *root;        /* served directory */
	int root_fd;
	struct http_limits lim;
	unsigned max_conns;      /* at once, in this worker */
	unsigned per_client;     /* at once, from one address, in this worker */
	unsigned header_s, idle_s, send_s;
	unsigned ring_entries;
	unsigned keep_mapped;    /* files kept mapped when unused (files.h) */
	uint64_t sendfile_min;   /* bodies this long or longer by sendfile; 0: none */
	unsigned notsent;        /* a sendfile socket's TCP_NOTSENT_LOWAT; 0: the kernel's */
	unsigned memo_ms;        /* a small file's open trusted this long (memo.h); 0: never */
	bool verbose;            /* log refused requests' causes too */
	struct tls_site *tls;    /* tls.h: HTTPS on tls_fd too; NULL: none */
	int tls_fd;
	pid_t *workers;          /* the first worker's: the others' pids */
	unsigned nworkers;
	struct counters *n;      /* this worker's counters and journal: */
	struct journal *journal; /* server_share, before privileges drop */
	/* Set in the status process only (status.h): every request is
	 * answered with a page, never a file: its body (NULL with errno,
	 * ENOENT for a name that is no page) and *r planned. */
	struct mapped *(*page)(const struct http_request *req, const char *name,
			       struct http_reply *r);
};

/* What SIGUSR1 logs and the status page reads: each counts events since
 * the worker started, in the shared mapping <run>/stats/httpd.<worker>
 * (stats.h), described in record.c. */
struct counters {
	uint64_t accepted, refused_full, refused_client;
	uint64_t requests, responses[6]; /* responses by class: [2] 2xx ... [5] 5xx */
	uint64_t malformed;              /* 400 and the other refusals that close */
	uint64_t header_timeouts, idle_closes, send_timeouts, resets;
	uint64_t bytes;                  /* body bytes sent */
	uint64_t reads_ahead;            /* file windows read ahead off the loop (conn.c, warm) */
	struct tls_counters tls;         /* tls.h: HTTPS's (-t) */
};

/* Worker worker's counters and journal shared (stats.h, journal.h) into
 * cfg->n and cfg->journal; before chroot. */
void server_share(struct config *cfg, int worker);

/* Serve connections accepted on listen_fd until SIGTERM or SIGINT on
 * signal_fd.  Exit status: 0, or EXIT_SYSCALL if the ring fails. */
int server_run(struct config *cfg, int listen_fd, int signal_fd);

#endif
