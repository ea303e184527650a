/* SPDX-License-Identifier: MIT */
/* udpstream.h -- what tests/bench/udpgen.c and udpsink.c share: the
 * datagram format, CRC-32, numbers and addresses from the command line.
 *
 * A datagram of SIZE bytes (16..65507) is
 *
 *   stream  u32, big-endian   which generator (-S), so streams can share a port
 *   seq     u64, big-endian   0, 1, 2, ... in the order sent
 *   crc     u32, big-endian   CRC-32 (zlib's, ISO-HDLC) of the filler
 *   filler  SIZE - 16 bytes   byte i is (seq + i) & 0xff
 *
 * the format of tests/net/lib/relay_ns.py, so Python reads it with
 * struct.unpack("!IQI") and zlib.crc32.  The filler of seq s is the
 * pattern 0, 1, ..., 255, 0, 1, ... begun at s & 0xff: the generator
 * sends it from one pattern buffer (no copy, no CRC per datagram: 256 of
 * them per size), and the receiver compares it with that buffer before it
 * falls back to computing the CRC of what came.
 */
#ifndef TERN_BENCH_UDPSTREAM_H
#define TERN_BENCH_UDPSTREAM_H

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#define US_HEADER 16
#define US_SIZE_MAX 65507 /* the largest UDP payload over IPv4 */
#define US_PATTERN (US_SIZE_MAX + 256)

/* The program's name in messages, and its usage text. */
static const char *us_prog, *us_usage;

static inline void us_die(const char *what)
{
	fprintf(stderr, "%s: unable to %s: %s\n", us_prog, what, strerror(errno));
	exit(111);
}

static inline void us_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", us_prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", us_usage);
	exit(100);
}

static inline uint64_t us_number(const char *s, uint64_t min, uint64_t max, const char *flag)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max) {
		fprintf(stderr, "%s: %s wants %llu..%llu, not '%s'\n%s", us_prog, flag,
			(unsigned long long)min, (unsigned long long)max, s, us_usage);
		exit(100);
	}
	return v;
}

static inline double us_seconds(const char *s, double max, const char *flag)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0 && v <= max)) {
		fprintf(stderr, "%s: %s wants seconds, more than 0 and at most %g, not '%s'\n%s",
			us_prog, flag, max, s, us_usage);
		exit(100);
	}
	return v;
}

static inline double us_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* utime + stime of this process so far. */
static inline double us_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* A numeric IPv4 or IPv6 address and a port; the scope of an IPv6 one is
 * ifindex. */
static inline socklen_t us_address(const char *addr, const char *port, unsigned ifindex,
			    struct sockaddr_storage *ss)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_DGRAM }, *ai;
	socklen_t len;

	us_number(port, 0, 65535, "PORT");
	if (getaddrinfo(addr, port, &hints, &ai) != 0)
		us_usage_error("not a numeric IPv4 or IPv6 address: %s", addr);
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	len = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (ss->ss_family == AF_INET6 && ifindex && !((struct sockaddr_in6 *)ss)->sin6_scope_id)
		((struct sockaddr_in6 *)ss)->sin6_scope_id = ifindex;
	return len;
}

static inline bool us_multicast(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return IN_MULTICAST(ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr));
	return IN6_IS_ADDR_MULTICAST(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static inline unsigned us_ifindex(const char *dev)
{
	unsigned i;

	if (!dev)
		return 0;
	i = if_nametoindex(dev);
	if (!i)
		us_usage_error("no interface %s here", dev);
	return i;
}

/* SO_RCVBUFFORCE / SO_SNDBUFFORCE (root: past net.core.[rw]mem_max), else
 * the plain option, which the kernel caps. */
static inline void us_buffer(int fd, bool send, int bytes)
{
	if (setsockopt(fd, SOL_SOCKET, send ? SO_SNDBUFFORCE : SO_RCVBUFFORCE, &bytes,
		       sizeof bytes) < 0 &&
	    setsockopt(fd, SOL_SOCKET, send ? SO_SNDBUF : SO_RCVBUF, &bytes, sizeof bytes) < 0)
		us_die(send ? "set SO_SNDBUF" : "set SO_RCVBUF");
}

/* -- the format ---------------------------------------------------------- */

static uint32_t us_crc_table[256];
static uint8_t us_pattern[US_PATTERN]; /* byte k is k & 0xff */

static inline void us_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		us_crc_table[i] = c;
	}
	for (size_t k = 0; k < sizeof us_pattern; k++)
		us_pattern[k] = (uint8_t)k;
}

static inline uint32_t us_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--)
		c = us_crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

/* The filler of seq, and its CRC for fillers of n bytes (cached). */
static inline const uint8_t *us_filler(uint64_t seq)
{
	return us_pattern + (seq & 0xff);
}

static inline uint32_t us_filler_crc(uint64_t seq, size_t n)
{
	static size_t len1[256]; /* n + 1 of the CRC cached, 0: none */
	static uint32_t crc[256];
	unsigned o = (unsigned)(seq & 0xff);

	if (len1[o] != n + 1) {
		crc[o] = us_crc32(us_filler(seq), n);
		len1[o] = n + 1;
	}
	return crc[o];
}

static inline void us_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t us_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void us_header(uint8_t h[US_HEADER], uint32_t stream, uint64_t seq, size_t size)
{
	us_put32(h, stream);
	us_put32(h + 4, (uint32_t)(seq >> 32));
	us_put32(h + 8, (uint32_t)seq);
	us_put32(h + 12, us_filler_crc(seq, size - US_HEADER));
}

#endif
