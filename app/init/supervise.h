/* supervise.h -- init's table of services: start, reap, restart, stop.
 *
 * Fixed size, filled once at boot; nothing here allocates, so the signal
 * path (reap, restart, stop) never calls malloc. */
#ifndef TERN_INIT_SUPERVISE_H
#define TERN_INIT_SUPERVISE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "services.h"

#define SERVICES_MAX 32 /* lines of /etc/tern/services */

struct service {
	struct service_spec spec;
	bool console;       /* the debug shell: /dev/console as controlling tty */
	pid_t pid;          /* > 0 while running */
	int64_t started_ms; /* monotonic: when the current run began */
	int64_t restart_ms; /* monotonic: when to start it again; 0: not due */
	unsigned delay_s;   /* back-off before the last restart; 0: none yet */
};

struct supervisor {
	size_t n;
	struct service svc[SERVICES_MAX + 1]; /* + the debug shell */
	bool stopping; /* shutting down: nothing is restarted */
};

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t now_ms(void);

/* Fill the table from SERVICES_FILE; bad lines, duplicate names and lines
 * past SERVICES_MAX are logged as file:line and skipped. */
void supervisor_load(struct supervisor *sv);
/* Start every service in table order. */
void supervisor_start_all(struct supervisor *sv);
/* Add the debug shell (/bin/sh as a login shell on the console, respawned)
 * and start it. */
void supervisor_start_shell(struct supervisor *sv);
/* Reap every child that has exited (services and orphans alike) and
 * schedule restarts.  Returns false once no child is left at all. */
bool supervisor_reap(struct supervisor *sv);
/* Start the restarts that are due; returns the milliseconds until the next
 * one, or -1 if none is scheduled (a poll(2) timeout). */
int supervisor_tick(struct supervisor *sv);
/* Stop restarting; send SIGTERM (and SIGCONT, and to the debug shell
 * SIGHUP) to every running service, last in the table first. */
void supervisor_stop(struct supervisor *sv);
/* SIGKILL to every service still running, last first. */
void supervisor_kill(struct supervisor *sv);
size_t supervisor_running(const struct supervisor *sv);

/* The child side of starting s: fork, then set up and exec in the child
 * (spawn.c).  Returns the pid, or -1 with errno if fork failed. */
pid_t spawn(const struct service *s);

#endif
