/* SPDX-License-Identifier: MIT */
/* ternjournal -- the boot journal and the shared counters as the status
 * page reads them (app/lib/journal.h, stats.h), one JSON object a line,
 * for the tests (tests/net/journal_*.t) and for a person at a shell.
 *
 *   ternjournal [-r RUN] [-S SECONDS] [-b FILES] [-n CLIENTS]
 *       the clients and their last boot (journal_summary)
 *   ternjournal [-r RUN] -e      every event of every ring
 *   ternjournal [-r RUN] -s      every counter of every stats file
 *
 * RUN is the run directory (default $TERN_RUN_DIR or /run/tern). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "journal.h"
#include "stats.h"

#define USAGE "usage: ternjournal [-r RUN] [-S STALL_SECONDS] [-b BOOTED_FILES] [-n CLIENTS] [-e | -s]\n"

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_ip(uint8_t family, const uint8_t *ip)
{
	char buf[INET6_ADDRSTRLEN] = "";

	if (family)
		inet_ntop(family, ip, buf, sizeof buf);
	json_str(buf);
}

static void print_mac(bool has, const uint8_t *m)
{
	char buf[18] = "";

	if (has)
		snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
	json_str(buf);
}

static void print_event(const struct journal_event *e)
{
	printf("{\"seq\":%" PRIu64 ",\"time_ms\":%" PRId64 ",\"daemon\":", e->seq, e->time_ms);
	json_str(journal_daemon_name(e->daemon));
	printf(",\"kind\":");
	json_str(journal_kind_name(e->kind));
	printf(",\"proto\":");
	json_str(journal_proto_name(e->proto));
	printf(",\"end\":");
	json_str(journal_end_name(e->end));
	printf(",\"mac\":");
	print_mac(e->flags & JOURNAL_HAS_MAC, e->mac);
	printf(",\"ip\":");
	print_ip(e->family, e->ip);
	printf(",\"arch\":%d,\"vendor\":", e->flags & JOURNAL_HAS_ARCH ? e->arch : -1);
	json_str(e->vendor);
	printf(",\"file\":");
	json_str(e->file);
	printf(",\"cause\":");
	json_str(e->cause);
	printf(",\"bytes\":%" PRIu64 ",\"size\":%" PRIu64 ",\"ms\":%u,\"blksize\":%u,"
	       "\"windowsize\":%u,\"status\":%u,\"oack\":%s,\"probe\":%s}\n",
	       e->bytes, e->size, e->ms, e->blksize, e->windowsize, e->status,
	       e->flags & JOURNAL_OACK ? "true" : "false", e->flags & JOURNAL_PROBE ? "true" : "false");
}

static void print_client(const struct journal_client *c)
{
	printf("{\"mac\":");
	print_mac(c->has_mac, c->mac);
	printf(",\"ip\":");
	print_ip(c->family, c->ip);
	printf(",\"arch\":%d,\"vendor\":", c->has_arch ? c->arch : -1);
	json_str(c->vendor);
	printf(",\"stage\":");
	json_str(journal_stage_name(c->stage));
	printf(",\"stall\":");
	json_str(journal_stall_name(c->stall));
	printf(",\"cause\":");
	json_str(c->cause);
	printf(",\"first_ms\":%" PRId64 ",\"last_ms\":%" PRId64 ",\"files\":[", c->first_ms,
	       c->last_ms);
	for (unsigned i = 0; i < c->nfiles; i++) {
		const struct journal_file *f = &c->files[i];

		printf("%s{\"name\":", i ? "," : "");
		json_str(f->name);
		printf(",\"proto\":");
		json_str(journal_proto_name(f->proto));
		printf(",\"end\":");
		json_str(journal_end_name(f->end));
		printf(",\"bytes\":%" PRIu64 ",\"size\":%" PRIu64 ",\"ms\":%u}", f->bytes, f->size,
		       f->ms);
	}
	printf("]}\n");
}

static int print_stats(const struct stats_view *v, void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < v->head->nfields; i++) {
		const struct stats_field *f = &v->fields[i];

		printf("{\"file\":");
		json_str(v->file);
		printf(",\"daemon\":");
		json_str(v->head->daemon);
		printf(",\"instance\":");
		json_str(v->head->instance);
		printf(",\"pid\":%d,\"alive\":%s,\"name\":", v->head->pid, v->alive ? "true" : "false");
		json_str(f->name);
		printf(",\"labels\":");
		json_str(f->labels);
		printf(",\"type\":\"%s\",\"value\":%" PRIu64 "}\n",
		       f->type == STATS_GAUGE ? "gauge" : "counter", stats_value(v, i));
	}
	return 0;
}

static char *join(const char *run, const char *sub)
{
	static char buf[512];

	snprintf(buf, sizeof buf, "%s/%s", run, sub);
	return buf;
}

int main(int argc, char **argv)
{
	const char *run = NULL;
	struct journal_rules rules = { .stall_ms = CONFIG_JOURNAL_STALL_S * 1000LL,
				       .booted_files = CONFIG_JOURNAL_BOOTED_FILES };
	unsigned max_clients = CONFIG_JOURNAL_CLIENTS, max_events = 1u << 20;
	bool events = false, stats = false;
	struct journal_event *ev;
	struct journal_client *cl;
	struct journal_reader *r;
	struct timespec ts;
	int o, n;

	while ((o = getopt(argc, argv, "r:S:b:n:es")) != -1) {
		switch (o) {
		case 'r': run = optarg; break;
		case 'S': rules.stall_ms = atoll(optarg) * 1000; break;
		case 'b': rules.booted_files = optarg; break;
		case 'n': max_clients = (unsigned)atoi(optarg); break;
		case 'e': events = true; break;
		case 's': stats = true; break;
		default: fputs(USAGE, stderr); return 100;
		}
	}
	if (stats) {
		struct stats_reader *sr = stats_reader_open(run ? join(run, "stats") : NULL);
		unsigned bad = 0;

		if (!sr || stats_scan(sr, print_stats, NULL, &bad) < 0) {
			perror("ternjournal: unable to read the stats directory");
			return 111;
		}
		if (bad)
			fprintf(stderr, "ternjournal: %u stats files not read (broken)\n", bad);
		stats_reader_close(sr);
		return 0;
	}
	r = journal_reader_open(run ? join(run, "journal") : NULL);
	ev = calloc(max_events, sizeof *ev);
	cl = calloc(max_clients ? max_clients : 1, sizeof *cl);
	if (!r || !ev || !cl || (n = journal_collect(r, ev, max_events)) < 0) {
		perror("ternjournal: unable to read the journal");
		return 111;
	}
	if (events) {
		for (int i = 0; i < n; i++)
			print_event(&ev[i]);
		return 0;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	rules.now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	n = (int)journal_summary(ev, (unsigned)n, &rules, cl, max_clients);
	for (int i = 0; i < n; i++)
		print_client(&cl[i]);
	return 0;
}
