/* init -- Tern's PID 1. */
#define USAGE \
"usage: init            (as PID 1, started by the kernel)\n" \
"       TERN_INIT_ROOT=DIR init   (test mode, see below)\n" \
"\n" \
"Brings a Tern appliance up, keeps its services running, and brings it\n" \
"down cleanly.\n" \
"\n" \
"Boot, in order: mount /proc, /sys, /dev (devtmpfs), /dev/pts, /run and\n" \
"/tmp; put /dev/console on stdin, stdout and stderr; set the hostname\n" \
"(tern.hostname= or the built-in default); apply /etc/sysctl.d/*.conf in\n" \
"name order (sysctl.conf(5) syntax; a bad line is logged as file:line and\n" \
"boot goes on); start the services in /etc/tern/services in file order;\n" \
"print \"tern: ready in S s\" (seconds since the kernel started).\n" \
"\n" \
"/etc/tern/services, one service a line:\n" \
"    name  respawn|once  /absolute/command [args...]\n" \
"A respawn service that exits is started again after 1 s, doubling up to\n" \
"60 s, back to 1 s once it has run for 30 s.\n" \
"\n" \
"Kernel command line:\n" \
"    tern.hostname=NAME    hostname for this boot\n" \
"    tern.debug_shell=1    root shell on the console, respawned\n" \
"\n" \
"Signals (BusyBox conventions, so poweroff, reboot and halt work):\n" \
"    SIGUSR2 poweroff   SIGTERM reboot   SIGUSR1 halt   SIGINT reboot\n" \
"    (Ctrl-Alt-Del).  Services get SIGTERM in reverse start order, then\n" \
"    SIGKILL after the stop timeout; then sync and reboot(2).\n" \
"\n" \
"Test mode: with TERN_INIT_ROOT=DIR every file init reads or writes is\n" \
"under DIR, nothing is mounted, and the final reboot(2) becomes exit 0.\n" \
"\n" \
"Exit codes: 100 usage, 111 system call failure.\n"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "cmdline.h"
#include "config.h"
#include "log.h"
#include "supervise.h"
#include "sysctl.h"

#ifndef CONFIG_HOSTNAME
#define CONFIG_HOSTNAME "tern"
#endif
#ifndef CONFIG_INIT_STOP_TIMEOUT
#define CONFIG_INIT_STOP_TIMEOUT 5
#endif

static struct supervisor sv;
static struct cmdline cl;

static const struct {
	int signo;
	const char *name;
	int how; /* reboot(2) command */
} actions[] = {
	{ SIGUSR2, "poweroff", RB_POWER_OFF },
	{ SIGTERM, "reboot", RB_AUTOBOOT },
	{ SIGINT, "reboot", RB_AUTOBOOT },
	{ SIGUSR1, "halt", RB_HALT_SYSTEM },
};

static void print_ready(void)
{
	char up[64], path[4096];
	if (read_file(rooted(path, sizeof path, "/proc/uptime"), up, sizeof up) <= 0 &&
	    read_file("/proc/uptime", up, sizeof up) <= 0)
		strcpy(up, "0");
	up[strcspn(up, " \n")] = '\0';
	double s = strtod(up, NULL);
	/* Straight to the console, without the "init: " prefix: the line
	 * tests and people look for. */
	dprintf(1, "tern: ready in %.3f s\n", s);
}

static void boot(void)
{
	char path[4096], text[4096];

	if (!*init_root) {
		boot_mounts();
		boot_console();
		reboot(RB_DISABLE_CAD); /* Ctrl-Alt-Del becomes SIGINT to us */
	}
	if (read_file(rooted(path, sizeof path, "/proc/cmdline"), text, sizeof text) < 0)
		text[0] = '\0';
	cmdline_parse(text, &cl);
	if (cl.bad)
		log_warn("ignored %d tern.* word(s) on the kernel command line (too long or too many)", cl.bad);

	const char *host = cmdline_get(&cl, "hostname");
	if (!*init_root)
		boot_hostname(host && *host ? host : CONFIG_HOSTNAME);

	sysctl_apply_dir(rooted(path, sizeof path, "/etc/sysctl.d"), init_root);
	supervisor_load(&sv, rooted(path, sizeof path, "/etc/tern/services"));
#ifdef CONFIG_DEBUG_SHELL
	supervisor_add_shell(&sv);
#else
	if (cmdline_flag(&cl, "debug_shell"))
		supervisor_add_shell(&sv);
#endif
	supervisor_start_all(&sv);
	print_ready();
}

static _Noreturn void shut_down(int how, const char *name)
{
	log_info("%s: stopping services", name);
	supervisor_stop_all(&sv, CONFIG_INIT_STOP_TIMEOUT * 1000L);
	sync();
	if (*init_root) {
		log_info("%s: test mode, exiting instead of reboot(2)", name);
		exit(0);
	}
	log_info("%s: now", name);
	/* From a child, as BusyBox does: the kernel does not have to cope
	 * with PID 1 itself making the final call. */
	pid_t pid = vfork();
	if (pid == 0) {
		reboot(how);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	reboot(how);
	log_errno("%s: reboot(2) failed", name);
	for (;;)
		pause();
}

static int handle_signal(int fd)
{
	struct signalfd_siginfo si;
	ssize_t n = read(fd, &si, sizeof si);
	if (n != sizeof si)
		return 0;
	if (si.ssi_signo == SIGCHLD) {
		int status;
		pid_t pid;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			supervisor_reaped(&sv, pid, status);
		return 0;
	}
	for (size_t i = 0; i < sizeof actions / sizeof *actions; i++)
		if ((int)si.ssi_signo == actions[i].signo)
			shut_down(actions[i].how, actions[i].name);
	return 0;
}

int main(int argc, char **argv)
{
	log_init("init");
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(USAGE, stdout);
		return 0;
	}
	const char *root = getenv("TERN_INIT_ROOT");
	if (root && *root)
		init_root = root;
	else if (getpid() != 1)
		die(EXIT_USAGE, "not PID 1 (and TERN_INIT_ROOT not set)\n%s", USAGE);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof actions / sizeof *actions; i++)
		sigaddset(&set, actions[i].signo);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die_errno("unable to block signals");
	int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		die_errno("unable to create a signalfd");

	boot();
	for (;;) {
		int timeout = supervisor_tick(&sv);
		struct pollfd p = { .fd = sfd, .events = POLLIN };
		int r = poll(&p, 1, timeout);
		if (r < 0 && errno != EINTR)
			log_errno("poll");
		if (r > 0)
			handle_signal(sfd);
	}
}
