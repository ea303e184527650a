/* SPDX-License-Identifier: MIT */
/* tfw -- make, check and show Tern firmware bundles (.tfw) on the host. */
#define USAGE \
"usage: tfw keygen KEY\n" \
"       tfw pubkey KEY\n" \
"       tfw keyid KEY\n" \
"       tfw trust [-r REVOKED] KEY...\n" \
"       tfw sign -k KEY -b BOARD -V VERSION [-m MAXPAYLOAD] PAYLOAD BUNDLE\n" \
"       tfw verify -k KEY [-m MAXPAYLOAD] [-b BOARD] [-r RUNNING [-f]] BUNDLE\n" \
"       tfw show BUNDLE\n" \
"       tfw -h\n" \
"\n" \
"A bundle is the payload (a slot's EFI image) between a 128-byte header\n" \
"(board, firmware version, payload length and SHA-256, the signing key's\n" \
"id) and an ECDSA P-256 signature over both; fwupdate installs it on a box\n" \
"whose image trusts the key and has not revoked it.  images/README.md has\n" \
"the format byte by byte.\n" \
"\n" \
"  keygen KEY    make a P-256 key pair: the private key in KEY (PEM, mode\n" \
"                0600), the public one in KEY.pub; never overwrites either.\n" \
"                OpenSSL's keys work too: openssl ecparam -name prime256v1\n" \
"                -genkey -noout -out KEY\n" \
"  pubkey KEY    print KEY's public key (PEM)\n" \
"  keyid KEY     print KEY's key id, as bundle headers carry it\n" \
"  trust         print the C definition of the keys fwupdate trusts (each\n" \
"                KEY, private or public PEM) and of the key ids it refuses\n" \
"                (the file REVOKED: an id of 16 hex digits a line, then a\n" \
"                note if wanted; # comments): what the build bakes in\n" \
"  sign          write BUNDLE: PAYLOAD signed by the private KEY for BOARD\n" \
"                (1-31 of a-z 0-9 _ -) and VERSION (MAJOR.MINOR.PATCH).\n" \
"                Deterministic (RFC 6979): the same inputs, the same bytes.\n" \
"                -m: refuse a payload larger than MAXPAYLOAD bytes\n" \
"  verify        check BUNDLE as fwupdate does: its format, its length, its\n" \
"                payload's SHA-256, its signature by KEY (private or public\n" \
"                PEM); with -b, that it is for BOARD; with -r, that it is\n" \
"                not older than RUNNING (unless -f)\n" \
"  show          print BUNDLE's header (nothing is verified)\n" \
"  -h            this text\n" \
"\n" \
"EXIT STATUS\n" \
"  0 done, 1 the bundle is refused (the reason on stderr), 100 usage error,\n" \
"  111 failed system call or key file.\n"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/error.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>

#include "bundle.h"
#include "daemon.h"
#include "load.h"
#include "log.h"
#include "revoked.h"
#include "sign.h"

#define EXIT_REFUSED 1
/* Larger than any slot; a bundle tool has to stop somewhere. */
#define PAYLOAD_LIMIT ((size_t)1 << 32)

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;

static _Noreturn void usage(const char *what)
{
	usage_error(USAGE, "%s", what);
}

static void rng_init(void)
{
	static const char who[] = "tern tfw";

	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
				  (const unsigned char *)who, sizeof who - 1))
		die(EXIT_SYSCALL, "unable to seed the random number generator");
}

static int rng(void *ctx, unsigned char *out, size_t len)
{
	return mbedtls_ctr_drbg_random(ctx, out, len);
}

/* A P-256 key from a PEM (or DER) file, private or else public. */
static mbedtls_ecp_keypair *key_load(mbedtls_pk_context *pk, const char *path, int need_private)
{
	char why[128];
	int rc;

	mbedtls_pk_init(pk);
	rc = mbedtls_pk_parse_keyfile(pk, path, NULL);
	if (rc && !need_private) {
		mbedtls_pk_free(pk);
		mbedtls_pk_init(pk);
		rc = mbedtls_pk_parse_public_keyfile(pk, path);
	}
	if (rc) {
		mbedtls_strerror(rc, why, sizeof why);
		die(EXIT_SYSCALL, "%s: unable to read a %s key: %s", path,
		    need_private ? "private" : "private or public", why);
	}
	if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_ECKEY ||
	    mbedtls_pk_ec(*pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1)
		die(EXIT_SYSCALL, "%s: not a P-256 (prime256v1) EC key", path);
	return mbedtls_pk_ec(*pk);
}

/* Write len bytes to path through a temporary file renamed into place;
 * with excl, an existing path is not replaced. */
static void write_file(const char *path, const void *a, size_t alen, const void *b, size_t blen,
		       const void *c, size_t clen, mode_t mode, int excl)
{
	char tmp[4096];
	const void *part[3] = { a, b, c };
	size_t plen[3] = { alen, blen, clen };
	int fd;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		die(EXIT_USAGE, "%s: name too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		die_errno("unable to create %s", tmp);
	for (int i = 0; i < 3; i++)
		for (size_t off = 0; off < plen[i];) {
			ssize_t w = write(fd, (const char *)part[i] + off, plen[i] - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				unlink(tmp);
				die_errno("unable to write %s", tmp);
			}
			off += (size_t)w;
		}
	if (fsync(fd) || close(fd)) {
		unlink(tmp);
		die_errno("unable to write %s", tmp);
	}
	if (excl ? link(tmp, path) : rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		errno = e;
		die_errno("unable to create %s", path);
	}
	if (excl)
		unlink(tmp);
}

static int cmd_keygen(int argc, char **argv)
{
	mbedtls_pk_context pk;
	unsigned char pem[4096];
	char pub[4096];

	if (argc != 2)
		usage("keygen wants one KEY file name");
	if (snprintf(pub, sizeof pub, "%s.pub", argv[1]) >= (int)sizeof pub)
		usage("KEY: name too long");
	if (access(argv[1], F_OK) == 0 || access(pub, F_OK) == 0)
		die(EXIT_REFUSED, "%s or %s exists already: not overwritten", argv[1], pub);
	rng_init();
	mbedtls_pk_init(&pk);
	if (mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) ||
	    tfw_keygen(mbedtls_pk_ec(pk), rng, &drbg) ||
	    mbedtls_pk_write_key_pem(&pk, pem, sizeof pem))
		die(EXIT_SYSCALL, "unable to make a P-256 key");
	write_file(argv[1], pem, strlen((char *)pem), NULL, 0, NULL, 0, 0600, 1);
	mbedtls_platform_zeroize(pem, sizeof pem);
	if (mbedtls_pk_write_pubkey_pem(&pk, pem, sizeof pem))
		die(EXIT_SYSCALL, "unable to write the public key");
	write_file(pub, pem, strlen((char *)pem), NULL, 0, NULL, 0, 0644, 1);
	mbedtls_pk_free(&pk);
	return 0;
}

static int cmd_pubkey(int argc, char **argv)
{
	mbedtls_pk_context pk;
	unsigned char pem[1024];

	if (argc != 2)
		usage("pubkey wants one KEY file");
	key_load(&pk, argv[1], 0);
	if (mbedtls_pk_write_pubkey_pem(&pk, pem, sizeof pem))
		die(EXIT_SYSCALL, "unable to write the public key");
	fputs((char *)pem, stdout);
	mbedtls_pk_free(&pk);
	return fflush(stdout) ? EXIT_SYSCALL : 0;
}

static void print_id(const uint8_t id[TFW_KEY_ID_SIZE])
{
	for (size_t i = 0; i < TFW_KEY_ID_SIZE; i++)
		printf("%02x", id[i]);
}

static int cmd_keyid(int argc, char **argv)
{
	mbedtls_pk_context pk;
	uint8_t raw[TFW_PUBKEY_SIZE], id[TFW_KEY_ID_SIZE];

	if (argc != 2)
		usage("keyid wants one KEY file");
	if (tfw_pubkey(key_load(&pk, argv[1], 0), raw))
		die(EXIT_SYSCALL, "%s: not a P-256 key", argv[1]);
	mbedtls_pk_free(&pk);
	tfw_key_id(raw, id);
	print_id(id);
	printf("\n");
	return fflush(stdout) ? EXIT_SYSCALL : 0;
}

static void print_bytes(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%s0x%02x,", i % 8 ? " " : "\n\t\t", b[i]);
}

struct revoked_list {
	uint8_t (*ids)[TFW_KEY_ID_SIZE];
	size_t n;
	int bad;
};

static void revoked_line(void *ctx, const char *file, unsigned lineno, const char *line,
			 size_t len)
{
	struct revoked_list *l = ctx;
	uint8_t id[TFW_KEY_ID_SIZE];
	char why[CONF_WHY_MAX];

	switch (revoked_parse_line(line, len, id, why)) {
	case CONF_BAD:
		log_err("%s:%u: %s", file, lineno, why);
		l->bad = 1;
		return;
	case CONF_SKIP:
		return;
	case CONF_OK:
		break;
	}
	l->ids = realloc(l->ids, (l->n + 1) * sizeof *l->ids);
	if (!l->ids)
		die(EXIT_SYSCALL, "out of memory");
	memcpy(l->ids[l->n++], id, TFW_KEY_ID_SIZE);
}

static int cmd_trust(int argc, char **argv)
{
	struct revoked_list rev = { 0 };
	uint8_t (*ids)[TFW_KEY_ID_SIZE];
	const char *revoked = NULL;
	mbedtls_pk_context pk;
	uint8_t raw[TFW_PUBKEY_SIZE], id[TFW_KEY_ID_SIZE];
	int opt;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r')
			usage("trust: unknown option");
		revoked = optarg;
	}
	if (argc - optind < 1)
		usage("trust wants [-r REVOKED] and one KEY file or more");
	if (revoked && conf_read(revoked, revoked_line, &rev))
		die_errno("unable to read %s", revoked);
	if (rev.bad)
		die(EXIT_SYSCALL, "%s: not a list of key ids", revoked);
	printf("/* Generated by tfw trust: the keys fwupdate trusts and the key ids\n"
	       " * it refuses (images/README.md). */\n#include <stddef.h>\n#include <stdint.h>\n\n"
	       "const uint8_t fwupdate_trusted_keys[][%d] = {", TFW_PUBKEY_SIZE);
	ids = calloc((size_t)(argc - optind), sizeof *ids);
	if (!ids)
		die(EXIT_SYSCALL, "out of memory");
	for (int i = optind; i < argc; i++) {
		if (tfw_pubkey(key_load(&pk, argv[i], 0), raw))
			die(EXIT_SYSCALL, "%s: not a P-256 key", argv[i]);
		mbedtls_pk_free(&pk);
		tfw_key_id(raw, id);
		/* The header's id picks one key: two of one id would be one. */
		for (int k = optind; k < i; k++)
			if (!memcmp(ids[k - optind], id, sizeof id))
				die(EXIT_REFUSED, "%s and %s have the same key id: list a key once",
				    argv[k], argv[i]);
		memcpy(ids[i - optind], id, sizeof id);
		printf("\n\t/* key id ");
		print_id(id);
		printf(": %s */\n\t{", argv[i]);
		print_bytes(raw, sizeof raw);
		printf("\n\t},");
	}
	printf("\n};\nconst size_t fwupdate_trusted_count = %d;\n\n", argc - optind);
	/* One row more than the ids: C has no empty array. */
	printf("const uint8_t fwupdate_revoked_ids[][%d] = {", TFW_KEY_ID_SIZE);
	for (size_t i = 0; i < rev.n; i++) {
		printf("\n\t{");
		for (size_t k = 0; k < TFW_KEY_ID_SIZE; k++)
			printf(" 0x%02x,", rev.ids[i][k]);
		printf(" }, /* ");
		print_id(rev.ids[i]);
		printf(" */");
	}
	printf("\n\t{ 0 },\n};\nconst size_t fwupdate_revoked_count = %zu;\n", rev.n);
	free(rev.ids);
	free(ids);
	return fflush(stdout) ? EXIT_SYSCALL : 0;
}

static size_t max_option(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < 1 || v > PAYLOAD_LIMIT)
		usage("-m wants a number of bytes, 1 to 4294967296");
	return (size_t)v;
}

static int cmd_sign(int argc, char **argv)
{
	const char *keyfile = NULL, *board = NULL, *version = NULL;
	size_t max = PAYLOAD_LIMIT, len;
	uint8_t hdr[TFW_HEADER_SIZE], sig[TFW_SIG_SIZE], *payload;
	mbedtls_pk_context pk;
	enum tfw_err err;
	int opt;

	while ((opt = getopt(argc, argv, "k:b:V:m:")) != -1) {
		switch (opt) {
		case 'k': keyfile = optarg; break;
		case 'b': board = optarg; break;
		case 'V': version = optarg; break;
		case 'm': max = max_option(optarg); break;
		default: usage("sign: unknown option");
		}
	}
	if (!keyfile || !board || !version || argc - optind != 2)
		usage("sign wants -k KEY -b BOARD -V VERSION PAYLOAD BUNDLE");
	if (load_file(argv[optind], max, &payload, &len)) {
		if (errno == EFBIG)
			die(EXIT_REFUSED, "%s: larger than %zu bytes (-m): a slot cannot hold it",
			    argv[optind], max);
		die_errno("unable to read %s", argv[optind]);
	}
	rng_init();
	err = tfw_sign(key_load(&pk, keyfile, 1), rng, &drbg, board, version, payload, len, hdr, sig);
	if (err == TFW_ERR_BOARD_FIELD)
		usage("-b: a board name is 1-31 of a-z 0-9 _ -");
	if (err == TFW_ERR_VERSION_FIELD)
		usage("-V: a version is MAJOR.MINOR.PATCH, decimal numbers without leading zeros");
	if (err)
		die(EXIT_REFUSED, "%s: %s", argv[optind], tfw_strerror(err));
	write_file(argv[optind + 1], hdr, sizeof hdr, payload, len, sig, sizeof sig, 0644, 0);
	mbedtls_pk_free(&pk);
	free(payload);
	return 0;
}

static void print_header(const struct tfw_header *h)
{
	printf("format   %" PRIu32 "\nboard    %s\nversion  %s\npayload  %" PRIu64 " bytes\nsha256   ",
	       h->format, h->board, h->version, h->payload_len);
	for (size_t i = 0; i < sizeof h->digest; i++)
		printf("%02x", h->digest[i]);
	printf("\nkey id   ");
	print_id(h->key_id);
	printf("\n");
}

static uint8_t *load_bundle(const char *path, size_t max_payload, size_t *len)
{
	uint8_t *b;

	if (load_file(path, max_payload + TFW_HEADER_SIZE + TFW_SIG_SIZE, &b, len) == 0)
		return b;
	if (errno == EFBIG)
		die(EXIT_REFUSED, "%s: refused: %s", path, tfw_strerror(TFW_ERR_TOO_BIG));
	die_errno("unable to read %s", path);
}

static int cmd_verify(int argc, char **argv)
{
	const char *keyfile = NULL, *board = NULL, *running = NULL;
	size_t max = PAYLOAD_LIMIT, len;
	int force = 0, opt;
	struct fw_version rv;
	struct tfw_header h;
	mbedtls_pk_context pk;
	uint8_t raw[TFW_PUBKEY_SIZE], *b;
	struct tfw_trust trust = { .keys = (const uint8_t (*)[TFW_PUBKEY_SIZE])&raw, .nkeys = 1 };
	enum tfw_err err;

	while ((opt = getopt(argc, argv, "k:m:b:r:f")) != -1) {
		switch (opt) {
		case 'k': keyfile = optarg; break;
		case 'm': max = max_option(optarg); break;
		case 'b': board = optarg; break;
		case 'r': running = optarg; break;
		case 'f': force = 1; break;
		default: usage("verify: unknown option");
		}
	}
	if (!keyfile || argc - optind != 1)
		usage("verify wants -k KEY and one BUNDLE");
	if (running && fw_version_parse(running, &rv))
		usage("-r: a version is MAJOR.MINOR.PATCH");
	if (tfw_pubkey(key_load(&pk, keyfile, 0), raw))
		die(EXIT_SYSCALL, "%s: not a P-256 key", keyfile);
	b = load_bundle(argv[optind], max, &len);
	err = tfw_verify(b, len, max, &trust, &h);
	if (!err && board)
		err = tfw_check_target(&h, board, running ? &rv : &h.v, NULL, force);
	else if (!err && running && !force && fw_version_cmp(&h.v, &rv) < 0)
		err = TFW_ERR_ROLLBACK;
	if (err)
		die(EXIT_REFUSED, "%s: refused: %s", argv[optind], tfw_strerror(err));
	printf("%s: good: board %s, version %s, %" PRIu64 " bytes of payload\n",
	       argv[optind], h.board, h.version, h.payload_len);
	mbedtls_pk_free(&pk);
	free(b);
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	struct tfw_header h;
	enum tfw_err err;
	size_t len;
	uint8_t *b;

	if (argc != 2)
		usage("show wants one BUNDLE");
	b = load_bundle(argv[1], PAYLOAD_LIMIT, &len);
	err = tfw_header_parse(b, len, PAYLOAD_LIMIT, &h);
	if (err)
		die(EXIT_REFUSED, "%s: %s", argv[1], tfw_strerror(err));
	print_header(&h);
	free(b);
	return fflush(stdout) ? EXIT_SYSCALL : 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int, char **);
	} cmds[] = {
		{ "keygen", cmd_keygen }, { "pubkey", cmd_pubkey }, { "keyid", cmd_keyid },
		{ "trust", cmd_trust },
		{ "sign", cmd_sign },
		{ "verify", cmd_verify }, { "show", cmd_show },
	};

	log_init("tfw");
	if (argc == 2 && !strcmp(argv[1], "-h")) {
		fputs(USAGE, stdout);
		return 0;
	}
	if (argc < 2)
		usage("which command?");
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].run(argc - 1, argv + 1);
	usage("unknown command");
}
