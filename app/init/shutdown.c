/* shutdown.c -- see shutdown.h. */
#include "shutdown.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "root.h"
#include "settings.h"
#include "unmount.h"

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

/* Reap until no service runs, or timeout_ms passed. */
static void wait_services(struct supervisor *sv, int sfd, int timeout_ms)
{
	int64_t deadline = deadline_ms(timeout_ms), left;

	supervisor_reap(sv);
	while (supervisor_running(sv) && (left = deadline - now_ms()) > 0)
		loop_wait(sv, sfd, (int)left);
}

/* Reap until init has no child left at all, or timeout_ms passed. */
static void wait_children(struct supervisor *sv, int sfd, int timeout_ms)
{
	int64_t deadline = deadline_ms(timeout_ms), left;

	while (supervisor_reap(sv) && (left = deadline - now_ms()) > 0)
		loop_wait(sv, sfd, (int)left);
}

/* Orphans and helpers no service table knows: as PID 1, kill(-1) reaches
 * every process but init (in its PID namespace).  Never run it outside
 * PID 1, where it would reach every process of the user. */
static void stop_stragglers(struct supervisor *sv, int sfd)
{
	if (getpid() != 1)
		return;
	if (kill(-1, SIGTERM) == 0) {
		kill(-1, SIGCONT);
		wait_children(sv, sfd, STRAGGLER_WAIT_MS);
	}
	if (kill(-1, SIGKILL) == 0)
		wait_children(sv, sfd, STRAGGLER_WAIT_MS);
}

/* As BusyBox's init: reboot(2) from a child, so that PID 1 itself is never
 * the task the kernel ends; the parent waits.  If that returns at all, the
 * call failed. */
static _Noreturn void finish(const struct shutdown_action *a)
{
	int status = 0, err;
	pid_t pid;

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

void shutdown_system(struct supervisor *sv, int sfd, const struct shutdown_action *a)
{
	size_t left;

	log_info("%s: stopping services", a->name);
	supervisor_stop(sv);
	wait_services(sv, sfd, CONFIG_INIT_STOP_TIMEOUT * 1000);
	if ((left = supervisor_running(sv))) {
		log_warn("%s: %zu service(s) still running after %d s; sending SIGKILL",
			 a->name, left, CONFIG_INIT_STOP_TIMEOUT);
		supervisor_kill(sv);
		wait_services(sv, sfd, STRAGGLER_WAIT_MS);
	}
	stop_stragglers(sv, sfd);
	sync();
	if (!root_test_mode())
		unmount_all();
	finish(a);
}
