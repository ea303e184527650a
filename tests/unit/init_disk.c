/* SPDX-License-Identifier: MIT */
/* init_disk -- finding the partitions by name (disk_uevent_parse) and when
 * the running slot may be marked good (disk_good_wait), app/init/disk.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "disk.h"

static bool parse(const char *text, char *dev, char *part)
{
	return disk_uevent_parse(text, strlen(text), dev, 16, part, 16);
}

static void a_partition_gives_its_device_and_name(void **state)
{
	char dev[16], part[16];

	(void)state;
	assert_true(parse("MAJOR=8\nMINOR=1\nDEVNAME=sda1\nDEVTYPE=partition\n"
			  "DISKSEQ=9\nPARTN=1\nPARTNAME=tern-esp\n", dev, part));
	assert_string_equal(dev, "sda1");
	assert_string_equal(part, "tern-esp");
	/* No newline at the end; keys in another order. */
	assert_true(parse("PARTNAME=tern-data\nDEVNAME=nvme0n1p2", dev, part));
	assert_string_equal(dev, "nvme0n1p2");
	assert_string_equal(part, "tern-data");
}

static void a_disk_or_an_unnamed_partition_is_not_one(void **state)
{
	char dev[16], part[16];

	(void)state;
	assert_false(parse("MAJOR=8\nMINOR=0\nDEVNAME=sda\nDEVTYPE=disk\n", dev, part));
	assert_false(parse("DEVNAME=sda1\nPARTN=1\n", dev, part));
	assert_false(parse("DEVNAME=sda1\nPARTNAME=\n", dev, part));
	/* A key that only starts like one. */
	assert_false(parse("DEVNAME=sda1\nPARTNAMEX=tern-esp\n", dev, part));
	assert_false(parse("", dev, part));
}

static void long_values_are_cut_to_the_buffer(void **state)
{
	char dev[16], part[16];

	(void)state;
	assert_true(parse("DEVNAME=abcdefghijklmnopqrstuvwxyz\nPARTNAME=x\n", dev, part));
	assert_string_equal(dev, "abcdefghijklmno");
}

static struct supervisor sv;

static void add(const char *name, enum service_policy policy, pid_t pid, int64_t started)
{
	struct service *s = &sv.svc[sv.n++];

	memset(s, 0, sizeof *s);
	strcpy(s->spec.name, name);
	s->spec.policy = policy;
	s->pid = pid;
	s->started_ms = started;
}

static void good_after_the_delay_since_ready_and_the_last_start(void **state)
{
	(void)state;
	sv.n = 0;
	add("tftpd", SERVICE_RESPAWN, 10, 1000);
	add("pxed", SERVICE_RESPAWN, 11, 1200);
	/* ready at 1500 (a reading rounded down), delay 15 s: due at 16501 */
	assert_int_equal(disk_good_wait(&sv, 1500, 1500, 15000), 15001);
	assert_int_equal(disk_good_wait(&sv, 16500, 1500, 15000), 1);
	assert_int_equal(disk_good_wait(&sv, 16501, 1500, 15000), 0);
	/* pxed restarted at 10000: the wait starts again from there. */
	sv.svc[1].started_ms = 10000;
	assert_int_equal(disk_good_wait(&sv, 16500, 1500, 15000), 8501);
	assert_int_equal(disk_good_wait(&sv, 25001, 1500, 15000), 0);
	/* No service at all: the delay after ready. */
	sv.n = 0;
	assert_int_equal(disk_good_wait(&sv, 2000, 1500, 0), 0);
	assert_int_equal(disk_good_wait(&sv, 2000, 1500, 1000), 501);
}

static void a_service_down_keeps_the_slot_on_trial(void **state)
{
	(void)state;
	sv.n = 0;
	add("tftpd", SERVICE_RESPAWN, 10, 0);
	add("relayd", SERVICE_RESPAWN, 0, 0); /* exited, waiting for its restart */
	assert_int_equal(disk_good_wait(&sv, 100000, 0, 15000), 1000);
}

static void once_services_and_the_shell_do_not_count(void **state)
{
	(void)state;
	sv.n = 0;
	add("setup", SERVICE_ONCE, 0, 500);
	add("sh", SERVICE_RESPAWN, 0, 0);
	sv.svc[1].console = true;
	add("old", SERVICE_RESPAWN, 0, 0);
	sv.svc[2].retiring = true;
	assert_int_equal(disk_good_wait(&sv, 20000, 1000, 15000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_partition_gives_its_device_and_name),
		cmocka_unit_test(a_disk_or_an_unnamed_partition_is_not_one),
		cmocka_unit_test(long_values_are_cut_to_the_buffer),
		cmocka_unit_test(good_after_the_delay_since_ready_and_the_last_start),
		cmocka_unit_test(a_service_down_keeps_the_slot_on_trial),
		cmocka_unit_test(once_services_and_the_shell_do_not_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
