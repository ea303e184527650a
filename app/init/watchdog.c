/* SPDX-License-Identifier: MIT */
/* watchdog.c -- see watchdog.h. */
#include "watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "root.h"
#include "settings.h"

static struct {
	int fd;        /* -1: no watchdog */
	int timeout_s;
	int64_t interval_ms;
	int64_t next_ms; /* clock_ms(): the next pet is due */
	char device[64];
} wd = { .fd = -1 };

int watchdog_timeout(const char *word, int config_s)
{
	char *end;
	long v;

	if (!word)
		return config_s;
	if (!strcmp(word, "off") || !strcmp(word, "0"))
		return 0;
	errno = 0;
	v = strtol(word, &end, 10);
	if (errno || end == word || *end || v < WATCHDOG_TIMEOUT_MIN || v > WATCHDOG_TIMEOUT_MAX)
		return -1;
	return (int)v;
}

int64_t watchdog_interval_ms(int timeout_s)
{
	return timeout_s * 1000LL / 4;
}

/* Set the device's timeout; the one it runs with (the driver may round
 * it, or refuse it and keep its own). */
static int set_timeout(int fd, int want)
{
	int t = want;

	if (ioctl(fd, WDIOC_SETTIMEOUT, &t) == 0 && t > 0)
		return t;
	log_errno("watchdog: unable to set %s's timeout to %d s (WDIOC_SETTIMEOUT)",
		  wd.device, want);
	if (ioctl(fd, WDIOC_GETTIMEOUT, &t) == 0 && t > 0) {
		log_warn("watchdog: %s keeps its timeout of %d s", wd.device, t);
		return t;
	}
	return want;
}

void watchdog_pet(void)
{
	if (wd.fd < 0)
		return;
	/* Any byte but 'V' (which would allow the next close to stop it). */
	if (write(wd.fd, "", 1) != 1 && errno != EAGAIN)
		log_errno("watchdog: unable to pet %s", wd.device);
	wd.next_ms = clock_ms_after(wd.interval_ms);
}

void watchdog_open(const char *device, const char *word)
{
#ifdef CONFIG_INIT_WATCHDOG
	int config_s = CONFIG_INIT_WATCHDOG_TIMEOUT;
#else
	int config_s = 0;
#endif
	struct watchdog_info info = { .identity = "" };
	int timeout = watchdog_timeout(word, config_s), boot = 0;
	struct stat st;

	if (timeout < 0) {
		log_warn("tern.watchdog=%s: not off, 0 or %d..%d seconds; using %s", word,
			 WATCHDOG_TIMEOUT_MIN, WATCHDOG_TIMEOUT_MAX,
			 config_s ? "the built-in timeout" : "no watchdog");
		timeout = config_s;
	}
	if (!timeout)
		return;
	snprintf(wd.device, sizeof wd.device, "%s", device);
	/* Non-blocking: a pet never holds PID 1 up. */
	wd.fd = root_open(device, O_WRONLY | O_NONBLOCK);
	if (wd.fd < 0) {
		log_errno("watchdog: unable to open %s; booting without a watchdog", device);
		return;
	}
	if (fstat(wd.fd, &st) == 0 && S_ISCHR(st.st_mode)) {
		timeout = set_timeout(wd.fd, timeout);
		ioctl(wd.fd, WDIOC_GETSUPPORT, &info);
		ioctl(wd.fd, WDIOC_GETBOOTSTATUS, &boot);
	}
	wd.timeout_s = timeout;
	wd.interval_ms = watchdog_interval_ms(timeout);
	watchdog_pet();
	log_info("watchdog: %s%s%.*s%s armed, timeout %d s, petted every %lld ms", device,
		 info.identity[0] ? " (" : "", (int)sizeof info.identity, (const char *)info.identity,
		 info.identity[0] ? ")" : "", timeout, (long long)wd.interval_ms);
	if (boot & WDIOF_CARDRESET)
		log_warn("watchdog: %s reset the box last time: it hung", device);
}

int64_t watchdog_pet_due(void)
{
	int64_t now;

	if (wd.fd < 0)
		return -1;
	now = clock_ms();
	if (now >= wd.next_ms) {
		watchdog_pet();
		now = clock_ms();
	}
	return wd.next_ms > now ? wd.next_ms - now : 0;
}

int64_t watchdog_step(struct loop *l, void *ctx)
{
	(void)l;
	(void)ctx;
	return watchdog_pet_due();
}

void watchdog_disarm(void)
{
	if (wd.fd < 0)
		return;
	if (write(wd.fd, "V", 1) != 1)
		log_errno("watchdog: unable to write the magic 'V' to %s", wd.device);
	if (close(wd.fd) < 0)
		log_errno("watchdog: unable to close %s; it may still reset the box", wd.device);
	else
		log_info("watchdog: %s disarmed", wd.device);
	wd.fd = -1;
}
