/* loop.h -- init's event loop.  Every signal is blocked and read from one
 * signalfd; poll(2) on it and on the services' output pipes, with the time
 * to the next service event as its timeout.  More event sources (a
 * control socket, netlink) are more fds in the same poll. */
#ifndef TERN_INIT_LOOP_H
#define TERN_INIT_LOOP_H

#include "shutdown.h"
#include "supervise.h"

/* Block every signal; return a signalfd that reads them all. */
int loop_signals(void);

/* Wait up to timeout_ms (-1: no limit) for signals and service output,
 * and handle them: output is forwarded (output.h), SIGCHLD reaps every
 * exited child, SIGHUP reloads the services (unless shutting down).
 * Returns the shutdown action the first shutdown signal asked for, or
 * NULL.  Other signals are ignored. */
const struct shutdown_action *loop_wait(struct supervisor *sv, int sfd, int timeout_ms);

/* Supervise until a shutdown signal arrives; return its action. */
const struct shutdown_action *loop_run(struct supervisor *sv, int sfd);

#endif
