/* init -- PID 1 of Tern. */
#include "settings.h"

#ifdef CONFIG_BOOT_EFI_DISK
#define DISK_USAGE \
"DISK (this board boots from a disk: GPT, EFI system partition, A/B slots)\n" \
"  Right after the mounts: mount efivarfs (read-only), wait up to 10 s for\n" \
"  the partition named tern-esp and mount it (vfat) on /boot, mount the\n" \
"  partition named tern-data on the same disk (ext4) on /data, copy every\n" \
"  regular file of /data/etc/tern over /etc/tern (before anything reads\n" \
"  /etc/tern), bind /data/var/lib on /var/lib, and log which slot booted\n" \
"  (systemd-boot's LoaderEntrySelected).  When that slot is on a trial\n" \
"  boot (a boot counter in its file name), it is marked good once every\n" \
"  respawned service has run BOOT_GOOD_DELAY s (" STR(CONFIG_BOOT_GOOD_DELAY) ") after the ready\n" \
"  line without a restart; never marked, the boot loader goes back to the\n" \
"  other slot after its tries.  A missing partition is logged; boot goes on.\n" \
"\n"
#define STR_(x) #x
#define STR(x) STR_(x)
#else
#define DISK_USAGE ""
#endif
#define USAGE \
"usage: init                      (run by the kernel as PID 1)\n" \
"       TERN_INIT_ROOT=DIR init   (test mode, any PID)\n" \
"       init -h                   (this text)\n" \
"\n" \
"Brings a Tern appliance up, keeps its services running, reaps every\n" \
"zombie, and brings the system down cleanly.\n" \
"\n" \
"BOOT, in this order\n" \
"  Open /dev/console on fds 0, 1 and 2 if they are closed.  Mount proc on\n" \
"  /proc, sysfs on /sys, devtmpfs on /dev, devpts on /dev/pts, tmpfs on\n" \
"  /dev/shm (1777), /run (0755) and /tmp (1777), creating the directories\n" \
"  and leaving alone what is already mounted.  Make Ctrl-Alt-Del send\n" \
"  SIGINT to init.  Read /proc/cmdline.\n" \
"  Set the hostname.  Apply /etc/sysctl.d/*.conf in name order.  Bring up\n" \
"  loopback and the network (see NETWORK).  Start the services of\n" \
"  /etc/tern/services in file order.  Print one line,\n" \
"      tern: ready in X.XXX s\n" \
"  X being seconds since the kernel started (/proc/uptime).  Then start\n" \
"  the debug shell, if asked for, and supervise.\n" \
"\n" \
DISK_USAGE \
"FILES\n" \
"  /proc/cmdline        tern.<key>=<value> words, see KERNEL COMMAND LINE\n" \
"  /etc/sysctl.d/*.conf sysctl.conf(5) lines: key = value, '#' or ';'\n" \
"                       comments, a leading '-' ignores a missing key\n" \
"  /etc/tern/services   one service a line, at most 32:\n" \
"                           name respawn|once /absolute/command [args...]\n" \
"                       name 1-31 of A-Za-z0-9_.-, args split on blanks\n" \
"                       (64 words at most with the command)\n" \
"                       (no shell), '#' starts a comment line\n" \
"  /etc/tern/network.conf\n" \
"                       the interfaces, see NETWORK\n" \
"  A bad line is reported as file:line and skipped; boot goes on.\n" \
"\n" \
"SERVICES\n" \
"  Each runs in its own session with init's environment and stdin on\n" \
"  /dev/null.  Its stdout and stderr are a pipe to init, which writes each\n" \
"  line as \"name: line\" to the console and as \"<30>name: line\" to\n" \
"  /dev/kmsg (the console copy is left out when the kernel prints info\n" \
"  messages there anyway; lines the console cannot take are counted and\n" \
"  dropped, never waited for).  A respawn service that exits is started\n" \
"  again after 1 s, the delay doubling up to 60 s and back to 1 s once a\n" \
"  run lasted 30 s; one that reaches 60 s is reported as crash-looping\n" \
"  and retried every 60 s.\n" \
"  SIGHUP re-reads /etc/tern/services: new services start, removed ones\n" \
"  get SIGTERM (SIGKILL after STOP_TIMEOUT s), changed ones are stopped\n" \
"  and started anew, unchanged ones keep running untouched.  A file with a\n" \
"  bad line changes nothing.\n" \
"\n" \
"NETWORK\n" \
"  Loopback always goes up.  /etc/tern/network.conf (none: nothing more)\n" \
"  has a line per interface, or several lines that add to one:\n" \
"      IFACE static ADDRESS/PREFIX... [gw GATEWAY]... [mtu N]\n" \
"      IFACE dhcp [mtu N]     IPv4 from udhcpc, run as service dhcp-IFACE\n" \
"      IFACE up [mtu N]       link up, no address\n" \
"  e.g. eth0 static 192.0.2.10/24 2001:db8::10/64 gw 192.0.2.1 mtu 1500\n" \
"  IPv4 and IPv6; at most 8 interfaces, 8 addresses each, one gateway per\n" \
"  address family.  Each interface gets its MTU and goes up; init waits\n" \
"  for carrier on all of them together, CARRIER_TIMEOUT s at most, then\n" \
"  adds addresses and default routes and logs a line per interface.  A\n" \
"  missing interface is logged and skipped, without waiting.\n" \
"\n" \
"KERNEL COMMAND LINE\n" \
"  tern.hostname=NAME   hostname (default \"" CONFIG_HOSTNAME "\")\n" \
"  tern.debug_shell=1   a root shell on /dev/console, respawned\n" \
"                       (always, when built with DEBUG_SHELL)\n" \
"  tern.ip=ADDRESS/PREFIX[,ADDRESS/PREFIX...]\n" \
"                       static addresses for one interface, instead of\n" \
"                       its addresses and gateways in network.conf\n" \
"  tern.ip=dhcp         DHCP for it instead; tern.ip=off: leave it alone\n" \
"  tern.gw=GATEWAY[,GATEWAY]\n" \
"                       its default routes (one IPv4, one IPv6)\n" \
"  tern.mtu=N           its MTU\n" \
"  tern.iface=NAME      the interface those words are about (default: the\n" \
"                       first in network.conf, else " CONFIG_NETWORK_IFACE ")\n" \
"  Values may be quoted: tern.key=\"a b\".\n" \
"\n" \
"SIGNALS (those of BusyBox init, so poweroff, reboot and halt work)\n" \
"  SIGUSR2 poweroff, SIGTERM reboot, SIGUSR1 halt, SIGINT (Ctrl-Alt-Del)\n" \
"  reboot.  Services get SIGTERM, last started first; those still running\n" \
"  after STOP_TIMEOUT s get SIGKILL; then every other process gets\n" \
"  SIGTERM and SIGKILL; then sync, unmount every filesystem (or remount\n" \
"  it read-only when busy), and reboot(2) from a child process.  SIGCHLD\n" \
"  reaps every child, orphans included.  SIGHUP reloads the services.\n" \
"\n" \
"TEST MODE\n" \
"  With TERN_INIT_ROOT=DIR every absolute path init opens is under DIR\n" \
"  (DIR/etc/tern/services, DIR/proc/sys/..., DIR/dev/null: an empty file\n" \
"  will do), nothing is mounted, and init exits 0 instead of calling\n" \
"  reboot(2).  Meant for init as PID 1 of `unshare --pid --fork`, with\n" \
"  --net too: the network is set up in init's network namespace.\n" \
"\n" \
"EXIT STATUS\n" \
"  As PID 1 init does not exit.  0 after -h or a test-mode shutdown,\n" \
"  100 usage error, 111 failed system call.\n"

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
	const char *hostname;
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
	}
	boot_cmdline(&cl);
	hostname = cmdline_get(&cl, "hostname");
	boot_hostname(hostname && *hostname ? hostname : CONFIG_HOSTNAME);
	sysctl_apply_dir();
	network_up(&cl, add_service, &sv);
	supervisor_load(&sv);
	supervisor_start_all(&sv);
	boot_ready();
	if (want_shell())
		supervisor_start_shell(&sv);

	loop_init(&loop, &sv, sfd, shutdown_signal);
#ifdef CONFIG_BOOT_EFI_DISK
	if (!root_test_mode())
		disk_watch(&loop, clock_ms());
#endif
	loop_add(&loop, shutdown_step, NULL);
	loop_run(&loop);
}
