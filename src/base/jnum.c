/*
 * jnum.c — JSON numbers to integers without undefined behaviour (see
 * jnum.h).  The comparisons are made on doubles before any cast, so NaN
 * (which compares false with everything) and ±inf are refused too.
 */
#include <math.h>

#include "jnum.h"

int
jnum_fits(double d, int64_t lo, int64_t hi)
{
	if (lo < -JNUM_MAX)
		lo = -JNUM_MAX;
	if (hi > JNUM_MAX)
		hi = JNUM_MAX;
	d = trunc(d);
	return d >= (double)lo && d <= (double)hi;
}

int
jnum_get(const cJSON *v, int64_t lo, int64_t hi, int64_t *out)
{
	if (!cJSON_IsNumber(v) || !jnum_fits(v->valuedouble, lo, hi))
		return 0;
	*out = (int64_t)v->valuedouble;
	return 1;
}

int64_t
jnum_or(const cJSON *v, int64_t lo, int64_t hi, int64_t def)
{
	int64_t x;
	return jnum_get(v, lo, hi, &x) ? x : def;
}

int64_t
jnum_scaled(const cJSON *v, double scale, int64_t lo, int64_t hi, int64_t def)
{
	if (!cJSON_IsNumber(v))
		return def;
	double d = v->valuedouble * scale;
	d = d < 0 ? d - 0.5 : d + 0.5;
	return jnum_fits(d, lo, hi) ? (int64_t)d : def;
}
