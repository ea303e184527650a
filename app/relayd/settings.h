/* SPDX-License-Identifier: MIT */
/* settings.h -- relayd's compiled defaults: the values of app/relayd/Kconfig
 * (through the generated config.h), which its flags override at run time.
 * A knob is a Kconfig symbol, its flag in main.c and its line here.
 *
 *   CONFIG_RELAYD_WORKERS       -w  threads relaying, each with its own ring
 *   CONFIG_RELAYD_SOCKET        -S  relayctl's Unix socket (app/lib/ctl.h)
 *   CONFIG_RELAYD_RING_DEPTH    -q  SQ entries and provided receive buffers
 *   CONFIG_RELAYD_BATCH         -b  datagrams relayed per loop turn, at most
 *   CONFIG_RELAYD_MAX_DATAGRAM  -m  largest datagram relayed; a longer one is
 *                                   dropped and counted as truncated
 *   CONFIG_RELAYD_SNDBUF        -s  SO_SNDBUF of each output, bytes
 *   CONFIG_RELAYD_RCVBUF        -r  SO_RCVBUF of each input, bytes
 *   CONFIG_RELAYD_GSO           -G  UDP GSO on egress, 64 datagrams a send
 *                                   at most (a bool: absent is n)
 *   CONFIG_RELAYD_COALESCE_US   -L  coalescing after a busy turn, us
 */
#ifndef TERN_RELAYD_SETTINGS_H
#define TERN_RELAYD_SETTINGS_H

#include "config.h"

#ifndef CONFIG_RELAYD
#error "relayd is off in this .config (make menuconfig: Applications -> relayd)"
#endif

/* -c: the rules file, the one app/relayd/etc.sh writes. */
#define RELAYD_CONF "/etc/tern/relayd.conf"

#ifdef CONFIG_RELAYD_GSO
#define RELAYD_GSO_SEGS 64
#else
#define RELAYD_GSO_SEGS 0
#endif

#endif
