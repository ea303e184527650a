/* SPDX-License-Identifier: MIT */
/* range.c -- Range, dates and content types; see range.h.  Pure. */
#include "range.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Digits at *p (before end) as a number, saturating; false if none. */
static bool number(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;

	*v = 0;
	while (*p < end && **p >= '0' && **p <= '9') {
		unsigned d = (unsigned)(**p - '0');

		*v = *v > (UINT64_MAX - d) / 10 ? UINT64_MAX : *v * 10 + d;
		(*p)++;
	}
	return *p > s;
}

enum range_result range_parse(const char *v, size_t len, uint64_t size, uint64_t *first,
			      uint64_t *last)
{
	const char *p = v, *end = v + len;
	uint64_t a = 0, b;
	bool suffix = false;

	if (len < 6 || strncasecmp(v, "bytes=", 6))
		return RANGE_WHOLE;
	p += 6;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '-') {
		p++;
		if (!number(&p, end, &b))
			return RANGE_WHOLE;
		suffix = true;
	} else {
		if (!number(&p, end, &a) || p == end || *p++ != '-')
			return RANGE_WHOLE;
		if (!number(&p, end, &b))
			b = UINT64_MAX;
		else if (b < a)
			return RANGE_WHOLE;
	}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p != end)
		return RANGE_WHOLE; /* several ranges, or garbage */
	if (suffix) {
		if (b == 0 || size == 0)
			return RANGE_UNSATISFIABLE;
		a = b < size ? size - b : 0;
		b = size - 1;
	}
	if (a >= size)
		return RANGE_UNSATISFIABLE;
	*first = a;
	*last = b < size ? b : size - 1;
	return RANGE_PART;
}

static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int month_index(const char *s)
{
	for (int i = 0; i < 12; i++)
		if (!memcmp(s, months[i], 3))
			return i;
	return -1;
}

bool http_date_parse(const char *v, size_t len, time_t *t)
{
	char buf[64], mon[4] = "", wday[16] = "", gmt[4] = "";
	int day, year, hh, mm, ss, n = 0, m;

	if (len >= sizeof buf)
		return false;
	memcpy(buf, v, len);
	buf[len] = '\0';
	/* IMF-fixdate, RFC 850, asctime; %n: the whole string was read */
	if (!((sscanf(buf, "%3s, %2d %3s %4d %2d:%2d:%2d %3s%n", wday, &day, mon, &year, &hh,
		      &mm, &ss, gmt, &n) == 8 && n == (int)len && len == 29) ||
	      (sscanf(buf, "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d %3s%n", wday, &day, mon, &year,
		      &hh, &mm, &ss, gmt, &n) == 8 && n == (int)len) ||
	      (sscanf(buf, "%3s %3s %2d %2d:%2d:%2d %4d%n", wday, mon, &day, &hh, &mm, &ss, &year,
		      &n) == 7 && n == (int)len && len == 24 && memcpy(gmt, "GMT", 4))))
		return false;
	if (strcmp(gmt, "GMT") || (m = month_index(mon)) < 0 || day < 1 || day > 31 ||
	    hh > 23 || mm > 59 || ss > 60 || hh < 0 || mm < 0 || ss < 0 || year < 0)
		return false;
	if (year < 100) /* RFC 850: a two-digit year within 50 years */
		year += year < 70 ? 2000 : 1900;
	*t = (time_t)(days_from_civil(year, (unsigned)m + 1, (unsigned)day) * 86400 +
		      hh * 3600 + mm * 60 + ss);
	return true;
}

void http_date_format(time_t t, char out[HTTP_DATE_LEN])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	/* the C locale's names are HTTP's: httpd never calls setlocale */
	if (!strftime(out, HTTP_DATE_LEN, "%a, %d %b %Y %H:%M:%S GMT", &tm))
		out[0] = '\0';
}

/* What a PXE lab serves.  Unlisted: application/octet-stream. */
static const struct {
	const char *ext, *type;
} types[] = {
	{ "ipxe", "text/plain" },	/* iPXE scripts: iPXE reads them by content */
	{ "txt", "text/plain" },	{ "cfg", "text/plain" },
	{ "conf", "text/plain" },	{ "html", "text/html" },
	{ "htm", "text/html" },		{ "css", "text/css" },
	{ "js", "text/javascript" },	{ "json", "application/json" },
	{ "xml", "application/xml" },	{ "iso", "application/x-iso9660-image" },
	{ "efi", "application/efi" },	{ "gz", "application/gzip" },
	{ "xz", "application/x-xz" },	{ "zst", "application/zstd" },
	{ "tar", "application/x-tar" },	{ "png", "image/png" },
	{ "svg", "image/svg+xml" },	{ "ico", "image/vnd.microsoft.icon" },
};

const char *http_content_type(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *dot = strrchr(slash ? slash + 1 : name, '.');

	if (dot)
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (!strcasecmp(dot + 1, types[i].ext))
				return types[i].type;
	return "application/octet-stream";
}
