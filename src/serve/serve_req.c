/* serve_req.c -- the dashboard server's request checks, without a socket
 * (serve_req.h): path decoding, routes, the Host and CSRF rules, and the
 * control body. Everything here is a function of its arguments, so that a
 * fuzzer can hammer it; serve_http.c owns the connections. */
#include "serve/serve_req.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

/* ---- the path ------------------------------------------------------------- */

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool serve_req_utf8(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text, *end = s + len;
    while (s < end) {
        unsigned c = *s;
        size_t n;
        unsigned cp, min;
        if (c < 0x80) {
            s++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false; /* a continuation byte first, or 0xf8..0xff */
        }
        if ((size_t)(end - s) <= n)
            return false;
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        s += n + 1;
    }
    return true;
}

size_t serve_req_unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r != '%') {
            *w++ = *r;
            continue;
        }
        int hi = hex(r[1]), lo = hi < 0 ? -1 : hex(r[2]);
        if (lo < 0 || (hi == 0 && lo == 0))
            goto bad;
        *w++ = (char)(hi * 16 + lo);
        r += 2;
    }
    *w = '\0';
    if (!serve_req_utf8(s, (size_t)(w - s)))
        goto bad;
    return (size_t)(w - s);
bad:
    strcpy(s, SERVE_REQ_BAD_PATH); /* 1 byte: never longer than what it replaces */
    return strlen(SERVE_REQ_BAD_PATH);
}

bool serve_req_path_ok(const char *path)
{
    size_t len = strlen(path);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
            return false;
    return serve_req_utf8(path, len);
}

static const struct {
    const char *path;
    serve_route route;
} routes[] = {
    {"/", SERVE_ROUTE_PAGE},
    {"/index.html", SERVE_ROUTE_PAGE},
    {"/app.js", SERVE_ROUTE_APP_JS},
    {"/fleet.js", SERVE_ROUTE_FLEET_JS},
    {"/app.css", SERVE_ROUTE_CSS},
    {"/vendor/chart.js", SERVE_ROUTE_CHART_JS},
    {"/api/model", SERVE_ROUTE_MODEL},
    {"/api/state", SERVE_ROUTE_STATE},
    {"/api/kpis", SERVE_ROUTE_KPIS},
    {"/api/forecast", SERVE_ROUTE_FORECAST},
    {"/api/events", SERVE_ROUTE_EVENTS},
    {"/api/control", SERVE_ROUTE_CONTROL},
};

serve_route serve_req_route(const char *path, const char **arg)
{
    static const char stations[] = "/api/stations/";
    *arg = NULL;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (!strcmp(path, routes[i].path))
            return routes[i].route;
    if (!strncmp(path, stations, sizeof stations - 1) && path[sizeof stations - 1]) {
        *arg = path + sizeof stations - 1;
        return SERVE_ROUTE_STATION;
    }
    return SERVE_ROUTE_NONE;
}

/* ---- the Host header ------------------------------------------------------------ */

/* Split "NAME[:PORT]" / "[V6][:PORT]" into the name (brackets kept) and
 * check the port is digits; the length of the name, 0 when malformed. */
static size_t host_name(const char *host)
{
    size_t n;
    const char *rest;
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (!close)
            return 0;
        n = (size_t)(close - host) + 1;
        rest = close + 1;
    } else {
        n = strcspn(host, ":");
        rest = host + n;
    }
    if (*rest == ':') {
        rest++;
        if (!*rest || strlen(rest) > 5 || strspn(rest, "0123456789") != strlen(rest))
            return 0;
    } else if (*rest) {
        return 0;
    }
    return n;
}

static bool loopback(const char *name, size_t n)
{
    char buf[64];
    if (n == 9 && !strncasecmp(name, "localhost", 9))
        return true;
    if (n >= sizeof buf)
        return false;
    memcpy(buf, name, n);
    buf[n] = '\0';
    if (!strcmp(buf, "[::1]"))
        return true;
    struct in_addr a;
    return inet_pton(AF_INET, buf, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

bool serve_req_host_ok(const char *host, const serve_hosts *extra)
{
    if (!host)
        return false;
    size_t n = host_name(host);
    if (!n)
        return false;
    if (loopback(host, n))
        return true;
    for (size_t i = 0; extra && i < extra->n; i++)
        if (strlen(extra->names[i]) == n && !strncasecmp(host, extra->names[i], n))
            return true;
    return false;
}

/* ---- CSRF ------------------------------------------------------------------------- */

static bool is_json(const char *type)
{
    static const char want[] = "application/json";
    if (!type || strncasecmp(type, want, sizeof want - 1) != 0)
        return false;
    const char *rest = type + sizeof want - 1;
    rest += strspn(rest, " \t");
    return *rest == '\0' || *rest == ';';
}

static bool same_origin(const char *origin, const char *host)
{
    const char *rest = !strncasecmp(origin, "http://", 7)    ? origin + 7
                       : !strncasecmp(origin, "https://", 8) ? origin + 8
                                                             : NULL;
    return rest && host && !strcasecmp(rest, host);
}

int serve_req_post_check(const char *content_type, const char *origin,
                         const char *fetch_site, const char *host, const char **why)
{
    if (!is_json(content_type)) {
        *why = "a change needs 'Content-Type: application/json'";
        return 415;
    }
    if (fetch_site && strcasecmp(fetch_site, "same-origin") != 0 &&
        strcasecmp(fetch_site, "none") != 0) {
        *why = "a change must come from the dashboard's own page (Sec-Fetch-Site)";
        return 403;
    }
    if (origin && !same_origin(origin, host)) {
        *why = "a change must come from the dashboard's own page (Origin)";
        return 403;
    }
    return 0;
}

/* ---- the control body -------------------------------------------------------------- */

int serve_req_control(const char *body, size_t len, serve_control *c, const char **why)
{
    *c = (serve_control){.running = -1};
    json_error_t je;
    json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    int status = 400;
    const char *action = json_string_value(json_object_get(doc, "action"));
    json_t *speed = json_object_get(doc, "speed");
    if (!json_is_object(doc)) {
        *why = "expected a JSON object like {\"action\": \"pause\"}";
    } else if (speed && (!json_is_number(speed) || !(json_number_value(speed) > 0) ||
                         json_number_value(speed) > 1e6)) {
        *why = "'speed' must be a number > 0 and <= 1e6";
    } else if (!action || (strcmp(action, "run") && strcmp(action, "pause") &&
                           strcmp(action, "speed") && strcmp(action, "restart"))) {
        *why = "'action' must be one of run, pause, restart, speed";
    } else if (!strcmp(action, "speed") && !speed) {
        *why = "'speed' action needs a 'speed' number";
    } else {
        c->running = !strcmp(action, "run") ? 1 : !strcmp(action, "pause") ? 0 : -1;
        c->speed = speed ? json_number_value(speed) : 0;
        c->restart = !strcmp(action, "restart");
        status = 0;
    }
    json_decref(doc);
    return status;
}
