/* relay.h -- relayd's io_uring loop: every rule's input socket has one
 * multishot recvmsg in the ring, drawing from one ring of provided
 * buffers; a datagram is sent to every output of its rule from the buffer
 * it arrived in (one send per output, on a connected socket), and the
 * buffer goes back to the ring when the last of those sends completes.
 *
 * One loop turn is one io_uring_submit_and_wait(): the sends of up to
 * `batch` datagrams, the buffers returned and the receives re-armed go to
 * the kernel together.  A 2 s tick retries rules whose interface or
 * sockets were missing, and reopens an input whose interface was
 * recreated (a new ifindex) without losing its counters.
 */
#ifndef TERN_RELAYD_RELAY_H
#define TERN_RELAYD_RELAY_H

#include <stdbool.h>
#include <stdint.h>

#include "rules.h"

struct relay_config {
	const char *conf_file;
	unsigned depth;        /* SQ entries and receive buffers: a power of 2 */
	unsigned batch;        /* datagrams relayed per loop turn, at most */
	unsigned max_datagram; /* bytes; longer ones are dropped as truncated */
	int sndbuf, rcvbuf;    /* SO_SNDBUF of outputs, SO_RCVBUF of inputs */
	bool verbose;          /* log every send error */
};

/* Run the rules until SIGTERM or SIGINT (signals from the signalfd sfd;
 * SIGHUP reloads conf_file, SIGUSR1 logs the counters).  Returns the exit
 * status. */
int relay_run(const struct relay_config *cfg, const struct relay_rules *rules, int sfd);

#endif
