/* SPDX-License-Identifier: MIT */
/* shutdown.h -- poweroff, reboot and halt, asked for with BusyBox's
 * signals (its poweroff, reboot and halt applets send them to PID 1). */
#ifndef TERN_INIT_SHUTDOWN_H
#define TERN_INIT_SHUTDOWN_H

#include "loop.h"

struct shutdown_action {
	int signo;
	const char *name; /* "poweroff", "reboot", "halt" */
	int how;          /* the reboot(2) command */
};

/* The action signo asks for, or NULL. */
const struct shutdown_action *shutdown_action_for(int signo);

/* Whether signo asks for a shutdown (the loop's `stops`). */
bool shutdown_signal(int signo);

/* The loop's step for a shutdown (loop_add it): nothing until the loop
 * has a stop signal; then, a stage a deadline, stop the services
 * (SIGTERM in reverse start order, SIGKILL after CONFIG_INIT_STOP_TIMEOUT
 * seconds), then every other process, sync, unmount (unmount.h), and call
 * reboot(2) from a child; in test mode exit 0 instead, without
 * unmounting. */
int64_t shutdown_step(struct loop *l, void *ctx);

#endif
