/* SPDX-License-Identifier: MIT */
/* wire.c -- a network cable with a delay and a loss rate, in user space.
 *
 * What `tc qdisc add ... netem delay 1ms loss 0.5%` does on a veth link,
 * for kernels built without sch_netem (this project's reference machine
 * has CONFIG_NET_SCH_NETEM unset).  wire makes two TAP devices, A and B;
 * the test moves each into a network namespace of its own and addresses
 * them (tests/net/lib/netns.py, Net.wire).  Every Ethernet frame one side
 * sends is written to the other side DELAY microseconds later, in order;
 * UDP frames (IPv4 or IPv6) are dropped with probability LOSS parts per
 * million, each direction on its own, from a seeded generator so a run
 * can be repeated.  ARP and neighbour discovery are never dropped, so
 * loss hits only the traffic under test.
 *
 * wire prints "ready" on stdout once both devices exist.  It stops on
 * SIGTERM or SIGINT, or when its standard input ends (the test that
 * started it is gone), and prints one line of counters on stderr.
 * Exit 100 for usage, 111 when a system call fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define USAGE "usage: wire [-d DELAY_US] [-l LOSS_PPM] [-s SEED] [-q FRAMES] TAP_A TAP_B"
#define SLOT 2048      /* bytes of one queued frame: MTU 1500 and then some */
#define BATCH 256      /* frames read from one device before the other's turn */

struct frame {
	uint64_t due; /* CLOCK_MONOTONIC ns */
	uint16_t len;
	uint8_t data[SLOT];
};

/* One direction: frames read from fd in, written to fd out when due. */
struct lane {
	int in, out;
	struct frame *ring;
	size_t head, count; /* oldest frame, frames queued */
	uint64_t rng;
	uint64_t passed, lost, overflow, oversize;
};

static volatile sig_atomic_t stopping;
static uint64_t delay_ns, loss_ppm;
static size_t queue_len = 8192;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "wire: unable to %s: %s\n", what, strerror(errno));
	exit(111);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: enough randomness for a loss pattern, and repeatable. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static int open_tap(const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		die("open /dev/net/tun");
	if (strlen(name) >= sizeof ifr.ifr_name) {
		fprintf(stderr, "wire: device name too long: %s\n", name);
		exit(100);
	}
	strcpy(ifr.ifr_name, name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		die("create the TAP device (TUNSETIFF)");
	return fd;
}

/* A UDP datagram in an untagged IPv4 or IPv6 frame (no IPv6 extension
 * headers: tests send none). */
static int is_udp(const uint8_t *f, size_t len)
{
	if (len >= 14 + 20 && f[12] == 0x08 && f[13] == 0x00)
		return f[14 + 9] == 17;
	if (len >= 14 + 40 && f[12] == 0x86 && f[13] == 0xdd)
		return f[14 + 6] == 17;
	return 0;
}

static void take_frames(struct lane *l, uint64_t now)
{
	for (int i = 0; i < BATCH; i++) {
		struct frame *f = &l->ring[(l->head + l->count) % queue_len];
		uint8_t spill[65536];
		uint8_t *buf = l->count < queue_len ? f->data : spill;
		ssize_t n = read(l->in, buf, l->count < queue_len ? SLOT : sizeof spill);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			die("read a frame");
		}
		if (l->count == queue_len) {
			l->overflow++;
			continue;
		}
		if (n > SLOT) {
			l->oversize++;
			continue;
		}
		if (loss_ppm && is_udp(buf, (size_t)n) && next_random(&l->rng) % 1000000 < loss_ppm) {
			l->lost++;
			continue;
		}
		f->len = (uint16_t)n;
		f->due = now + delay_ns;
		l->count++;
	}
}

/* Write every frame that is due; the time the next one is due, or 0. */
static uint64_t give_frames(struct lane *l, uint64_t now)
{
	while (l->count) {
		struct frame *f = &l->ring[l->head];

		if (f->due > now)
			return f->due;
		if (write(l->out, f->data, f->len) < 0 && errno != EIO && errno != EAGAIN)
			die("write a frame");
		l->passed++;
		l->head = (l->head + 1) % queue_len;
		l->count--;
	}
	return 0;
}

static uint64_t number(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end) {
		fprintf(stderr, "wire: %s is not a number: %s\n%s\n", what, s, USAGE);
		exit(100);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct lane lane[2];
	uint64_t seed = 1;
	struct sigaction sa = { .sa_handler = on_signal };
	int c, fd[2];

	while ((c = getopt(argc, argv, "d:l:s:q:h")) != -1) {
		switch (c) {
		case 'd': delay_ns = number(optarg, "the delay") * 1000; break;
		case 'l': loss_ppm = number(optarg, "the loss rate"); break;
		case 's': seed = number(optarg, "the seed"); break;
		case 'q': queue_len = number(optarg, "the queue length"); break;
		default: fprintf(stderr, "%s\n", USAGE); return c == 'h' ? 0 : 100;
		}
	}
	if (argc - optind != 2 || queue_len == 0 || loss_ppm > 1000000) {
		fprintf(stderr, "%s\n", USAGE);
		return 100;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_TIMERSLACK, 1UL); /* wake when the next frame is due, not 50 us later */
	fd[0] = open_tap(argv[optind]);
	fd[1] = open_tap(argv[optind + 1]);
	for (int i = 0; i < 2; i++) {
		lane[i] = (struct lane){ .in = fd[i], .out = fd[1 - i],
					 .rng = (seed + (uint64_t)i) * 0x9e3779b97f4a7c15ull | 1 };
		lane[i].ring = calloc(queue_len, sizeof(struct frame));
		if (!lane[i].ring)
			die("allocate the queues");
	}
	printf("ready\n");
	fflush(stdout);

	while (!stopping) {
		struct pollfd p[3] = { { fd[0], POLLIN, 0 }, { fd[1], POLLIN, 0 }, { 0, POLLIN, 0 } };
		uint64_t now = now_ns(), next = 0;
		struct timespec ts, *tp = NULL;

		for (int i = 0; i < 2; i++) {
			uint64_t due = give_frames(&lane[i], now);
			if (due && (!next || due < next))
				next = due;
		}
		if (next) {
			ts.tv_sec = (time_t)((next - now) / 1000000000u);
			ts.tv_nsec = (long)((next - now) % 1000000000u);
			tp = &ts;
		}
		if (ppoll(p, 3, tp, NULL) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (p[2].revents)
			break; /* stdin: data, end of file or hang-up, all mean stop */
		now = now_ns();
		for (int i = 0; i < 2; i++)
			if (p[i].revents & POLLIN)
				take_frames(&lane[i], now);
	}
	fprintf(stderr,
		"wire: a->b passed %" PRIu64 " lost %" PRIu64 " overflow %" PRIu64 " oversize %" PRIu64
		"; b->a passed %" PRIu64 " lost %" PRIu64 " overflow %" PRIu64 " oversize %" PRIu64 "\n",
		lane[0].passed, lane[0].lost, lane[0].overflow, lane[0].oversize, lane[1].passed,
		lane[1].lost, lane[1].overflow, lane[1].oversize);
	return 0;
}
