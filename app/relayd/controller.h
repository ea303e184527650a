/* SPDX-License-Identifier: MIT */
/* controller.h -- the control thread's state (control.h says what it
 * does), shared by its files: control.c (the loop, signals, the tick,
 * relayctl's connections), answer.c (relayctl's requests answered) and
 * ruleset.c (the rules in force), each calling only the ones after it. */
#ifndef TERN_RELAYD_CONTROLLER_H
#define TERN_RELAYD_CONTROLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/signalfd.h>

#include "ctl.h"
#include "relay.h"
#include "text.h"
#include "uring.h"

#define WORKERS_MAX 64
#define CONNS_MAX 8   /* relayctl conversations at once; more wait in listen() */

/* What a completion is about: uring.h's tag, and for a connection's a
 * struct conn (8-byte aligned). */
enum tag {
	TAG_SIGNAL = 1, /* read on the signalfd */
	TAG_TICK,       /* the 1 s timeout: rates, stale connections */
	TAG_ACCEPT,     /* multishot accept on relayctl's socket */
	TAG_RECV,       /* a connection's request: a struct conn */
	TAG_SEND,       /* a connection's answer: a struct conn */
};
/* A relayctl conversation: one request read, one answer sent, at most
 * one SQE in the kernel at a time. */
struct conn {
	int fd;
	bool busy;            /* its recv or send is in the kernel */
	bool expired;         /* too slow: shut down, freed when idle */
	double started;
	size_t len, sent;
	char req[CTL_REQUEST_MAX + 1];
	struct text answer;
	struct conn *next;
} __attribute__((aligned(8)));

struct control {
	const struct relay_config *cfg;
	struct worker *workers[WORKERS_MAX];
	unsigned load[WORKERS_MAX]; /* rules of each worker */
	unsigned nworkers;
	struct rule *rules;   /* in force: the file's in its order, then relayctl's */
	unsigned next_id;
	struct io_uring ring;
	int sfd;
	struct signalfd_siginfo si;
	int lfd;              /* relayctl's socket; -1: none */
	bool accepting;       /* its multishot accept is in the kernel */
	struct conn *conns;
	unsigned nconns;
	struct __kernel_timespec tick;
	double sampled;       /* when the rates were last computed */
	bool stopping;
	struct relay_rules spare; /* a reload is read into it */
	char errors[4096];    /* a reload's bad lines */
};

/* ruleset.c */
/* "running", "starting" or "waiting". */
const char *rule_state(const struct rule *x);
struct rule *rule_new(struct control *s, const struct relay_rule *r, unsigned line);
/* To the worker with the fewest rules. */
void rule_start(struct control *s, struct rule *x);
/* Out of s->rules already; never touched again here. */
void rule_remove(struct control *s, struct rule *x);
void sync_workers(struct control *s);
unsigned count_rules(const struct control *s, unsigned *running);
void log_running(const struct control *s);
/* The rules in force become rs: unchanged ones stay as they are, the
 * others go, new ones start.  Counts what it did. */
void apply(struct control *s, const struct relay_rules *rs, unsigned *kept, unsigned *added,
	   unsigned *removed);
/* SIGHUP or relayctl reload (who says which); answer: relayctl's, or
 * NULL.  A bad file changes nothing. */
const char *reload(struct control *s, const char *who, struct text *answer);

/* answer.c */
void stats_text(const struct control *s, struct text *t);
/* The request of c: its answer, status line first. */
void respond(struct control *s, struct conn *c);

#endif
