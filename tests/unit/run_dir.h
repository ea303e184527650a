/* SPDX-License-Identifier: MIT */
/* run_dir.h -- a run directory of the test's own ($TERN_RUN_DIR, as in
 * app/lib/stats.h) with one subdirectory, for the tests of the shared
 * counters and the boot journal: run_dir_setup and run_dir_teardown as a
 * cmocka test's setup and teardown.  Header-only. */
#ifndef TERN_TEST_RUN_DIR_H
#define TERN_TEST_RUN_DIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char run[64], run_sub[96];

/* sub: "stats" or "journal", made inside run. */
static int run_dir_make(const char *sub)
{
	strcpy(run, "/tmp/tern-run.XXXXXX");
	if (!mkdtemp(run))
		return -1;
	snprintf(run_sub, sizeof run_sub, "%s/%s", run, sub);
	if (mkdir(run_sub, 0755))
		return -1;
	return setenv("TERN_RUN_DIR", run, 1);
}

static int run_dir_teardown(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", run);
	return system(cmd);
}

#endif
