/* SPDX-License-Identifier: MIT */
/* bundle.c -- the .tfw header: parse, encode, and the policy checks on it. */
#include <string.h>

#include "bundle.h"

static const char *const messages[TFW_ERR_COUNT] = {
	[TFW_OK]                = "ok",
	[TFW_ERR_SHORT]         = "truncated: shorter than a bundle header and signature",
	[TFW_ERR_MAGIC]         = "not a Tern firmware bundle (bad magic)",
	[TFW_ERR_FORMAT]        = "unknown bundle format version (this fwupdate reads format 1)",
	[TFW_ERR_RESERVED]      = "malformed header: reserved bytes are not zero",
	[TFW_ERR_BOARD_FIELD]   = "malformed header: bad board name field",
	[TFW_ERR_VERSION_FIELD] = "malformed header: bad firmware version field",
	[TFW_ERR_EMPTY]         = "malformed header: empty payload",
	[TFW_ERR_TOO_BIG]       = "payload larger than a slot",
	[TFW_ERR_TRUNCATED]     = "truncated: the file is shorter than its header says",
	[TFW_ERR_TRAILING]      = "trailing bytes after the signature",
	[TFW_ERR_KEY]           = "signed by a key this image does not trust",
	[TFW_ERR_REVOKED]       = "signed by a key this image has revoked",
	[TFW_ERR_DIGEST]        = "payload corrupted: its SHA-256 does not match the header",
	[TFW_ERR_SIGNATURE]     = "bad signature: header or payload changed after signing",
	[TFW_ERR_BOARD]         = "built for another board",
	[TFW_ERR_ROLLBACK]      = "older than the running firmware",
	[TFW_ERR_FLOOR]         = "below this box's anti-rollback floor",
	[TFW_ERR_PUBKEY]        = "the trusted public key is not a valid P-256 point",
};

const char *tfw_strerror(enum tfw_err err)
{
	if ((unsigned)err >= TFW_ERR_COUNT)
		return "unknown error";
	return messages[err];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, (uint32_t)v);
}

int tfw_board_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n >= TFW_BOARD_SIZE || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
		return -1;
	return 0;
}

/* A NUL-padded text field: the text, then only NULs, at least one. */
static int text_field(const uint8_t *field, size_t size, char *out)
{
	size_t n = strnlen((const char *)field, size);

	if (n == size)
		return -1;
	for (size_t i = n; i < size; i++)
		if (field[i])
			return -1;
	memcpy(out, field, size);
	return 0;
}

enum tfw_err tfw_header_parse(const uint8_t *buf, uint64_t size, uint64_t max_payload,
			      struct tfw_header *h)
{
	memset(h, 0, sizeof *h);
	if (size < TFW_HEADER_SIZE + TFW_SIG_SIZE)
		return TFW_ERR_SHORT;
	if (memcmp(buf, TFW_MAGIC, 8))
		return TFW_ERR_MAGIC;
	h->format = get32(buf + 8);
	if (h->format != TFW_FORMAT)
		return TFW_ERR_FORMAT;
	if (get32(buf + 12))
		return TFW_ERR_RESERVED;
	if (text_field(buf + 16, TFW_BOARD_SIZE, h->board) || tfw_board_valid(h->board))
		return TFW_ERR_BOARD_FIELD;
	if (text_field(buf + 48, TFW_VERSION_SIZE, h->version) ||
	    fw_version_parse(h->version, &h->v))
		return TFW_ERR_VERSION_FIELD;
	h->payload_len = get64(buf + 80);
	memcpy(h->digest, buf + 88, sizeof h->digest);
	memcpy(h->key_id, buf + 120, sizeof h->key_id);
	if (!h->payload_len)
		return TFW_ERR_EMPTY;
	if (h->payload_len > max_payload)
		return TFW_ERR_TOO_BIG;
	/* size >= header + signature here, so this cannot wrap. */
	uint64_t room = size - TFW_HEADER_SIZE - TFW_SIG_SIZE;
	if (h->payload_len > room)
		return TFW_ERR_TRUNCATED;
	if (h->payload_len < room)
		return TFW_ERR_TRAILING;
	return TFW_OK;
}

void tfw_header_encode(const struct tfw_header *h, uint8_t out[TFW_HEADER_SIZE])
{
	memset(out, 0, TFW_HEADER_SIZE);
	memcpy(out, TFW_MAGIC, 8);
	put32(out + 8, TFW_FORMAT);
	memcpy(out + 16, h->board, strnlen(h->board, TFW_BOARD_SIZE - 1));
	memcpy(out + 48, h->version, strnlen(h->version, TFW_VERSION_SIZE - 1));
	put64(out + 80, h->payload_len);
	memcpy(out + 88, h->digest, sizeof h->digest);
	memcpy(out + 120, h->key_id, sizeof h->key_id);
}

enum tfw_err tfw_check_target(const struct tfw_header *h, const char *board,
			      const struct fw_version *running,
			      const struct fw_version *floor, int force)
{
	if (strcmp(h->board, board))
		return TFW_ERR_BOARD;
	if (floor && fw_version_cmp(&h->v, floor) < 0)
		return TFW_ERR_FLOOR;
	if (!force && fw_version_cmp(&h->v, running) < 0)
		return TFW_ERR_ROLLBACK;
	return TFW_OK;
}
