/* SPDX-License-Identifier: MIT */
/* supervise.h -- init's table of services: start, reap, restart, reload,
 * stop.
 *
 * Fixed size; nothing here allocates, so the signal path (reap, restart,
 * reload, stop) never calls malloc.
 *
 * The table, in start order: the builtin services network setup asked for
 * (a DHCP client), the services of SERVICES_FILE in file order, services a
 * reload is retiring, and last the debug shell.  Shutdown stops them last
 * first. */
#ifndef TERN_INIT_SUPERVISE_H
#define TERN_INIT_SUPERVISE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "output.h"
#include "services.h"

#define SERVICES_MAX 32 /* lines of /etc/tern/services */
#define BUILTINS_MAX 8  /* network's services, and the debug shell */
/* Room for every service of the file twice: the running ones a reload
 * retires and their replacements, while the old ones stop. */
#define SUPERVISOR_MAX (2 * SERVICES_MAX + BUILTINS_MAX)

struct service {
	struct service_spec spec;
	bool console;       /* the debug shell: /dev/console as controlling tty */
	bool builtin;       /* not from SERVICES_FILE: a reload leaves it alone */
	bool retiring;      /* a reload removed or changed it: stop, then drop */
	pid_t pid;          /* > 0 while running */
	int64_t started_ms; /* clock_ms(): when the current run began */
	int64_t restart_ms; /* clock_ms(): when to start it (again); 0: not due */
	int64_t kill_ms;    /* clock_ms(): SIGKILL if still running; 0: none */
	unsigned delay_s;   /* back-off before the last restart; 0: none yet */
	unsigned fails;     /* exits in a row, each before BACKOFF_RESET_S */
	int status;         /* the wait status of its last run, once one ended */
	int log_rd, log_wr; /* its stdout+stderr pipe to init; -1: none yet */
	uint64_t *restarts; /* its count in the shared mapping (record.c) */
	struct outbuf out;  /* what came after its last newline */
};

struct supervisor {
	size_t n;
	struct service svc[SUPERVISOR_MAX];
	bool stopping; /* shutting down: nothing is restarted */
	const char *role; /* the box's (tern.role=); NULL: SERVICE_ROLE_DEFAULT */
};

/* Fill the table from SERVICES_FILE; bad lines, duplicate names and lines
 * past SERVICES_MAX are logged as file:line and skipped, and a service of
 * another role than sv->role is logged and left out (here and on reload). */
void supervisor_load(struct supervisor *sv);
/* Add the service of one services-file line (builtin: kept across a
 * reload of SERVICES_FILE), e.g. the DHCP client network setup asks for;
 * `what` names the asker in messages.  Returns false, having logged why,
 * when the line is bad or the table is full. */
bool supervisor_add_line(struct supervisor *sv, const char *what, const char *line);
/* supervisor_add_line, then start that service now. */
bool supervisor_run_line(struct supervisor *sv, const char *what, const char *line);
/* The service named name (not one a reload retires), or NULL. */
const struct service *supervisor_find(const struct supervisor *sv, const char *name);
/* Start every service in table order. */
void supervisor_start_all(struct supervisor *sv);
/* Add the debug shell (/bin/sh as a login shell on the console, respawned)
 * and start it. */
void supervisor_start_shell(struct supervisor *sv);
/* Read SERVICES_FILE again (SIGHUP).  A service whose line is unchanged
 * keeps running, untouched; a new one starts; a removed one gets SIGTERM
 * and, after CONFIG_INIT_STOP_TIMEOUT s, SIGKILL; a changed one is stopped
 * that way and started anew once the old one is gone.  The new file order
 * is the new start order.  A file that cannot be read, or that has a bad
 * line, changes nothing: its errors are logged as file:line. */
void supervisor_reload(struct supervisor *sv);
/* Reap every child that has exited (services and orphans alike) and
 * schedule restarts.  Returns false once no child is left at all. */
bool supervisor_reap(struct supervisor *sv);
/* Start what is due, SIGKILL retiring services past their time; returns
 * the milliseconds until the next such event, or -1 if none is scheduled
 * (a poll(2) timeout). */
int supervisor_tick(struct supervisor *sv);
/* Stop restarting; send SIGTERM (and SIGCONT, and to the debug shell
 * SIGHUP) to every running service, last in the table first. */
void supervisor_stop(struct supervisor *sv);
/* SIGKILL to every service still running, last first. */
void supervisor_kill(struct supervisor *sv);
size_t supervisor_running(const struct supervisor *sv);

/* record.c: the services' restart counts published anew for the table
 * as it is now (after a load, an add, a reload), counts kept by name. */
void record_services(struct supervisor *sv);

/* The child side of starting s: fork, then set up and exec in the child
 * (spawn.c).  Returns the pid, or -1 with errno if fork failed. */
pid_t spawn(const struct service *s);

#endif
