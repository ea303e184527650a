/* SPDX-License-Identifier: MIT */
/* settings.h -- tftpd's compiled defaults: the values of app/tftpd/Kconfig
 * (through the generated config.h), which its flags override at run time.
 * A knob is a Kconfig symbol, its flag in main.c and its line here.
 *
 *   CONFIG_TFTPD_ROOT           -r  the directory served
 *   CONFIG_TFTPD_MAX_BLKSIZE    -b  largest blksize granted
 *   CONFIG_TFTPD_MAX_WINDOWSIZE -w  largest windowsize granted
 *   CONFIG_TFTPD_TIMEOUT        -t  seconds before a retransmission
 *   CONFIG_TFTPD_RETRIES        -R  timeouts in a row before giving up
 *   CONFIG_TFTPD_MAX_TRANSFERS  -c  transfers at once, a worker
 *   CONFIG_TFTPD_PER_CLIENT     -C  transfers at once from one address
 *   CONFIG_TFTPD_MAX_UPLOAD     -s  largest upload, bytes (0: no limit)
 *   CONFIG_TFTPD_COALESCE_US    -L  coalescing after a busy turn, us
 *   CONFIG_TFTPD_POLL_US        -Q  busy polling before a sleep, us
 *   CONFIG_JOURNAL_EVENTS       -J  boot journal events, a worker (app/lib)
 */
#ifndef TERN_TFTPD_SETTINGS_H
#define TERN_TFTPD_SETTINGS_H

#include "config.h"

#ifndef CONFIG_TFTPD
#error "tftpd is off in this .config (make menuconfig: Applications -> tftpd)"
#endif

#endif
