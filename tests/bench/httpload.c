/* SPDX-License-Identifier: MIT */
/* httpload.c -- HTTP GETs of one file from many connections at once, for
 * the bench (tests/bench/http.py): the same client for every server.
 *
 * -c connections are open at once, in one epoll loop; -n requests are made
 * in all.  Without -K each connection makes one request (Connection:
 * close) and is replaced by a new one while requests remain; with -K a
 * connection makes request after request (keep-alive, one at a time, no
 * pipelining), as a browser or iPXE fetching many small files does.  A
 * response is ok when its status is 200, it has a Content-Length, and
 * that many body bytes came (and, with -k, they equal the file's).
 *
 * Cheap on purpose, so that the client is not what is measured: the body
 * is received with MSG_TRUNC, which TCP discards in the kernel without
 * copying it to user space (unless -k asks to compare it).  Its own CPU
 * time is printed too (cpu=), to show it is below the server's.
 *
 * Output, one line on stdout, key=value (http.py reads it):
 *   ok=N failed=N bytes=N seconds=S mibps=X rps=X cpu=S
 * bytes: body bytes of ok responses; seconds: from the first connect to
 * the last response's end.  One line on stderr per failure (the first 10).
 * Exit 0 when every request is ok, 1 otherwise (or at the -d deadline),
 * 100 usage, 111 system call failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define USAGE "usage: httpload [-c CONNECTIONS] [-n REQUESTS] [-K] [-d DEADLINE_S]\n" \
	      "                [-k REFERENCE_FILE] SERVER PORT PATH"
#define HEAD_MAX 16384
#define REPORT_FAILURES 10
#define TRUNC_MAX (1 << 30) /* bytes a MSG_TRUNC receive asks for at most */

enum state { CONNECTING, HEAD, BODY };

struct conn {
	int fd;
	enum state state;
	size_t fill;       /* head bytes in buf */
	uint64_t left;     /* body bytes still to come */
	uint64_t at;       /* body bytes had (for -k) */
	char buf[HEAD_MAX];
};

static struct sockaddr_in server;
static char request[512];
static size_t request_len;
static bool keep_alive;
static const unsigned char *ref; /* -k: the file's bytes */
static uint64_t ref_size;
static uint64_t n_total, started, ok, failed, bytes;
static int ep;
static char scratch[1 << 16]; /* -k: a body's bytes, to compare */

static void die(const char *what)
{
	fprintf(stderr, "httpload: %s: %s\n", what, strerror(errno));
	exit(111);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void failure(const char *why)
{
	if (failed++ < REPORT_FAILURES)
		fprintf(stderr, "httpload: request failed: %s\n", why);
}

/* A new connection for the next request, if any remain. */
static void open_conn(struct conn *c)
{
	int fd;

	if (started >= n_total) {
		c->fd = -1;
		return;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	if (connect(fd, (struct sockaddr *)&server, sizeof server) < 0 && errno != EINPROGRESS)
		die("connect");
	c->fd = fd;
	c->state = CONNECTING;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &(struct epoll_event){ EPOLLOUT, { .ptr = c } }) < 0)
		die("epoll_ctl");
}

static void close_conn(struct conn *c)
{
	close(c->fd);
	open_conn(c);
}

/* Send the next request on c, or close it when none remain. */
static void next_request(struct conn *c)
{
	if (started >= n_total) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	started++;
	c->state = HEAD;
	c->fill = 0;
	if (send(c->fd, request, request_len, MSG_NOSIGNAL) != (ssize_t)request_len) {
		failure("the request could not be sent at once");
		close_conn(c);
	}
}

static void connected(struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof err;

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		started++; /* this request is lost */
		failure(strerror(err));
		close_conn(c);
		return;
	}
	if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &(struct epoll_event){ EPOLLIN, { .ptr = c } }) < 0)
		die("epoll_ctl");
	next_request(c);
}

static void response_done(struct conn *c)
{
	ok++;
	if (keep_alive)
		next_request(c);
	else
		close_conn(c);
}

/* Body bytes p[0..n) at c->at: equal to the file's? */
static bool body_matches(const struct conn *c, const char *p, size_t n)
{
	return !ref || (c->at + n <= ref_size && !memcmp(ref + c->at, p, n));
}

/* The head is complete (end: its length): check it, take the body bytes
 * that came with it. */
static void parse_head(struct conn *c, size_t end)
{
	const char *cl = memmem(c->buf, end, "\r\nContent-Length:", 17);
	uint64_t length;
	size_t extra = c->fill - end;

	if (c->fill < 12 || memcmp(c->buf, "HTTP/1.", 7) || memcmp(c->buf + 8, " 200", 4)) {
		failure("status not 200");
		close_conn(c);
		return;
	}
	if (!cl) {
		failure("no Content-Length");
		close_conn(c);
		return;
	}
	length = strtoull(cl + 17, NULL, 10);
	if (ref && length != ref_size) {
		failure("Content-Length is not the file's size");
		close_conn(c);
		return;
	}
	if (extra > length) {
		failure("more bytes than the Content-Length");
		close_conn(c);
		return;
	}
	c->at = 0;
	if (!body_matches(c, c->buf + end, extra)) {
		failure("body differs from the file");
		close_conn(c);
		return;
	}
	c->at = extra;
	bytes += extra;
	c->left = length - extra;
	c->state = BODY;
	if (!c->left)
		response_done(c);
}

static void readable(struct conn *c)
{
	ssize_t r;

	if (c->state == HEAD) {
		char *end;

		r = recv(c->fd, c->buf + c->fill, sizeof c->buf - c->fill, 0);
		if (r <= 0) {
			if (r < 0 && errno == EAGAIN)
				return;
			failure(r ? strerror(errno) : "closed before the head");
			close_conn(c);
			return;
		}
		c->fill += (size_t)r;
		end = memmem(c->buf, c->fill, "\r\n\r\n", 4);
		if (end)
			parse_head(c, (size_t)(end + 4 - c->buf));
		else if (c->fill == sizeof c->buf) {
			failure("head too long");
			close_conn(c);
		}
		return;
	}
	if (ref) {
		size_t want = c->left < sizeof scratch ? c->left : sizeof scratch;

		r = recv(c->fd, scratch, want, 0);
		if (r > 0 && !body_matches(c, scratch, (size_t)r)) {
			failure("body differs from the file");
			close_conn(c);
			return;
		}
	} else {
		r = recv(c->fd, scratch, c->left < TRUNC_MAX ? c->left : TRUNC_MAX, MSG_TRUNC);
	}
	if (r <= 0) {
		if (r < 0 && errno == EAGAIN)
			return;
		failure(r ? strerror(errno) : "closed before the body's end");
		close_conn(c);
		return;
	}
	c->at += (uint64_t)r;
	bytes += (uint64_t)r;
	c->left -= (uint64_t)r;
	if (!c->left)
		response_done(c);
}

static void map_reference(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		die(path);
	ref_size = (uint64_t)st.st_size;
	ref = st.st_size ? mmap(NULL, ref_size, PROT_READ, MAP_SHARED, fd, 0) : (void *)"";
	if (ref == MAP_FAILED)
		die(path);
	close(fd);
}

static unsigned long number(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || !v) {
		fprintf(stderr, "httpload: not a positive number: %s\n%s\n", s, USAGE);
		exit(100);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long nconns = 1, deadline_s = 120;
	struct conn *conns;
	struct epoll_event ev[64];
	struct rusage ru;
	double t0, t1, cpu;
	int opt;

	n_total = 1;
	while ((opt = getopt(argc, argv, "c:n:Kd:k:")) != -1) {
		switch (opt) {
		case 'c': nconns = number(optarg); break;
		case 'n': n_total = number(optarg); break;
		case 'K': keep_alive = true; break;
		case 'd': deadline_s = number(optarg); break;
		case 'k': map_reference(optarg); break;
		default: fprintf(stderr, "%s\n", USAGE); return 100;
		}
	}
	if (argc - optind != 3 || argv[optind + 2][0] != '/') {
		fprintf(stderr, "%s\n", USAGE);
		return 100;
	}
	server.sin_family = AF_INET;
	server.sin_port = htons((uint16_t)number(argv[optind + 1]));
	if (inet_pton(AF_INET, argv[optind], &server.sin_addr) != 1) {
		fprintf(stderr, "httpload: not an IPv4 address: %s\n", argv[optind]);
		return 100;
	}
	request_len = (size_t)snprintf(request, sizeof request,
				       "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", argv[optind + 2],
				       argv[optind], keep_alive ? "" : "Connection: close\r\n");
	if (request_len >= sizeof request) {
		fprintf(stderr, "httpload: path too long\n");
		return 100;
	}
	if (nconns > n_total)
		nconns = n_total;
	conns = calloc(nconns, sizeof *conns);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!conns || ep < 0)
		die("setup");

	t0 = now_s();
	for (unsigned long i = 0; i < nconns; i++)
		open_conn(&conns[i]);
	while (ok + failed < n_total) {
		int n = epoll_wait(ep, ev, 64, 1000);

		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			struct conn *c = ev[i].data.ptr;

			if (c->fd < 0)
				continue;
			if (c->state == CONNECTING)
				connected(c);
			else
				readable(c);
		}
		if (now_s() - t0 > (double)deadline_s) {
			fprintf(stderr, "httpload: deadline of %lu s reached\n", deadline_s);
			failed += n_total - ok - failed;
			break;
		}
	}
	t1 = now_s();
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	printf("ok=%" PRIu64 " failed=%" PRIu64 " bytes=%" PRIu64 " seconds=%.6f mibps=%.2f "
	       "rps=%.1f cpu=%.3f\n", ok, failed, bytes, t1 - t0,
	       (double)bytes / (1 << 20) / (t1 - t0), (double)ok / (t1 - t0), cpu);
	return failed ? 1 : 0;
}
