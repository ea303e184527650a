/* SPDX-License-Identifier: MIT */
/* status.h -- the lab's status pages: /status (HTML), /status.json and
 * /metrics (Prometheus text 0.0.4), served by a process of their own on
 * a listener of their own (httpd -w PORT [-W ADDRESS] [-I INTERFACE]),
 * never by the boot-file listener.
 *
 * The status process is forked by httpd's first process before it drops
 * privileges; it closes the boot-file root (it never opens a file under
 * it: every path it answers is one of its pages, any other is 404), drops
 * to httpd's user, and runs httpd's own loop (server.c, conn.c: the same
 * parser, limits and deadlines) with config.page set.  The boot-file
 * workers never answer these paths: they serve files only.
 *
 * Each request gathers a snapshot (status_gather: the box, every stats
 * file under <run>/stats, every journal ring under <run>/journal; see
 * app/lib/stats.h and journal.h) and renders it (status_html,
 * status_json, metrics_text: pure).  Read-only: nothing a request says
 * changes anything; no secret is shown (no key, no configuration file).
 */
#ifndef TERN_HTTPD_STATUS_H
#define TERN_HTTPD_STATUS_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "journal.h"
#include "stats.h"
#include "status_write.h"

struct config;
struct http_reply;
struct http_request;
struct mapped;

/* -- the snapshot ------------------------------------------------------- */

#define STATUS_IFACES 16
#define STATUS_ADDRS 8

struct status_iface {
	char name[IF_NAMESIZE];
	bool up, running;            /* IFF_UP, IFF_RUNNING (carrier) */
	char mac[18];                /* "" when it has none */
	unsigned naddrs;
	char addrs[STATUS_ADDRS][INET6_ADDRSTRLEN + 4]; /* "192.0.2.1/24" */
};

struct status_box {
	char hostname[65], kernel[65], machine[65];
	char board[32], version[32];  /* /etc/tern/release's; "" when none */
	char slot;                    /* 'A' or 'B' on a disk board; 0: none */
	int64_t now_ms;               /* CLOCK_REALTIME */
	uint64_t uptime_s;            /* CLOCK_BOOTTIME */
	unsigned nifaces;
	struct status_iface ifaces[STATUS_IFACES];
};

/* One value of a stats file, the same name and labels of every process
 * of a daemon (its workers) summed. */
struct status_sample {
	const char *daemon, *name, *labels, *help; /* into the stats mappings */
	enum stats_type type;
	uint64_t value;
};

/* A daemon: the processes that have a stats file. */
struct status_daemon {
	char name[16];
	unsigned processes, alive;
	pid_t pid;                    /* the first process's */
	int64_t started_s;            /* the earliest start, CLOCK_REALTIME */
};

#define STATUS_DAEMONS 32

struct status_snapshot {
	struct status_box box;
	bool have_stats, have_journal; /* their directories could be read */
	unsigned bad_files;            /* stats files that failed stats_check */
	unsigned ndaemons;
	struct status_daemon daemons[STATUS_DAEMONS];
	unsigned nsamples;             /* sorted by name, then labels, then daemon */
	struct status_sample *samples;
	unsigned nclients;             /* journal_summary's: last seen first */
	struct journal_client *clients;
};

/* -- rendering (pure) --------------------------------------------------- */

/* The page; refresh_s: the seconds of its <meta http-equiv="refresh">. */
void status_html(const struct status_snapshot *s, unsigned refresh_s, struct sbuf *out);
void status_json(const struct status_snapshot *s, struct sbuf *out);
/* Prometheus text exposition 0.0.4: a HELP and a TYPE line a family. */
void metrics_text(const struct status_snapshot *s, struct sbuf *out);

/* -- what the three pages show alike (status_gather.c; pure) ----------- */

/* Option 93's name ("x64 UEFI"); NULL for a number it does not know. */
const char *status_arch_name(unsigned arch);

/* The samples of daemon, in the snapshot's order, one a call from *i
 * (start it at 0); NULL after the last:
 *     for (unsigned i = 0; (m = status_next_sample(s, d->name, &i));) */
const struct status_sample *status_next_sample(const struct status_snapshot *s,
					       const char *daemon, unsigned *i);

/* What every page shows of a client as text: its MAC and IP ("" when not
 * known), its architecture's name (NULL when not known or not named). */
struct status_client_text {
	char mac[18], ip[INET6_ADDRSTRLEN];
	const char *arch;
};
void status_client_text(const struct journal_client *c, struct status_client_text *t);

/* -- the process -------------------------------------------------------- */

struct status_args {
	unsigned port;          /* 0: no status listener */
	const char *address;    /* NULL: any address (on interface) */
	const char *interface;  /* NULL: every interface */
};

/* Bind the status listener and fork the status process (see above),
 * which serves with base's limits; its pid.  -1, said in the log, when
 * the interface is not there (boot files are served all the same); dies
 * if it cannot bind otherwise. */
pid_t status_start(const struct config *base, const struct status_args *a, const char *user);

#endif
