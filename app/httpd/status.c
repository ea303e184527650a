/* SPDX-License-Identifier: MIT */
/* status.c -- the status process: its listener, its start, and which page
 * a request names; see status.h. */
#include "status.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "files.h"
#include "log.h"
#include "response.h"
#include "serve.h"
#include "server.h"
#include "status_gather.h"
#include "tls.h"

/* Seconds between the HTML page's reloads (its meta refresh). */
#define STATUS_REFRESH_S 5
/* Connections the status listener takes at once: a browser or two and a
 * Prometheus server, never the lab's clients. */
#define STATUS_MAX_CONNS 32

static void render_html(const struct status_snapshot *s, struct sbuf *out)
{
	status_html(s, STATUS_REFRESH_S, out);
}

/* The pages, by the name a request gives (its path, without the '/'). */
static const struct page {
	const char *name, *type;
	void (*render)(const struct status_snapshot *s, struct sbuf *out);
} pages[] = {
	{ "status", "text/html; charset=utf-8", render_html },
	{ "status.json", "application/json", status_json },
	{ "metrics", "text/plain; version=0.0.4; charset=utf-8", metrics_text },
};

static struct status_sources sources;

/* text as a mapping conn.c sends and puts back (files.h): a memfd's. */
static struct mapped *body_of(const struct sbuf *text)
{
	struct mapped *m = NULL;
	struct stat st;
	int fd = memfd_create("httpd-status", MFD_CLOEXEC), err;
	ssize_t w;

	if (fd < 0)
		return NULL;
	w = write(fd, text->p, text->len);
	if (w == (ssize_t)text->len && fstat(fd, &st) == 0)
		m = files_get_stat(fd, &st);
	else if (w >= 0)
		errno = EIO; /* a short write */
	err = errno;
	close(fd);
	errno = err;
	return m;
}

/* config.page: the page name names, rendered from a snapshot taken now.
 * No Range and no If-Modified-Since: each answer is the whole page, as it
 * is now, with no Last-Modified (so nothing caches it). */
static struct mapped *status_page(const struct http_request *req, const char *name,
				  struct http_reply *r)
{
	const struct page *p = NULL;
	struct status_snapshot snap;
	struct sbuf text = { 0 };
	struct mapped *m;

	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
		if (!strcmp(name, pages[i].name))
			p = &pages[i];
	if (!p) {
		errno = ENOENT;
		return NULL;
	}
	status_gather(&sources, &snap);
	p->render(&snap, &text);
	if (text.failed) {
		sb_free(&text);
		errno = ENOMEM;
		return NULL;
	}
	m = body_of(&text);
	*r = (struct http_reply){
		.status = 200, .minor = req->minor, .close = !req->keep_alive,
		.head_only = req->method == HTTP_HEAD, .type = p->type,
		.length = text.len, .size = text.len,
	};
	sb_free(&text);
	return m;
}

/* The listener: address (NULL: any) on interface (NULL: all). */
static int status_socket(const struct status_args *a)
{
	int family, fd = serve_bind(NULL, "-W", a->address, a->interface, SOCK_STREAM, a->port,
				    false, &family);

	if (fd < 0) {
		/* A box without its management interface still serves boot
		 * files: no status pages, said once (init restarting httpd
		 * for it would stop the boot files too). */
		log_err("no status pages: interface %s is not there (-I)", a->interface);
		return -1;
	}
	if (listen(fd, 64) < 0)
		die_errno("unable to listen on status port %u", a->port);
	return fd;
}

/* The status process's signals: SIGHUP, which the first process passes
 * on to every worker to open the root again, is ignored (no root here). */
static int status_signals(void)
{
	static const int answered[] = { SIGTERM, SIGINT, SIGUSR1 };
	int fd = daemon_signals_of(answered, sizeof answered / sizeof answered[0]);

	signal(SIGHUP, SIG_IGN);
	return fd;
}

pid_t status_start(const struct config *base, const struct status_args *a, const char *user)
{
	struct config c = *base;
	int fd = status_socket(a), sfd;
	pid_t pid;

	if (fd < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		die_errno("unable to start the status process");
	if (pid > 0) {
		close(fd);
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	log_init("httpd-status");
	close(c.root_fd);
	c.root = NULL;
	c.root_fd = -1;
	tls_free(c.tls); /* its key: this process has no use for it */
	c.tls = NULL;
	c.tls_fd = -1;
	c.workers = NULL;
	c.nworkers = 0;
	c.keep_mapped = 0; /* a page's mapping goes with its response */
	c.sendfile_min = 0;
	c.notsent = 0;
	c.memo_ms = 0;
	if (c.max_conns > STATUS_MAX_CONNS)
		c.max_conns = STATUS_MAX_CONNS;
	c.page = status_page;
	sfd = status_signals();
	status_sources_open(&sources); /* before privileges go: the slot, the directories */
	/* Its own requests are an operator's or a scraper's, not a client's
	 * boot: its counters and journal stay private memory, under a run
	 * directory that cannot exist (stats.h and journal.h share only
	 * under one that does). */
	setenv("TERN_RUN_DIR", "/proc/self/no-such-directory", 1);
	server_share(&c, -1);
	daemon_drop_privileges(user, NULL);
	log_info("status pages on %s port %u%s%s", a->address ? a->address : "any address", a->port,
		 a->interface ? " of " : "", a->interface ? a->interface : "");
	exit(server_run(&c, fd, sfd));
}
