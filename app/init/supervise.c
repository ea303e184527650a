#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int supervisor_load(struct supervisor *sv, const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		log_errno("unable to read %s", path);
		return 1;
	}
	char line[SERVICE_LINE_MAX + 2];
	int lineno = 0, problems = 0;
	const char *err;

	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t len = strlen(line);
		if (len && line[len - 1] == '\n') {
			line[--len] = '\0';
		} else if (!feof(f)) {
			log_warn("%s:%d: line longer than %d bytes", path, lineno, SERVICE_LINE_MAX - 1);
			problems++;
			int c;
			while ((c = getc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (sv->n == SERVICES_MAX) {
			log_warn("%s:%d: more than %d services; ignoring the rest", path, lineno, SERVICES_MAX);
			problems++;
			break;
		}
		struct service *s = &sv->svc[sv->n];
		memset(s, 0, sizeof *s);
		switch (service_parse_line(line, &s->spec, &err)) {
		case SERVICE_NONE:
			break;
		case SERVICE_ERROR:
			log_warn("%s:%d: %s", path, lineno, err);
			problems++;
			break;
		case SERVICE_LINE:
			for (int i = 0; i < sv->n; i++)
				if (!strcmp(sv->svc[i].spec.name, s->spec.name)) {
					log_warn("%s:%d: service %s defined twice; keeping the first",
						 path, lineno, s->spec.name);
					problems++;
					goto next;
				}
			sv->n++;
			break;
		}
next:;
	}
	fclose(f);
	return problems;
}

void supervisor_add_shell(struct supervisor *sv)
{
	struct service *s = &sv->svc[sv->n++];
	const char *err;

	memset(s, 0, sizeof *s);
	service_parse_line("shell respawn /bin/sh", &s->spec, &err);
	s->spec.argv[0] = "-sh"; /* a login shell: reads /etc/profile */
	s->console = 1;
}

/* In the child: a new session; the console shell also takes the console
 * as its controlling terminal.  Only async-signal-safe calls here. */
static void exec_child(const struct service *s)
{
	static const char path[] = "/bin/sh";
	sigset_t all;

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	setsid();
	if (s->console) {
		int fd = open("/dev/console", O_RDWR);
		if (fd >= 0) {
			ioctl(fd, TIOCSCTTY, 1);
			dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		char *envp[] = { "HOME=/root", "TERM=vt100", "USER=root",
				 "PATH=/sbin:/usr/sbin:/bin:/usr/bin", NULL };
		execve(path, s->spec.argv, envp);
	} else {
		int fd = open("/dev/null", O_RDONLY);
		if (fd > 0) {
			dup2(fd, 0);
			close(fd);
		}
		char *envp[] = { "PATH=/sbin:/usr/sbin:/bin:/usr/bin", NULL };
		execve(s->spec.argv[0], s->spec.argv, envp);
	}
	_exit(127);
}

static void start(struct service *s)
{
	pid_t pid = fork();
	if (pid < 0) {
		log_errno("unable to fork for service %s", s->spec.name);
		s->restart_ms = now_ms() + BACKOFF_MIN_MS;
		return;
	}
	if (pid == 0)
		exec_child(s);
	s->pid = pid;
	s->started_ms = now_ms();
	s->restart_ms = 0;
	log_info("started %s (pid %d)", s->spec.name, (int)pid);
}

void supervisor_start_all(struct supervisor *sv)
{
	for (int i = 0; i < sv->n; i++)
		start(&sv->svc[i]);
}

static void describe(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "stopped");
}

void supervisor_reaped(struct supervisor *sv, pid_t pid, int status)
{
	char how[96];

	for (int i = 0; i < sv->n; i++) {
		struct service *s = &sv->svc[i];
		if (s->pid != pid)
			continue;
		s->pid = 0;
		describe(status, how, sizeof how);
		if (sv->stopping || s->spec.policy == SERVICE_ONCE) {
			log_info("%s (pid %d) %s", s->spec.name, (int)pid, how);
			return;
		}
		long ran = now_ms() - s->started_ms;
		s->backoff_ms = backoff_next(s->backoff_ms, ran);
		s->restart_ms = now_ms() + s->backoff_ms;
		if (s->backoff_ms == BACKOFF_MAX_MS && !s->crashloop) {
			s->crashloop = 1;
			log_warn("%s is crash-looping; retrying every %d s", s->spec.name,
				 BACKOFF_MAX_MS / 1000);
		} else if (s->backoff_ms == BACKOFF_MIN_MS) {
			s->crashloop = 0;
		}
		log_info("%s (pid %d) %s after %ld ms; restarting in %u ms", s->spec.name,
			 (int)pid, how, ran, s->backoff_ms);
		return;
	}
}

int supervisor_tick(struct supervisor *sv)
{
	long now = now_ms(), next = -1;

	if (sv->stopping)
		return -1;
	for (int i = 0; i < sv->n; i++) {
		struct service *s = &sv->svc[i];
		if (!s->restart_ms)
			continue;
		if (s->restart_ms <= now) {
			start(s);
			continue;
		}
		if (next < 0 || s->restart_ms - now < next)
			next = s->restart_ms - now;
	}
	return (int)next;
}

static int running(const struct supervisor *sv)
{
	int n = 0;
	for (int i = 0; i < sv->n; i++)
		n += sv->svc[i].pid != 0;
	return n;
}

static void reap_all(struct supervisor *sv)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		supervisor_reaped(sv, pid, status);
}

void supervisor_stop_all(struct supervisor *sv, long timeout_ms)
{
	sv->stopping = 1;
	for (int i = sv->n - 1; i >= 0; i--) {
		struct service *s = &sv->svc[i];
		s->restart_ms = 0;
		if (s->pid) {
			log_info("stopping %s (pid %d)", s->spec.name, (int)s->pid);
			kill(-s->pid, SIGTERM); /* its session's process group */
			kill(s->pid, SIGTERM);
		}
	}
	long deadline = now_ms() + timeout_ms;
	reap_all(sv);
	while (running(sv) && now_ms() < deadline) {
		struct timespec pause = { 0, 20 * 1000000L };
		nanosleep(&pause, NULL);
		reap_all(sv);
	}
	for (int i = sv->n - 1; i >= 0; i--) {
		struct service *s = &sv->svc[i];
		if (s->pid) {
			log_warn("%s (pid %d) did not stop in %ld ms; killing it",
				 s->spec.name, (int)s->pid, timeout_ms);
			kill(-s->pid, SIGKILL);
			kill(s->pid, SIGKILL);
		}
	}
	/* Whatever else is left (orphans, helpers): the same two steps.  Only
	 * as PID 1, where kill(-1) means "every process in this namespace". */
	if (getpid() != 1)
		return;
	kill(-1, SIGTERM);
	struct timespec pause = { 0, 100 * 1000000L };
	nanosleep(&pause, NULL);
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}
