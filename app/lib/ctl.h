/* SPDX-License-Identifier: MIT */
/* ctl.h -- how relayctl talks to relayd: one request, one answer, over a
 * Unix stream socket (CONFIG_RELAYD_SOCKET; relayd -S and relayctl -S
 * name another).  The socket is mode 0600 and relayd also checks the
 * peer's credentials (SO_PEERCRED): root, or relayd's own user.
 *
 *   relayctl: "VERB [ARGUMENT]\n" -- at most CTL_REQUEST_MAX bytes -- then
 *             shuts down its side for writing
 *   relayd:   a status line, then text lines for a person, then closes
 *
 *   verbs:    list | stats | reload | add RULE | remove ID | remove RULE
 *   status:   "ok"    done; the text is the answer
 *             "bad"   not done, the request is at fault (a bad rule, no
 *                     such rule, a bad file); the text says why
 *             "fail"  not done, relayd could not (out of memory, a system
 *                     call failed); the text says why
 *
 * relayctl exits 0, 100 or 111 for them (DESIGN.md: usage error, failed
 * system call).
 */
#ifndef TERN_CTL_H
#define TERN_CTL_H

#include "config.h"

#ifndef CONFIG_RELAYD_SOCKET
#define CONFIG_RELAYD_SOCKET "/run/relayd.sock"
#endif

#define CTL_REQUEST_MAX 2048   /* bytes, newline included: a rule line fits */
#define CTL_TIMEOUT_SECONDS 5  /* a conversation lasts at most this */

#define CTL_OK   "ok"
#define CTL_BAD  "bad"
#define CTL_FAIL "fail"

#endif
