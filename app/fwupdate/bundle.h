/* SPDX-License-Identifier: MIT */
/* bundle.h -- the .tfw firmware bundle: its header, and the checks every
 * bundle passes before anything is written.  Pure: bytes in, verdict out.
 *
 * A bundle is, byte by byte (integers big-endian):
 *
 *   offset  size  field
 *        0     8  magic "TERN-TFW"
 *        8     4  format version, 1
 *       12     4  reserved, zero
 *       16    32  board name: 1-31 of [a-z0-9_-], then NULs to the end
 *       48    32  firmware version "MAJOR.MINOR.PATCH" (each 0-999999999,
 *                 no leading zeros), then NULs to the end
 *       80     8  payload length N, 1 to the largest slot
 *       88    32  SHA-256 of the payload
 *      120     8  key id: the first 8 bytes of the SHA-256 of the signing
 *                 public key (65-byte uncompressed P-256 point); the
 *                 reader verifies with the trusted key of that id
 *      128     N  payload (the slot's EFI image)
 *    128+N    64  signature: ECDSA P-256 over the SHA-256 of bytes
 *                 0 to 128+N-1 (header and payload), r then s, 32 bytes
 *                 each
 *
 * and not one byte more.  A reader of format 1 refuses any other format
 * version: a later format may change everything after byte 12. */
#ifndef TERN_BUNDLE_H
#define TERN_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "version.h"

#define TFW_MAGIC        "TERN-TFW"
#define TFW_FORMAT       1
#define TFW_HEADER_SIZE  128
#define TFW_SIG_SIZE     64
#define TFW_BOARD_SIZE   32
#define TFW_VERSION_SIZE 32
#define TFW_KEY_ID_SIZE  8
#define TFW_PUBKEY_SIZE  65  /* 0x04, X, Y */

/* Why a bundle is refused: tfw_strerror() says it in words. */
enum tfw_err {
	TFW_OK,
	TFW_ERR_SHORT,          /* less than a header and a signature */
	TFW_ERR_MAGIC,
	TFW_ERR_FORMAT,
	TFW_ERR_RESERVED,
	TFW_ERR_BOARD_FIELD,
	TFW_ERR_VERSION_FIELD,
	TFW_ERR_EMPTY,
	TFW_ERR_TOO_BIG,        /* payload larger than a slot */
	TFW_ERR_TRUNCATED,      /* shorter than the header says */
	TFW_ERR_TRAILING,       /* longer than the header says */
	TFW_ERR_KEY,            /* signed by a key not trusted */
	TFW_ERR_REVOKED,        /* signed by a revoked key */
	TFW_ERR_DIGEST,         /* payload does not match its SHA-256 */
	TFW_ERR_SIGNATURE,
	TFW_ERR_BOARD,          /* built for another board */
	TFW_ERR_ROLLBACK,       /* older than the running firmware */
	TFW_ERR_FLOOR,          /* below the box's anti-rollback floor */
	TFW_ERR_PUBKEY,         /* the trusted key itself is not a P-256 point */
	TFW_ERR_COUNT
};

struct tfw_header {
	uint32_t format;
	char board[TFW_BOARD_SIZE];      /* NUL-terminated */
	char version[TFW_VERSION_SIZE];  /* NUL-terminated */
	struct fw_version v;             /* version, parsed */
	uint64_t payload_len;
	uint8_t digest[32];
	uint8_t key_id[TFW_KEY_ID_SIZE];
};

/* One line, no trailing period, e.g. "payload larger than a slot". */
const char *tfw_strerror(enum tfw_err err);

/* 0 if s is a board name a header can carry (1-31 of [a-z0-9_-]). */
int tfw_board_valid(const char *s);

/* Parse the first TFW_HEADER_SIZE bytes of a bundle of `size` bytes in all
 * (so a header that promises more or less than the file holds is refused
 * here) whose payload may be at most max_payload bytes. */
enum tfw_err tfw_header_parse(const uint8_t *buf, uint64_t size, uint64_t max_payload,
			      struct tfw_header *h);
/* The header's bytes; h->board and h->version must pass the checks above. */
void tfw_header_encode(const struct tfw_header *h, uint8_t out[TFW_HEADER_SIZE]);

/* The key id of a public key (first bytes of its SHA-256). */
void tfw_key_id(const uint8_t pubkey[TFW_PUBKEY_SIZE], uint8_t id[TFW_KEY_ID_SIZE]);

/* The keys a verifier trusts, and the ids it refuses even when one of
 * those keys has them (a leaked key, retired). */
struct tfw_trust {
	const uint8_t (*keys)[TFW_PUBKEY_SIZE];
	size_t nkeys;
	const uint8_t (*revoked)[TFW_KEY_ID_SIZE];
	size_t nrevoked;
};

/* The trusted key whose id is id; NULL, with *err TFW_ERR_REVOKED when the
 * id is revoked, else TFW_ERR_KEY. */
const uint8_t *tfw_trust_find(const struct tfw_trust *t, const uint8_t id[TFW_KEY_ID_SIZE],
			      enum tfw_err *err);

/* The whole bundle, len bytes: header parsed, length exact, signed by the
 * trusted key its header names (not revoked), payload matching its
 * SHA-256.  *h is filled as far as parsed. */
enum tfw_err tfw_verify(const uint8_t *buf, size_t len, uint64_t max_payload,
			const struct tfw_trust *trust, struct tfw_header *h);

/* May a verified bundle replace the running firmware of this board and
 * version?  Not if built for another board; not if below floor (NULL: no
 * floor), whatever force says; not if older than running, unless force. */
enum tfw_err tfw_check_target(const struct tfw_header *h, const char *board,
			      const struct fw_version *running,
			      const struct fw_version *floor, int force);

#endif
