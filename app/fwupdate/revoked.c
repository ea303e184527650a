/* SPDX-License-Identifier: MIT */
/* revoked.c -- see revoked.h. */
#include "revoked.h"

#include "hex.h"

enum conf_result revoked_parse_line(const char *line, size_t len, uint8_t id[TFW_KEY_ID_SIZE],
				    char why[CONF_WHY_MAX])
{
	size_t i = 0, n;

	while (i < len && conf_is_blank(line[i]))
		i++;
	if (i == len || line[i] == '#')
		return CONF_SKIP;
	for (n = 0; i + n < len && !conf_is_blank(line[i + n]); n++)
		if (n < 2 * TFW_KEY_ID_SIZE && hex_digit(line[i + n]) < 0)
			return conf_badf(why, "a key id is %d hexadecimal digits (tfw show, "
					 "fwupdate -s print them)", 2 * TFW_KEY_ID_SIZE);
	if (n != 2 * TFW_KEY_ID_SIZE)
		return conf_badf(why, "a key id is %d hexadecimal digits, not %zu",
				 2 * TFW_KEY_ID_SIZE, n);
	for (size_t k = 0; k < TFW_KEY_ID_SIZE; k++)
		id[k] = (uint8_t)(hex_digit(line[i + 2 * k]) << 4 | hex_digit(line[i + 2 * k + 1]));
	return CONF_OK;
}
