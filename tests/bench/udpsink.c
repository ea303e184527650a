/* SPDX-License-Identifier: MIT */
/* udpsink.c -- receives a stream of udpgen's datagrams and counts what
 * came: received, lost, duplicated, reordered, corrupted; for the relay
 * bench (tests/bench/relay.py) and the relay tests.
 *
 * One socket bound to ADDR:PORT: a group is joined on -I (IGMP/MLD) and
 * only its datagrams are taken (IP_MULTICAST_ALL off); recvmmsg of up to
 * -b datagrams at a time into buffers of 64 KiB, so any UDP payload fits
 * whole.  Each datagram is checked (udpstream.h): its filler against the
 * pattern for its sequence number and the header's CRC-32 against the
 * cached CRC of that pattern; a filler that is not the pattern has its
 * CRC computed, so any datagram whose CRC holds is intact.  A bitmap of
 * the sequence numbers seen tells duplicates; a first arrival below the
 * highest seen so far is reordered.  SO_RXQ_OVFL tells how many the
 * kernel dropped at this socket for want of room (so a bench can tell the
 * sink's loss from the path's).
 *
 * Once its socket is bound (and joined) it says so on stderr,
 * "udpsink: listening on ADDR port PORT", so a script knows when to send.
 * Always bounded: -t seconds (30 by default); it also ends once -n
 * datagrams (0..COUNT-1) have all come, or when nothing came for -i ms
 * after the first.  Lost: COUNT (or the highest number seen + 1) minus
 * the distinct intact ones.
 *
 * Output, one line of JSON on stdout:
 *   {"received":N,"lost":N,"duplicated":N,"reordered":N,"corrupted":N,
 *    "other":N,"socket_drops":N,"expected":N,"highest":N,"bytes":N,
 *    "seconds":S,"pps":X,"cpu_seconds":S,"ended":"count"|"idle"|"time"|"signal"}
 * (received: intact datagrams of the stream, duplicates included; other:
 * intact ones of another stream or numbered past 2^32; seconds and pps:
 * from the first arrival to the last; highest: -1 when none came).
 * Exit 0, 100 usage, 111 system call failure.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>

#include "udpstream.h"

#define USAGE \
"usage: udpsink [-n COUNT] [-t SECONDS] [-i IDLE_MS] [-b BATCH] [-S STREAM]\n" \
"               [-I IFACE] [-r RCVBUF] ADDR PORT\n" \
"\n" \
"Receives udpgen's datagrams of stream STREAM on ADDR:PORT (a group is\n" \
"joined on IFACE; a unicast address is bound) and prints one line of\n" \
"JSON: received, lost, duplicated, reordered, corrupted, ...\n" \
"\n" \
"  -n COUNT    datagrams 0..COUNT-1 are expected; stop once all came\n" \
"  -t SECONDS  stop after SECONDS at most (default 30, at most 3600)\n" \
"  -i IDLE_MS  stop when nothing came for IDLE_MS after the first (default 1000)\n" \
"  -b BATCH    datagrams per recvmmsg, 1 to 1024 (default 64)\n" \
"  -S STREAM   the stream counted (default 1); others are 'other'\n" \
"  -I IFACE    join the group on IFACE (and scope of an IPv6 address)\n" \
"  -r RCVBUF   SO_RCVBUF bytes (default 33554432)\n"

#define BUF_SIZE 65536
#define SEQ_MAX ((uint64_t)1 << 32)

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static struct {
	uint64_t received, duplicated, reordered, corrupted, other, bytes;
	uint32_t drops;
	int64_t highest;
	uint64_t distinct;
	uint8_t *seen; /* bitmap of the sequence numbers seen */
	size_t seen_bytes;
	double first, last;
} st = { .highest = -1 };

static int open_socket(const struct sockaddr_storage *at, socklen_t len, unsigned ifindex,
		       int rcvbuf)
{
	int fd = socket(at->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), on = 1, off = 0;
	bool v4 = at->ss_family == AF_INET, mc = us_multicast(at);
	struct timeval tv = { .tv_usec = 20000 };

	if (fd < 0)
		us_die("create a UDP socket");
	us_buffer(fd, false, rcvbuf);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
		us_die("set SO_REUSEADDR, SO_RXQ_OVFL and SO_RCVTIMEO");
	if (!v4 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0)
		us_die("set IPV6_V6ONLY");
	if (mc && setsockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6,
			     v4 ? IP_MULTICAST_ALL : IPV6_MULTICAST_ALL, &off, sizeof off) < 0)
		us_die("clear IP_MULTICAST_ALL");
	if (bind(fd, (const struct sockaddr *)at, len) < 0)
		us_die("bind to the address and port");
	if (mc && v4) {
		struct ip_mreqn m = { .imr_ifindex = (int)ifindex };

		m.imr_multiaddr = ((const struct sockaddr_in *)at)->sin_addr;
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) < 0)
			us_die("join the group");
	} else if (mc) {
		struct ipv6_mreq m = { .ipv6mr_interface = ifindex };

		m.ipv6mr_multiaddr = ((const struct sockaddr_in6 *)at)->sin6_addr;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof m) < 0)
			us_die("join the group");
	}
	return fd;
}

/* Marks seq seen; true if it was already. */
static bool seen_before(uint64_t seq)
{
	size_t byte = (size_t)(seq >> 3);
	uint8_t bit = (uint8_t)(1u << (seq & 7));
	bool was;

	if (byte >= st.seen_bytes) {
		size_t n = st.seen_bytes ? st.seen_bytes : 1 << 16;

		while (n <= byte)
			n *= 2;
		st.seen = realloc(st.seen, n);
		if (!st.seen)
			us_die("grow the bitmap of sequence numbers");
		memset(st.seen + st.seen_bytes, 0, n - st.seen_bytes);
		st.seen_bytes = n;
	}
	was = st.seen[byte] & bit;
	st.seen[byte] |= bit;
	return was;
}

static bool intact(const uint8_t *p, size_t len, uint64_t seq)
{
	const uint8_t *filler = p + US_HEADER;
	size_t n = len - US_HEADER;
	uint32_t crc = us_get32(p + 12);

	if (memcmp(filler, us_filler(seq), n) == 0)
		return crc == us_filler_crc(seq, n);
	return crc == us_crc32(filler, n);
}

static void take(const uint8_t *p, size_t len, bool truncated, uint32_t stream, double now)
{
	uint64_t seq;

	if (truncated || len < US_HEADER) {
		st.corrupted++;
		return;
	}
	seq = (uint64_t)us_get32(p + 4) << 32 | us_get32(p + 8);
	if (!intact(p, len, seq)) {
		st.corrupted++;
		return;
	}
	if (us_get32(p) != stream || seq >= SEQ_MAX) {
		st.other++;
		return;
	}
	if (!st.received)
		st.first = now;
	st.last = now;
	st.received++;
	st.bytes += len;
	if (seen_before(seq)) {
		st.duplicated++;
		return;
	}
	st.distinct++;
	if ((int64_t)seq < st.highest)
		st.reordered++;
	else
		st.highest = (int64_t)seq;
}

static void take_drops(struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
			memcpy(&st.drops, CMSG_DATA(c), sizeof st.drops);
}

int main(int argc, char **argv)
{
	uint64_t count = 0;
	unsigned batch = 64, ifindex = 0, stream = 1;
	int rcvbuf = 32 << 20, opt, fd;
	double limit = 30, idle = 1.0, t0, now, cpu0;
	const char *dev = NULL, *ended = "time";
	struct sockaddr_storage at;
	socklen_t at_len;
	struct sigaction sa = { .sa_handler = on_signal };

	us_prog = "udpsink";
	us_usage = USAGE;
	while ((opt = getopt(argc, argv, "hn:t:i:b:S:I:r:")) != -1) {
		switch (opt) {
		case 'h': fputs(USAGE, stdout); return 0;
		case 'n': count = us_number(optarg, 1, SEQ_MAX, "-n"); break;
		case 't': limit = us_seconds(optarg, 3600, "-t"); break;
		case 'i': idle = (double)us_number(optarg, 1, 3600000, "-i") / 1000; break;
		case 'b': batch = (unsigned)us_number(optarg, 1, 1024, "-b"); break;
		case 'S': stream = (unsigned)us_number(optarg, 0, UINT32_MAX, "-S"); break;
		case 'I': dev = optarg; break;
		case 'r': rcvbuf = (int)us_number(optarg, 4096, 1u << 30, "-r"); break;
		default: fputs(USAGE, stderr); return 100;
		}
	}
	if (argc - optind != 2)
		us_usage_error("%s", "wants ADDR and PORT");
	ifindex = us_ifindex(dev);
	at_len = us_address(argv[optind], argv[optind + 1], ifindex, &at);
	us_init();
	fd = open_socket(&at, at_len, ifindex, rcvbuf);
	fprintf(stderr, "udpsink: listening on %s port %s\n", argv[optind], argv[optind + 1]);

	uint8_t *mem = malloc((size_t)batch * BUF_SIZE);
	static struct iovec iov[1024];
	static struct mmsghdr msg[1024];
	static char control[1024][CMSG_SPACE(sizeof(uint32_t))];

	if (!mem)
		us_die("allocate the receive buffers");
	for (unsigned i = 0; i < batch; i++)
		iov[i] = (struct iovec){ mem + (size_t)i * BUF_SIZE, BUF_SIZE };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	cpu0 = us_cpu();
	t0 = us_now();
	for (;;) {
		int r;

		for (unsigned i = 0; i < batch; i++)
			msg[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1,
							  .msg_control = control[i],
							  .msg_controllen = sizeof control[i] };
		r = recvmmsg(fd, msg, batch, MSG_WAITFORONE, NULL);
		now = us_now();
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			us_die("receive");
		for (int i = 0; i < r; i++) {
			take(iov[i].iov_base, msg[i].msg_len, msg[i].msg_hdr.msg_flags & MSG_TRUNC,
			     stream, now);
			take_drops(&msg[i].msg_hdr);
		}
		if (count && st.distinct >= count) {
			ended = "count";
			break;
		}
		if (stopping) {
			ended = "signal";
			break;
		}
		if (now - t0 >= limit)
			break;
		if (st.received && now - st.last >= idle) {
			ended = "idle";
			break;
		}
	}
	uint64_t expected = count ? count : (uint64_t)(st.highest + 1);
	double span = st.last - st.first;

	printf("{\"received\":%llu,\"lost\":%llu,\"duplicated\":%llu,\"reordered\":%llu,"
	       "\"corrupted\":%llu,\"other\":%llu,\"socket_drops\":%u,\"expected\":%llu,"
	       "\"highest\":%lld,\"bytes\":%llu,\"seconds\":%.6f,\"pps\":%.1f,"
	       "\"cpu_seconds\":%.3f,\"ended\":\"%s\"}\n",
	       (unsigned long long)st.received,
	       (unsigned long long)(expected > st.distinct ? expected - st.distinct : 0),
	       (unsigned long long)st.duplicated, (unsigned long long)st.reordered,
	       (unsigned long long)st.corrupted, (unsigned long long)st.other, st.drops,
	       (unsigned long long)expected, (long long)st.highest, (unsigned long long)st.bytes,
	       span, span > 0 ? (double)(st.distinct - 1) / span : 0.0, us_cpu() - cpu0, ended);
	return 0;
}
