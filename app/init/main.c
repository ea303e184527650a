/* SPDX-License-Identifier: MIT */
/* init -- PID 1 of Tern.  Its reference: app/init/README.md. */
#include "settings.h"

#define USAGE \
"usage: init                      (run by the kernel as PID 1)\n" \
"       TERN_INIT_ROOT=DIR init   (test mode, any PID)\n" \
"       init -h                   (this text)\n" \
"\n" \
"Brings a Tern appliance up, keeps its services running, reaps every\n" \
"zombie, and brings the system down cleanly.\n" \
"\n" \
"  files    /etc/tern/services, /etc/tern/network.conf, /etc/sysctl.d/*.conf\n" \
"  words    tern.hostname= tern.debug_shell=1 tern.ip= tern.gw= tern.mtu=\n" \
"           tern.iface= tern.role= tern.watchdog= on the kernel command line\n" \
"  signals  USR2 poweroff, TERM reboot, USR1 halt, INT reboot,\n" \
"           HUP reload the services, TSTP freeze (a hung PID 1: tests\n" \
"           the watchdog)\n" \
"\n" \
"EXIT STATUS: as PID 1 init does not exit; 0 after -h or a test-mode\n" \
"shutdown, 100 usage error, 111 failed system call.\n" \
"Boot order, file syntax, test mode: app/init/README.md in the Tern source.\n"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "clock.h"
#include "cmdline.h"
#include "disk.h"
#include "log.h"
#include "loop.h"
#include "network.h"
#include "root.h"
#include "settings.h"
#include "shutdown.h"
#include "supervise.h"
#include "sysctl.h"
#include "watchdog.h"

static struct supervisor sv;
static struct cmdline cl;
static struct loop loop;

/* As PID 1 the arguments are what the kernel did not understand on its
 * command line: ignored.  Otherwise only -h, or test mode. */
static void check_usage(int argc, char **argv, const char *root)
{
	if (getpid() == 1)
		return;
	if (argc == 2 && !strcmp(argv[1], "-h")) {
		fputs(USAGE, stdout);
		exit(0);
	}
	if (argc > 1)
		log_err("unknown argument %s", argv[1]);
	else if (!root || !*root)
		log_err("not PID 1, and TERN_INIT_ROOT is not set");
	else
		return;
	fputs(USAGE, stderr);
	exit(EXIT_USAGE);
}

/* network_up's way to start the DHCP client: a built-in service. */
static bool add_service(void *ctx, const char *line)
{
	return supervisor_add_line(ctx, "network", line);
}

static bool want_shell(void)
{
#ifdef CONFIG_DEBUG_SHELL
	return true;
#else
	return cmdline_flag(&cl, "debug_shell");
#endif
}

int main(int argc, char **argv)
{
	const char *root = getenv("TERN_INIT_ROOT");
	const char *hostname, *role;
	int sfd;

	log_init("init");
	check_usage(argc, argv, root);
	if (root_set(root) < 0)
		die(EXIT_USAGE, "TERN_INIT_ROOT is longer than %d bytes", ROOT_DIR_MAX);
	boot_console(); /* first: no other fd may land on 0, 1 or 2 */
	sfd = loop_signals();
	umask(022);
	setenv("PATH", "/sbin:/usr/sbin:/bin:/usr/bin", 0);

	if (!root_test_mode()) {
		boot_mounts();
		boot_disable_cad();
#ifdef CONFIG_BOOT_EFI_DISK
		disk_mount(); /* before anything reads /etc/tern */
#endif
	} else {
		disk_test_slots();
	}
	boot_cmdline(&cl);
	watchdog_open(CONFIG_INIT_WATCHDOG_DEVICE, cmdline_get(&cl, "watchdog"));
	hostname = cmdline_get(&cl, "hostname");
	boot_hostname(hostname && *hostname ? hostname : CONFIG_HOSTNAME);
	sysctl_apply_dir();
	watchdog_pet_due();
	network_up(&cl, add_service, &sv);
	role = cmdline_get(&cl, "role");
	sv.role = role && *role ? role : NULL;
	supervisor_load(&sv);
	watchdog_pet_due();
	supervisor_start_all(&sv);
	boot_ready();
	if (want_shell())
		supervisor_start_shell(&sv);

	loop_init(&loop, &sv, sfd, shutdown_signal);
	disk_watch(&loop, clock_ms()); /* a trial boot: mark the slot good */
	loop_add(&loop, watchdog_step, NULL);
	loop_add(&loop, shutdown_step, NULL);
	loop_run(&loop);
}
