/* SPDX-License-Identifier: MIT */
/* control.h -- relayd's control thread: the rules in force, the workers
 * that run them, and everything that changes or reads them -- signals
 * (SIGHUP reload, SIGUSR1 counters, SIGTERM), relayctl's Unix socket
 * (app/lib/ctl.h) and the once-a-second rate of every counter -- in its
 * own io_uring loop, apart from the datapath.
 *
 * Rules have IDs, kept across reloads for as long as the rule is
 * unchanged.  A reload (SIGHUP or relayctl reload) and relayctl add and
 * remove all go the same way: rules that stay are not touched (their
 * sockets, receives and counters go on, no datagram lost), new ones go to
 * the worker with the fewest rules, removed ones are freed by their
 * worker once their last send has completed.  relayctl's changes live
 * until the next reload, which returns to the file: they are never
 * written to it.
 */
#ifndef TERN_RELAYD_CONTROL_H
#define TERN_RELAYD_CONTROL_H

#include "relay.h"

/* Start cfg->workers workers, the rules, the socket; run until SIGTERM or
 * SIGINT (from the signalfd sfd).  Returns the exit status. */
int control_run(const struct relay_config *cfg, const struct relay_rules *rules, int sfd);

#endif
