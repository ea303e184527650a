/* settings.h -- the Kconfig symbols relayd uses (from the generated
 * config.h), with the defaults that apply when config.h leaves them out:
 * the tuning that carried ~439k pps of 1400-byte datagrams per worker with
 * 0.2 % loss (issue 5).
 *
 *   CONFIG_RELAYD_RING_DEPTH    SQ entries and provided receive buffers
 *   CONFIG_RELAYD_BATCH         datagrams relayed per loop turn, at most
 *   CONFIG_RELAYD_SNDBUF        SO_SNDBUF of each output, bytes
 *   CONFIG_RELAYD_RCVBUF        SO_RCVBUF of each input, bytes
 *   CONFIG_RELAYD_MAX_DATAGRAM  largest datagram relayed; a longer one is
 *                               dropped and counted as truncated
 *   CONFIG_RELAYD_CONF          the rules file
 *   CONFIG_RELAYD_WORKERS       threads relaying, each with its own ring
 *   CONFIG_RELAYD_SOCKET        relayctl's Unix socket (app/lib/ctl.h)
 *   CONFIG_RELAYD_GSO           UDP GSO on egress, 64 datagrams a send at
 *                               most (a bool: absent is off, as Kconfig
 *                               writes n)
 */
#ifndef TERN_RELAYD_SETTINGS_H
#define TERN_RELAYD_SETTINGS_H

#include "config.h"

#ifndef CONFIG_RELAYD_RING_DEPTH
#define CONFIG_RELAYD_RING_DEPTH 1024
#endif
#ifndef CONFIG_RELAYD_BATCH
#define CONFIG_RELAYD_BATCH 64
#endif
#ifndef CONFIG_RELAYD_SNDBUF
#define CONFIG_RELAYD_SNDBUF 4194304
#endif
#ifndef CONFIG_RELAYD_RCVBUF
#define CONFIG_RELAYD_RCVBUF 4194304
#endif
#ifndef CONFIG_RELAYD_MAX_DATAGRAM
#define CONFIG_RELAYD_MAX_DATAGRAM 2048
#endif
#ifndef CONFIG_RELAYD_CONF
#define CONFIG_RELAYD_CONF "/etc/tern/relayd.conf"
#endif
#ifndef CONFIG_RELAYD_WORKERS
#define CONFIG_RELAYD_WORKERS 1
#endif
#ifdef CONFIG_RELAYD_GSO
#define RELAYD_GSO_SEGS 64
#else
#define RELAYD_GSO_SEGS 0
#endif

#endif
