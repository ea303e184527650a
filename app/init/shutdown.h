/* shutdown.h -- poweroff, reboot and halt, asked for with BusyBox's
 * signals (its poweroff, reboot and halt applets send them to PID 1). */
#ifndef TERN_INIT_SHUTDOWN_H
#define TERN_INIT_SHUTDOWN_H

#include "supervise.h"

struct shutdown_action {
	int signo;
	const char *name; /* "poweroff", "reboot", "halt" */
	int how;          /* the reboot(2) command */
};

/* The action signo asks for, or NULL. */
const struct shutdown_action *shutdown_action_for(int signo);

/* Stop the services (SIGTERM in reverse start order, SIGKILL after
 * CONFIG_INIT_STOP_TIMEOUT seconds), then every other process, sync,
 * unmount (unmount.h), and call reboot(2) from a child; in test mode
 * exit 0 instead, without unmounting. */
_Noreturn void shutdown_system(struct supervisor *sv, int sfd,
			       const struct shutdown_action *a);

#endif
