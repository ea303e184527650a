/* SPDX-License-Identifier: MIT */
/* lib_journal -- the boot journal (app/lib/journal.c, journal_summary.c):
 * a ring keeps its last events and no more, a slot being written is never
 * read, a restarted daemon continues its ring, and the per-client summary
 * joins pxed's MAC to tftpd's and httpd's addresses, names the stage a
 * boot reached, when it booted, and why it stalled. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "journal.h"
#include "run_dir.h"

static int setup(void **state)
{
	(void)state;
	return run_dir_make("journal");
}

static void add(struct journal *j, uint64_t bytes)
{
	struct journal_event *e = journal_begin(j);

	e->kind = JOURNAL_XFER_END;
	e->bytes = bytes;
	journal_commit(j, e);
}

static unsigned events_of(const struct journal *j, struct journal_event *out, unsigned max)
{
	size_t len;
	const void *mem = journal_memory(j, &len);

	return journal_ring_events(mem, len, out, max);
}

static void ring_keeps_the_last_capacity_events(void **state)
{
	struct journal *j = journal_open(JOURNAL_TFTPD, 0, 64);
	struct journal_event out[200];
	unsigned n;

	(void)state;
	for (uint64_t i = 1; i <= 150; i++)
		add(j, i);
	n = events_of(j, out, 200);
	assert_int_equal(n, 64);
	assert_int_equal(out[0].bytes, 150 - 63);
	assert_int_equal(out[0].seq, 150 - 63);
	assert_int_equal(out[63].bytes, 150);
	assert_int_equal(out[63].daemon, JOURNAL_TFTPD);
	assert_true(out[63].time_ms > 1600000000000LL);
	/* max: the newest max of them */
	n = events_of(j, out, 10);
	assert_int_equal(n, 10);
	assert_int_equal(out[0].bytes, 141);
	assert_int_equal(out[9].bytes, 150);
	journal_close(j);
}

static void slot_being_written_is_not_read(void **state)
{
	struct journal *j = journal_open(JOURNAL_PXED, -1, 64);
	struct journal_event out[64], *e;

	(void)state;
	add(j, 1);
	add(j, 2);
	e = journal_begin(j); /* the writer is in the middle of event 3 */
	e->bytes = 3;
	assert_int_equal(events_of(j, out, 64), 2);
	journal_commit(j, e);
	assert_int_equal(events_of(j, out, 64), 3);
	/* after a wrap, the slot being rewritten held event 1: gone, not
	 * read half old, half new */
	for (uint64_t i = 4; i <= 64; i++)
		add(j, i);
	e = journal_begin(j);
	assert_int_equal(events_of(j, out, 64), 63);
	assert_int_equal(out[0].bytes, 2);
	journal_commit(j, e);
	journal_close(j);
}

static void restarted_daemon_continues_its_ring(void **state)
{
	struct journal_event out[64];
	struct journal_reader *r;
	pid_t pid;
	int status, n;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) { /* the daemon before its restart */
		struct journal *j = journal_open(JOURNAL_HTTPD, 1, 64);

		for (uint64_t i = 1; i <= 5; i++)
			add(j, i);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	struct journal *j = journal_open(JOURNAL_HTTPD, 1, 64);
	add(j, 6);
	r = journal_reader_open(NULL);
	assert_non_null(r);
	n = journal_collect(r, out, 64);
	assert_int_equal(n, 6);
	assert_int_equal(out[0].bytes, 1);
	assert_int_equal(out[5].bytes, 6);
	assert_int_equal(out[5].seq, 6);
	journal_reader_close(r);
	journal_close(j);
	/* another capacity (a changed .config): a fresh ring */
	j = journal_open(JOURNAL_HTTPD, 1, 128);
	add(j, 7);
	r = journal_reader_open(NULL);
	n = journal_collect(r, out, 64);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].seq, 1);
	journal_reader_close(r);
	journal_close(j);
}

static void reader_refuses_bytes_that_are_not_a_ring(void **state)
{
	struct journal *j = journal_open(JOURNAL_TFTPD, -1, 64);
	struct journal_event out[64];
	size_t len;
	const unsigned char *mem = journal_memory(j, &len);
	unsigned char *copy = aligned_alloc(64, len);
	struct journal_head *h = (struct journal_head *)copy;

	(void)state;
	add(j, 1);
	memcpy(copy, mem, len);
	assert_int_equal(journal_ring_events(copy, len, out, 64), 1);
	assert_int_equal(journal_ring_events(copy, len - 1, out, 64), 0);
	h->capacity = 65;
	assert_int_equal(journal_ring_events(copy, len, out, 64), 0);
	memcpy(copy, mem, len);
	h->event_size = 128;
	assert_int_equal(journal_ring_events(copy, len, out, 64), 0);
	memcpy(copy, mem, len);
	h->magic[0] = 'x';
	assert_int_equal(journal_ring_events(copy, len, out, 64), 0);
	free(copy);
	journal_close(j);
}

/* -- the summary ------------------------------------------------------- */

static struct journal_event ev[64];
static unsigned nev;
static int64_t t0 = 1800000000000LL;

static struct journal_event *event(int64_t at_s, enum journal_daemon d, enum journal_kind k)
{
	struct journal_event *e = &ev[nev++];

	memset(e, 0, sizeof *e);
	e->time_ms = t0 + at_s * 1000;
	e->daemon = (uint8_t)d;
	e->kind = (uint8_t)k;
	e->seq = nev;
	return e;
}

static void mac(struct journal_event *e, uint8_t last)
{
	const uint8_t m[6] = { 0x52, 0x54, 0, 0x12, 0x34, last };

	memcpy(e->mac, m, 6);
	e->flags |= JOURNAL_HAS_MAC;
}

static void ip(struct journal_event *e, const char *a)
{
	uint32_t v;

	assert_int_equal(inet_pton(AF_INET, a, &v), 1);
	journal_set_ipv4(e, v);
}

static struct journal_event *dhcp(int64_t at, enum journal_kind k, uint8_t m, const char *a)
{
	struct journal_event *e = event(at, JOURNAL_PXED, k);

	mac(e, m);
	if (a)
		ip(e, a);
	e->proto = JOURNAL_DHCP;
	e->arch = 7;
	e->flags |= JOURNAL_HAS_ARCH;
	strcpy(e->vendor, "PXEClient:Arch:00007");
	return e;
}

static struct journal_event *xfer(int64_t at, enum journal_kind k, const char *a, const char *file,
				  enum journal_end end)
{
	struct journal_event *e = event(at, JOURNAL_TFTPD, k);

	ip(e, a);
	e->proto = JOURNAL_TFTP;
	e->end = (uint8_t)end;
	strcpy(e->file, file);
	return e;
}

static struct journal_client cl[8];
static struct journal_rules rules = { .stall_ms = 30000, .booted_files = "rootfs.cpio.gz" };

static unsigned summary(int64_t now_s, unsigned max)
{
	rules.now_ms = t0 + now_s * 1000;
	return journal_summary(ev, nev, &rules, cl, max);
}

static void a_whole_boot_joined_by_address(void **state)
{
	struct journal_event *e;

	(void)state;
	nev = 0;
	dhcp(0, JOURNAL_OFFER, 1, "192.0.2.50");
	dhcp(1, JOURNAL_ACK, 1, "192.0.2.50");
	xfer(2, JOURNAL_XFER_START, "192.0.2.50", "undionly.kpxe", 0);
	e = xfer(3, JOURNAL_XFER_END, "192.0.2.50", "undionly.kpxe", JOURNAL_END_DONE);
	e->bytes = 70000;
	e->ms = 500;
	/* iPXE asks again, then fetches its script and the lab's files over HTTP */
	dhcp(4, JOURNAL_OFFER, 1, "192.0.2.50");
	dhcp(4, JOURNAL_ACK, 1, "192.0.2.50");
	e = xfer(5, JOURNAL_XFER_END, "192.0.2.50", "boot.ipxe", JOURNAL_END_DONE);
	e->daemon = JOURNAL_HTTPD;
	e->proto = JOURNAL_HTTP;
	e = xfer(6, JOURNAL_XFER_END, "192.0.2.50", "bzImage", JOURNAL_END_DONE);
	e->proto = JOURNAL_HTTP;
	/* a client of another address in between: its own row */
	xfer(6, JOURNAL_REFUSED, "192.0.2.99", "x", JOURNAL_END_NOT_FOUND);
	assert_int_equal(summary(7, 8), 2);
	/* booted not yet: the initramfs has not come */
	assert_int_equal(cl[0].stage, JOURNAL_STAGE_FETCHED);
	assert_true(cl[0].has_mac);
	assert_int_equal(cl[0].mac[5], 1);
	assert_int_equal(cl[0].arch, 7);
	assert_string_equal(cl[0].vendor, "PXEClient:Arch:00007");
	assert_int_equal(cl[0].nfiles, 3);
	assert_string_equal(cl[0].files[0].name, "undionly.kpxe");
	assert_int_equal(cl[0].files[0].bytes, 70000);
	assert_int_equal(cl[0].files[0].ms, 500);
	assert_int_equal(cl[0].files[0].end, JOURNAL_END_DONE);
	assert_int_equal(cl[0].files[1].proto, JOURNAL_HTTP);
	assert_int_equal(cl[0].stall, JOURNAL_STALL_NONE);
	assert_false(cl[1].has_mac);
	e = xfer(40, JOURNAL_XFER_END, "192.0.2.50", "lab/rootfs.cpio.gz", JOURNAL_END_DONE);
	e->proto = JOURNAL_HTTP;
	assert_int_equal(summary(100, 8), 2);
	assert_int_equal(cl[0].stage, JOURNAL_STAGE_BOOTED);
	assert_int_equal(cl[0].stall, JOURNAL_STALL_NONE); /* quiet, but booted */
	assert_int_equal(cl[0].first_ms, t0);
	assert_int_equal(cl[0].last_ms, t0 + 40000);
	/* "rootfs.cpio.gz" is a name, not any suffix */
	nev--;
	xfer(40, JOURNAL_XFER_END, "192.0.2.50", "myrootfs.cpio.gz", JOURNAL_END_DONE);
	assert_int_equal(summary(41, 8), 2);
	assert_int_equal(cl[0].stage, JOURNAL_STAGE_FETCHED);
	/* the booted system's own DHCP (no option 93: udhcpc) is no new
	 * boot; it may move the client's address */
	nev--;
	xfer(40, JOURNAL_XFER_END, "192.0.2.50", "rootfs.cpio.gz", JOURNAL_END_DONE);
	e = dhcp(60, JOURNAL_DISCOVER, 1, "192.0.2.51");
	e->flags &= ~JOURNAL_HAS_ARCH;
	e = dhcp(61, JOURNAL_ACK, 1, "192.0.2.51");
	e->flags &= ~JOURNAL_HAS_ARCH;
	assert_int_equal(summary(62, 8), 2);
	assert_int_equal(cl[0].stage, JOURNAL_STAGE_BOOTED);
	assert_int_equal(cl[0].nfiles, 4);
	assert_int_equal(cl[0].last_ms, t0 + 61000);
	/* the next PXE DISCOVER after booting starts a new boot */
	dhcp(500, JOURNAL_OFFER, 1, "192.0.2.50");
	assert_int_equal(summary(501, 8), 2);
	assert_int_equal(cl[0].stage, JOURNAL_STAGE_OFFER);
	assert_int_equal(cl[0].nfiles, 0);
	assert_int_equal(cl[0].first_ms, t0 + 500000);
}

static void stall(enum journal_stall want, const char *cause, int64_t now)
{
	assert_int_equal(summary(now, 8), 1);
	assert_int_equal(cl[0].stall, want);
	if (cause)
		assert_string_equal(cl[0].cause, cause);
}

static void stall_causes(void **state)
{
	struct journal_event *e;

	(void)state;
	/* an offer, then nothing: not a stall until stall_ms have passed */
	nev = 0;
	dhcp(0, JOURNAL_OFFER, 2, "192.0.2.51");
	stall(JOURNAL_STALL_NONE, NULL, 29);
	stall(JOURNAL_STALL_OFFER_IGNORED, NULL, 30);
	/* proxy mode: our offer, the client's REQUEST to the site's server,
	 * then no TFTP */
	e = dhcp(1, JOURNAL_DHCP_OTHER, 2, "192.0.2.51");
	stall(JOURNAL_STALL_NO_FETCH, NULL, 40);
	assert_int_equal(cl[0].stage, JOURNAL_STAGE_OFFER);
	(void)e;
	nev = 0;
	dhcp(0, JOURNAL_ACK, 2, "192.0.2.51");
	stall(JOURNAL_STALL_NO_FETCH, NULL, 31);
	/* the file is not there: at once */
	xfer(2, JOURNAL_REFUSED, "192.0.2.51", "missing.efi", JOURNAL_END_NOT_FOUND);
	stall(JOURNAL_STALL_NOT_FOUND, "missing.efi", 2);
	assert_int_equal(cl[0].stage, JOURNAL_STAGE_FETCH);
	assert_int_equal(cl[0].files[0].end, JOURNAL_END_NOT_FOUND);
	/* refused, with why */
	e = xfer(3, JOURNAL_REFUSED, "192.0.2.51", "a", JOURNAL_END_REFUSED);
	strcpy(e->cause, "too many transfers");
	stall(JOURNAL_STALL_REFUSED, "a: too many transfers", 3);
	/* a transfer that started and never ended */
	xfer(4, JOURNAL_XFER_START, "192.0.2.51", "big", 0);
	stall(JOURNAL_STALL_NONE, NULL, 10);
	stall(JOURNAL_STALL_XFER_STALLED, "big", 34);
	assert_int_equal(cl[0].stage, JOURNAL_STAGE_FETCH);
	/* timed out after its OACK, or without options */
	e = xfer(5, JOURNAL_XFER_END, "192.0.2.51", "big", JOURNAL_END_TIMED_OUT);
	e->flags |= JOURNAL_OACK;
	stall(JOURNAL_STALL_AFTER_OACK, "big", 5);
	e->flags &= ~JOURNAL_OACK;
	stall(JOURNAL_STALL_TIMED_OUT, "big", 5);
	/* a UEFI size probe is not the client's last word */
	xfer(6, JOURNAL_XFER_START, "192.0.2.51", "s.efi", 0);
	e = xfer(6, JOURNAL_XFER_END, "192.0.2.51", "s.efi", JOURNAL_END_ABORTED);
	e->flags |= JOURNAL_PROBE;
	stall(JOURNAL_STALL_TIMED_OUT, "big", 6);
	assert_string_equal(cl[0].files[cl[0].nfiles - 1].name, "big");
	/* ended by the client */
	xfer(7, JOURNAL_XFER_END, "192.0.2.51", "t", JOURNAL_END_ABORTED);
	stall(JOURNAL_STALL_ABORTED, "t", 7);
	/* a file that is not the last, then quiet */
	xfer(8, JOURNAL_XFER_END, "192.0.2.51", "boot.ipxe", JOURNAL_END_DONE);
	stall(JOURNAL_STALL_NONE, NULL, 9);
	stall(JOURNAL_STALL_AFTER_FETCH, "boot.ipxe", 38);
	/* DISCOVER not answered, REQUEST NAKed */
	nev = 0;
	e = dhcp(0, JOURNAL_DISCOVER, 3, NULL);
	strcpy(e->cause, "not PXE");
	stall(JOURNAL_STALL_NOT_ANSWERED, "not PXE", 0);
	assert_int_equal(cl[0].family, 0);
	e = dhcp(1, JOURNAL_REQUEST, 3, "192.0.2.52");
	e->status = 6;
	stall(JOURNAL_STALL_NAK, NULL, 1);
	assert_int_equal(cl[0].stage, JOURNAL_STAGE_REQUEST);
}

static void table_bounded_keeps_the_latest_clients(void **state)
{
	(void)state;
	nev = 0;
	for (uint8_t m = 1; m <= 20; m++)
		dhcp(m, JOURNAL_OFFER, m, NULL);
	assert_int_equal(summary(21, 5), 5);
	assert_int_equal(cl[0].mac[5], 20);
	assert_int_equal(cl[4].mac[5], 16);
	/* files of a boot: the last JOURNAL_FILES_MAX */
	nev = 0;
	dhcp(0, JOURNAL_ACK, 1, "192.0.2.60");
	for (int i = 0; i < JOURNAL_FILES_MAX + 3; i++) {
		char name[16];

		snprintf(name, sizeof name, "f%d", i);
		xfer(1 + i, JOURNAL_XFER_END, "192.0.2.60", name, JOURNAL_END_DONE);
	}
	assert_int_equal(summary(20, 8), 1);
	assert_int_equal(cl[0].nfiles, JOURNAL_FILES_MAX);
	assert_string_equal(cl[0].files[0].name, "f3");
	/* events with neither MAC nor address belong to no one */
	nev = 0;
	event(0, JOURNAL_TFTPD, JOURNAL_XFER_END);
	assert_int_equal(summary(1, 8), 0);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(journal_stage_name(JOURNAL_STAGE_BOOTED), "booted");
	assert_string_equal(journal_stall_name(JOURNAL_STALL_NOT_FOUND), "file not found");
	assert_string_equal(journal_stall_name(JOURNAL_STALL_AFTER_OACK),
			    "transfer stalled after the OACK");
	assert_string_equal(journal_stage_name((enum journal_stage)99), "?");
	assert_string_equal(journal_end_name(JOURNAL_END_TIMED_OUT), "timed out");
	assert_string_equal(journal_daemon_name(JOURNAL_HTTPD), "httpd");
	assert_string_equal(journal_kind_name((enum journal_kind)0), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ring_keeps_the_last_capacity_events, setup,
						run_dir_teardown),
		cmocka_unit_test_setup_teardown(slot_being_written_is_not_read, setup,
						run_dir_teardown),
		cmocka_unit_test_setup_teardown(restarted_daemon_continues_its_ring, setup,
						run_dir_teardown),
		cmocka_unit_test_setup_teardown(reader_refuses_bytes_that_are_not_a_ring, setup,
						run_dir_teardown),
		cmocka_unit_test(a_whole_boot_joined_by_address),
		cmocka_unit_test(stall_causes),
		cmocka_unit_test(table_bounded_keeps_the_latest_clients),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
