/* SPDX-License-Identifier: MIT */
/* lib_bootslot -- libFuzzer: slot file names (bootslot_parse_name) on any
 * bytes, as a FAT directory or LoaderEntrySelected may hold them.  What it
 * accepts names slot A or B, has a generation of at most 9 digits and a
 * boot counter systemd-boot would parse the same way, or one it would not
 * (bad_counter: no tries left); the name the
 * install and mark-good steps write back from those values parses to the
 * same values. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bootslot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[BOOTSLOT_NAME_MAX + 8], again[BOOTSLOT_NAME_MAX];
	struct bootslot s, t;
	int slot;

	if (size >= sizeof name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	slot = bootslot_parse_name(name, &s);
	if (slot < 0)
		return 0;
	assert(slot == BOOTSLOT_A || slot == BOOTSLOT_B);
	assert(strlen(name) < BOOTSLOT_NAME_MAX && strcmp(s.name, name) == 0);
	assert(s.gen <= 999999999UL);
	assert((s.tries_left < 0) == (s.tries_done < 0));
	assert(s.tries_left <= 9999 && s.tries_done <= 9999);
	assert(!s.bad_counter || s.tries_left == 0);
	if (s.tries_left < 0)
		snprintf(again, sizeof again, "tern-%lu-%c.efi", s.gen, slot ? 'b' : 'a');
	else
		snprintf(again, sizeof again, "tern-%lu-%c+%d-%d.efi", s.gen, slot ? 'b' : 'a',
			 s.tries_left, s.tries_done);
	assert(bootslot_parse_name(again, &t) == slot);
	assert(t.gen == s.gen && t.tries_left == s.tries_left && t.tries_done == s.tries_done);
	return 0;
}
