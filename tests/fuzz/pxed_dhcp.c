/* SPDX-License-Identifier: MIT */
/* pxed_dhcp -- libFuzzer: dhcp_parse on any datagram, the suboption and
 * user-class walkers on what it accepts, and a reply built from it.
 * libFuzzer hands over a copy of exactly size bytes, so ASan catches any
 * byte read past the packet. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_msg m;
	struct dhcp_bytes sub;
	struct dhcp_reply r;
	uint8_t out[DHCP_REPLY_MAX];
	enum dhcp_cause c = dhcp_parse(data, size, DHCP_BOOTREQUEST, &m);

	assert((unsigned)c < DHCP_CAUSE_COUNT);
	if (c != DHCP_OK)
		return 0;
	assert(size >= DHCP_MIN_LEN && m.op == DHCP_BOOTREQUEST && m.hlen == 6);
	assert(m.type <= DHCP_INFORM);
	for (int f = 0; f < DHCP_F_COUNT; f++)
		if (m.opt[f].p)
			assert(m.opt[f].p >= data && m.opt[f].p + m.opt[f].len <= data + size);
	if (dhcp_find_sub(m.opt[DHCP_F_VENDOR], PXE_BOOT_ITEM, &sub))
		assert(sub.p + sub.len <= m.opt[DHCP_F_VENDOR].p + m.opt[DHCP_F_VENDOR].len);
	dhcp_find_sub(m.opt[DHCP_F_IPXE], 1, &sub);
	dhcp_user_class_has(m.opt[DHCP_F_USER_CLASS], "iPXE");
	dhcp_reply_init(&r, &m, DHCP_ACK);
	for (int f = 0; f < DHCP_F_COUNT; f++)
		if (m.opt[f].p)
			dhcp_reply_add(&r, (uint8_t)(200 + f), m.opt[f].p, m.opt[f].len);
	if (m.sname[0])
		memcpy(r.sname, m.sname, sizeof r.sname - 1);
	size = dhcp_build(out, sizeof out, &r);
	assert(size >= DHCP_REPLY_MIN && size <= sizeof out);
	assert(dhcp_parse(out, size, DHCP_BOOTREPLY, &m) == DHCP_OK);
	return 0;
}
