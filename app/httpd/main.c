/* SPDX-License-Identifier: MIT */
/* httpd -- the HTTP file server of Tern.  Its reference: app/httpd/README.md. */
#define USAGE \
"usage: httpd [-fvj] [-r ROOT] [-a ADDRESS] [-p PORT] [-n WORKERS]\n" \
"             [-c CONNECTIONS] [-C PERCLIENT] [-H SECONDS] [-k SECONDS]\n" \
"             [-s SECONDS] [-m FILES] [-S BYTES] [-L BYTES] [-O MS] [-u USER]\n" \
"             [-t PORT -x CERT -K KEY [-X CERT -Y KEY] [-N NAME]]\n" \
"             [-w PORT [-W ADDRESS] [-I IFACE]]\n" \
"       httpd -h\n" \
"\n" \
"Serves the files under ROOT over HTTP/1.1 and 1.0 (GET, HEAD, Range),\n" \
"and over HTTPS (TLS 1.2) too with -t.\n" \
"\n" \
"  -r ROOT       the directory served, nothing outside it (default " HTTPD_ROOT ")\n" \
"  -a ADDRESS    listen address (default :: and 0.0.0.0)\n" \
"  -p PORT       listen port (default " STR(HTTPD_PORT) ")\n" \
"  -n WORKERS    worker processes, 1-64 (default " STR(HTTPD_WORKERS) ")\n" \
"  -c CONNECTIONS  connections at once per worker (default " STR(HTTPD_MAX_CONNS) ")\n" \
"  -C PERCLIENT  connections at once from one address (default " STR(HTTPD_PER_CLIENT) ")\n" \
"  -H SECONDS    deadline of a request head (default " STR(HTTPD_HEADER_SECONDS) ")\n" \
"  -k SECONDS    idle keep-alive (default " STR(HTTPD_IDLE_SECONDS) ")\n" \
"  -s SECONDS    a response making no progress is cut (default " STR(HTTPD_SEND_SECONDS) ")\n" \
"  -m FILES      files kept mapped while unused (default " STR(HTTPD_KEEP_MAPPED) ")\n" \
"  -S BYTES      bodies this long or longer leave by sendfile; 0: those of\n" \
"                64 KiB or more while a worker sends 4 such at once\n" \
"                (default " STR(HTTPD_SENDFILE_MIN) ")\n" \
"  -L BYTES      a socket sending by sendfile holds at most about this\n" \
"                many bytes not yet sent (TCP_NOTSENT_LOWAT); 0: no limit\n" \
"                (default " STR(HTTPD_NOTSENT) ")\n" \
"  -O MS         a small file's open is trusted this long: within it a\n" \
"                changed file may still be served as it was; 0: open it\n" \
"                for every request (default " STR(HTTPD_MEMO_MS) ")\n" \
"  -u USER       run as USER (default nobody when started as root)\n" \
"  -t PORT       also serve HTTPS on PORT, with:\n" \
"  -x CERT       the certificate chain (PEM), server's first, ECDSA P-256\n" \
"  -K KEY        its private key (PEM), read before privileges are dropped\n" \
"  -X CERT       also an RSA certificate chain, for clients without ECDSA\n" \
"  -Y KEY        its RSA private key (2048 bits or more)\n" \
"  -N NAME       refuse TLS clients asking for another server name (SNI)\n" \
"  -w PORT       serve /status, /status.json and /metrics on PORT, with:\n" \
"  -W ADDRESS    its address (default any)\n" \
"  -I IFACE      only connections arriving on IFACE (default any)\n" \
"  -j            also chroot(2) into ROOT\n" \
"  -v            log why each refused request was refused\n" \
"  -f            foreground (always; accepted for habit)\n" \
"  -h            this text\n" \
"\n" \
"EXIT STATUS: 0 after SIGTERM or -h, 100 usage error, 111 failed system call.\n" \
"Flags, signals, log and counters: app/httpd/README.md in the Tern source.\n"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "files.h"
#include "journal.h"
#include "log.h"
#include "serve.h"
#include "server.h"
#include "settings.h"
#include "status.h"

#define STR_(x) #x
#define STR(x) STR_(x)

struct args {
	struct serve_args serve;           /* -a -p -u -j -n (serve.h) */
	unsigned tls_port;                 /* 0: no HTTPS */
	const char *cert, *key, *rsa_cert, *rsa_key, *sni;
	struct status_args status;         /* port 0: no status pages */
};

static unsigned number(const char *s, unsigned lo, unsigned hi, const char *flag)
{
	return flag_number(USAGE, s, lo, hi, flag);
}

/* getopt's idiom, as in tftpd's main.c: the flags differ, the shared
 * ones (serve.h) are taken by serve_flag. */
static void parse(int argc, char **argv, struct config *c, struct args *a)
{
	int opt;

	while ((opt = getopt(argc, argv, SERVE_FLAGS "vr:c:C:H:k:s:m:S:L:O:t:x:K:X:Y:N:w:W:I:")) != -1) {
		switch (opt) {
		case 'v': c->verbose = true; break;
		case 'r': c->root = optarg; break;
		case 'c': c->max_conns = number(optarg, 1, 1000000, "-c"); break;
		case 'C': c->per_client = number(optarg, 1, 1000000, "-C"); break;
		case 'H': c->header_s = number(optarg, 1, 3600, "-H"); break;
		case 'k': c->idle_s = number(optarg, 1, 3600, "-k"); break;
		case 's': c->send_s = number(optarg, 1, 3600, "-s"); break;
		case 'm': c->keep_mapped = number(optarg, 0, 100000, "-m"); break;
		case 'S': c->sendfile_min = number(optarg, 0, 1u << 30, "-S"); break;
		case 'L': c->notsent = number(optarg, 0, 1u << 30, "-L"); break;
		case 'O': c->memo_ms = number(optarg, 0, 3600000, "-O"); break;
		case 't': a->tls_port = number(optarg, 1, 65535, "-t"); break;
		case 'x': a->cert = optarg; break;
		case 'K': a->key = optarg; break;
		case 'X': a->rsa_cert = optarg; break;
		case 'Y': a->rsa_key = optarg; break;
		case 'N': a->sni = optarg; break;
		case 'w': a->status.port = number(optarg, 1, 65535, "-w"); break;
		case 'W': a->status.address = optarg; break;
		case 'I': a->status.interface = optarg; break;
		default: serve_flag(USAGE, opt, optarg, &a->serve);
		}
	}
	daemon_no_operands(USAGE, argc, argv);
	if (a->tls_port && (!a->cert || !a->key))
		usage_error(USAGE, "%s wants -x CERT and -K KEY", "-t");
	if (!a->rsa_cert != !a->rsa_key || (a->rsa_cert && !a->tls_port))
		usage_error(USAGE, "%s go together, with -t", "-X and -Y");
	if (a->tls_port && a->tls_port == a->serve.port)
		usage_error(USAGE, "%s is the same port as -p", "-t");
	if (a->status.port && (a->status.port == a->serve.port || a->status.port == a->tls_port))
		usage_error(USAGE, "%s is the same port as -p or -t", "-w");
	if (!a->status.port && (a->status.address || a->status.interface))
		usage_error(USAGE, "%s want -w PORT", "-W and -I");
}

/* A listening socket on port (serve.h: a dual-stack [::] by default). */
static int listen_socket(const struct args *a, unsigned port, bool reuseport)
{
	int family, fd = serve_socket(USAGE, &a->serve, SOCK_STREAM, port, reuseport, &family);

	if (listen(fd, 4096) < 0)
		die_errno("unable to listen on port %u", port);
	return fd;
}

/* Two descriptors for each connection (its socket, and the file it
 * sends by sendfile), and some to spare (the listening socket, the ring,
 * files being opened): the soft limit raised as far as the hard one
 * allows. */
static void raise_fd_limit(unsigned conns)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)conns * 2 + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
		log_warn("only %llu descriptors: fewer connections than -c %u will be taken",
			 (unsigned long long)rl.rlim_cur, conns);
}

/* Workers 1..n-1: forked with a socket each; they die with the parent.
 * And the status process: at most SERVE_WORKERS_MAX in all. */
static pid_t workers[SERVE_WORKERS_MAX];
static unsigned nworkers;

static int run_workers(struct config *c, const struct args *a)
{
	const struct serve_args *sa = &a->serve;
	const char *jail = sa->chroot ? c->root : NULL;
	int fd, sfd, status;

	for (unsigned i = 1; i < sa->workers; i++) {
		pid_t pid;

		fd = listen_socket(a, sa->port, true);
		c->tls_fd = a->tls_port ? listen_socket(a, a->tls_port, true) : -1;
		if (!(pid = serve_fork(i))) {
			sfd = daemon_signals();
			server_share(c, (int)i);
			daemon_drop_privileges(sa->user, jail);
			exit(server_run(c, fd, sfd));
		}
		workers[nworkers++] = pid;
		close(fd);
		if (c->tls_fd >= 0)
			close(c->tls_fd);
	}
	if (a->status.port) { /* a process of its own (status.h), stopped with the workers */
		pid_t pid = status_start(c, &a->status, sa->user);

		if (pid > 0)
			workers[nworkers++] = pid;
	}
	fd = listen_socket(a, sa->port, sa->workers > 1);
	c->tls_fd = a->tls_port ? listen_socket(a, a->tls_port, sa->workers > 1) : -1;
	sfd = daemon_signals();
	c->workers = workers;
	c->nworkers = nworkers;
	server_share(c, 0);
	daemon_drop_privileges(sa->user, jail);
	log_info("serving %s%s on %s port %u (%u worker%s)", c->root, jail ? " (chroot)" : "",
		 sa->address ? sa->address : "::", sa->port, sa->workers, sa->workers > 1 ? "s" : "");
	if (c->tls)
		log_info("serving HTTPS on port %u, %s", a->tls_port, tls_aes_note());
	if (jail)
		c->root = "/"; /* what SIGHUP opens again */
	status = server_run(c, fd, sfd);
	journal_close(c->journal);
	tls_free(c->tls);
	serve_stop(workers, nworkers);
	return status;
}

int main(int argc, char **argv)
{
	struct config c = {
		.root = HTTPD_ROOT,
		.lim = { .max_line = HTTPD_MAX_LINE, .max_head = HTTPD_MAX_HEAD,
			 .max_headers = HTTPD_MAX_HEADERS },
		.max_conns = HTTPD_MAX_CONNS, .per_client = HTTPD_PER_CLIENT,
		.header_s = HTTPD_HEADER_SECONDS, .idle_s = HTTPD_IDLE_SECONDS,
		.send_s = HTTPD_SEND_SECONDS, .ring_entries = HTTPD_RING_ENTRIES,
		.keep_mapped = HTTPD_KEEP_MAPPED, .sendfile_min = HTTPD_SENDFILE_MIN,
		.notsent = HTTPD_NOTSENT, .memo_ms = HTTPD_MEMO_MS,
	};
	struct args a = { .serve = { .port = HTTPD_PORT, .workers = HTTPD_WORKERS } };

	log_init("httpd");
	files_guard_init(); /* TLS reads files' mappings (files.h) */
	parse(argc, argv, &c, &a);
	if (a.tls_port)
		c.tls = tls_load(a.cert, a.key, a.rsa_cert, a.rsa_key, a.sni);
	raise_fd_limit(c.max_conns);
	c.root_fd = open(c.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.root_fd < 0)
		die_errno("unable to open the root directory %s", c.root);
	return run_workers(&c, &a);
}
