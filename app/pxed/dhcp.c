/* SPDX-License-Identifier: MIT */
/* dhcp.c -- see dhcp.h.  Pure, table-driven, and never reads a byte
 * outside [buf, buf + len): an option's length is checked against the end
 * of its area before a byte of it is looked at. */
#include "dhcp.h"

#include <string.h>

#include "hex.h"

/* The options read, with the lengths they may have: min..max, a multiple
 * of unit. */
static const struct {
	uint8_t code, min, max, unit;
} field_table[DHCP_F_COUNT] = {
	[DHCP_F_HOSTNAME] = { DHCP_OPT_HOSTNAME, 1, 255, 1 },
	[DHCP_F_VENDOR] = { DHCP_OPT_VENDOR, 1, 255, 1 },
	[DHCP_F_REQUESTED_IP] = { DHCP_OPT_REQUESTED_IP, 4, 4, 1 },
	[DHCP_F_LEASE_TIME] = { DHCP_OPT_LEASE_TIME, 4, 4, 1 },
	[DHCP_F_OVERLOAD] = { DHCP_OPT_OVERLOAD, 1, 1, 1 },
	[DHCP_F_TYPE] = { DHCP_OPT_TYPE, 1, 1, 1 },
	[DHCP_F_SERVER_ID] = { DHCP_OPT_SERVER_ID, 4, 4, 1 },
	[DHCP_F_PARAMS] = { DHCP_OPT_PARAMS, 1, 255, 1 },
	[DHCP_F_MAX_SIZE] = { DHCP_OPT_MAX_SIZE, 2, 2, 1 },
	[DHCP_F_VENDOR_CLASS] = { DHCP_OPT_VENDOR_CLASS, 1, 255, 1 },
	[DHCP_F_CLIENT_ID] = { DHCP_OPT_CLIENT_ID, 2, 255, 1 },   /* RFC 2132 9.14 */
	[DHCP_F_USER_CLASS] = { DHCP_OPT_USER_CLASS, 1, 255, 1 },
	[DHCP_F_ARCH] = { DHCP_OPT_ARCH, 2, 254, 2 },             /* RFC 4578 2.1 */
	[DHCP_F_NDI] = { DHCP_OPT_NDI, 3, 3, 1 },                 /* RFC 4578 2.2 */
	[DHCP_F_UUID] = { DHCP_OPT_UUID, 17, 17, 1 },             /* RFC 4578 2.3 */
	[DHCP_F_IPXE] = { DHCP_OPT_IPXE, 1, 255, 1 },
	[DHCP_F_AGENT] = { DHCP_OPT_AGENT, 2, 255, 1 },           /* RFC 3046 2.0: a suboption */
};

static const char *const cause_table[DHCP_CAUSE_COUNT] = {
	[DHCP_OK] = "no error",
	[DHCP_SHORT] = "shorter than a DHCP header",
	[DHCP_WRONG_OP] = "wrong op (not a request)",
	[DHCP_BAD_HTYPE] = "hardware type not Ethernet",
	[DHCP_BAD_HLEN] = "hardware address length not 6",
	[DHCP_BAD_COOKIE] = "bad magic cookie",
	[DHCP_OPTION_OVERRUN] = "option overruns the packet",
	[DHCP_NO_END] = "options not ended by 255",
	[DHCP_BAD_LENGTH] = "option of a wrong length",
	[DHCP_DUPLICATE] = "option given twice",
	[DHCP_BAD_OVERLOAD] = "option 52 (overload) not 1, 2 or 3",
	[DHCP_BAD_TYPE] = "option 53 (message type) not 1 to 8",
};

static const char *const type_table[] = {
	"BOOTP", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM",
};

const char *dhcp_cause_message(enum dhcp_cause c)
{
	return (unsigned)c < DHCP_CAUSE_COUNT ? cause_table[c] : "unknown cause";
}

const char *dhcp_type_name(enum dhcp_type t)
{
	return (unsigned)t < sizeof type_table / sizeof type_table[0] ? type_table[t] : "?";
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static int find_field(uint8_t code)
{
	for (int f = 0; f < DHCP_F_COUNT; f++)
		if (field_table[f].code == code)
			return f;
	return -1;
}

static enum dhcp_cause take_option(struct dhcp_msg *m, uint8_t code, const uint8_t *p, uint8_t len)
{
	int f = find_field(code);

	if (f < 0)
		return DHCP_OK;
	if (len < field_table[f].min || len > field_table[f].max || len % field_table[f].unit)
		return DHCP_BAD_LENGTH;
	if (m->opt[f].p)
		return DHCP_DUPLICATE;
	m->opt[f] = (struct dhcp_bytes){ p, len };
	return DHCP_OK;
}

/* The options in [p, end), up to and including 255. */
static enum dhcp_cause parse_area(struct dhcp_msg *m, const uint8_t *p, const uint8_t *end)
{
	while (p < end) {
		uint8_t code = *p++, len;
		enum dhcp_cause c;

		if (code == DHCP_OPT_END)
			return DHCP_OK;
		if (code == DHCP_OPT_PAD)
			continue;
		if (p == end || (size_t)(end - p - 1) < *p)
			return DHCP_OPTION_OVERRUN;
		len = *p++;
		if ((c = take_option(m, code, p, len)) != DHCP_OK)
			return c;
		p += len;
	}
	return DHCP_NO_END;
}

/* opt[] into the typed fields. */
static enum dhcp_cause decode(struct dhcp_msg *m)
{
	const struct dhcp_bytes *o = m->opt;

	if (o[DHCP_F_TYPE].p) {
		m->type = o[DHCP_F_TYPE].p[0];
		if (m->type < DHCP_DISCOVER || m->type > DHCP_INFORM)
			return DHCP_BAD_TYPE;
	}
	if (o[DHCP_F_REQUESTED_IP].p)
		m->requested_ip = get32(o[DHCP_F_REQUESTED_IP].p);
	if (o[DHCP_F_SERVER_ID].p)
		m->server_id = get32(o[DHCP_F_SERVER_ID].p);
	if (o[DHCP_F_LEASE_TIME].p)
		m->lease_time = get32(o[DHCP_F_LEASE_TIME].p);
	if (o[DHCP_F_MAX_SIZE].p)
		m->max_size = get16(o[DHCP_F_MAX_SIZE].p);
	if (o[DHCP_F_ARCH].p)
		m->arch = get16(o[DHCP_F_ARCH].p);
	return DHCP_OK;
}

enum dhcp_cause dhcp_parse(const void *buf, size_t len, uint8_t op, struct dhcp_msg *m)
{
	const uint8_t *b = buf;
	enum dhcp_cause c;

	memset(m, 0, sizeof *m);
	if (len < DHCP_MIN_LEN)
		return DHCP_SHORT;
	m->op = b[0], m->htype = b[1], m->hlen = b[2], m->hops = b[3];
	if (m->op != op)
		return DHCP_WRONG_OP;
	if (m->htype != 1)
		return DHCP_BAD_HTYPE;
	if (m->hlen != 6)
		return DHCP_BAD_HLEN;
	if (get32(b + DHCP_FIXED) != DHCP_COOKIE)
		return DHCP_BAD_COOKIE;
	m->xid = get32(b + 4);
	m->secs = get16(b + 8);
	m->flags = get16(b + 10);
	m->ciaddr = get32(b + 12);
	m->yiaddr = get32(b + 16);
	m->siaddr = get32(b + 20);
	m->giaddr = get32(b + 24);
	m->chaddr = b + 28;
	m->sname = b + 44;
	m->file = b + 108;
	if ((c = parse_area(m, b + DHCP_MIN_LEN, b + len)) != DHCP_OK)
		return c;
	/* RFC 2131 4.1: options, then file, then sname. */
	if (m->opt[DHCP_F_OVERLOAD].p) {
		m->overload = m->opt[DHCP_F_OVERLOAD].p[0];
		if (m->overload < 1 || m->overload > 3)
			return DHCP_BAD_OVERLOAD;
		if ((m->overload & 1) &&
		    (c = parse_area(m, m->file, m->file + DHCP_FILE_LEN)) != DHCP_OK)
			return c;
		if ((m->overload & 2) &&
		    (c = parse_area(m, m->sname, m->sname + DHCP_SNAME_LEN)) != DHCP_OK)
			return c;
	}
	return decode(m);
}

bool dhcp_find_sub(struct dhcp_bytes enc, uint8_t code, struct dhcp_bytes *out)
{
	const uint8_t *p = enc.p, *end;

	if (!p)
		return false;
	end = p + enc.len;
	while (p < end && *p != DHCP_OPT_END) {
		uint8_t c = *p++;

		if (c == DHCP_OPT_PAD)
			continue;
		if (p == end || (size_t)(end - p - 1) < *p)
			return false;
		if (c == code) {
			*out = (struct dhcp_bytes){ p + 1, *p };
			return true;
		}
		p += 1 + *p;
	}
	return false;
}

bool dhcp_user_class_has(struct dhcp_bytes uc, const char *class)
{
	size_t n = strlen(class);
	const uint8_t *p = uc.p, *end;

	if (!p)
		return false;
	end = p + uc.len;
	if (uc.len == n && !memcmp(p, class, n))
		return true;
	while (p < end && (size_t)(end - p - 1) >= *p) {
		if (*p == n && !memcmp(p + 1, class, n))
			return true;
		p += 1 + *p;
	}
	return false;
}

bool dhcp_mac_parse(const char *s, size_t len, uint8_t mac[6])
{
	uint8_t v[6];

	if (len != 17)
		return false;
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return false;
		v[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, v, 6);
	return true;
}

void dhcp_reply_init(struct dhcp_reply *r, const struct dhcp_msg *m, enum dhcp_type type)
{
	memset(r, 0, sizeof *r);
	r->type = (uint8_t)type;
	r->xid = m->xid;
	r->flags = m->flags & DHCP_BROADCAST;
	r->giaddr = m->giaddr;
	memcpy(r->chaddr, m->chaddr, sizeof r->chaddr);
	if (dhcp_has(m, DHCP_F_AGENT)) {
		r->agent_len = m->opt[DHCP_F_AGENT].len;
		memcpy(r->agent, m->opt[DHCP_F_AGENT].p, r->agent_len);
	}
}

/* Bytes of r's options area taken by what dhcp_build adds: 53, 82, 255. */
static size_t reserved(const struct dhcp_reply *r)
{
	return 3 + (r->agent_len ? 2 + (size_t)r->agent_len : 0) + 1;
}

bool dhcp_reply_add(struct dhcp_reply *r, uint8_t code, const void *data, size_t len)
{
	/* Option 53, option 82 and the 255 are written by dhcp_build. */
	if (len > 255 || r->len + 2 + len + reserved(r) > sizeof r->opts)
		return false;
	r->opts[r->len] = code;
	r->opts[r->len + 1] = (uint8_t)len;
	if (len)
		memcpy(r->opts + r->len + 2, data, len);
	r->len += 2 + len;
	return true;
}

bool dhcp_reply_add32(struct dhcp_reply *r, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	return dhcp_reply_add(r, code, b, sizeof b);
}

/* A string into a fixed field: cut to fit, NUL-padded. */
static void put_field(uint8_t *dst, size_t size, const char *s)
{
	size_t n = strnlen(s, size - 1);

	memcpy(dst, s, n);
	memset(dst + n, 0, size - n);
}

size_t dhcp_build(void *buf, size_t size, const struct dhcp_reply *r)
{
	uint8_t *b = buf;
	size_t len = DHCP_MIN_LEN + r->len + reserved(r), at;

	if (r->len + reserved(r) > sizeof r->opts)
		return 0;
	if (len < DHCP_REPLY_MIN)
		len = DHCP_REPLY_MIN;
	if (size < len)
		return 0;
	memset(b, 0, len);
	b[0] = DHCP_BOOTREPLY;
	b[1] = 1;
	b[2] = 6;
	put32(b + 4, r->xid);
	put16(b + 10, r->flags);
	put32(b + 12, r->ciaddr);
	put32(b + 16, r->yiaddr);
	put32(b + 20, r->siaddr);
	put32(b + 24, r->giaddr);
	memcpy(b + 28, r->chaddr, 16);
	put_field(b + 44, DHCP_SNAME_LEN, r->sname);
	put_field(b + 108, DHCP_FILE_LEN, r->file);
	put32(b + DHCP_FIXED, DHCP_COOKIE);
	b[DHCP_MIN_LEN] = DHCP_OPT_TYPE;
	b[DHCP_MIN_LEN + 1] = 1;
	b[DHCP_MIN_LEN + 2] = r->type;
	memcpy(b + DHCP_MIN_LEN + 3, r->opts, r->len);
	at = DHCP_MIN_LEN + 3 + r->len;
	if (r->agent_len) {
		b[at] = DHCP_OPT_AGENT;
		b[at + 1] = r->agent_len;
		memcpy(b + at + 2, r->agent, r->agent_len);
		at += 2 + (size_t)r->agent_len;
	}
	b[at] = DHCP_OPT_END;
	return len;
}
