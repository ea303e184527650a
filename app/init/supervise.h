/* supervise.h -- init's table of running services. */
#ifndef TERN_INIT_SUPERVISE_H
#define TERN_INIT_SUPERVISE_H

#include "services.h"

struct service {
	struct service_spec spec;
	int console;         /* the debug shell: controlling tty on the console */
	pid_t pid;           /* 0: not running */
	long started_ms;     /* monotonic */
	unsigned backoff_ms; /* last restart delay */
	long restart_ms;     /* when to start again; 0: not scheduled */
	int crashloop;       /* restarted at the cap: reported once */
};

struct supervisor {
	int n;
	struct service svc[SERVICES_MAX + 1]; /* + the debug shell */
	int stopping;
};

long now_ms(void);

/* Read path into the table; bad lines are logged as path:line and
 * skipped.  Returns the number of problems. */
int supervisor_load(struct supervisor *sv, const char *path);
/* Add the debug shell (/bin/sh on the console, respawned). */
void supervisor_add_shell(struct supervisor *sv);
void supervisor_start_all(struct supervisor *sv);
/* A child exited: if it was a service, schedule its restart. */
void supervisor_reaped(struct supervisor *sv, pid_t pid, int status);
/* Start what is due; return ms until the next restart, or -1. */
int supervisor_tick(struct supervisor *sv);
/* SIGTERM in reverse start order, wait up to timeout_ms reaping, then
 * SIGKILL what is left (and every other process). */
void supervisor_stop_all(struct supervisor *sv, long timeout_ms);

#endif
