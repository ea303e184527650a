/* SPDX-License-Identifier: MIT */
/* loop.h -- init's one event loop.  Every signal is blocked and read from
 * one signalfd; poll(2) waits on it and on the services' output pipes,
 * until the nearest deadline of the loop's list.
 *
 * Each turn: what the services wrote is forwarded (output.h), SIGCHLD
 * reaps every exited child, SIGHUP reloads the services (unless shutting
 * down), and the first signal `stops` accepts is kept in stop_signo
 * (others are ignored); SIGTSTP freezes init for good (loop_freeze).
 * Then every step of the list runs: it does what
 * is due (a service to start, the boot slot to mark good, the next stage
 * of a shutdown) and says when it is due again.  More event sources (a
 * control socket, netlink) are more fds in the same poll. */
#ifndef TERN_INIT_LOOP_H
#define TERN_INIT_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "supervise.h"

#define LOOP_STEPS_MAX 6

struct loop;

/* Does what is due; returns the milliseconds until it is due again (0:
 * at once), or -1: not before something happens. */
typedef int64_t (*loop_step)(struct loop *l, void *ctx);

struct loop {
	struct supervisor *sv;
	int sfd;
	bool (*stops)(int signo); /* a signal that asks init to stop */
	int stop_signo;           /* the first such signal; 0: none yet */
	size_t n;
	struct {
		loop_step step;
		void *ctx;
	} steps[LOOP_STEPS_MAX];
};

/* Block every signal; return a signalfd that reads them all. */
int loop_signals(void);

/* The loop of sv and the signalfd sfd; its first step is the
 * supervisor's (supervisor_tick), until a stop signal comes. */
void loop_init(struct loop *l, struct supervisor *sv, int sfd, bool (*stops)(int signo));
/* A step to the list (every step runs every turn, in list order); one
 * that has done its job takes itself off with loop_remove. */
void loop_add(struct loop *l, loop_step step, void *ctx);
void loop_remove(struct loop *l, loop_step step);

/* Stop for good, as a hung PID 1 would: no more turns, so no reaping,
 * no supervision and no watchdog pets; only the watchdog (or a power
 * cycle) ends it.  What SIGTSTP does: a way to test the watchdog. */
_Noreturn void loop_freeze(void);

/* Run every step once, in list order; the milliseconds until the nearest
 * is due again (poll's timeout), or -1. */
int loop_steps(struct loop *l);

/* Run the loop for good: a step ends it (shutdown.h's calls reboot(2),
 * or exits in test mode). */
_Noreturn void loop_run(struct loop *l);

#endif
