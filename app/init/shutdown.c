/* SPDX-License-Identifier: MIT */
/* shutdown.c -- see shutdown.h. */
#include "shutdown.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "root.h"
#include "settings.h"
#include "unmount.h"
#include "watchdog.h"

/* How long the last steps wait for processes to go: after SIGKILL to the
 * services, and after kill(-1, ...).  Anything slower is stuck in the
 * kernel and will not go at all. */
#define STRAGGLER_WAIT_MS 1000

static const struct shutdown_action actions[] = {
	{ SIGUSR2, "poweroff", RB_POWER_OFF },
	{ SIGTERM, "reboot", RB_AUTOBOOT },
	{ SIGINT, "reboot", RB_AUTOBOOT }, /* Ctrl-Alt-Del, see boot_disable_cad */
	{ SIGUSR1, "halt", RB_HALT_SYSTEM },
};

const struct shutdown_action *shutdown_action_for(int signo)
{
	for (size_t i = 0; i < sizeof actions / sizeof *actions; i++)
		if (actions[i].signo == signo)
			return &actions[i];
	return NULL;
}

bool shutdown_signal(int signo)
{
	return shutdown_action_for(signo) != NULL;
}

/* As BusyBox's init: reboot(2) from a child, so that PID 1 itself is never
 * the task the kernel ends; the parent waits.  If that returns at all, the
 * call failed. */
static _Noreturn void finish(const struct shutdown_action *a)
{
	int status = 0, err;
	pid_t pid;

	watchdog_disarm(); /* a poweroff or halt is not followed by a reset */
	if (root_test_mode()) {
		log_info("%s: test mode: exit 0 instead of reboot(2)", a->name);
		exit(0);
	}
	log_info("%s: calling reboot(2)", a->name);
	pid = fork();
	if (pid == 0) {
		reboot(a->how);
		_exit(errno);
	}
	if (pid < 0) {
		reboot(a->how); /* no child to do it: try ourselves */
		err = errno;
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		err = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
	}
	errno = err;
	log_errno("%s: reboot(2) failed; the system stays up with nothing running",
		  a->name);
	for (;;)
		pause();
}

/* The stages of a shutdown, each with its deadline. */
enum stage {
	UP,              /* no stop asked for */
	SERVICES,        /* SIGTERM sent: until none runs, STOP_TIMEOUT at most */
	SERVICES_KILLED, /* SIGKILL sent: until none runs, STRAGGLER_WAIT_MS at most */
	OTHERS,          /* kill(-1, SIGTERM), then SIGKILL: each time until no
			  * child is left, STRAGGLER_WAIT_MS at most */
};

static const int others_signals[] = { SIGTERM, SIGKILL };

static struct {
	enum stage stage;
	int64_t until; /* clock_ms(): the stage's deadline */
	const struct shutdown_action *a;
	unsigned sent; /* of others_signals */
} down;

static void enter(enum stage stage, int64_t wait_ms)
{
	down.stage = stage;
	down.until = clock_ms_after(wait_ms);
}

/* Orphans and helpers no service table knows: as PID 1, kill(-1) reaches
 * every process but init (in its PID namespace).  Never run it outside
 * PID 1, where it would reach every process of the user.  False if there
 * is no one to wait for. */
static bool stop_others(int sig)
{
	if (getpid() != 1 || kill(-1, sig) < 0)
		return false;
	if (sig == SIGTERM)
		kill(-1, SIGCONT);
	return true;
}

static _Noreturn void finish_all(void)
{
	watchdog_pet(); /* a whole timeout for sync and unmount */
	sync();
	if (!root_test_mode())
		unmount_all();
	finish(down.a);
}

/* Milliseconds until the stage's deadline, or 0 once it has passed. */
static int64_t left(void)
{
	int64_t now = clock_ms();

	return down.until > now ? down.until - now : 0;
}

/* Whether the stage st is the one running and still waits: pending (for
 * what it waits to go), and its deadline not passed. */
static bool waits(enum stage st, bool pending)
{
	return down.stage == st && pending && left();
}

int64_t shutdown_step(struct loop *l, void *ctx)
{
	struct supervisor *sv = l->sv;
	size_t running;

	(void)ctx;
	switch (down.stage) {
	case UP:
		if (!l->stop_signo || !(down.a = shutdown_action_for(l->stop_signo)))
			return -1;
		log_info("%s: stopping services", down.a->name);
		supervisor_stop(sv);
		enter(SERVICES, CONFIG_INIT_STOP_TIMEOUT * 1000LL);
		supervisor_reap(sv);
		/* fall through */
	case SERVICES:
		if (waits(SERVICES, supervisor_running(sv)))
			return left();
		if ((running = supervisor_running(sv))) {
			log_warn("%s: %zu service(s) still running after %d s; sending SIGKILL",
				 down.a->name, running, CONFIG_INIT_STOP_TIMEOUT);
			supervisor_kill(sv);
			enter(SERVICES_KILLED, STRAGGLER_WAIT_MS);
			return left();
		}
		/* fall through */
	case SERVICES_KILLED:
		if (waits(SERVICES_KILLED, supervisor_running(sv)))
			return left();
		/* fall through */
	case OTHERS:
		if (waits(OTHERS, supervisor_reap(sv)))
			return left();
		while (down.sent < sizeof others_signals / sizeof *others_signals)
			if (stop_others(others_signals[down.sent++])) {
				enter(OTHERS, STRAGGLER_WAIT_MS);
				return 0;
			}
		finish_all();
	}
	return -1;
}
