/* SPDX-License-Identifier: MIT */
/* watchdog.h -- the hardware watchdog: a box whose PID 1 or kernel hangs
 * is reset.
 *
 * init opens the device once it has read the kernel command line
 * (INIT_WATCHDOG, or tern.watchdog=SECONDS for one boot; tern.watchdog=off
 * turns it off), sets its timeout (WDIOC_SETTIMEOUT, and reads back what
 * the driver took), and pets it (a write of one byte) every quarter of
 * the timeout: between the boot's stages, during the network's carrier
 * wait, then as a step of init's loop, which runs through a shutdown too.
 * Just before reboot(2) a clean poweroff, reboot or halt disarms it: 'V'
 * then close (magic close; a kernel built with WATCHDOG_NOWAYOUT cannot
 * stop it).  A file that is no character device (the host tests' FIFO)
 * is petted and disarmed the same way, without the ioctls.
 *
 * There is one watchdog; its state lives in watchdog.c.
 */
#ifndef TERN_INIT_WATCHDOG_H
#define TERN_INIT_WATCHDOG_H

#include <stdint.h>

#include "loop.h"

#define WATCHDOG_TIMEOUT_MIN 2
#define WATCHDOG_TIMEOUT_MAX 3600

/* The timeout this boot uses, in seconds: word's (the value of
 * tern.watchdog=, NULL when absent) if given, else config_s (0: off).
 * "off" and "0" are 0.  -1 for a word that is none of these nor a number
 * of seconds in WATCHDOG_TIMEOUT_MIN..MAX.  Pure. */
int watchdog_timeout(const char *word, int config_s);

/* Milliseconds from one pet to the next for a timeout of timeout_s: a
 * quarter of it.  Pure. */
int64_t watchdog_interval_ms(int timeout_s);

/* Open and arm device with the timeout of watchdog_timeout(word, ...)
 * (Kconfig's), unless that is off.  Every failure is logged; boot goes
 * on without a watchdog. */
void watchdog_open(const char *device, const char *word);

/* Pet it if a pet is due; the milliseconds until the next one is (-1:
 * no watchdog).  The loop's step is watchdog_step. */
int64_t watchdog_pet_due(void);
int64_t watchdog_step(struct loop *l, void *ctx);

/* Pet it now (before a step that may block, such as sync). */
void watchdog_pet(void);

/* Magic close: 'V', then close; no watchdog from here on. */
void watchdog_disarm(void);

#endif
