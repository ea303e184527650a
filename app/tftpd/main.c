/* SPDX-License-Identifier: MIT */
/* tftpd -- the TFTP server of Tern.  Its reference: app/tftpd/README.md. */
#include "settings.h"

#define STR(x) STR_(x)
#define STR_(x) #x
#define USAGE \
"usage: tftpd [-fvoABj] [-r ROOT] [-a ADDRESS] [-p PORT] [-P LOW:HIGH]\n" \
"             [-b BLKSIZE] [-w WINDOWSIZE] [-t TIMEOUT] [-R RETRIES] [-O 0|1]\n" \
"             [-m REMAPFILE] [-W UPLOADDIR] [-S STAGEDIR] [-s MAXUPLOAD]\n" \
"             [-c TRANSFERS] [-C PERCLIENT] [-u USER] [-n WORKERS] [-L USEC]\n" \
"             [-Q USEC] [-J EVENTS]\n" \
"       tftpd [-m REMAPFILE] [-r ROOT] -T NAME [CLIENT]\n" \
"       tftpd -h\n" \
"\n" \
"Serves the files under ROOT over TFTP (RFC 1350, 2347-2349, 7440).\n" \
"\n" \
"  -r ROOT       the directory served, nothing outside it (default " CONFIG_TFTPD_ROOT ")\n" \
"  -a ADDRESS    listen address (default :: and 0.0.0.0)\n" \
"  -p PORT       listen port (default 69)\n" \
"  -P LOW:HIGH   transfer ports (default any)\n" \
"  -b BLKSIZE    largest blksize granted, 8-65464 (default " STR(CONFIG_TFTPD_MAX_BLKSIZE) ")\n" \
"  -w WINDOWSIZE largest windowsize granted, 1-1024 (default " STR(CONFIG_TFTPD_MAX_WINDOWSIZE) ")\n" \
"  -t TIMEOUT    seconds before a retransmission, 1-255 (default " STR(CONFIG_TFTPD_TIMEOUT) ")\n" \
"  -R RETRIES    timeouts in a row before giving up, 0-100 (default " STR(CONFIG_TFTPD_RETRIES) ")\n" \
"  -O 0|1        the block number after 65535 (default 0)\n" \
"  -m REMAPFILE  filename rewriting rules, tftpd-hpa's syntax\n" \
"  -B            a backslash in a filename is a slash\n" \
"  -A            refuse names that start with '/'\n" \
"  -W UPLOADDIR  accept uploads into this directory (default: off)\n" \
"  -S STAGEDIR   write uploads here until complete, outside ROOT (default: beside)\n" \
"  -s MAXUPLOAD  largest upload in bytes, 0: no limit (default " STR(CONFIG_TFTPD_MAX_UPLOAD) ")\n" \
"  -o            an upload may replace an existing file\n" \
"  -c TRANSFERS  transfers at once per worker (default " STR(CONFIG_TFTPD_MAX_TRANSFERS) ")\n" \
"  -C PERCLIENT  transfers at once from one address (default " STR(CONFIG_TFTPD_PER_CLIENT) ")\n" \
"  -u USER       run as USER (default nobody when started as root)\n" \
"  -j            also chroot(2) into ROOT\n" \
"  -n WORKERS    worker processes, 1-64 (default 1)\n" \
"  -L USEC       coalescing, 0-1000000 microseconds, 0: off (default " STR(CONFIG_TFTPD_COALESCE_US) ")\n" \
"  -Q USEC       busy polling, 0-1000 microseconds, 0: off (default " STR(CONFIG_TFTPD_POLL_US) ")\n" \
"  -J EVENTS     boot journal events kept, a worker, 0: no journal (default " STR(CONFIG_JOURNAL_EVENTS) ")\n" \
"  -T NAME       print what NAME maps to for CLIENT (default 192.0.2.1), exit\n" \
"  -v            log every transfer and every file not found\n" \
"  -f            foreground (always; accepted for habit)\n" \
"  -h            this text\n" \
"\n" \
"EXIT STATUS: 0 after SIGTERM or -h, 1 when -T refuses the name,\n" \
"100 usage error, 111 failed system call.\n" \
"Flags, files, signals and counters: app/tftpd/README.md in the Tern source.\n"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "files.h"
#include "log.h"
#include "serve.h"
#include "server.h"
#include "upload.h"

struct args {
	struct serve_args serve;           /* -a -p -u -j -n (serve.h) */
	const char *test_name, *test_client;
};

/* The directory holding path, opened (O_PATH) now, so that SIGHUP reads
 * path again even after chroot(2) (-j) has put it out of reach; its
 * name in that directory in *name. */
static int open_parent(const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int fd;

	*name = slash ? slash + 1 : path;
	snprintf(dir, sizeof dir, "%.*s", !slash ? 1 : slash == path ? 1 : (int)(slash - path),
		 !slash ? "." : path);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die_errno("unable to open %s, the directory of %s", dir, path);
	return fd;
}

static unsigned number(const char *s, unsigned lo, unsigned hi, const char *flag)
{
	return flag_number(USAGE, s, lo, hi, flag);
}

/* getopt's idiom, as in httpd's main.c: the flags differ, the shared
 * ones (serve.h) are taken by serve_flag. */
static void parse(int argc, char **argv, struct config *c, struct args *a)
{
	int opt;

	while ((opt = getopt(argc, argv, SERVE_FLAGS "voABr:P:b:w:t:R:O:m:W:S:s:c:C:T:L:Q:J:")) != -1) {
		switch (opt) {
		case 'v': c->verbose = true; break;
		case 'o': c->overwrite = true; break;
		case 'A': c->path.refuse_absolute = true; break;
		case 'B': c->path.backslash_to_slash = true; break;
		case 'r': c->root = optarg; break;
		case 'P': {
			char *colon = strchr(optarg, ':');

			if (!colon)
				usage_error(USAGE, "-P wants LOW:HIGH, not %s", optarg);
			*colon = '\0';
			c->port_lo = number(optarg, 1, 65535, "-P");
			c->port_hi = number(colon + 1, c->port_lo, 65535, "-P");
			break;
		}
		case 'b': c->lim.max_blksize = number(optarg, TFTP_BLKSIZE_MIN, TFTP_BLKSIZE_MAX, "-b"); break;
		case 'w': c->lim.max_windowsize = number(optarg, 1, 1024, "-w"); break;
		case 't': c->lim.timeout = number(optarg, TFTP_TIMEOUT_MIN, TFTP_TIMEOUT_MAX, "-t"); break;
		case 'R': c->retries = number(optarg, 0, 100, "-R"); break;
		case 'O': c->lim.rollover = number(optarg, 0, 1, "-O"); break;
		case 'm': c->remap_file = optarg; break;
		case 'W': c->upload_dir = optarg; break;
		case 'S': c->stage_dir = optarg; break;
		case 's': {
			char *end;

			errno = 0;
			c->lim.max_upload = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-')
				usage_error(USAGE, "-s wants a size in bytes, not %s", optarg);
			break;
		}
		case 'c': c->max_transfers = number(optarg, 1, 1000000, "-c"); break;
		case 'C': c->per_client = number(optarg, 1, 1000000, "-C"); break;
		case 'T': a->test_name = optarg; break;
		case 'L': c->coalesce_us = number(optarg, 0, 1000000, "-L"); break;
		case 'Q': c->poll_us = number(optarg, 0, 1000, "-Q"); break;
		case 'J': c->journal_events = number(optarg, 0, 65536, "-J"); break;
		default: serve_flag(USAGE, opt, optarg, &a->serve);
		}
	}
	if (a->test_name && optind < argc)
		a->test_client = argv[optind++];
	if (optind < argc)
		usage_error(USAGE, "unexpected argument %s", argv[optind]);
}

/* -T: what a name maps to, and whether it may be served. */
static int test_name(const struct config *c, const char *name, const char *client)
{
	char mapped[PATH_MAX], rel[PATH_MAX];
	enum path_cause pc;

	if (c->remap) {
		switch (remap_apply(c->remap, false, name, client, mapped, sizeof mapped)) {
		case REMAP_OK:
			name = mapped;
			break;
		case REMAP_DENIED:
			printf("%s: denied by a rule of %s\n", name, c->remap_file);
			return 1;
		default:
			printf("%s: mapped name too long\n", name);
			return 1;
		}
	}
	printf("maps to: %s\n", name);
	pc = path_check(&c->path, name, strlen(name), rel, sizeof rel);
	if (pc != PATH_OK) {
		printf("refused: %s\n", path_cause_message(pc));
		return 1;
	}
	printf("serves: %s/%s\n", c->root, rel);
	return 0;
}

/* The listening socket (serve.h: a dual-stack [::] by default), told to
 * say which address each request came to. */
static int listen_socket(const struct args *a, int *family, bool reuseport)
{
	const int on = 1, rcvbuf = 4 << 20;
	int fd = serve_socket(USAGE, &a->serve, SOCK_DGRAM, a->serve.port, reuseport, family);

	/* A burst of requests (a lab powering on) must not overflow it. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
	if (*family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
	return fd;
}

static int open_dir(const char *dir, const char *what)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		die_errno("unable to open the %s %s", what, dir);
	return fd;
}

/* -S: the staging directory, outside ROOT (nothing in it may be served)
 * and on the upload directory's filesystem (uploads are renamed from it);
 * what an unfinished upload left there is removed. */
static int open_staging(const struct config *c)
{
	char stage[PATH_MAX], root[PATH_MAX];
	size_t n;
	struct stat st, up;
	int fd, removed;

	if (!c->upload_dir)
		die(EXIT_USAGE, "-S %s without -W: there are no uploads to stage", c->stage_dir);
	if (!realpath(c->stage_dir, stage) || !realpath(c->root, root))
		die_errno("unable to resolve the staging directory %s or the root %s",
			  c->stage_dir, c->root);
	n = strlen(root);
	if (!strncmp(stage, root, n) && (stage[n] == '/' || !stage[n] || n == 1))
		die(EXIT_USAGE, "-S %s is inside the root %s: half-written uploads would be served",
		    c->stage_dir, c->root);
	fd = open_dir(c->stage_dir, "staging directory");
	if (fstat(fd, &st) < 0 || fstat(c->upload_fd, &up) < 0)
		die_errno("unable to stat the staging directory %s", c->stage_dir);
	if (st.st_dev != up.st_dev)
		die(EXIT_USAGE, "-S %s is not on the filesystem of -W %s: uploads could not be "
		    "renamed into place", c->stage_dir, c->upload_dir);
	removed = upload_clean_staging(fd);
	if (removed < 0)
		die_errno("unable to read the staging directory %s", c->stage_dir);
	if (removed)
		log_info("%s: removed %d unfinished upload%s", c->stage_dir, removed,
			 removed > 1 ? "s" : "");
	return fd;
}

/* Workers 1..n-1: forked with a socket each; they die with the parent. */
static pid_t workers[SERVE_WORKERS_MAX];
static unsigned nworkers;

static int run_workers(struct config *c, const struct args *a)
{
	const struct serve_args *sa = &a->serve;
	const char *jail = sa->chroot ? c->root : NULL;
	int family, fd, sfd, status = 0;

	for (unsigned i = 1; i < sa->workers; i++) {
		pid_t pid;

		fd = listen_socket(a, &family, true);
		if (!(pid = serve_fork(i))) {
			sfd = daemon_signals();
			server_share(c, (int)i);
			daemon_drop_privileges(sa->user, jail);
			exit(server_run(c, fd, family, sfd));
		}
		workers[nworkers++] = pid;
		close(fd);
	}
	fd = listen_socket(a, &family, sa->workers > 1);
	sfd = daemon_signals();
	c->workers = workers;
	c->nworkers = nworkers;
	server_share(c, 0);
	daemon_drop_privileges(sa->user, jail);
	log_info("serving %s on %s port %u (%u worker%s)%s%s; blksize up to %u, windowsize up to "
		 "%u, timeout %u s, %u retries, %u transfers (%u a client), coalescing %u us, "
		 "polling %u us", c->root, sa->address ? sa->address : "::", sa->port, sa->workers,
		 sa->workers > 1 ? "s" : "", c->upload_dir ? ", uploads into " : "",
		 c->upload_dir ? c->upload_dir : "", c->lim.max_blksize, c->lim.max_windowsize,
		 c->lim.timeout, c->retries, c->max_transfers, c->per_client, c->coalesce_us,
		 c->poll_us);
	status = server_run(c, fd, family, sfd);
	serve_stop(workers, nworkers);
	return status;
}

int main(int argc, char **argv)
{
	struct config c = {
		.root = CONFIG_TFTPD_ROOT, .lim = TFTP_LIMITS_DEFAULT,
		.retries = CONFIG_TFTPD_RETRIES, .max_transfers = CONFIG_TFTPD_MAX_TRANSFERS,
		.per_client = CONFIG_TFTPD_PER_CLIENT, .ring_entries = 4096,
		.coalesce_us = CONFIG_TFTPD_COALESCE_US, .poll_us = CONFIG_TFTPD_POLL_US,
		.journal_events = CONFIG_JOURNAL_EVENTS,
	};
	struct args a = { .serve = { .port = 69, .workers = 1 } };

	c.lim.max_blksize = CONFIG_TFTPD_MAX_BLKSIZE;
	c.lim.max_windowsize = CONFIG_TFTPD_MAX_WINDOWSIZE;
	c.lim.timeout = CONFIG_TFTPD_TIMEOUT;
	c.lim.max_upload = CONFIG_TFTPD_MAX_UPLOAD;
	log_init("tftpd");
	files_guard_init(); /* netascii reads files' mappings (files.h) */
	parse(argc, argv, &c, &a);
	if (c.remap_file && !(c.remap = remap_load(c.remap_file)))
		die(EXIT_USAGE, "%s: not loaded (see above)", c.remap_file);
	if (c.remap_file)
		c.remap_dir = open_parent(c.remap_file, &c.remap_name);
	if (a.test_name) {
		int status = test_name(&c, a.test_name, a.test_client ? a.test_client : "192.0.2.1");

		remap_free(c.remap); /* for LeakSanitizer's exit in the host build */
		return status;
	}
	c.root_fd = open_dir(c.root, "root directory");
	c.upload_fd = c.upload_dir ? open_dir(c.upload_dir, "upload directory") : -1;
	c.stage_fd = c.stage_dir ? open_staging(&c) : -1;
	return run_workers(&c, &a);
}
