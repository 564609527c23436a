/* test_serve_req.c -- the dashboard server's request checks without a
 * socket (src/serve/serve_req.c): %-decoding with NUL and invalid UTF-8
 * refused (RFC 3629's well-formed byte sequences, Table 3-7 of the Unicode
 * standard), the routes, the Host rule against DNS rebinding, the CSRF rule
 * for POSTs (the Fetch standard's "simple" content types are the ones a
 * cross-site page can send without a preflight) and the control body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "serve/serve_req.h"

/* ---- decoding ---------------------------------------------------------------- */

static void decode(const char *in, char *out, size_t cap)
{
    assert_true(strlen(in) < cap);
    strcpy(out, in);
    size_t n = serve_req_unescape(out);
    assert_int_equal(n, strlen(out));
}

static void test_escapes_decode_to_utf8(void **state)
{
    (void)state;
    char b[128];
    decode("/api/stations/%E6%80%BB%E8%A3%85", b, sizeof b);
    assert_string_equal(b, "/api/stations/\xe6\x80\xbb\xe8\xa3\x85"); /* 总装 */
    assert_true(serve_req_path_ok(b));
    decode("/a%2Fb%20c", b, sizeof b);
    assert_string_equal(b, "/a/b c");
    assert_true(serve_req_path_ok(b));
    decode("/plain", b, sizeof b);
    assert_string_equal(b, "/plain");
}

static void assert_refused(const char *in)
{
    char b[128];
    decode(in, b, sizeof b);
    assert_false(serve_req_path_ok(b));
}

static void test_nul_and_invalid_utf8_are_refused(void **state)
{
    (void)state;
    assert_refused("/api/stations/S%00anything"); /* would be station S if cut at the NUL */
    assert_refused("/%00");
    assert_refused("/%FF");                       /* never in UTF-8 */
    assert_refused("/%C0%AF");                    /* overlong '/' */
    assert_refused("/%E0%80%AF");                 /* overlong '/' in three bytes */
    assert_refused("/%ED%A0%80");                 /* U+D800, a surrogate */
    assert_refused("/%F4%90%80%80");              /* U+110000, above the last code point */
    assert_refused("/%E6%80");                    /* a sequence cut short */
    assert_refused("/%80");                       /* a continuation byte first */
    assert_refused("/%");                         /* an escape without digits */
    assert_refused("/%4");
    assert_refused("/%G1");
    assert_refused("/\xff");                      /* a raw byte that is not UTF-8 */
}

static void test_control_characters_are_refused(void **state)
{
    (void)state;
    assert_false(serve_req_path_ok("/a\nb"));
    assert_false(serve_req_path_ok("/a\x7f"));
    assert_true(serve_req_path_ok("/\xf0\x9f\x8f\xad")); /* U+1F3ED, four bytes */
}

static void test_utf8_boundaries(void **state)
{
    (void)state;
    assert_true(serve_req_utf8("\xc2\x80", 2));          /* U+0080, the first two-byte */
    assert_true(serve_req_utf8("\xef\xbf\xbf", 3));      /* U+FFFF */
    assert_true(serve_req_utf8("\xf4\x8f\xbf\xbf", 4));  /* U+10FFFF, the last */
    assert_false(serve_req_utf8("\xc1\xbf", 2));         /* overlong U+007F */
    assert_false(serve_req_utf8("\xf8\x88\x80\x80\x80", 5));
}

/* ---- routes --------------------------------------------------------------------- */

static void test_routes(void **state)
{
    (void)state;
    const char *arg;
    assert_int_equal(serve_req_route("/", &arg), SERVE_ROUTE_PAGE);
    assert_int_equal(serve_req_route("/api/events", &arg), SERVE_ROUTE_EVENTS);
    assert_int_equal(serve_req_route("/api/control", &arg), SERVE_ROUTE_CONTROL);
    assert_int_equal(serve_req_route("/api/stations/总装", &arg), SERVE_ROUTE_STATION);
    assert_string_equal(arg, "总装");
    assert_int_equal(serve_req_route("/api/stations/", &arg), SERVE_ROUTE_NONE);
    assert_null(arg);
    assert_int_equal(serve_req_route("/api/state/", &arg), SERVE_ROUTE_NONE);
    assert_int_equal(serve_req_route("/API/state", &arg), SERVE_ROUTE_NONE);
}

/* ---- Host ---------------------------------------------------------------------- */

static void test_loopback_hosts_are_ours(void **state)
{
    (void)state;
    assert_true(serve_req_host_ok("localhost", NULL));
    assert_true(serve_req_host_ok("LocalHost:8080", NULL));
    assert_true(serve_req_host_ok("127.0.0.1:8080", NULL));
    assert_true(serve_req_host_ok("127.1.2.3", NULL));
    assert_true(serve_req_host_ok("[::1]:8080", NULL));
}

static void test_other_hosts_are_not(void **state)
{
    (void)state;
    assert_false(serve_req_host_ok(NULL, NULL));
    assert_false(serve_req_host_ok("", NULL));
    assert_false(serve_req_host_ok("evil.example", NULL));
    assert_false(serve_req_host_ok("localhost.evil.example", NULL));
    assert_false(serve_req_host_ok("128.0.0.1", NULL));
    assert_false(serve_req_host_ok("127.0.0.1:", NULL));       /* an empty port */
    assert_false(serve_req_host_ok("127.0.0.1:80x", NULL));
    assert_false(serve_req_host_ok("127.0.0.1:123456", NULL));
    assert_false(serve_req_host_ok("[::1", NULL));
    assert_false(serve_req_host_ok("[::1]x", NULL));
    assert_false(serve_req_host_ok("localhost\r\nX: y", NULL));
}

static void test_extra_hosts_are_ours(void **state)
{
    (void)state;
    const char *names[] = {"dash.plant.example", "192.0.2.2"};
    serve_hosts extra = {names, 2};
    assert_true(serve_req_host_ok("DASH.plant.example:8080", &extra));
    assert_true(serve_req_host_ok("192.0.2.2", &extra));
    assert_false(serve_req_host_ok("dash.plant.example.evil", &extra));
    assert_false(serve_req_host_ok("dash.plant", &extra));
    assert_false(serve_req_host_ok("192.0.2.22", &extra));
}

/* ---- CSRF ---------------------------------------------------------------------------- */

static int check(const char *type, const char *origin, const char *site, const char *host)
{
    const char *why = NULL;
    int status = serve_req_post_check(type, origin, site, host, &why);
    assert_true(status == 0 || (why && *why));
    return status;
}

static void test_post_must_be_json(void **state)
{
    (void)state;
    /* the three content types a cross-site page may send without asking */
    assert_int_equal(check("text/plain", NULL, NULL, "127.0.0.1:8080"), 415);
    assert_int_equal(check("application/x-www-form-urlencoded", NULL, NULL, "h"), 415);
    assert_int_equal(check("multipart/form-data; boundary=x", NULL, NULL, "h"), 415);
    assert_int_equal(check(NULL, NULL, NULL, "h"), 415);
    assert_int_equal(check("application/jsonx", NULL, NULL, "h"), 415);
    assert_int_equal(check("text/plain; application/json", NULL, NULL, "h"), 415);
    assert_int_equal(check("application/json", NULL, NULL, "h"), 0);
    assert_int_equal(check("Application/JSON; charset=utf-8", NULL, NULL, "h"), 0);
}

static void test_post_must_come_from_our_origin(void **state)
{
    (void)state;
    const char *host = "127.0.0.1:8080", *json = "application/json";
    assert_int_equal(check(json, "http://evil.example", NULL, host), 403);
    assert_int_equal(check(json, "null", NULL, host), 403);
    assert_int_equal(check(json, "http://127.0.0.1:8081", NULL, host), 403);
    assert_int_equal(check(json, "http://127.0.0.1:8080.evil", NULL, host), 403);
    assert_int_equal(check(json, "http://127.0.0.1:8080", NULL, NULL), 403);
    assert_int_equal(check(json, NULL, "cross-site", host), 403);
    assert_int_equal(check(json, NULL, "same-site", host), 403);
    assert_int_equal(check(json, "http://127.0.0.1:8080", "same-origin", host), 0);
    assert_int_equal(check(json, "https://127.0.0.1:8080", NULL, host), 0); /* behind TLS */
    assert_int_equal(check(json, NULL, "none", host), 0);
    assert_int_equal(check(json, NULL, NULL, host), 0); /* curl, scripts */
}

/* ---- the control body ------------------------------------------------------------------ */

static int control(const char *body, serve_control *c)
{
    const char *why = NULL;
    int status = serve_req_control(body, strlen(body), c, &why);
    assert_true(status == 0 || (why && *why));
    return status;
}

static void test_control_actions(void **state)
{
    (void)state;
    serve_control c;
    assert_int_equal(control("{\"action\":\"pause\"}", &c), 0);
    assert_int_equal(c.running, 0);
    assert_false(c.restart);
    assert_int_equal(control("{\"action\":\"run\"}", &c), 0);
    assert_int_equal(c.running, 1);
    assert_int_equal(control("{\"action\":\"restart\"}", &c), 0);
    assert_true(c.restart);
    assert_int_equal(c.running, -1);
    assert_int_equal(control("{\"action\":\"speed\",\"speed\":120}", &c), 0);
    assert_int_equal(c.running, -1);
    assert_true(c.speed == 120);
}

static void test_bad_control_bodies(void **state)
{
    (void)state;
    serve_control c;
    const char *bad[] = {
        "", "{bad", "[]", "\"pause\"", "{}", "{\"action\":\"explode\"}", "{\"action\":7}",
        "{\"action\":\"speed\"}", "{\"action\":\"speed\",\"speed\":0}",
        "{\"action\":\"speed\",\"speed\":-3}", "{\"action\":\"speed\",\"speed\":1e7}",
        "{\"action\":\"speed\",\"speed\":\"fast\"}",
        "{\"action\":\"run\",\"action\":\"pause\"}", /* which one? refuse both */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(control(bad[i], &c), 400);
    /* a NUL inside the body is not the end of it */
    const char *why;
    assert_int_equal(serve_req_control("{\"action\":\"run\"}\0x", 18, &c, &why), 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes_decode_to_utf8),
        cmocka_unit_test(test_nul_and_invalid_utf8_are_refused),
        cmocka_unit_test(test_control_characters_are_refused),
        cmocka_unit_test(test_utf8_boundaries),
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_loopback_hosts_are_ours),
        cmocka_unit_test(test_other_hosts_are_not),
        cmocka_unit_test(test_extra_hosts_are_ours),
        cmocka_unit_test(test_post_must_be_json),
        cmocka_unit_test(test_post_must_come_from_our_origin),
        cmocka_unit_test(test_control_actions),
        cmocka_unit_test(test_bad_control_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
