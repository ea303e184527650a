/* SPDX-License-Identifier: MIT */
/* serve.c -- see serve.h. */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

void serve_flag(const char *usage, int opt, const char *arg, struct serve_args *a)
{
	switch (opt) {
	case 'j': a->chroot = true; break;
	case 'a': a->address = arg; break;
	case 'p': a->port = flag_number(usage, arg, 1, 65535, "-p"); break;
	case 'n': a->workers = flag_number(usage, arg, 1, SERVE_WORKERS_MAX, "-n"); break;
	case 'u': a->user = arg; break;
	default: daemon_flag_other(usage, opt);
	}
}

int serve_socket(const char *usage, const struct serve_args *a, int type, unsigned port,
		 bool reuseport, int *family)
{
	return serve_bind(usage, "-a", a->address, NULL, type, port, reuseport, family);
}

int serve_bind(const char *usage, const char *flag, const char *address, const char *interface,
	       int type, unsigned port, bool reuseport, int *family)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	const int on = 1, off = 0;
	int fd;

	if (address && inet_pton(AF_INET, address, &in.sin_addr) == 1)
		*family = AF_INET;
	else if (!address || inet_pton(AF_INET6, address, &in6.sin6_addr) == 1)
		*family = AF_INET6;
	else {
		char msg[64];

		snprintf(msg, sizeof msg, "%s wants an IPv4 or IPv6 address, not %%s", flag);
		usage_error(usage, msg, address);
	}
	fd = socket(*family, type | SOCK_CLOEXEC, 0);
	if (fd < 0 && !address && errno == EAFNOSUPPORT) { /* a kernel without IPv6 */
		*family = AF_INET;
		fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		die_errno("unable to create a %s socket", type == SOCK_STREAM ? "TCP" : "UDP");
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
	if (*family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, address ? &on : &off, sizeof on);
	if (interface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface,
				    (socklen_t)strlen(interface)) < 0) {
		if (errno != ENODEV)
			die_errno("unable to bind a socket to interface %s", interface);
		close(fd);
		return -1;
	}
	if (*family == AF_INET ? bind(fd, (struct sockaddr *)&in, sizeof in)
			       : bind(fd, (struct sockaddr *)&in6, sizeof in6))
		die_errno("unable to bind to %s port %u", address ? address : "::", port);
	return fd;
}

pid_t serve_fork(unsigned i)
{
	pid_t pid = fork();

	if (pid < 0)
		die_errno("unable to start worker %u", i);
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGTERM);
	return pid;
}

void serve_stop(const pid_t *pids, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		kill(pids[i], SIGTERM);
		waitpid(pids[i], NULL, 0);
	}
}
