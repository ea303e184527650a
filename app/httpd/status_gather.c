/* SPDX-License-Identifier: MIT */
/* status_gather.c -- see status_gather.h. */
#include "status_gather.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bootslot.h"
#include "clock.h"
#include "config.h" /* the journal's sizes and rules: app/lib/Kconfig */
#include "log.h"

/* "board X" and "version Y" of the release file, if there is one. */
static void read_release(struct status_sources *src)
{
	FILE *f = fopen(STATUS_RELEASE, "re");
	char line[128], word[16], value[32];

	if (!f)
		return;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "%15s %31s", word, value) == 2) {
			if (!strcmp(word, "board"))
				snprintf(src->board, sizeof src->board, "%s", value);
			else if (!strcmp(word, "version"))
				snprintf(src->version, sizeof src->version, "%s", value);
		}
	fclose(f);
}

/* The running slot, on a board with an ESP holding slots. */
static char running_slot(void)
{
	int fd = open(BOOTSLOT_ESP, O_RDONLY | O_DIRECTORY | O_CLOEXEC), slot;

	if (fd < 0)
		return 0;
	slot = bootslot_running(fd, NULL);
	close(fd);
	return slot < 0 ? 0 : bootslot_letter(slot);
}

void status_sources_open(struct status_sources *src)
{
	*src = (struct status_sources){ 0 };
	src->stats = stats_reader_open(NULL);
	src->journal = journal_reader_open(NULL);
	src->slot = running_slot();
	read_release(src);
	src->samples = calloc(STATUS_SAMPLES, sizeof *src->samples);
	src->events = calloc((size_t)STATUS_RINGS * CONFIG_JOURNAL_EVENTS, sizeof *src->events);
	src->clients = calloc(CONFIG_JOURNAL_CLIENTS, sizeof *src->clients);
	if (!src->samples || !src->events || !src->clients)
		die(EXIT_SYSCALL, "unable to allocate the status pages' tables");
}

static unsigned prefix_len(const struct sockaddr *mask)
{
	const unsigned char *p;
	unsigned n = 0, len;

	if (!mask)
		return 0;
	if (mask->sa_family == AF_INET)
		p = (const unsigned char *)&((const struct sockaddr_in *)mask)->sin_addr, len = 4;
	else
		p = ((const struct sockaddr_in6 *)mask)->sin6_addr.s6_addr, len = 16;
	for (unsigned i = 0; i < len; i++)
		n += (unsigned)__builtin_popcount(p[i]);
	return n;
}

/* The row of a table (*n rows of max, each size bytes, starting with its
 * name, a char[name_size]) named name: found, or added at the end;
 * NULL when the table is full. */
static void *row_named(void *rows, unsigned *n, unsigned max, size_t size, size_t name_size,
		       const char *name)
{
	char *row = rows;

	for (unsigned i = 0; i < *n; i++, row += size)
		if (!strcmp(row, name))
			return row;
	if (*n == max)
		return NULL;
	snprintf(row, name_size, "%s", name);
	++*n;
	return row;
}

#define ROW_NAMED(rows, n, max, name) \
	row_named((rows), (n), (max), sizeof (rows)[0], sizeof (rows)[0].name, (name))
_Static_assert(offsetof(struct status_iface, name) == 0, "row_named: the name comes first");
_Static_assert(offsetof(struct status_daemon, name) == 0, "row_named: the name comes first");

static struct status_iface *iface_named(struct status_box *b, const char *name)
{
	return ROW_NAMED(b->ifaces, &b->nifaces, STATUS_IFACES, name);
}

static void gather_ifaces(struct status_box *b)
{
	struct ifaddrs *all, *a;

	if (getifaddrs(&all) < 0)
		return;
	for (a = all; a; a = a->ifa_next) {
		struct status_iface *i = iface_named(b, a->ifa_name);
		int family = a->ifa_addr ? a->ifa_addr->sa_family : AF_UNSPEC;
		char text[INET6_ADDRSTRLEN];

		if (!i)
			continue;
		i->up = a->ifa_flags & IFF_UP;
		i->running = a->ifa_flags & IFF_RUNNING;
		if (family == AF_PACKET) {
			const struct sockaddr_ll *ll = (const struct sockaddr_ll *)a->ifa_addr;

			if (ll->sll_halen == 6 && memcmp(ll->sll_addr, "\0\0\0\0\0\0", 6))
				mac_text(i->mac, ll->sll_addr);
		} else if ((family == AF_INET || family == AF_INET6) && i->naddrs < STATUS_ADDRS) {
			const void *addr = family == AF_INET
				? (const void *)&((const struct sockaddr_in *)a->ifa_addr)->sin_addr
				: (const void *)&((const struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;

			inet_ntop(family, addr, text, sizeof text);
			snprintf(i->addrs[i->naddrs++], sizeof i->addrs[0], "%s/%u", text,
				 prefix_len(a->ifa_netmask));
		}
	}
	freeifaddrs(all);
}

static void gather_box(const struct status_sources *src, struct status_box *b)
{
	struct utsname u;

	memset(b, 0, sizeof *b);
	gethostname(b->hostname, sizeof b->hostname - 1);
	if (uname(&u) == 0) {
		snprintf(b->kernel, sizeof b->kernel, "%s", u.release);
		snprintf(b->machine, sizeof b->machine, "%s", u.machine);
	}
	memcpy(b->board, src->board, sizeof b->board);
	memcpy(b->version, src->version, sizeof b->version);
	b->slot = src->slot;
	b->now_ms = clock_ms_on(CLOCK_REALTIME);
	b->uptime_s = (uint64_t)clock_ms_on(CLOCK_BOOTTIME) / 1000;
	gather_ifaces(b);
}

struct scan {
	struct status_snapshot *s;
	unsigned max;
};

static struct status_daemon *daemon_named(struct status_snapshot *s, const char *name)
{
	return ROW_NAMED(s->daemons, &s->ndaemons, STATUS_DAEMONS, name);
}

/* stats_scan's step: a process's file, its values added to its daemon's. */
static int take_file(const struct stats_view *v, void *arg)
{
	struct scan *sc = arg;
	struct status_snapshot *s = sc->s;
	struct status_daemon *d = daemon_named(s, v->head->daemon);

	if (!d)
		return 0;
	if (!d->processes++ || v->head->started_s < d->started_s)
		d->started_s = v->head->started_s;
	if (d->processes == 1)
		d->pid = v->head->pid;
	d->alive += v->alive;
	for (unsigned i = 0; i < v->head->nfields; i++) {
		const struct stats_field *f = &v->fields[i];
		struct status_sample *x = NULL;

		for (unsigned j = 0; j < s->nsamples && !x; j++)
			if (s->samples[j].daemon == d->name && !strcmp(s->samples[j].name, f->name) &&
			    !strcmp(s->samples[j].labels, f->labels))
				x = &s->samples[j];
		if (!x && s->nsamples < sc->max) {
			x = &s->samples[s->nsamples++];
			*x = (struct status_sample){ .daemon = d->name, .name = f->name,
						     .labels = f->labels, .help = f->help,
						     .type = (enum stats_type)f->type };
		}
		if (x)
			x->value += stats_value(v, i);
	}
	return 0;
}

const struct status_sample *status_next_sample(const struct status_snapshot *s,
					       const char *daemon, unsigned *i)
{
	while (*i < s->nsamples) {
		const struct status_sample *m = &s->samples[(*i)++];

		if (!strcmp(m->daemon, daemon))
			return m;
	}
	return NULL;
}

/* Option 93 (RFC 4578, IANA's processor architecture types). */
const char *status_arch_name(unsigned arch)
{
	static const char *names[] = {
		[0] = "x86 BIOS", [6] = "x86 UEFI", [7] = "x64 UEFI", [9] = "x64 UEFI",
		[10] = "ARM32 UEFI", [11] = "ARM64 UEFI", [15] = "x86 UEFI HTTP",
		[16] = "x64 UEFI HTTP", [18] = "ARM32 UEFI HTTP", [19] = "ARM64 UEFI HTTP",
	};

	return arch < sizeof names / sizeof names[0] ? names[arch] : NULL;
}

void status_client_text(const struct journal_client *c, struct status_client_text *t)
{
	t->mac[0] = t->ip[0] = 0;
	if (c->has_mac)
		mac_text(t->mac, c->mac);
	if (c->family)
		inet_ntop(c->family, c->ip, t->ip, sizeof t->ip);
	t->arch = c->has_arch ? status_arch_name(c->arch) : NULL;
}

static int by_name(const void *a, const void *b)
{
	const struct status_sample *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (!c)
		c = strcmp(x->labels, y->labels);
	return c ? c : strcmp(x->daemon, y->daemon);
}

void status_gather(struct status_sources *src, struct status_snapshot *s)
{
	struct scan sc = { .s = s, .max = STATUS_SAMPLES };
	int n;

	memset(s, 0, sizeof *s);
	gather_box(src, &s->box);
	s->samples = src->samples;
	if (src->stats && stats_scan(src->stats, take_file, &sc, &s->bad_files) == 0) {
		s->have_stats = true;
		qsort(s->samples, s->nsamples, sizeof *s->samples, by_name);
	}
	s->clients = src->clients;
	if (src->journal &&
	    (n = journal_collect(src->journal, src->events, STATUS_RINGS * CONFIG_JOURNAL_EVENTS)) >= 0) {
		struct journal_rules rules = {
			.now_ms = s->box.now_ms, .stall_ms = (int64_t)CONFIG_JOURNAL_STALL_S * 1000,
			.booted_files = CONFIG_JOURNAL_BOOTED_FILES,
		};

		s->have_journal = true;
		s->nclients = journal_summary(src->events, (unsigned)n, &rules, src->clients,
					      CONFIG_JOURNAL_CLIENTS);
	}
}
