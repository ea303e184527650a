/* SPDX-License-Identifier: MIT */
/* boot.c -- see boot.h. */
#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "root.h"
#include "stats.h"

static const struct {
	const char *type, *dir;
	unsigned long flags;
	const char *options;
	mode_t mode; /* of the mount point, and of the tmpfs root */
} mounts[] = {
	{ "proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0755 },
	{ "sysfs", "/sys", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0755 },
	{ "devtmpfs", "/dev", MS_NOSUID | MS_NOEXEC, "mode=0755", 0755 },
	{ "devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC, "mode=0620,ptmxmode=0666", 0755 },
	{ "tmpfs", "/dev/shm", MS_NOSUID | MS_NODEV, "mode=1777", 01777 },
	{ "tmpfs", "/run", MS_NOSUID | MS_NODEV, "mode=0755", 0755 },
	{ "tmpfs", "/tmp", MS_NOSUID | MS_NODEV, "mode=1777", 01777 },
};

/* Made on /run once it is mounted: where the daemons share their counters
 * and boot journals with the status page (app/lib/stats.h, journal.h). */
/* The shared counters' and the journal's directories (stats.h,
 * journal.h).  Daemons make their files as root before they drop
 * privileges, except relayd, which makes a file per rule as it adds the
 * rule, as its own user: stats/ is sticky and writable by all, as /tmp
 * (a file is made under a temporary name and renamed into place, which
 * the sticky bit refuses over another user's file). */
static const struct {
	const char *path;
	mode_t mode;
} run_dirs[] = { { STATS_RUN_DIR, 0755 }, { STATS_RUN_DIR "/stats", 01777 },
		 { STATS_RUN_DIR "/journal", 0755 } };

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

void boot_console(void)
{
	int fd;

	if (fd_open(0) && fd_open(1) && fd_open(2))
		return;
	fd = root_open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		fd = root_open("/dev/null", O_RDWR);
	if (fd < 0)
		return; /* nowhere to log to, and nothing to be done about it */
	for (int i = 0; i < 3; i++)
		if (i != fd && !fd_open(i))
			dup2(fd, i);
	if (fd > 2)
		close(fd);
	else
		fcntl(fd, F_SETFD, 0); /* it is one of 0-2 now: keep it across exec */
}

/* dir is a mount point already: on another device than its parent (or the
 * root itself).  Linux stacks a second proc or tmpfs on top of the first
 * without EBUSY, so "already mounted" has to be checked, not caught. */
static bool mounted(const char *dir)
{
	char parent[PATH_MAX];
	struct stat a, b;

	snprintf(parent, sizeof parent, "%s/..", dir);
	if (stat(dir, &a) < 0 || stat(parent, &b) < 0)
		return false;
	return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

void boot_mounts(void)
{
	for (size_t i = 0; i < sizeof mounts / sizeof *mounts; i++) {
		const char *dir = mounts[i].dir;

		if (mkdir(dir, mounts[i].mode) == 0)
			chmod(dir, mounts[i].mode); /* not cut by the umask */
		else if (errno != EEXIST)
			log_errno("unable to create %s", dir);
		if (mounted(dir))
			continue;
		if (mount(mounts[i].type, dir, mounts[i].type, mounts[i].flags,
			  mounts[i].options) < 0 && errno != EBUSY)
			log_errno("unable to mount %s on %s", mounts[i].type, dir);
	}
	for (size_t i = 0; i < sizeof run_dirs / sizeof *run_dirs; i++)
		if ((mkdir(run_dirs[i].path, 0) < 0 && errno != EEXIST) ||
		    chmod(run_dirs[i].path, run_dirs[i].mode) < 0)
			log_errno("unable to create %s", run_dirs[i].path);
}

void boot_disable_cad(void)
{
	if (reboot(RB_DISABLE_CAD) < 0)
		log_errno("unable to disable Ctrl-Alt-Del");
}

void boot_cmdline(struct cmdline *c)
{
	char line[4096]; /* the kernel's limit is 2048 on x86 */
	ssize_t len = root_read_small("/proc/cmdline", line, sizeof line);

	if (len < 0) {
		log_errno("unable to read /proc/cmdline");
		len = 0;
	}
	if (cmdline_parse(c, line, (size_t)len) == 0)
		return;
	log_warn("/proc/cmdline: ignoring %.*s: %s", (int)c->err_len, line + c->err_at, c->err);
	if (c->bad > 1)
		log_warn("/proc/cmdline: ignoring %zu more tern. words", c->bad - 1);
}

void boot_hostname(const char *name)
{
	char buf[CMDLINE_VALUE_MAX + 2];
	size_t len = strlen(name);
	int fd;

	if (len > CMDLINE_VALUE_MAX)
		len = CMDLINE_VALUE_MAX; /* the kernel refuses it anyway */
	memcpy(buf, name, len);
	buf[len++] = '\n';
	fd = root_open("/proc/sys/kernel/hostname", O_WRONLY | O_TRUNC);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		log_errno("unable to set the hostname to %s", name);
	if (fd >= 0)
		close(fd);
}

bool uptime_parse(const char *text, int64_t *ms)
{
	int64_t sec = 0, frac = 0;
	int digits = 0, scale = 100;

	for (; *text >= '0' && *text <= '9'; text++) {
		if (++digits > 12) /* 30000 years: not an uptime */
			return false;
		sec = sec * 10 + (*text - '0');
	}
	if (digits == 0)
		return false;
	if (*text == '.')
		for (text++; *text >= '0' && *text <= '9' && scale; text++, scale /= 10)
			frac += (*text - '0') * scale;
	*ms = sec * 1000 + frac;
	return true;
}

/* /proc/uptime counts CLOCK_BOOTTIME; read that clock if the file is not
 * there (a test root without proc/uptime). */
static int64_t uptime_ms(void)
{
	char text[64];
	struct timespec ts;
	int64_t ms;

	if (root_read_small("/proc/uptime", text, sizeof text) > 0 && uptime_parse(text, &ms))
		return ms;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void boot_ready(void)
{
	char line[64];
	int64_t ms = uptime_ms();
	int n = snprintf(line, sizeof line, "tern: ready in %lld.%03lld s\n",
			 (long long)(ms / 1000), (long long)(ms % 1000));

	if (write(STDOUT_FILENO, line, (size_t)n) != n)
		log_errno("unable to print the ready line");
}
