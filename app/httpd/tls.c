/* SPDX-License-Identifier: MIT */
/* tls.c -- HTTPS under a connection's receive and send; see tls.h. */
#include "tls.h"

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "conn.h"
#include "files.h"
#include "log.h"
#include "tls_gcm.h"
#include "uring.h"

#ifdef CONFIG_HTTPD_TLS

#include <mbedtls/aesni.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

/* Ciphertext a connection receives at once: a ClientHello, requests. */
#define TLS_IN_SIZE 8192
/* Records a send carries at once: one io_uring send per this many. */
#define TLS_OUT_RECORDS 4
#define TLS_RECORD_MAX (MBEDTLS_SSL_OUT_CONTENT_LEN + 64) /* + header, IV, tag */
#define TLS_OUT_SIZE (TLS_OUT_RECORDS * TLS_RECORD_MAX)

struct tls_site {
	mbedtls_ssl_config conf;
	mbedtls_x509_crt cert[2];   /* ECDSA P-256, and RSA if given */
	mbedtls_pk_context key[2];
	mbedtls_ctr_drbg_context drbg;
	const char *sni;            /* NULL: any server name */
	struct tls_counters own, *n; /* n: own, or the worker's (tls_count_into) */
};

/* The raw operation in flight for the logical one. */
enum raw { RAW_NONE, RAW_RECV, RAW_SEND, RAW_NOP };

struct tls_conn {
	mbedtls_ssl_context ssl;    /* first: the SNI callback finds us from it */
	struct tls_site *site;
	int fd;
	enum raw raw;
	bool handshaken, eof, heard, wrong_name;
	int result;                 /* RAW_NOP's, or a send's plaintext bytes */
	unsigned char in[TLS_IN_SIZE];
	size_t in_off, in_len;      /* ciphertext received, not yet taken */
	unsigned char *out;         /* TLS_OUT_SIZE: records to send */
	size_t out_len, out_sent;
	unsigned char *dst;         /* the logical receive's buffer */
	size_t room;
	struct gcm_key *gcm;        /* records out by tls_gcm.c; NULL: by mbedtls */
	unsigned char salt[4];      /* the server's write IV: the nonce's first 4 */
};

/* The connection whose handshake runs now: the key export has no other
 * way to name it (a worker is one thread). */
static struct tls_conn *handshaking_now;

/* --- the site: certificate, key, configuration --------------------------- */

static const int suites[] = {
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	/* With the RSA pair only (mbedtls skips a suite no certificate can
	 * sign): clients without ECDSA, such as OVMF's HTTP Boot. */
	MBEDTLS_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
	0,
};
static const mbedtls_ecp_group_id curves[] = {
	MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_CURVE25519, MBEDTLS_ECP_DP_SECP384R1,
	MBEDTLS_ECP_DP_NONE,
};

/* AES-NI and PCLMULQDQ on this CPU, and tls_gcm.c's code for them. */
static bool fast_gcm(void)
{
#if defined(MBEDTLS_AESNI_HAVE_CODE)
	return gcm_built() && mbedtls_aesni_has_support(MBEDTLS_AESNI_AES) &&
	       mbedtls_aesni_has_support(MBEDTLS_AESNI_CLMUL);
#else
	return false;
#endif
}

static const char *mbed_error(int err)
{
	static char text[160];

	mbedtls_strerror(err, text, sizeof text);
	return text;
}

/* The server-name extension: with a name set, a client asking for another
 * is refused (one asking for none, say by address, is served). */
static int check_sni(void *site, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len)
{
	const struct tls_site *t = site;
	struct tls_conn *tc = (struct tls_conn *)(void *)ssl;

	if (!t->sni || (strlen(t->sni) == len && !strncasecmp(t->sni, (const char *)name, len)))
		return 0;
	tc->wrong_name = true;
	return -1;
}

/* The keys of the session (mbedtls's key block: for an AEAD suite the
 * client's and the server's write keys, then their 4-byte IVs), so that
 * tls_gcm.c encrypts what we send when the CPU has AES-NI and PCLMULQDQ. */
static int export_keys(void *site, const unsigned char *ms, const unsigned char *kb,
		       size_t maclen, size_t keylen, size_t ivlen, const unsigned char cr[32],
		       const unsigned char sr[32], mbedtls_tls_prf_types prf)
{
	struct tls_conn *tc = handshaking_now;

	(void)site, (void)ms, (void)cr, (void)sr, (void)prf;
	if (!tc || !fast_gcm() || maclen || ivlen != sizeof tc->salt ||
	    (keylen != 16 && keylen != 32))
		return 0;
	if (!tc->gcm && !(tc->gcm = aligned_alloc(16, sizeof *tc->gcm)))
		return 0; /* mbedtls encrypts, slower */
	gcm_setkey(tc->gcm, kb + keylen, keylen);
	memcpy(tc->salt, kb + 2 * keylen + ivlen, ivlen);
	return 0;
}

/* One certificate chain and its key into t->cert[i], t->key[i], offered
 * to clients whose suite that key signs. */
static void load_pair(struct tls_site *t, int i, const char *cert, const char *key)
{
	mbedtls_pk_context *k = &t->key[i];
	int r;

	if ((r = mbedtls_x509_crt_parse_file(&t->cert[i], cert)) != 0)
		die(EXIT_SYSCALL, "unable to load the TLS certificate %s: %s", cert, mbed_error(r));
	if ((r = mbedtls_pk_parse_keyfile(k, key, NULL)) != 0)
		die(EXIT_SYSCALL, "unable to load the TLS key %s: %s", key, mbed_error(r));
	if (i == 0 && (!mbedtls_pk_can_do(k, MBEDTLS_PK_ECDSA) ||
		       mbedtls_pk_ec(*k)->grp.id != MBEDTLS_ECP_DP_SECP256R1))
		die(EXIT_USAGE, "the TLS key %s is not an ECDSA P-256 key", key);
	if (i == 1 && (mbedtls_pk_get_type(k) != MBEDTLS_PK_RSA || mbedtls_pk_get_bitlen(k) < 2048))
		die(EXIT_USAGE, "the TLS key %s is not an RSA key of 2048 bits or more", key);
	if (mbedtls_pk_check_pair(&t->cert[i].pk, k) != 0)
		die(EXIT_USAGE, "the TLS key %s is not the key of the certificate %s", key, cert);
	if ((r = mbedtls_ssl_conf_own_cert(&t->conf, &t->cert[i], k)) != 0)
		die(EXIT_SYSCALL, "unable to configure TLS: %s", mbed_error(r));
}

struct tls_site *tls_load(const char *cert, const char *key, const char *rsa_cert,
			  const char *rsa_key, const char *sni)
{
	struct tls_site *t = calloc(1, sizeof *t);
	int r;

	if (!t)
		die_errno("unable to allocate the TLS configuration");
	mbedtls_ssl_config_init(&t->conf);
	for (int i = 0; i < 2; i++) {
		mbedtls_x509_crt_init(&t->cert[i]);
		mbedtls_pk_init(&t->key[i]);
	}
	mbedtls_ctr_drbg_init(&t->drbg);
	t->sni = sni && *sni ? sni : NULL;
	t->n = &t->own;
	/* The server's defaults include DHE's group: RFC 3526's 2048-bit. */
	if ((r = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_SERVER,
					     MBEDTLS_SSL_TRANSPORT_STREAM,
					     MBEDTLS_SSL_PRESET_DEFAULT)) != 0)
		die(EXIT_SYSCALL, "unable to configure TLS: %s", mbed_error(r));
	load_pair(t, 0, cert, key);
	if (rsa_cert)
		load_pair(t, 1, rsa_cert, rsa_key);
	mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_max_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(&t->conf, suites);
	mbedtls_ssl_conf_curves(&t->conf, curves);
	mbedtls_ssl_conf_sni(&t->conf, check_sni, t);
	mbedtls_ssl_conf_export_keys_ext_cb(&t->conf, export_keys, t);
	return t;
}

void tls_free(struct tls_site *t)
{
	if (!t)
		return;
	mbedtls_ssl_config_free(&t->conf);
	for (int i = 0; i < 2; i++) {
		mbedtls_x509_crt_free(&t->cert[i]);
		mbedtls_pk_free(&t->key[i]);
	}
	mbedtls_ctr_drbg_free(&t->drbg);
	free(t);
}

static int entropy(void *unused, unsigned char *buf, size_t len)
{
	(void)unused;
	while (len) {
		ssize_t n = getrandom(buf, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

bool tls_worker_init(struct tls_site *t)
{
	static const unsigned char who[] = "tern httpd";
	int r;

	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_ctr_drbg_init(&t->drbg);
	r = mbedtls_ctr_drbg_seed(&t->drbg, entropy, NULL, who, sizeof who);
	if (r) {
		log_err("unable to seed TLS's random generator: %s", mbed_error(r));
		return false;
	}
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
	return true;
}

const char *tls_aes_note(void)
{
	return fast_gcm() ? "with AES-NI" : "without AES-NI";
}

/* --- mbedtls's I/O: our buffers, never the socket ------------------------ */

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct tls_conn *tc = ctx;
	size_t room = TLS_OUT_SIZE - tc->out_len;

	if (!room)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	if (len > room)
		len = room;
	memcpy(tc->out + tc->out_len, buf, len);
	tc->out_len += len;
	return (int)len;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct tls_conn *tc = ctx;
	size_t have = tc->in_len - tc->in_off;

	if (!have)
		return tc->eof ? 0 : MBEDTLS_ERR_SSL_WANT_READ;
	if (len > have)
		len = have;
	memcpy(buf, tc->in + tc->in_off, len);
	tc->in_off += len;
	return (int)len;
}

struct tls_conn *tls_conn_new(struct tls_site *t, int fd)
{
	struct tls_conn *tc = calloc(1, sizeof *tc);

	if (!tc || !(tc->out = malloc(TLS_OUT_SIZE))) {
		free(tc);
		return NULL;
	}
	mbedtls_ssl_init(&tc->ssl);
	if (mbedtls_ssl_setup(&tc->ssl, &t->conf) != 0) { /* it allocates only */
		tls_conn_free(tc);
		errno = ENOMEM;
		return NULL;
	}
	mbedtls_ssl_set_bio(&tc->ssl, tc, bio_send, bio_recv, NULL);
	tc->site = t;
	tc->fd = fd;
	return tc;
}

void tls_conn_free(struct tls_conn *tc)
{
	if (!tc)
		return;
	mbedtls_ssl_free(&tc->ssl);
	free(tc->gcm);
	free(tc->out);
	free(tc);
}

/* --- raw operations ----------------------------------------------------- */

static void arm_raw_send(struct server *s, struct conn *c, enum op op)
{
	struct tls_conn *tc = c->tls;
	struct io_uring_sqe *sqe = uring_sqe(&s->ring);

	io_uring_prep_send(sqe, c->fd, tc->out + tc->out_sent, tc->out_len - tc->out_sent,
			   MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, op_data(c->idx, op));
	tc->raw = RAW_SEND;
}

static void arm_raw_recv(struct server *s, struct conn *c)
{
	struct tls_conn *tc = c->tls;
	struct io_uring_sqe *sqe = uring_sqe(&s->ring);

	tc->in_off = tc->in_len = 0;
	io_uring_prep_recv(sqe, c->fd, tc->in, sizeof tc->in, 0);
	io_uring_sqe_set_data64(sqe, op_data(c->idx, OP_RECV));
	tc->raw = RAW_RECV;
}

/* A result known now reaches conn.c as a completion of its own. */
static void complete_now(struct server *s, struct conn *c, enum op op, int result)
{
	struct io_uring_sqe *sqe = uring_sqe(&s->ring);

	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, op_data(c->idx, op));
	c->tls->raw = RAW_NOP;
	c->tls->result = result;
}

/* Give the peer what mbedtls queued (a fatal alert), if the socket takes
 * it now: the connection ends after this anyway. */
static void flush_now(struct tls_conn *tc)
{
	if (tc->out_len > tc->out_sent)
		(void)!send(tc->fd, tc->out + tc->out_sent, tc->out_len - tc->out_sent,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
	tc->out_len = tc->out_sent = 0;
}

/* The connection's TLS failed: counted, logged once; conn.c closes it
 * quietly on -ECONNRESET. */
static int fail(struct conn *c, enum tls_failure why, const char *what, int err)
{
	struct tls_conn *tc = c->tls;

	flush_now(tc);
	tc->site->n->failures[why]++;
	log_info("%s TLS %s: %s", c->who, what,
		 tc->wrong_name ? "a server name other than the configured one" :
		 err ? mbed_error(err) : "the connection ended");
	return -ECONNRESET;
}

/* Go on with a logical receive: the handshake, then plaintext into
 * tc->dst.  TLS_AGAIN with a raw operation armed, or the result. */
static int step_recv(struct server *s, struct conn *c)
{
	struct tls_conn *tc = c->tls;
	int r;

	if (!tc->handshaken) {
		handshaking_now = tc;
		r = mbedtls_ssl_handshake(&tc->ssl);
		handshaking_now = NULL;
		if (r != 0 && r != MBEDTLS_ERR_SSL_WANT_READ && r != MBEDTLS_ERR_SSL_WANT_WRITE) {
			if (!tc->heard && r == MBEDTLS_ERR_SSL_CONN_EOF)
				return 0; /* opened and closed, not a word: not a failure */
			return fail(c, TLS_FAIL_HANDSHAKE, "handshake failed",
				    r == MBEDTLS_ERR_SSL_CONN_EOF ? 0 : r);
		}
		if (tc->out_len) {
			arm_raw_send(s, c, OP_RECV);
			return TLS_AGAIN;
		}
		if (r == MBEDTLS_ERR_SSL_WANT_READ) {
			arm_raw_recv(s, c);
			return TLS_AGAIN;
		}
		if (r != 0)
			return fail(c, TLS_FAIL_HANDSHAKE, "handshake failed", r);
		tc->handshaken = true;
		tc->site->n->handshakes++;
	}
	r = mbedtls_ssl_read(&tc->ssl, tc->dst, tc->room);
	if (tc->out_len) { /* a warning alert, say no_renegotiation */
		if (r > 0 || r == MBEDTLS_ERR_SSL_WANT_READ) {
			tc->result = r > 0 ? r : 0;
			arm_raw_send(s, c, OP_RECV);
			return TLS_AGAIN;
		}
	}
	if (r > 0)
		return r;
	if (r == MBEDTLS_ERR_SSL_WANT_READ) {
		arm_raw_recv(s, c);
		return TLS_AGAIN;
	}
	if (r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
		return 0;
	if (r == 0 || r == MBEDTLS_ERR_SSL_CONN_EOF) /* the end: between records? */
		return tc->ssl.in_left ? fail(c, TLS_FAIL_RECORD, "record cut short", 0) : 0;
	return fail(c, TLS_FAIL_RECORD, "bad record", r);
}

void tls_recv(struct server *s, struct conn *c, void *buf, size_t len)
{
	struct tls_conn *tc = c->tls;
	int r;

	tc->dst = buf;
	tc->room = len;
	tc->result = 0;
	r = step_recv(s, c);
	if (r != TLS_AGAIN)
		complete_now(s, c, OP_RECV, r);
}

/* One application-data record of p's n bytes (n <= 16 KiB) into the
 * output buffer, encrypted by tls_gcm.c under mbedtls's next sequence
 * number (RFC 5288: nonce = salt . explicit part; we use the sequence
 * number as the explicit part, as mbedtls does), which it then counts. */
static void seal_record(struct tls_conn *tc, const unsigned char *p, size_t n)
{
	unsigned char *rec = tc->out + tc->out_len, *ctr = tc->ssl.cur_out_ctr;
	unsigned char nonce[12], aad[13];
	size_t len = 8 + n + 16;

	memcpy(nonce, tc->salt, 4);
	memcpy(nonce + 4, ctr, 8);
	memcpy(aad, ctr, 8);
	aad[8] = MBEDTLS_SSL_MSG_APPLICATION_DATA;
	aad[9] = MBEDTLS_SSL_MAJOR_VERSION_3;
	aad[10] = MBEDTLS_SSL_MINOR_VERSION_3;
	aad[11] = (unsigned char)(n >> 8);
	aad[12] = (unsigned char)n;
	memcpy(rec, aad + 8, 3);
	rec[3] = (unsigned char)(len >> 8);
	rec[4] = (unsigned char)len;
	memcpy(rec + 5, ctr, 8);
	gcm_seal(tc->gcm, nonce, aad, sizeof aad, p, n, rec + 13, rec + 13 + n);
	tc->out_len += 5 + len;
	for (int i = 7; i >= 0 && !++ctr[i]; i--)
		;
}

/* Encrypt what msg holds into tc->out, as many records as it takes: the
 * plaintext bytes taken, or an mbedtls error.  Reads each iovec under g,
 * the body being a file's mapping (files.h). */
static int seal_msg(struct tls_conn *tc, const struct msghdr *msg, struct files_guard *g)
{
	size_t plain = 0;

	for (size_t i = 0; i < (size_t)msg->msg_iovlen; i++) {
		const unsigned char *p = msg->msg_iov[i].iov_base;
		size_t left = msg->msg_iov[i].iov_len;

		files_guard_arm(g, p, left);
		while (left && TLS_OUT_SIZE - tc->out_len >= TLS_RECORD_MAX) {
			int r = left < MBEDTLS_SSL_OUT_CONTENT_LEN ? (int)left
								   : MBEDTLS_SSL_OUT_CONTENT_LEN;

			if (tc->gcm)
				seal_record(tc, p, (size_t)r);
			else
				r = mbedtls_ssl_write(&tc->ssl, p, left);
			if (r < 0) {
				files_guard_disarm();
				return r;
			}
			p += r;
			left -= (size_t)r;
			plain += (size_t)r;
		}
	}
	files_guard_disarm();
	return (int)plain;
}

/* Encrypt what msg holds, as many records as the output buffer takes.  A
 * file truncated under the response faults in the encryption's read of
 * its mapping: that response ends (EFAULT), as a plain one's send would. */
void tls_send(struct server *s, struct conn *c, const struct msghdr *msg)
{
	struct tls_conn *tc = c->tls;
	struct files_guard g;
	int r;

	tc->out_len = tc->out_sent = 0;
	if (sigsetjmp(g.jb, 0)) {
		complete_now(s, c, OP_SEND, -EFAULT);
		return;
	}
	r = seal_msg(tc, msg, &g);
	if (r < 0) {
		complete_now(s, c, OP_SEND, fail(c, TLS_FAIL_RECORD, "unable to encrypt", r));
		return;
	}
	tc->result = r;
	arm_raw_send(s, c, OP_SEND);
}

int tls_completed(struct server *s, struct conn *c, int res)
{
	struct tls_conn *tc = c->tls;
	enum raw raw = tc->raw;

	tc->raw = RAW_NONE;
	switch (raw) {
	case RAW_NOP:
	case RAW_NONE:
		return tc->result;
	case RAW_SEND:
		if (res <= 0) {
			if (c->state == CONN_SEND)
				return res ? res : -EPIPE;
			return tc->handshaken ? -ECONNRESET
					      : fail(c, TLS_FAIL_HANDSHAKE, "handshake failed", 0);
		}
		tc->out_sent += (size_t)res;
		if (tc->out_sent < tc->out_len) {
			arm_raw_send(s, c, c->state == CONN_SEND ? OP_SEND : OP_RECV);
			return TLS_AGAIN;
		}
		tc->out_len = tc->out_sent = 0;
		if (c->state == CONN_SEND || tc->result)
			return tc->result;
		return step_recv(s, c);
	case RAW_RECV:
		if (res < 0) /* reset: mid-handshake, a refusal (OVMF refusing our chain) */
			return tc->handshaken || !tc->heard
				       ? res : fail(c, TLS_FAIL_HANDSHAKE, "handshake failed", 0);
		tc->in_len = (size_t)res;
		tc->eof = res == 0;
		tc->heard |= res > 0;
		return step_recv(s, c);
	}
	return -EINVAL;
}

void tls_close_notify(struct conn *c)
{
	struct tls_conn *tc = c->tls;

	tc->out_len = tc->out_sent = 0;
	if (tc->handshaken)
		mbedtls_ssl_close_notify(&tc->ssl);
	flush_now(tc);
}

bool tls_handshaking(const struct tls_conn *tc)
{
	return !tc->handshaken;
}

void tls_count_into(struct tls_site *t, struct tls_counters *n)
{
	t->n = n;
}

void tls_timed_out(struct tls_site *t, struct conn *c)
{
	t->n->failures[TLS_FAIL_TIMEOUT]++;
	log_info("%s TLS handshake not done in time", c->who);
}

void tls_log_counters(const struct tls_site *t)
{
	log_info("tls: %" PRIu64 " handshakes, %" PRIu64 " failed handshakes, %" PRIu64
		 " handshake timeouts, %" PRIu64 " bad records",
		 t->n->handshakes, t->n->failures[TLS_FAIL_HANDSHAKE],
		 t->n->failures[TLS_FAIL_TIMEOUT], t->n->failures[TLS_FAIL_RECORD]);
}

#else /* no CONFIG_HTTPD_TLS: HTTP only */

struct tls_site *tls_load(const char *cert, const char *key, const char *rsa_cert,
			  const char *rsa_key, const char *sni)
{
	(void)cert, (void)key, (void)rsa_cert, (void)rsa_key, (void)sni;
	die(EXIT_USAGE, "this httpd is built without TLS (HTTPD_TLS is off)");
}
void tls_free(struct tls_site *t) { (void)t; }
bool tls_worker_init(struct tls_site *t) { (void)t; return false; }
const char *tls_aes_note(void) { return ""; }
struct tls_conn *tls_conn_new(struct tls_site *t, int fd)
{
	(void)t, (void)fd;
	return NULL;
}
void tls_conn_free(struct tls_conn *tc) { (void)tc; }
void tls_recv(struct server *s, struct conn *c, void *buf, size_t len)
{
	(void)s, (void)c, (void)buf, (void)len;
}
void tls_send(struct server *s, struct conn *c, const struct msghdr *msg)
{
	(void)s, (void)c, (void)msg;
}
int tls_completed(struct server *s, struct conn *c, int res)
{
	(void)s, (void)c;
	return res;
}
void tls_close_notify(struct conn *c) { (void)c; }
bool tls_handshaking(const struct tls_conn *tc) { (void)tc; return false; }
void tls_timed_out(struct tls_site *t, struct conn *c) { (void)t, (void)c; }
void tls_log_counters(const struct tls_site *t) { (void)t; }
void tls_count_into(struct tls_site *t, struct tls_counters *n) { (void)t, (void)n; }

#endif

const char *tls_failure_name(enum tls_failure f)
{
	static const char *const names[TLS_FAIL_COUNT] = {
		[TLS_FAIL_HANDSHAKE] = "handshake failed",
		[TLS_FAIL_TIMEOUT] = "handshake timed out",
		[TLS_FAIL_RECORD] = "bad record",
	};

	return (unsigned)f < TLS_FAIL_COUNT ? names[f] : NULL;
}
