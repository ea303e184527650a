/* SPDX-License-Identifier: MIT */
/* spawn.c -- the child side of starting a service: from fork to exec.
 *
 * Every service: signal mask cleared (init blocks everything), a session
 * of its own (setsid), init's environment.  A plain service gets stdin on
 * /dev/null and stdout and stderr on its output pipe to init (output.h).  The debug
 * shell opens /dev/console, makes it its controlling terminal, puts it on
 * 0, 1 and 2, and runs as a login shell ("-sh") with a small fixed
 * environment.  A failed exec is logged; the child exits 127 when the
 * command does not exist, 126 otherwise, as a shell would.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "root.h"
#include "supervise.h"

static void stdin_null(const char *name)
{
	int fd = root_open("/dev/null", O_RDONLY);

	if (fd < 0) {
		log_errno("unable to start %s: open /dev/null", name);
		_exit(EXIT_SYSCALL);
	}
	if (fd != STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
}

static void console_tty(void)
{
	int fd = root_open("/dev/console", O_RDWR);

	if (fd < 0) {
		log_errno("unable to start the debug shell: open /dev/console");
		_exit(EXIT_SYSCALL);
	}
	/* Job control and Ctrl-C need a controlling terminal; without one the
	 * shell still works, so a failure is only reported. */
	if (ioctl(fd, TIOCSCTTY, 0) < 0)
		log_errno("debug shell: unable to make /dev/console the controlling terminal");
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static _Noreturn void child(const struct service *s)
{
	static char *const shell_env[] = {
		"HOME=/root", "TERM=vt100", "PATH=/sbin:/usr/sbin:/bin:/usr/bin", NULL,
	};
	const char *argv[SERVICE_ARGV_MAX + 1];
	const char *path;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	service_argv(&s->spec, argv);
	path = argv[0];
	if (s->console) {
		console_tty();
		argv[0] = "-sh"; /* a login shell: reads /etc/profile */
		execve(path, (char *const *)argv, shell_env);
	} else {
		stdin_null(s->spec.name);
		if (s->log_wr >= 0) { /* see output.h */
			dup2(s->log_wr, STDOUT_FILENO);
			dup2(s->log_wr, STDERR_FILENO);
		}
		execv(path, (char *const *)argv);
	}
	log_errno("unable to start %s: exec %s", s->spec.name, path);
	_exit(errno == ENOENT ? 127 : 126);
}

pid_t spawn(const struct service *s)
{
	pid_t pid = fork();

	if (pid == 0)
		child(s);
	return pid;
}
