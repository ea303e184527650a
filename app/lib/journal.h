/* SPDX-License-Identifier: MIT */
/* journal.h -- the boot journal: what each client did, daemon by daemon,
 * in a bounded ring of fixed-size events per daemon process, shared
 * through a file mapping so that the status page (httpd) reads it and a
 * restarted daemon carries on where it stopped.
 *
 * Writer (pxed, tftpd, httpd; once, before chroot and privilege drop):
 *
 *     struct journal *j = journal_open("tftpd", worker);
 *     struct journal_event *e = journal_begin(j);   // the next slot, zeroed
 *     e->kind = JOURNAL_XFER_END; e->bytes = ...;   // plain stores
 *     journal_commit(j, e);                         // stamped, published
 *
 * No system call, no lock, no allocation an event: a slot is cleared,
 * filled and published with a release store of its sequence number.
 * The ring is <run>/journal/<daemon>[.<instance>] (<run> as in stats.h),
 * CONFIG_JOURNAL_EVENTS (app/lib/Kconfig) events of JOURNAL_EVENT_SIZE bytes plus a page of
 * header, mode 0644.  A daemon that restarts reopens its ring when the
 * file is whole and of this build's layout, and continues its sequence;
 * otherwise it starts the ring afresh.  Without <run>/journal (a daemon
 * run by hand, a host test that did not ask for it) the ring is private
 * memory: the same code runs, nobody reads it.
 *
 * Keys: pxed's events carry the client's MAC and, once it knows one, its
 * IP (the address it offered or acked, the client's ciaddr, or the
 * address it asked for in option 50 -- pxed sees that REQUEST even in
 * proxy mode, where the site's server answers it).  tftpd's and httpd's
 * events carry the client's IP only; journal_summary joins them to the
 * MAC through pxed's events.  Bounded in every dimension: a flood of
 * random MACs overwrites old events, nothing grows.
 *
 * Reader (the page): journal_reader_open + journal_collect copy every
 * ring's valid events into a caller's array; journal_summary (pure)
 * merges them into a table of clients and their last boot.
 */
#ifndef TERN_JOURNAL_H
#define TERN_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JOURNAL_MAGIC   "TERNJRNL"
#define JOURNAL_VERSION 1
#define JOURNAL_EVENT_SIZE 256

enum journal_daemon { JOURNAL_PXED = 1, JOURNAL_TFTPD, JOURNAL_HTTPD };

/* What an event records.  pxed writes one event per DHCP message it
 * handles, named by what it did; tftpd writes START and END per transfer
 * (or REFUSED); httpd writes END per file response (or REFUSED). */
enum journal_kind {
	JOURNAL_DISCOVER = 1, /* a DISCOVER not answered: cause says why */
	JOURNAL_OFFER,        /* a DISCOVER answered: OFFER (proxy: no address) */
	JOURNAL_REQUEST,      /* a REQUEST/INFORM not answered, or NAKed: cause */
	JOURNAL_ACK,          /* a REQUEST/INFORM answered with an ACK (67 or 4011) */
	JOURNAL_DHCP_OTHER,   /* RELEASE, DECLINE, ...: cause names it */
	JOURNAL_XFER_START,   /* a transfer began (options negotiated) */
	JOURNAL_XFER_END,     /* a transfer ended: bytes, ms, end */
	JOURNAL_REFUSED,      /* a request refused before any transfer: end, cause */
	JOURNAL_KIND_COUNT
};

enum journal_proto { JOURNAL_DHCP = 1, JOURNAL_PXE /* 4011 */, JOURNAL_TFTP, JOURNAL_HTTP,
		     JOURNAL_HTTPS };

/* How a transfer ended (END, REFUSED). */
enum journal_end {
	JOURNAL_END_NONE = 0,
	JOURNAL_END_DONE,       /* every byte sent and acknowledged */
	JOURNAL_END_TIMED_OUT,  /* the client went quiet */
	JOURNAL_END_ABORTED,    /* the client ended it (TFTP ERROR, connection reset) */
	JOURNAL_END_NOT_FOUND,  /* no such file */
	JOURNAL_END_REFUSED,    /* denied, busy, bad request: cause says which */
	JOURNAL_END_ERROR,      /* the server failed (send error, I/O) */
	JOURNAL_END_COUNT
};

/* flags */
#define JOURNAL_HAS_MAC   1u
#define JOURNAL_HAS_ARCH  2u
#define JOURNAL_HAS_RANGE 4u /* range_first..range_last (HTTP) */
#define JOURNAL_OACK      8u /* TFTP: options were acknowledged (an OACK went) */
#define JOURNAL_PROBE    16u /* END: a UEFI size probe (tsize asked, then ended
			      * by the client on purpose): not a boot stage */

/* One event, JOURNAL_EVENT_SIZE bytes.  Strings are NUL-terminated
 * (journal_set_str cuts them). */
struct journal_event {
	uint64_t seq;           /* 1, 2, ...: this ring's count; 0: slot being written */
	int64_t time_ms;        /* CLOCK_REALTIME, ms */
	uint64_t bytes;         /* END: bytes of the file sent */
	uint64_t size;          /* the file's size, when known (tsize, Content-Length) */
	uint64_t range_first, range_last; /* HTTP range, inclusive (JOURNAL_HAS_RANGE) */
	uint32_t ms;            /* END: the transfer's duration */
	uint16_t blksize, windowsize; /* TFTP, as negotiated */
	uint16_t arch;          /* option 93 (JOURNAL_HAS_ARCH) */
	uint16_t status;        /* HTTP status; TFTP error code sent or received */
	uint8_t mac[6];         /* JOURNAL_HAS_MAC */
	uint8_t daemon, kind, proto, end; /* the enums above */
	uint8_t family;         /* AF_INET, AF_INET6; 0: no address */
	uint8_t flags;
	uint8_t ip[16];         /* IPv4 in the first 4 bytes */
	char vendor[40];        /* option 60 (PXE's is 32 characters) */
	char cause[32];         /* why refused / not answered; DHCP outcome */
	char file[96];          /* file offered, requested or sent (its path) */
};
_Static_assert(sizeof(struct journal_event) == JOURNAL_EVENT_SIZE, "journal event size");

struct journal_head {
	char magic[8];          /* JOURNAL_MAGIC */
	uint32_t version;       /* JOURNAL_VERSION */
	uint32_t head_size;     /* events start here (4096) */
	uint32_t event_size;    /* JOURNAL_EVENT_SIZE */
	uint32_t capacity;      /* events in the ring */
	uint32_t daemon;        /* enum journal_daemon */
	int32_t pid;            /* the process writing now */
	uint64_t next;          /* seq of the next event (release-stored) */
	char name[16];          /* "tftpd" */
	char instance[16];      /* "0".. for workers, "" for one process */
};

/* -- writer ------------------------------------------------------------ */

struct journal;

/* The ring of daemon (instance: a worker's number, -1 for none), shared
 * when <run>/journal exists, private otherwise; capacity events (the
 * daemons pass CONFIG_JOURNAL_EVENTS: no file of app/lib reads config.h,
 * which host tools built from app/lib lack).  Never NULL (dies when no
 * memory at all). */
struct journal *journal_open(enum journal_daemon daemon, int instance, unsigned capacity);

/* Unmap and free j (a daemon keeps its journal for life; tests close). */
void journal_close(struct journal *j);

/* The next slot, zeroed but for daemon, unpublished (seq 0) until
 * journal_commit, which stamps time_ms (when still 0) and seq.  One
 * writer: begin and commit in turn, never two begins. */
struct journal_event *journal_begin(struct journal *j);
void journal_commit(struct journal *j, struct journal_event *e);

/* The ring's bytes (its file's whole mapping, or the private memory):
 * what journal_ring_events reads; for tests and a reader in the same
 * process. */
const void *journal_memory(const struct journal *j, size_t *len);

/* Copy s into dst[size], cut to fit, NUL-terminated. */
void journal_set_str(char *dst, size_t size, const char *s);
/* The address of a struct sockaddr (IPv4, IPv6, v4-mapped taken as IPv4)
 * into e->family and e->ip. */
void journal_set_addr(struct journal_event *e, const void *sockaddr);
void journal_set_ipv4(struct journal_event *e, uint32_t addr_be);

/* -- reader ------------------------------------------------------------ */

/* The events of the len bytes at ring (one ring file's mapping) that are
 * whole and published, oldest first, into out (at most max).  A slot
 * being rewritten meanwhile is left out (its seq before and after the
 * copy differ).  Returns how many; 0 for bytes that are not a ring of
 * this layout.  The only parser of ring bytes; fuzzed. */
unsigned journal_ring_events(const void *ring, size_t len, struct journal_event *out,
			     unsigned max);

struct journal_reader;

/* The directory (NULL: <run>/journal), opened now (before any chroot). */
struct journal_reader *journal_reader_open(const char *dir);
void journal_reader_close(struct journal_reader *r);

/* Every ring's events in the directory, into out (at most max).  Returns
 * how many; -1 (errno) when the directory cannot be read. */
int journal_collect(struct journal_reader *r, struct journal_event *out, unsigned max);

/* -- the per-client summary (pure) --------------------------------------- */

/* The last stage a client's boot reached, in order. */
enum journal_stage {
	JOURNAL_STAGE_NONE = 0,
	JOURNAL_STAGE_DISCOVER, /* asked (DISCOVER), not answered */
	JOURNAL_STAGE_OFFER,    /* offered an address and/or a boot file */
	JOURNAL_STAGE_REQUEST,  /* asked for it (REQUEST), not acked */
	JOURNAL_STAGE_ACK,      /* acked: it has its address and boot file */
	JOURNAL_STAGE_FETCH,    /* a file transfer began */
	JOURNAL_STAGE_FETCHED,  /* its last transfer completed */
	JOURNAL_STAGE_BOOTED,   /* a final file completed (rules->booted_files) */
	JOURNAL_STAGE_COUNT
};

/* Why a client's boot stopped where it did (JOURNAL_STALL_NONE: it has
 * not, or it is still within rules->stall_ms of its last event). */
enum journal_stall {
	JOURNAL_STALL_NONE = 0,
	JOURNAL_STALL_NOT_ANSWERED,   /* its DISCOVER/REQUEST got no answer (cause) */
	JOURNAL_STALL_OFFER_IGNORED,  /* an OFFER, then nothing */
	JOURNAL_STALL_NAK,            /* its REQUEST was NAKed */
	JOURNAL_STALL_NO_FETCH,       /* acked (or proxy-offered), then no TFTP/HTTP request */
	JOURNAL_STALL_NOT_FOUND,      /* the file it asked for does not exist */
	JOURNAL_STALL_REFUSED,        /* a request refused (cause) */
	JOURNAL_STALL_AFTER_OACK,     /* a TFTP transfer timed out after its OACK */
	JOURNAL_STALL_TIMED_OUT,      /* a transfer timed out */
	JOURNAL_STALL_ABORTED,        /* the client ended a transfer */
	JOURNAL_STALL_XFER_STALLED,   /* a transfer began and never ended */
	JOURNAL_STALL_AFTER_FETCH,    /* a file came, then nothing, and it was not a final one */
	JOURNAL_STALL_COUNT
};

#define JOURNAL_FILES_MAX 8  /* files kept per client's boot: the last ones */

struct journal_file {
	char name[96];
	uint8_t proto, end;      /* enum journal_proto, enum journal_end (NONE: running) */
	uint64_t bytes, size;
	uint32_t ms;             /* duration; rate = bytes / ms */
	int64_t start_ms;
};

struct journal_client {
	uint8_t mac[6];
	bool has_mac;
	uint8_t family, ip[16];       /* 0: no address known */
	uint16_t arch;
	bool has_arch;
	char vendor[40];
	enum journal_stage stage;
	enum journal_stall stall;
	char cause[96];               /* the stall's detail: a cause or a file name */
	int64_t first_ms, last_ms;    /* this boot's first and last event (realtime) */
	struct journal_file files[JOURNAL_FILES_MAX];
	unsigned nfiles;              /* files[0..nfiles-1], oldest first */
};

struct journal_rules {
	int64_t now_ms;          /* CLOCK_REALTIME now */
	int64_t stall_ms;        /* quiet this long after a stage: stalled */
	/* A client has booted when a transfer completes whose path ends
	 * with one of these names, space separated: by default the initramfs
	 * the lab serves last (CONFIG_JOURNAL_BOOTED_FILES), since firmware,
	 * iPXE and the kernel fetch it after everything else.  NULL or "":
	 * never booted, only FETCHED. */
	const char *booted_files;
};

/* The clients of events ev[0..n-1] (any order, several rings mixed;
 * sorted in place by time) and their last boot, most recent first, into
 * out (at most max: the clients seen last are kept).  A client is its
 * MAC; an event with no MAC belongs to the client pxed last saw with its
 * IP, or to a client known by that IP only.  A DISCOVER after a client
 * booted starts its next boot (the table shows the last).  Returns how
 * many clients.  No I/O (a scratch array of max rows is allocated). */
unsigned journal_summary(struct journal_event *ev, unsigned n, const struct journal_rules *rules,
			 struct journal_client *out, unsigned max);

const char *journal_stage_name(enum journal_stage s);   /* "booted" */
const char *journal_stall_name(enum journal_stall s);   /* "file not found" */
const char *journal_kind_name(enum journal_kind k);     /* "offer" */
const char *journal_end_name(enum journal_end e);       /* "timed out" */
const char *journal_proto_name(enum journal_proto p);   /* "tftp" */
const char *journal_daemon_name(enum journal_daemon d); /* "pxed" */

#endif
