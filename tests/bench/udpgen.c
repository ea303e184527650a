/* SPDX-License-Identifier: MIT */
/* udpgen.c -- a stream of numbered, checksummed UDP datagrams at a fixed
 * rate or flat out, for the relay bench (tests/bench/relay.py) and the
 * relay tests; udpsink counts what arrives.
 *
 * One connected socket; sendmmsg of up to -b datagrams at a time, each
 * two iovecs (its 16-byte header, its filler from the shared pattern: see
 * udpstream.h), so nothing is copied or checksummed per datagram.  At a
 * rate (-r) a token bucket paces the batches, the wait between them slept
 * with 1 ns timer slack.  The bucket holds -D microseconds of datagrams
 * (10000 by default, and at least 2 x BATCH): on a busy or virtual
 * machine a wake-up comes late (on the reference machine 0.15-0.6 ms on
 * average, now and then 4-9 ms), and the datagrams due meanwhile go out
 * at once, so the rate holds on average, in bursts no longer than the
 * bucket.  A generator that falls behind by more loses the tokens past
 * the bucket (its pps says so).  Always bounded: -t seconds (10 by default), and -n
 * datagrams when given.  A send the kernel refuses (no buffer, ICMP
 * unreachable, no route) is counted and the same datagrams retried 1 ms
 * later, so the sequence numbers sent are 0..sent-1 with no gap.
 *
 * Output, one line of JSON on stdout:
 *   {"sent":N,"bytes":N,"seconds":S,"pps":X,"rate":R,"size":N,"batch":N,
 *    "send_errors":N,"cpu_seconds":S,"ended":"count"|"time"|"signal"}
 * Exit 0, 100 usage, 111 system call failure.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "udpstream.h"

#define USAGE \
"usage: udpgen [-r PPS] [-n COUNT] [-t SECONDS] [-s SIZE] [-b BATCH] [-S STREAM]\n" \
"              [-D BUCKET_US] [-I IFACE] [-T TTL] [-B SRC] [-o SNDBUF] DEST PORT\n" \
"\n" \
"Sends datagrams 0, 1, 2, ... of stream STREAM to DEST:PORT (IPv4 or IPv6,\n" \
"unicast or multicast), each SIZE bytes: stream, sequence number, CRC-32\n" \
"of the filler, filler.  Prints one line of JSON when done.\n" \
"\n" \
"  -r PPS      datagrams per second (token bucket); 0: flat out (default)\n" \
"  -D US       the bucket: bursts of at most US microseconds of datagrams\n" \
"              (default 10000; never under 2 x BATCH)\n" \
"  -n COUNT    stop after COUNT datagrams (default: only -t bounds it)\n" \
"  -t SECONDS  stop after SECONDS at most (default 10, at most 3600)\n" \
"  -s SIZE     UDP payload bytes, 64 to 65507 (default 1400)\n" \
"  -b BATCH    datagrams per sendmmsg, 1 to 1024 (default 32)\n" \
"  -S STREAM   stream number in each header (default 1)\n" \
"  -I IFACE    multicast: out of IFACE; unicast: bound to it\n" \
"  -T TTL      TTL / hop limit, 1 to 255 (multicast default 1)\n" \
"  -B SRC      send from address SRC\n" \
"  -o SNDBUF   SO_SNDBUF bytes (default 4194304)\n"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int open_socket(const struct sockaddr_storage *to, socklen_t to_len, const char *dev,
		       unsigned ifindex, int ttl, const char *src, int sndbuf)
{
	int fd = socket(to->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), off = 0;
	bool v4 = to->ss_family == AF_INET, mc = us_multicast(to);

	if (fd < 0)
		us_die("create a UDP socket");
	us_buffer(fd, true, sndbuf);
	if (v4 && mc) {
		struct ip_mreqn m = { .imr_ifindex = (int)ifindex };

		if ((ifindex && setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m) < 0) ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off) < 0 ||
		    (ttl && setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) < 0))
			us_die("set the multicast interface, loop and TTL");
	} else if (mc) {
		int i = (int)ifindex;

		if ((ifindex && setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &i, sizeof i) < 0) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof off) < 0 ||
		    (ttl && setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl) < 0))
			us_die("set the multicast interface, loop and hop limit");
	} else {
		if (dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev)) < 0)
			us_die("bind to the interface");
		if (ttl && setsockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6,
				      v4 ? IP_TTL : IPV6_UNICAST_HOPS, &ttl, sizeof ttl) < 0)
			us_die("set the TTL");
	}
	if (src) {
		struct sockaddr_storage from;
		socklen_t len = us_address(src, "0", ifindex, &from);

		if (from.ss_family != to->ss_family)
			us_usage_error("-B %s: not of DEST's address family", src);
		if (bind(fd, (struct sockaddr *)&from, len) < 0)
			us_die("bind to the source address");
	}
	if (connect(fd, (const struct sockaddr *)to, to_len) < 0)
		us_die("connect to the destination");
	return fd;
}

/* The errors a busy or unreachable path gives: counted, retried. */
static bool transient(int err)
{
	return err == ENOBUFS || err == EAGAIN || err == ECONNREFUSED || err == EHOSTUNREACH ||
	       err == ENETUNREACH || err == ENETDOWN || err == EPERM;
}

static void sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t };

	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stopping)
		;
}

int main(int argc, char **argv)
{
	uint64_t count = UINT64_MAX, rate = 0, sent = 0, errors = 0;
	unsigned size = 1400, batch = 32, ifindex = 0, stream = 1;
	int ttl = 0, sndbuf = 4 << 20, opt, fd;
	double limit = 10, t0, t, last, tokens, depth, cpu0;
	unsigned bucket_us = 10000;
	const char *dev = NULL, *src = NULL, *ended = "count";
	struct sockaddr_storage to;
	socklen_t to_len;
	struct sigaction sa = { .sa_handler = on_signal };

	us_prog = "udpgen";
	us_usage = USAGE;
	while ((opt = getopt(argc, argv, "hr:n:t:s:b:S:I:T:B:o:D:")) != -1) {
		switch (opt) {
		case 'h': fputs(USAGE, stdout); return 0;
		case 'r': rate = us_number(optarg, 0, 100000000, "-r"); break;
		case 'n': count = us_number(optarg, 1, (uint64_t)1 << 40, "-n"); break;
		case 't': limit = us_seconds(optarg, 3600, "-t"); break;
		case 's': size = (unsigned)us_number(optarg, 64, US_SIZE_MAX, "-s"); break;
		case 'b': batch = (unsigned)us_number(optarg, 1, 1024, "-b"); break;
		case 'D': bucket_us = (unsigned)us_number(optarg, 1, 1000000, "-D"); break;
		case 'S': stream = (unsigned)us_number(optarg, 0, UINT32_MAX, "-S"); break;
		case 'I': dev = optarg; break;
		case 'T': ttl = (int)us_number(optarg, 1, 255, "-T"); break;
		case 'B': src = optarg; break;
		case 'o': sndbuf = (int)us_number(optarg, 4096, 1u << 30, "-o"); break;
		default: fputs(USAGE, stderr); return 100;
		}
	}
	if (argc - optind != 2)
		us_usage_error("%s", "wants DEST and PORT");
	ifindex = us_ifindex(dev);
	to_len = us_address(argv[optind], argv[optind + 1], ifindex, &to);
	us_init();
	fd = open_socket(&to, to_len, dev, ifindex, ttl, src, sndbuf);

	static uint8_t head[1024][US_HEADER];
	static struct iovec iov[1024][2];
	static struct mmsghdr msg[1024];

	for (unsigned i = 0; i < batch; i++) {
		iov[i][0] = (struct iovec){ head[i], US_HEADER };
		iov[i][1].iov_len = size - US_HEADER;
		msg[i].msg_hdr = (struct msghdr){ .msg_iov = iov[i], .msg_iovlen = 2 };
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	cpu0 = us_cpu();
	t0 = last = us_now();
	tokens = batch;
	depth = (double)rate * bucket_us / 1e6;
	if (depth < 2.0 * batch)
		depth = 2.0 * batch;
	while (sent < count) {
		unsigned n = count - sent < batch ? (unsigned)(count - sent) : batch;
		int r;

		t = us_now();
		if (stopping || t - t0 >= limit) {
			ended = stopping ? "signal" : "time";
			break;
		}
		if (rate) {
			tokens += (t - last) * (double)rate;
			last = t;
			if (tokens > depth)
				tokens = depth;
			if (tokens < n) {
				sleep_until(t + (n - tokens) / (double)rate);
				continue;
			}
		}
		for (unsigned i = 0; i < n; i++) {
			us_header(head[i], stream, sent + i, size);
			iov[i][1].iov_base = (void *)us_filler(sent + i);
		}
		r = sendmmsg(fd, msg, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (!transient(errno))
				us_die("send");
			errors++;
			sleep_until(us_now() + 0.001);
			continue;
		}
		sent += (unsigned)r;
		tokens -= r;
	}
	t = us_now() - t0;
	printf("{\"sent\":%llu,\"bytes\":%llu,\"seconds\":%.6f,\"pps\":%.1f,\"rate\":%llu,"
	       "\"size\":%u,\"batch\":%u,\"send_errors\":%llu,\"cpu_seconds\":%.3f,"
	       "\"ended\":\"%s\"}\n",
	       (unsigned long long)sent, (unsigned long long)sent * size, t,
	       t > 0 ? (double)sent / t : 0.0, (unsigned long long)rate, size, batch,
	       (unsigned long long)errors, us_cpu() - cpu0, ended);
	return 0;
}
