/* SPDX-License-Identifier: MIT */
/* boot.h -- what init does once, before it starts services. */
#ifndef TERN_INIT_BOOT_H
#define TERN_INIT_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "cmdline.h"

/* Put /dev/console (else /dev/null) on whichever of fds 0, 1, 2 is closed,
 * so logs reach the console and no later open lands on them. */
void boot_console(void);
/* Mount proc, sysfs, devtmpfs, devpts and the tmpfs on /dev/shm, /run and
 * /tmp, creating the mount points; what is already mounted is left alone. */
void boot_mounts(void);
/* Ctrl-Alt-Del: SIGINT to init instead of an immediate reboot. */
void boot_disable_cad(void);
/* Read and parse /proc/cmdline into c; rejected tern. words are logged. */
void boot_cmdline(struct cmdline *c);
/* Set the hostname by writing /proc/sys/kernel/hostname. */
void boot_hostname(const char *name);
/* "tern: ready in X.XXX s" on stdout, X the first field of /proc/uptime. */
void boot_ready(void);

/* The first field of /proc/uptime ("123.45 678.90\n") in milliseconds;
 * false if text does not start with one.  Pure. */
bool uptime_parse(const char *text, int64_t *ms);

#endif
