/* SPDX-License-Identifier: MIT */
/* fetch.c -- see fetch.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fetch.h"
#include "load.h"

/* A blksize that fits an Ethernet frame; tftpd grants less on a smaller
 * MTU. */
#define TFTP_BLKSIZE "1468"

int url_is_url(const char *s)
{
	return strstr(s, "://") != NULL;
}

/* s[0..n) into out (size bytes): no control characters, no blank. */
static int part(const char *s, size_t n, char *out, size_t size)
{
	if (n == 0 || n >= size)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return -1;
	memcpy(out, s, n);
	out[n] = 0;
	return 0;
}

int url_parse(const char *s, struct url *u, char why[64])
{
	const char *host, *end, *slash;
	size_t hlen;
	int v6;

	memset(u, 0, sizeof *u);
	if (strncmp(s, "tftp://", 7)) {
		snprintf(why, 64, "only tftp:// URLs are fetched");
		return -1;
	}
	host = s + 7;
	slash = strchr(host, '/');
	if (!slash || !slash[1]) {
		snprintf(why, 64, "no file in the URL (tftp://HOST/PATH)");
		return -1;
	}
	v6 = *host == '[';
	if (v6) {
		end = memchr(host, ']', (size_t)(slash - host));
		if (!end) {
			snprintf(why, 64, "an IPv6 address without its ']'");
			return -1;
		}
		host++;
		hlen = (size_t)(end - host);
		end++;
	} else {
		end = memchr(host, ':', (size_t)(slash - host));
		if (!end)
			end = slash;
		hlen = (size_t)(end - host);
	}
	/* A bracket only around an IPv6 address, and only there. */
	if (part(host, hlen, u->host, sizeof u->host) || strpbrk(u->host, "/[]") ||
	    (v6 && !strchr(u->host, ':'))) {
		snprintf(why, 64, "a bad or empty host in the URL");
		return -1;
	}
	strcpy(u->port, "69");
	if (end != slash) {
		size_t plen = (size_t)(slash - end - 1);
		char *stop;
		unsigned long port;

		if (*end != ':' || part(end + 1, plen, u->port, sizeof u->port) ||
		    (port = strtoul(u->port, &stop, 10), *stop) || port < 1 || port > 65535 ||
		    u->port[0] < '1' || u->port[0] > '9') {
			snprintf(why, 64, "a bad port in the URL (1-65535)");
			return -1;
		}
	}
	if (part(slash + 1, strlen(slash + 1), u->path, sizeof u->path)) {
		snprintf(why, 64, "a bad file name in the URL");
		return -1;
	}
	return 0;
}

int fetch_tftp(const struct url *u, size_t max, uint8_t **buf, size_t *len)
{
	char *argv[] = { "tftp", "-g", "-b", TFTP_BLKSIZE, "-r", (char *)u->path, "-l", "-",
			 (char *)u->host, (char *)u->port, NULL };
	int pipefd[2], status, rc, e;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(pipefd[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "fwupdate: error: unable to run tftp: %s\n", strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	rc = load_fd(pipefd[0], max, buf, len);
	e = errno;
	close(pipefd[0]);
	if (rc)
		kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		free(*buf);
		rc = -1;
		e = EIO;
	}
	errno = e;
	return rc;
}
