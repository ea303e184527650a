/* SPDX-License-Identifier: MIT */
/* input.c -- a rule's sockets in its worker: see worker.h. */
#include "worker.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "sockets.h"
#include "stats.h"

void arm_recv(struct worker *w, struct input *in)
{
	struct io_uring_sqe *sqe = sqe_get(w);

	io_uring_prep_recvmsg_multishot(sqe, in->fd, &in->msg, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	io_uring_sqe_set_data64(sqe, tagged(in, TAG_RECV));
	in->armed = true;
	in->starved = false;
	in->pending++;
}

/* Report a failure once per cause, not on every retry. */
static bool first_failure(int *last, int err)
{
	bool first = *last != err;

	*last = err;
	return first;
}

/* Whether output i's interface, when it names one, checksums what it
 * sends: Linux before 6.11 refuses GSO sends (EIO) out of one that does
 * not (a virtio NIC without a vnet header, tx-checksumming off). */
static bool output_checksums(const struct input *in, unsigned i)
{
	struct ethtool_value v = { .cmd = ETHTOOL_GTXCSUM };
	struct ifreq ifr;

	if (!in->rule->r.out[i].dev[0])
		return true; /* its route's device: known only by trying */
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", in->rule->r.out[i].dev);
	ifr.ifr_data = (void *)&v;
	return ioctl(in->out_fd[i], SIOCETHTOOL, &ifr) < 0 || v.data;
}

/* GSO: the largest datagram output i takes as a segment, from its path
 * MTU (read again at every tick: it changes with the interface's MTU and
 * with path MTU discovery), and the largest any output of in takes. */
void output_seg_max(struct worker *w, struct input *in, unsigned i)
{
	bool v4 = in->rule->r.out[i].to.sa.sa_family == AF_INET;
	unsigned headers = v4 ? 20 + 8 : 40 + 8;
	int mtu = 0;
	socklen_t len = sizeof mtu;

	in->out_seg_max[i] = 0;
	if (w->cfg->gso_segs > 1 && in->out_fd[i] >= 0 && !in->out_gso_refused[i] &&
	    output_checksums(in, i) &&
	    getsockopt(in->out_fd[i], v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_MTU : IPV6_MTU,
		       &mtu, &len) == 0 && mtu > (int)headers)
		in->out_seg_max[i] = (unsigned)mtu - headers;
	in->seg_max = 0;
	for (unsigned k = 0; k < in->rule->r.nout; k++)
		if (in->out_seg_max[k] > in->seg_max)
			in->seg_max = in->out_seg_max[k];
}

static void output_open(struct worker *w, struct input *in, unsigned i)
{
	struct rule *x = in->rule;
	char what[SOCK_WHAT_MAX], text[RELAY_TEXT_MAX], label[RULE_LABEL_MAX];

	in->out_fd[i] = sock_output(&x->r.out[i], w->cfg->sndbuf, what);
	in->out_ifindex[i] = x->r.out[i].dev[0] ? (int)if_nametoindex(x->r.out[i].dev) : 0;
	in->out_gso_refused[i] = false;
	output_seg_max(w, in, i);
	relay_output_text(&x->r.out[i], text);
	if (in->out_fd[i] >= 0) {
		if (in->out_err[i])
			log_info("%s: output %s is back", rule_label(x, label), text);
		in->out_err[i] = 0;
		if (w->cfg->gso_segs > 1 && !output_checksums(in, i))
			log_info("%s: output %s: %s has no checksum offload, so no UDP GSO: one "
				 "datagram a send", rule_label(x, label), text, x->r.out[i].dev);
	} else if (first_failure(&in->out_err[i], errno)) {
		log_err("%s: output %s: unable to %s: %s; its datagrams are counted as no route, "
			"retried every %d s", rule_label(x, label), text, what, strerror(errno),
			TICK_SECONDS);
	}
}

void input_start(struct worker *w, struct input *in)
{
	struct rule *x = in->rule;
	char what[SOCK_WHAT_MAX], label[RULE_LABEL_MAX];

	in->fd = sock_input(&x->r, w->cfg->rcvbuf, what);
	if (in->fd < 0) {
		set_error(x, errno);
		if (first_failure(&in->err, errno))
			log_err("%s: unable to %s: %s; not relayed, retried every %d s",
				rule_label(x, label), what, strerror(errno), TICK_SECONDS);
		return;
	}
	in->err = 0;
	in->ifindex = (int)if_nametoindex(x->r.dev);
	in->drops_seen = 0;
	for (unsigned i = 0; i < x->r.nout; i++)
		if (in->out_fd[i] < 0)
			output_open(w, in, i);
	set_error(x, 0);
	log_info("%s: relaying to %u output%s (worker %u)", rule_label(x, label), x->r.nout,
		 x->r.nout > 1 ? "s" : "", w->index);
	arm_recv(w, in);
}

struct input *input_new(struct rule *x)
{
	struct input *in = calloc(1, sizeof *in);

	if (!in) {
		log_errno("unable to allocate a rule's input");
		set_error(x, ENOMEM);
		return NULL;
	}
	in->rule = x;
	in->fd = -1;
	for (unsigned i = 0; i < RELAY_OUTPUTS_MAX; i++)
		in->out_fd[i] = -1;
	/* Each buffer: the recvmsg_out header, the SO_RXQ_OVFL cmsg, the
	 * datagram; no sender address (nothing needs it). */
	in->msg.msg_controllen = CMSG_SPACE(sizeof(uint32_t));
	x->refs++;
	return in;
}

void rule_put(struct rule *x)
{
	if (--x->refs == 0)
		stats_close(x, true); /* rule_new's: the rule and its file */
}

void input_free(struct input *in)
{
	if (in->fd >= 0)
		close(in->fd);
	for (unsigned i = 0; i < in->rule->r.nout; i++)
		if (in->out_fd[i] >= 0)
			close(in->out_fd[i]);
	rule_put(in->rule);
	free(in);
}

void input_idle(struct worker *w, struct input *in)
{
	if (!in->retired || in->pending)
		return;
	for (struct input **p = &w->inputs; *p; p = &(*p)->next) {
		if (*p == in) {
			*p = in->next;
			break;
		}
	}
	input_free(in);
}

void input_retire(struct worker *w, struct input *in)
{
	in->retired = true;
	if (in->armed) {
		struct io_uring_sqe *sqe = sqe_get(w);

		io_uring_prep_cancel64(sqe, tagged(in, TAG_RECV), 0);
		io_uring_sqe_set_data64(sqe, tagged(in, TAG_CANCEL));
		in->pending++;
	}
	input_idle(w, in);
}

struct input *live_input(struct worker *w, const struct rule *x)
{
	for (struct input *in = w->inputs; in; in = in->next)
		if (in->rule == x && !in->retired)
			return in;
	return NULL;
}

/* An input whose interface was deleted and made again (another ifindex)
 * receives nothing: a fresh input takes its place, counting into the
 * same rule. */
static void input_reopen(struct worker *w, struct input *in)
{
	struct input *fresh = input_new(in->rule);
	char label[RULE_LABEL_MAX];

	if (!fresh)
		return;
	log_warn("%s: interface %s changed; reopening", rule_label(in->rule, label),
		 in->rule->r.dev);
	input_retire(w, in);
	fresh->next = w->inputs;
	w->inputs = fresh;
	input_start(w, fresh);
}

/* An output that could not be opened is tried again; one whose interface
 * was deleted and made again (another ifindex; its socket is bound to the
 * old one) is opened anew.  Sends already queued on the old socket fail
 * and are counted. */
static void output_check(struct worker *w, struct input *in, unsigned i)
{
	const char *dev = in->rule->r.out[i].dev;

	if (in->out_fd[i] >= 0 && dev[0] && (int)if_nametoindex(dev) != in->out_ifindex[i]) {
		char text[RELAY_TEXT_MAX], label[RULE_LABEL_MAX];

		relay_output_text(&in->rule->r.out[i], text);
		log_warn("%s: output %s: interface %s changed; reopening",
			 rule_label(in->rule, label), text, dev);
		close(in->out_fd[i]);
		in->out_fd[i] = -1;
	}
	if (in->out_fd[i] < 0)
		output_open(w, in, i);
	else
		output_seg_max(w, in, i);
}

void inputs_tick(struct worker *w)
{
	struct input *next;

	for (struct input *in = w->inputs; in; in = next) {
		next = in->next; /* a reopen puts the fresh input first */
		if (in->retired)
			continue;
		if (in->fd < 0) {
			input_start(w, in);
			continue;
		}
		if ((int)if_nametoindex(in->rule->r.dev) != in->ifindex) {
			input_reopen(w, in);
			continue;
		}
		for (unsigned i = 0; i < in->rule->r.nout; i++)
			output_check(w, in, i);
		if (!in->armed && !in->starved)
			arm_recv(w, in);
	}
}
