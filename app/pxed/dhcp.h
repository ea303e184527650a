/* SPDX-License-Identifier: MIT */
/* dhcp.h -- DHCP/BOOTP packets (RFC 2131, RFC 2132), parsed and built.
 *
 * Pure: bytes in, struct out, no I/O, nothing copied: a parsed message
 * points into the buffer it came from.  Addresses are in host byte order.
 *
 *   op htype hlen hops | xid | secs flags | ciaddr | yiaddr | siaddr |
 *   giaddr | chaddr (16) | sname (64) | file (128) | 99.130.83.99 |
 *   options: code len data ..., 0 (pad), 255 (end)
 *
 * A message is well formed when it holds the fixed header and the magic
 * cookie, is Ethernet (htype 1, hlen 6), every option's length stays
 * inside the packet, and its options end with 255.  Option 52 (overload)
 * makes the file and/or sname fields hold options too, each ended by 255
 * as well.  The options pxed reads are checked for the lengths RFC 2132,
 * RFC 4578 (93, 94, 97), RFC 3004 (77) and RFC 3046 (82) allow and may appear once (RFC
 * 3396's split long options are not joined: no PXE client sends them);
 * every other option is skipped.  Every way a message can be wrong is an
 * enum dhcp_cause, so the server can count each.
 */
#ifndef TERN_PXED_DHCP_H
#define TERN_PXED_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_FIXED 236        /* op .. file */
#define DHCP_COOKIE 0x63825363u
#define DHCP_MIN_LEN (DHCP_FIXED + 4)
#define DHCP_REPLY_MIN 300    /* BOOTP's size, which some boot ROMs insist on */
#define DHCP_REPLY_MAX 548    /* 576 (RFC 2131's minimum datagram) - IP - UDP */
#define DHCP_SNAME_LEN 64
#define DHCP_FILE_LEN 128
#define DHCP_BOOTREQUEST 1
#define DHCP_BOOTREPLY 2
#define DHCP_BROADCAST 0x8000 /* flags: the client cannot take unicast yet */

enum dhcp_type {
	DHCP_NONE = 0, /* no option 53: BOOTP */
	DHCP_DISCOVER = 1,
	DHCP_OFFER = 2,
	DHCP_REQUEST = 3,
	DHCP_DECLINE = 4,
	DHCP_ACK = 5,
	DHCP_NAK = 6,
	DHCP_RELEASE = 7,
	DHCP_INFORM = 8,
};

/* Option codes pxed reads or writes. */
enum {
	DHCP_OPT_PAD = 0,
	DHCP_OPT_NETMASK = 1,
	DHCP_OPT_ROUTER = 3,
	DHCP_OPT_DNS = 6,
	DHCP_OPT_HOSTNAME = 12,
	DHCP_OPT_DOMAIN = 15,
	DHCP_OPT_VENDOR = 43,        /* vendor encapsulated: PXE suboptions */
	DHCP_OPT_REQUESTED_IP = 50,
	DHCP_OPT_LEASE_TIME = 51,
	DHCP_OPT_OVERLOAD = 52,
	DHCP_OPT_TYPE = 53,
	DHCP_OPT_SERVER_ID = 54,
	DHCP_OPT_PARAMS = 55,
	DHCP_OPT_MESSAGE = 56,
	DHCP_OPT_MAX_SIZE = 57,
	DHCP_OPT_RENEWAL = 58,
	DHCP_OPT_REBINDING = 59,
	DHCP_OPT_VENDOR_CLASS = 60,
	DHCP_OPT_CLIENT_ID = 61,
	DHCP_OPT_TFTP_SERVER = 66,  /* TFTP server name: a Raspberry Pi's (rpi.h) */
	DHCP_OPT_USER_CLASS = 77,    /* RFC 3004; iPXE sends "iPXE" */
	DHCP_OPT_AGENT = 82,         /* RFC 3046 relay agent information */
	DHCP_OPT_ARCH = 93,          /* RFC 4578 client system architecture */
	DHCP_OPT_NDI = 94,           /* RFC 4578 network device interface */
	DHCP_OPT_UUID = 97,          /* RFC 4578 client machine identifier */
	DHCP_OPT_IPXE = 175,         /* iPXE's encapsulated options */
	DHCP_OPT_END = 255,
};

/* PXE suboptions inside option 43 (PXE specification 2.1). */
enum {
	PXE_DISCOVERY_CONTROL = 6, /* bit 3 (8): boot the file of this packet */
	PXE_BOOT_ITEM = 71,        /* type and layer, on port 4011 */
};

/* The options a message is read for, in struct dhcp_msg's opt[]. */
enum dhcp_field {
	DHCP_F_HOSTNAME,
	DHCP_F_VENDOR,
	DHCP_F_REQUESTED_IP,
	DHCP_F_LEASE_TIME,
	DHCP_F_OVERLOAD,
	DHCP_F_TYPE,
	DHCP_F_SERVER_ID,
	DHCP_F_PARAMS,
	DHCP_F_MAX_SIZE,
	DHCP_F_VENDOR_CLASS,
	DHCP_F_CLIENT_ID,
	DHCP_F_USER_CLASS,
	DHCP_F_ARCH,
	DHCP_F_NDI,
	DHCP_F_UUID,
	DHCP_F_IPXE,
	DHCP_F_AGENT,
	DHCP_F_COUNT
};

enum dhcp_cause {
	DHCP_OK,
	DHCP_SHORT,          /* shorter than the fixed header and cookie */
	DHCP_WRONG_OP,       /* a reply where a request was wanted, or neither */
	DHCP_BAD_HTYPE,      /* hardware type not Ethernet */
	DHCP_BAD_HLEN,       /* hardware address length not 6 */
	DHCP_BAD_COOKIE,     /* not 99.130.83.99 */
	DHCP_OPTION_OVERRUN, /* an option's length runs past the end */
	DHCP_NO_END,         /* options not ended by 255 */
	DHCP_BAD_LENGTH,     /* a known option with a length it cannot have */
	DHCP_DUPLICATE,      /* a known option given twice */
	DHCP_BAD_OVERLOAD,   /* option 52 not 1, 2 or 3 */
	DHCP_BAD_TYPE,       /* option 53 not 1..8 */
	DHCP_CAUSE_COUNT
};

/* Bytes inside the packet; len 0 and p NULL when absent. */
struct dhcp_bytes {
	const uint8_t *p;
	uint8_t len;
};

struct dhcp_msg {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;
	const uint8_t *chaddr;                 /* 16 bytes, hlen of them used */
	const uint8_t *sname, *file;           /* 64 and 128 bytes, as sent */
	struct dhcp_bytes opt[DHCP_F_COUNT];   /* the options read, as sent */
	/* Decoded from opt[] when present (0 otherwise). */
	enum dhcp_type type;
	uint32_t requested_ip, server_id, lease_time;
	uint16_t max_size;
	uint16_t arch;                         /* the first of option 93 */
	uint8_t overload;
};

/* Parse one datagram of len bytes whose op must be op (DHCP_BOOTREQUEST
 * for a server).  On DHCP_OK *m describes it; otherwise *m is undefined. */
enum dhcp_cause dhcp_parse(const void *buf, size_t len, uint8_t op, struct dhcp_msg *m);

/* What is wrong, for logs and counters ("option overruns the packet"). */
const char *dhcp_cause_message(enum dhcp_cause c);

/* A message type's name ("DISCOVER"), "BOOTP" for DHCP_NONE. */
const char *dhcp_type_name(enum dhcp_type t);

static inline bool dhcp_has(const struct dhcp_msg *m, enum dhcp_field f)
{
	return m->opt[f].p != NULL;
}

/* Suboption code of the encapsulated options enc (43, 175), well formed
 * up to it; false when absent or when enc is malformed before it. */
bool dhcp_find_sub(struct dhcp_bytes enc, uint8_t code, struct dhcp_bytes *out);

/* Option 77 names class: sent plainly (iPXE's "iPXE") or as one of RFC
 * 3004's length-prefixed items. */
bool dhcp_user_class_has(struct dhcp_bytes uc, const char *class);

/* A MAC as people write it, "52:54:00:12:34:56" (len bytes: six pairs
 * of hex digits, either case, between colons), into mac; false for
 * anything else (no sign, no "0x", no blank). */
bool dhcp_mac_parse(const char *s, size_t len, uint8_t mac[6]);

/* A reply under construction: header fields, then options appended in
 * order; dhcp_build() turns it into a packet.  The request's relay agent
 * information (option 82) rides along in agent[] and is written last,
 * just before 255 (RFC 3046 2.2: echoed whole, as the last option). */
#define DHCP_OPTIONS_MAX (DHCP_REPLY_MAX - DHCP_MIN_LEN)
struct dhcp_reply {
	uint8_t type;                  /* option 53, written first */
	uint32_t xid;
	uint16_t flags;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[16];
	char sname[DHCP_SNAME_LEN];    /* NUL-terminated, or "" */
	char file[DHCP_FILE_LEN];
	size_t len;                    /* bytes of opts used */
	uint8_t opts[DHCP_OPTIONS_MAX];
	uint8_t agent_len;             /* 0: the request had no option 82 */
	uint8_t agent[255];
};

/* A reply to request m of type type: xid, flags, giaddr, chaddr and
 * option 82 copied from m, everything else zero. */
void dhcp_reply_init(struct dhcp_reply *r, const struct dhcp_msg *m, enum dhcp_type type);

/* Append option code with len bytes of data; false (nothing appended)
 * when it would not fit with room left for 53, option 82 and 255. */
bool dhcp_reply_add(struct dhcp_reply *r, uint8_t code, const void *data, size_t len);
bool dhcp_reply_add32(struct dhcp_reply *r, uint8_t code, uint32_t v);

/* The packet of r in buf of size bytes: header, cookie, 53, r's options,
 * 82 when r has it, 255, zero padding to DHCP_REPLY_MIN.  Its length, or 0 when size is
 * too small (never a partial packet). */
size_t dhcp_build(void *buf, size_t size, const struct dhcp_reply *r);

#endif
