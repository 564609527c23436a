/* fuzz_http.c -- libFuzzer harness: any bytes into the dashboard server's
 * request checks (src/serve/serve_req.c), the part of a request the
 * server decides on before it touches the plant.
 *
 * An input is up to five lines and a body: the request target, then the
 * Host, Content-Type, Origin and Sec-Fetch-Site headers (a missing line is
 * a missing header), and after the fifth newline the POST body, NULs and
 * all. Besides "no crash, leak or undefined behaviour", the harness checks
 * what the server relies on: decoding never lengthens the path, a path it
 * accepts is UTF-8 without NUL or control characters, a station's name
 * lies inside the path, a refusal comes with a reason, and a control
 * accepted is a valid one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIELDS 5

static void require(int ok)
{
    if (!ok)
        abort();
}

/* The path: decoded in place as the server's unescape callback does. */
static void path(const char *target)
{
    size_t before = strlen(target);
    char *p = strdup(target);
    require(p != NULL);
    size_t n = serve_req_unescape(p);
    require(n == strlen(p) && n <= before);
    if (serve_req_path_ok(p)) {
        require(serve_req_utf8(p, n));
        for (size_t i = 0; i < n; i++)
            require((unsigned char)p[i] >= 0x20 && p[i] != 0x7f);
        const char *arg;
        serve_route r = serve_req_route(p, &arg);
        require((r == SERVE_ROUTE_STATION) == (arg != NULL));
        require(!arg || (arg > p && arg < p + n && *arg));
    }
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *field[FIELDS] = {0};
    size_t at = 0;
    for (int f = 0; f < FIELDS && at < size; f++) {
        const uint8_t *nl = memchr(data + at, '\n', size - at);
        size_t end = nl ? (size_t)(nl - data) : size;
        field[f] = strndup((const char *)data + at, end - at); /* stops at a NUL too */
        require(field[f] != NULL);
        at = nl ? end + 1 : size;
    }
    if (field[0])
        path(field[0]);
    const char *names[] = {"dash.plant.example", "192.0.2.2"};
    serve_hosts extra = {names, 2};
    bool host_ok = serve_req_host_ok(field[1], &extra);
    require(!host_ok || field[1]);
    const char *why = NULL;
    int status = serve_req_post_check(field[2], field[3], field[4], field[1], &why);
    require(status == 0 || ((status == 403 || status == 415) && why && *why));
    serve_control c;
    why = NULL;
    status = serve_req_control((const char *)data + at, size - at, &c, &why);
    if (status == 0)
        require(c.running >= -1 && c.running <= 1 && c.speed >= 0 && c.speed <= 1e6);
    else
        require(status == 400 && why && *why);
    for (int f = 0; f < FIELDS; f++)
        free(field[f]);
    return 0;
}
