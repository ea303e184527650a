/* tftpfloor.c -- the least a lockstep TFTP server can do, as a yardstick
 * for tests/bench/tftp.py's scenario 1: how fast one client can read a
 * file over this machine's network path from a server that sleeps for
 * each answer (a server that polls for it, as tftpd -Q does, skips the
 * wakeup and goes faster).
 *
 * One transfer at a time.  For each RRQ on ADDRESS:PORT it serves FILE
 * (whatever name was asked; read into memory once) from a socket connected
 * to the client: an OACK echoing blksize, tsize and timeout when asked
 * (no windowsize: lockstep), then each block as one send() and its ACK as
 * one blocking recv() -- no event loop, no timers beyond poll()'s timeout
 * (resend after 1 s, at most 5 times), no counters, no checks beyond the
 * protocol's.  It is not a server to run: no path checks, no limits, no
 * concurrency.  Runs until killed; exit 100 usage, 111 system call
 * failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

enum { RRQ = 1, DATA = 3, ACK = 4, ERROR = 5, OACK = 6 };
#define PKT_MAX (4 + 65464)

static void die(const char *what)
{
	perror(what);
	exit(111);
}

/* Options of an RRQ (after filename and mode): blksize, tsize, timeout
 * asked for; the OACK to send in oack (its length returned, 0: none). */
static size_t options(const char *p, const char *end, size_t size, unsigned *blksize,
		      char *oack)
{
	size_t n = 2;
	int fields = 0;

	oack[0] = 0;
	oack[1] = OACK;
	while (p < end) {
		const char *name = p, *value = name + strnlen(name, (size_t)(end - name)) + 1;

		if (value >= end)
			break;
		p = value + strnlen(value, (size_t)(end - value)) + 1;
		if (!strcasecmp(name, "blksize")) {
			unsigned b = (unsigned)atoi(value);

			*blksize = b < 8 ? 8 : b > 65464 ? 65464 : b;
			n += (size_t)sprintf(oack + n, "blksize%c%u", 0, *blksize) + 1;
		} else if (!strcasecmp(name, "tsize")) {
			n += (size_t)sprintf(oack + n, "tsize%c%zu", 0, size) + 1;
		} else if (!strcasecmp(name, "timeout")) {
			n += (size_t)sprintf(oack + n, "timeout%c%s", 0, value) + 1;
		} else {
			continue;
		}
		fields++;
	}
	return fields ? n : 0;
}

/* Send pkt (len bytes) until an ACK of block comes: 0, or -1 (gave up). */
static int lockstep(int fd, const uint8_t *pkt, size_t len, uint16_t block)
{
	uint8_t in[PKT_MAX];

	for (int tries = 0; tries < 6; tries++) {
		if (send(fd, pkt, len, 0) < 0 && errno != ECONNREFUSED)
			die("send");
		for (;;) {
			struct pollfd p = { fd, POLLIN, 0 };
			ssize_t r;

			if (poll(&p, 1, 1000) == 0)
				break; /* resend */
			r = recv(fd, in, sizeof in, 0);
			if (r < 0) {
				if (errno == ECONNREFUSED)
					return -1;
				die("recv");
			}
			if (r >= 4 && in[1] == ERROR)
				return -1;
			if (r >= 4 && in[1] == ACK && (uint16_t)(in[2] << 8 | in[3]) == block)
				return 0;
		}
	}
	return -1;
}

static void serve(const struct sockaddr_in *local, const struct sockaddr_in *peer,
		  const uint8_t *req, size_t len, const uint8_t *file, size_t size)
{
	static uint8_t pkt[PKT_MAX];
	const char *end = (const char *)req + len, *name = (const char *)req + 2;
	const char *mode = name + strnlen(name, (size_t)(end - name)) + 1;
	struct sockaddr_in me = *local;
	unsigned blksize = 512;
	char oack[512];
	size_t olen;
	int fd;

	if (mode >= end)
		return;
	olen = options(mode + strnlen(mode, (size_t)(end - mode)) + 1, end, size, &blksize, oack);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	me.sin_port = 0;
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof me) < 0 ||
	    connect(fd, (const struct sockaddr *)peer, sizeof *peer) < 0)
		die("transfer socket");
	if (olen && lockstep(fd, (uint8_t *)oack, olen, 0) < 0)
		goto out;
	for (uint64_t i = 1;; i++) {
		uint64_t off = (i - 1) * blksize;
		size_t n = off >= size ? 0 : size - off < blksize ? size - off : blksize;

		pkt[0] = 0;
		pkt[1] = DATA;
		pkt[2] = (uint8_t)(i >> 8);
		pkt[3] = (uint8_t)i;
		memcpy(pkt + 4, file + off, n);
		if (lockstep(fd, pkt, 4 + n, (uint16_t)i) < 0 || n < blksize)
			break;
	}
out:
	close(fd);
}

int main(int argc, char **argv)
{
	static uint8_t req[PKT_MAX];
	struct sockaddr_in local = { .sin_family = AF_INET };
	struct stat st;
	uint8_t *file;
	int fd, s;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &local.sin_addr) != 1) {
		fputs("usage: tftpfloor ADDRESS PORT FILE\n", stderr);
		return 100;
	}
	local.sin_port = htons((uint16_t)atoi(argv[2]));
	fd = open(argv[3], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		die(argv[3]);
	file = malloc((size_t)st.st_size + 1);
	if (!file || read(fd, file, (size_t)st.st_size) != st.st_size)
		die("reading the file");
	close(fd);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&local, sizeof local) < 0)
		die("bind");
	for (;;) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof peer;
		ssize_t r = recvfrom(s, req, sizeof req - 1, 0, (struct sockaddr *)&peer, &plen);

		if (r < 0)
			die("recvfrom");
		req[r] = 0;
		if (r >= 4 && req[1] == RRQ)
			serve(&local, &peer, req, (size_t)r, file, (size_t)st.st_size);
	}
}
