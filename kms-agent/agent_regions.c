// SPDX-License-Identifier: GPL-2.0
/*
 * The regions an agent serves, and the KMS of each.  ECS knows its
 * regions and refuses any other RegionId (InvalidRegionId.NotFound), so
 * does the agent: a region is served only when configured, spelt one way,
 * with an endpoint that cannot silently send the agent's signed requests
 * (and the data keys in the answers) somewhere readable on the way.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agent_regions.h"
#include "log.h"

static int fail(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Host names and IPv4 literals: letters, digits, '.' and '-'. */
static bool host_name_ok(const char *h, size_t n)
{
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '.' && h[i] != '-')
			return false;
	return true;
}

static bool host_is_loopback(const char *h, size_t n, bool bracketed)
{
	char buf[256];
	struct in_addr a4;
	struct in6_addr a6;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, h, n);
	buf[n] = '\0';
	if (bracketed)
		return inet_pton(AF_INET6, buf, &a6) == 1 &&
		       IN6_IS_ADDR_LOOPBACK(&a6);
	if (inet_pton(AF_INET, buf, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return !strcasecmp(buf, "localhost");
}

/*
 * @url is a KMS endpoint: https://HOST[:PORT][/], or http:// to a
 * loopback address (anywhere with @allow_http).  @what names the option
 * in the error.
 */
static int endpoint_check(const char *what, const char *url, bool allow_http,
			  char *why, size_t len)
{
	const char *auth, *end, *host, *port = NULL;
	size_t host_len;
	bool https, bracketed = false;

	if (!*url)
		return fail(why, len, "%s is empty: give the KMS's URL, e.g. https://kms.cn-hangzhou.aliyuncs.com",
			    what);
	if (!strstr(url, "://"))
		return fail(why, len, "%s %s has no scheme: write https://%s (http:// only to a loopback address)",
			    what, url, url);
	https = !strncasecmp(url, "https://", 8);
	if (!https && strncasecmp(url, "http://", 7))
		return fail(why, len, "%s %s: the KMS is reached over https (or http on loopback), not %.*s",
			    what, url, (int)(strstr(url, "://") - url), url);
	auth = url + (https ? 8 : 7);
	end = auth + strcspn(auth, "/?#");
	if (*end && strcmp(end, "/"))
		return fail(why, len, "%s %s: give only scheme://host[:port], without a path, query or fragment",
			    what, url);
	if (memchr(auth, '@', (size_t)(end - auth)))
		return fail(why, len, "%s %s: no user or password in the URL (the access key is in --credentials)",
			    what, url);
	host = auth;
	if (*host == '[') {
		const char *close = memchr(host, ']', (size_t)(end - host));
		char buf[64];
		struct in6_addr a6;

		host++;
		host_len = close ? (size_t)(close - host) : 0;
		if (!close || host_len >= sizeof(buf))
			return fail(why, len, "%s %s: bad IPv6 address", what, url);
		memcpy(buf, host, host_len);
		buf[host_len] = '\0';
		if (inet_pton(AF_INET6, buf, &a6) != 1)
			return fail(why, len, "%s %s: bad IPv6 address", what, url);
		bracketed = true;
		if (close + 1 < end && close[1] != ':')
			return fail(why, len, "%s %s: bad host", what, url);
		if (close + 1 < end)
			port = close + 2;
	} else {
		const char *colon = memchr(host, ':', (size_t)(end - host));

		host_len = (size_t)((colon ? colon : end) - host);
		if (!host_name_ok(host, host_len))
			return fail(why, len, "%s %s: bad host name %.*s", what,
				    url, (int)host_len, host);
		if (colon)
			port = colon + 1;
	}
	if (port) {
		unsigned long p = 0;
		const char *c;

		for (c = port; c < end && isdigit((unsigned char)*c) && p <= 65535; c++)
			p = p * 10 + (unsigned long)(*c - '0');
		if (c == port || c != end || p == 0 || p > 65535)
			return fail(why, len, "%s %s: bad port", what, url);
	}
	if (!https && !allow_http && !host_is_loopback(host, host_len, bracketed))
		return fail(why, len, "%s %s is plain http to a host that is not loopback: the KMS requests and their answers (data keys) would cross the network readable and forgeable; use https (or, in a lab, --kms-allow-http)",
			    what, url);
	return 0;
}

/* @tmpl with every {region} replaced by @region, into @out. */
static int expand(const char *what, const char *tmpl, const char *region,
		  char *out, size_t out_len, char *why, size_t len)
{
	const size_t ph = strlen(AGENT_REGION_PLACEHOLDER);
	size_t n = 0;

	while (*tmpl) {
		const char *piece = tmpl;
		size_t piece_len = 1;

		if (!strncmp(tmpl, AGENT_REGION_PLACEHOLDER, ph)) {
			piece = region;
			piece_len = strlen(region);
			tmpl += ph;
		} else {
			tmpl++;
		}
		if (n + piece_len >= out_len)
			return fail(why, len, "%s is longer than %zu bytes for region %s",
				    what, out_len - 1, region);
		memcpy(out + n, piece, piece_len);
		n += piece_len;
	}
	out[n] = '\0';
	if (strpbrk(out, "{}"))
		return fail(why, len, "%s %s: the one placeholder of a template is %s",
			    what, out, AGENT_REGION_PLACEHOLDER);
	return 0;
}

static int add_region(struct agent *a, const char *what, const char *id,
		      size_t id_len, char *why, size_t len)
{
	char buf[REGION_ID_MAX + 2];
	size_t n = id_len < sizeof(buf) ? id_len : sizeof(buf) - 1;

	memcpy(buf, id, n);	/* too long: refused below */
	buf[n] = '\0';
	if (n != id_len || !region_id_canonical(buf))
		return fail(why, len, "%s %.*s is not a region id as ECS spells them (lower-case letters and digits in words joined by - or ., at most %d bytes)",
			    what, (int)id_len, id, REGION_ID_MAX);
	for (size_t i = 0; i < a->n_regions; i++)
		if (!strcmp(a->regions[i].id, buf))
			return (int)i;
	if (a->n_regions == AGENT_MAX_REGIONS)
		return fail(why, len, "more than %d regions", AGENT_MAX_REGIONS);
	memcpy(a->regions[a->n_regions].id, buf, n + 1);	/* n <= REGION_ID_MAX */
	a->regions[a->n_regions].endpoint[0] = '\0';
	return (int)a->n_regions++;
}

static int add_list(struct agent *a, const char *list, char *why, size_t len)
{
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");
		int r;

		if (n == 0)
			return fail(why, len, "--regions %s: an empty region", list);
		r = add_region(a, "--regions:", p, n, why, len);
		if (r < 0)
			return r;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* --region-endpoint R=URL: the region is served, at that URL. */
static int add_endpoint(struct agent *a, const char *spec, bool allow_http,
			char *why, size_t len)
{
	const char *eq = strchr(spec, '=');
	struct agent_region *rg;
	char what[64];
	int i, r;

	if (!eq)
		return fail(why, len, "--region-endpoint %s: write REGION=URL", spec);
	i = add_region(a, "--region-endpoint", spec, (size_t)(eq - spec), why, len);
	if (i < 0)
		return i;
	rg = &a->regions[i];
	snprintf(what, sizeof(what), "--region-endpoint %s=", rg->id);
	if (rg->endpoint[0])
		return fail(why, len, "%s is given twice", what);
	r = expand(what, eq + 1, rg->id, rg->endpoint, sizeof(rg->endpoint),
		   why, len);
	if (r == 0)
		r = endpoint_check(what, rg->endpoint, allow_http, why, len);
	return r;
}

int agent_regions_configure(struct agent *a,
			    const struct agent_regions_config *cfg,
			    char *why, size_t why_len)
{
	const char *dflt = cfg->default_region;
	bool kms_endpoint_used = false;
	int r;

	a->n_regions = 0;
	r = add_region(a, "--region", dflt, strlen(dflt), why, why_len);
	for (size_t i = 0; r >= 0 && i < cfg->n_lists; i++)
		r = add_list(a, cfg->lists[i], why, why_len);
	for (size_t i = 0; r >= 0 && i < cfg->n_endpoints; i++)
		r = add_endpoint(a, cfg->endpoints[i], cfg->allow_http, why, why_len);
	if (r < 0)
		return r;
	for (size_t i = 0; i < a->n_regions; i++) {
		struct agent_region *rg = &a->regions[i];

		if (rg->endpoint[0])
			continue;
		if (!cfg->kms_endpoint)
			return fail(why, why_len, "region %s has no KMS: give --kms-endpoint URL (a template with %s serves each region at its own) or --region-endpoint %s=URL",
				    rg->id, AGENT_REGION_PLACEHOLDER, rg->id);
		r = expand("--kms-endpoint", cfg->kms_endpoint, rg->id,
			   rg->endpoint, sizeof(rg->endpoint), why, why_len);
		if (r == 0)
			r = endpoint_check("--kms-endpoint", rg->endpoint,
					   cfg->allow_http, why, why_len);
		if (r < 0)
			return r;
		kms_endpoint_used = true;
	}
	/* Given but used by no region: still no wrong value unnoticed. */
	if (cfg->kms_endpoint && !kms_endpoint_used) {
		char url[AGENT_ENDPOINT_MAX + 1];

		r = expand("--kms-endpoint", cfg->kms_endpoint, dflt, url,
			   sizeof(url), why, why_len);
		if (r == 0)
			r = endpoint_check("--kms-endpoint", url, cfg->allow_http,
					   why, why_len);
	}
	return r;
}

struct agent_region *agent_region_find(struct agent *a, const char *id)
{
	for (size_t i = 0; i < a->n_regions; i++)
		if (!strcmp(a->regions[i].id, id))
			return &a->regions[i];
	return NULL;
}

/* @id without case and leading or trailing punctuation, if that is served. */
static const char *meant(struct agent *a, const char *id)
{
	char buf[REGION_ID_MAX + 1];
	size_t n = 0;

	while (*id && !isalnum((unsigned char)*id))
		id++;
	while (*id && n < sizeof(buf) - 1)
		buf[n++] = (char)tolower((unsigned char)*id++);
	while (n && !isalnum((unsigned char)buf[n - 1]))
		n--;
	buf[n] = '\0';
	return agent_region_find(a, buf) ? agent_region_find(a, buf)->id : NULL;
}

int agent_regions_admit(struct op_ctx *ctx, const char *destination)
{
	struct agent *a = ctx->agent;
	const char *bad = NULL, *hint;
	char served[256] = "";
	size_t n = 0;

	if (!agent_region_find(a, ctx->region))
		bad = ctx->region;
	else if (destination && !agent_region_find(a, destination))
		bad = destination;
	if (!bad)
		return 0;
	for (size_t i = 0; i < a->n_regions && n < sizeof(served); i++)
		n += (size_t)snprintf(served + n, sizeof(served) - n, "%s%s",
				      i ? ", " : "", a->regions[i].id);
	if (n >= sizeof(served))
		memcpy(served + sizeof(served) - 4, "...", 4);
	hint = meant(a, bad);
	return op_fail_code(ctx, -ENOENT, ECS_ERR_REGION_NOT_FOUND,
		"The specified RegionId does not exist: %s is not a region of this agent (it serves %s)%s%s%s",
		bad, served, hint ? "; did you mean " : "", hint ? hint : "",
		hint ? "?" : "");
}

void agent_regions_log(const struct agent *a)
{
	for (size_t i = 0; i < a->n_regions; i++)
		log_info("region %s%s: KMS %s", a->regions[i].id,
			 strcmp(a->regions[i].id, a->default_region) ? "" :
			 " (default)", a->regions[i].endpoint);
}
