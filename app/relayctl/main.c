/* SPDX-License-Identifier: MIT */
/* relayctl -- ask the running relayd what it relays, change it, reload it.
 * Its reference: app/relayd/README.md. */
#define USAGE \
"usage: relayctl [-S SOCKET] [-T SECONDS] list | stats | reload\n" \
"       relayctl [-S SOCKET] [-T SECONDS] add RULE\n" \
"       relayctl [-S SOCKET] [-T SECONDS] remove ID | RULE\n" \
"       relayctl -h\n" \
"\n" \
"Talks to relayd over its Unix socket (relayd -S; root only).\n" \
"\n" \
"  list        the rules in force: ID, worker, state, origin, rule\n" \
"  stats       the counters, as relayd logs them on SIGUSR1\n" \
"  add RULE    start a rule (relayd.conf syntax), until the next reload\n" \
"  remove ID   stop a rule, by its ID or written out in full, until the\n" \
"  remove RULE next reload\n" \
"  reload      read relayd's file again and say what changed\n" \
"\n" \
"  -S SOCKET   relayd's socket (default " CONFIG_RELAYD_SOCKET ")\n" \
"  -T SECONDS  wait at most this long for the answer, 1-3600 (default 10)\n" \
"  -h          this text\n" \
"\n" \
"EXIT STATUS: 0 done, 100 usage error or refused by relayd (why on stderr),\n" \
"111 a system call failed or relayd could not do it.\n" \
"See app/relayd/README.md in the Tern source.\n"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "daemon.h"
#include "log.h"

struct answer {
	char *p;
	size_t len, cap;
};

static const struct {
	const char *verb;
	int args; /* 0: none, 1: one or more words */
} verbs[] = {
	{ "list", 0 }, { "stats", 0 }, { "reload", 0 }, { "add", 1 }, { "remove", 1 },
};

/* "VERB [WORDS...]\n" from the command line, or a usage error. */
static size_t request(int argc, char **argv, char req[CTL_REQUEST_MAX + 1])
{
	size_t n, len;
	int i;

	if (argc < 1)
		usage_error(USAGE, "%s", "missing command (list, stats, add, remove, reload)");
	for (n = 0; n < sizeof verbs / sizeof *verbs; n++)
		if (!strcmp(argv[0], verbs[n].verb))
			break;
	if (n == sizeof verbs / sizeof *verbs)
		usage_error(USAGE, "unknown command %s", argv[0]);
	if (!verbs[n].args && argc > 1)
		usage_error(USAGE, "%s takes no argument", argv[0]);
	if (verbs[n].args && argc < 2)
		usage_error(USAGE, "%s wants a rule (or, for remove, its ID)", argv[0]);
	len = (size_t)snprintf(req, CTL_REQUEST_MAX + 1, "%s", argv[0]);
	for (i = 1; i < argc && len < CTL_REQUEST_MAX; i++) {
		if (strchr(argv[i], '\n'))
			usage_error(USAGE, "%s", "a rule is one line: no newline in it");
		len += (size_t)snprintf(req + len, CTL_REQUEST_MAX + 1 - len, " %s", argv[i]);
	}
	if (len >= CTL_REQUEST_MAX)
		usage_error(USAGE, "the request is longer than %s bytes", "2047");
	req[len++] = '\n';
	return len;
}

static int connect_to(const char *path, unsigned seconds)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = seconds };
	int fd;

	if (strlen(path) >= sizeof a.sun_path)
		usage_error(USAGE, "-S: %s is too long for a Unix socket", path);
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("unable to create a Unix socket");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
		die_errno("unable to set the socket's timeouts");
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		die_errno("unable to reach relayd at %s (is it running? are you root?)", path);
	return fd;
}

/* relayd may answer and close before it has read the request (it refuses
 * a client that is not root at once): then the answer is still to read. */
static void send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			return;
		if (n < 0)
			die_errno("unable to send the request to relayd");
		p += n;
		len -= (size_t)n;
	}
	shutdown(fd, SHUT_WR);
}

static void read_all(int fd, unsigned seconds, struct answer *a)
{
	for (;;) {
		ssize_t n;

		if (a->cap - a->len < 4096) {
			a->cap = a->cap ? a->cap * 2 : 65536;
			if (!(a->p = realloc(a->p, a->cap)))
				die_errno("unable to hold relayd's answer");
		}
		n = read(fd, a->p + a->len, a->cap - a->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			die(EXIT_SYSCALL, "relayd did not answer within %u s", seconds);
		/* It closed with our request unread: what it sent is all. */
		if (n < 0 && errno == ECONNRESET)
			break;
		if (n < 0)
			die_errno("unable to read relayd's answer");
		if (n == 0)
			break;
		a->len += (size_t)n;
	}
	a->p[a->len] = '\0';
}

/* Each line of a refusal, logged as an error. */
static void log_refusal(const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");

		log_err("%.*s", (int)n, text);
		text += n + (text[n] == '\n');
	}
}

int main(int argc, char **argv)
{
	const char *path = CONFIG_RELAYD_SOCKET;
	char req[CTL_REQUEST_MAX + 1];
	struct answer a = { 0 };
	unsigned seconds = 10;
	size_t len;
	char *body;
	int opt, fd;

	log_init("relayctl");
	while ((opt = getopt(argc, argv, "+hS:T:")) != -1) {
		switch (opt) {
		case 'h': fputs(USAGE, stdout); return 0;
		case 'S': path = optarg; break;
		case 'T': seconds = flag_number(USAGE, optarg, 1, 3600, "-T"); break;
		default: fputs(USAGE, stderr); return EXIT_USAGE;
		}
	}
	len = request(argc - optind, argv + optind, req);
	fd = connect_to(path, seconds);
	send_all(fd, req, len);
	read_all(fd, seconds, &a);
	close(fd);
	body = strchr(a.p, '\n');
	if (!body)
		die(EXIT_SYSCALL, "relayd closed the connection without an answer");
	*body++ = '\0';
	if (!strcmp(a.p, CTL_OK)) {
		fputs(body, stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_SYSCALL;
	}
	log_refusal(body);
	if (!strcmp(a.p, CTL_BAD))
		return EXIT_USAGE;
	if (strcmp(a.p, CTL_FAIL))
		log_err("relayd answered '%.40s', which this relayctl does not know", a.p);
	return EXIT_SYSCALL;
}
