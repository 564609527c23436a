/* test_outputs.c -- the base layer's file reader, atomic output file and
 * quoting: what a user sees when an input is not a readable regular file
 * or an output cannot be written, and that a failed write never destroys an
 * earlier file. Expected messages are the system's own strerror() words,
 * taken from the C library here rather than copied as text. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base_file.h"
#include "base/base_text.h"

static char dir[] = "/tmp/ft_outputs_XXXXXX";

static const char *in_dir(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static char *get_file(const char *path)
{
    char *text;
    size_t len;
    ft_error err;
    if (base_read_file(path, BASE_MIB, "the file", &text, &len, &err))
        fail_msg("%s: %s", path, err.msg);
    return text;
}

/* Files in dir whose name starts with '.' and is not . or ..: temporaries. */
static int hidden_files(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -c '^\\.' > /dev/null", dir);
    return system(cmd) == 0;
}

/* ---- reading ------------------------------------------------------------- */

static void test_reader_reads_a_regular_file_whole(void **state)
{
    (void)state;
    put_file(in_dir("a.txt"), "line 1\nline 2\n");
    char *text;
    size_t len;
    ft_error err = {0};
    assert_int_equal(base_read_file(in_dir("a.txt"), 14, "the file", &text, &len, &err), 0);
    assert_int_equal(len, 14);
    assert_string_equal(text, "line 1\nline 2\n");
    free(text);
}

static void expect_read_error(const char *path, size_t max, const char *reason, int eno)
{
    char *text = (char *)"untouched";
    size_t len = 99;
    ft_error err = {0};
    assert_int_equal(base_read_file(path, max, "the map", &text, &len, &err), -1);
    assert_int_equal(errno, eno);
    assert_null(text);
    assert_int_equal(len, 0);
    assert_string_equal(err.file, path);
    char want[256];
    snprintf(want, sizeof want, "cannot read the map: %s", reason);
    assert_string_equal(err.msg, want);
}

static void test_reader_names_the_reason(void **state)
{
    (void)state;
    expect_read_error(in_dir("missing.map"), 100, strerror(ENOENT), ENOENT);
    expect_read_error(dir, 100, "is a directory", EISDIR);
    /* a character device that never ends: refused before one byte is read */
    expect_read_error("/dev/zero", 100, "not a regular file", EINVAL);
}

static void test_reader_does_not_hang_on_a_fifo(void **state)
{
    (void)state;
    const char *fifo = in_dir("fifo");
    if (mkfifo(fifo, 0600) != 0)
        skip(); /* a file system without FIFOs */
    /* no writer: a blocking open would wait here for ever */
    expect_read_error(fifo, 100, "not a regular file", EINVAL);
}

static void test_reader_caps_the_size(void **state)
{
    (void)state;
    put_file(in_dir("big.map"), "0123456789"); /* 10 bytes */
    char *text;
    size_t len;
    ft_error err = {0};
    assert_int_equal(base_read_file(in_dir("big.map"), 10, "the map", &text, &len, &err), 0);
    free(text);
    expect_read_error(in_dir("big.map"), 9, "it is 10 bytes, larger than 9 bytes", EFBIG);
    /* a sparse file of 2 MiB + 1 is refused by its size, with the cap in MiB */
    int fd = open(in_dir("sparse.map"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)(2 * BASE_MIB + 1)), 0);
    close(fd);
    expect_read_error(in_dir("sparse.map"), 2 * BASE_MIB, "it is 2097153 bytes, larger than 2097152 bytes (2 MiB)",
                      EFBIG);
}

/* ---- writing --------------------------------------------------------------- */

static void test_commit_replaces_the_file_whole(void **state)
{
    (void)state;
    const char *path = in_dir("out.json");
    put_file(path, "old");
    base_out o;
    ft_error err = {0};
    assert_int_equal(base_out_open(&o, path, &err), 0);
    fputs("{\"new\":true}\n", o.f);
    /* until the commit, readers see the earlier file */
    char *before = get_file(path);
    assert_string_equal(before, "old");
    free(before);
    assert_int_equal(base_out_commit(&o, &err), 0);
    char *after = get_file(path);
    assert_string_equal(after, "{\"new\":true}\n");
    free(after);
    assert_false(hidden_files());
}

static void test_abort_leaves_the_earlier_file_untouched(void **state)
{
    (void)state;
    const char *path = in_dir("keep.csv");
    put_file(path, "earlier,run\n");
    base_out o;
    ft_error err = {0};
    assert_int_equal(base_out_open(&o, path, &err), 0);
    fputs("half of a new", o.f);
    base_out_abort(&o);
    char *text = get_file(path);
    assert_string_equal(text, "earlier,run\n");
    free(text);
    assert_false(hidden_files());
}

static void test_full_device_fails_with_its_reason(void **state)
{
    (void)state;
    struct stat st;
    if (stat("/dev/full", &st) != 0 || !S_ISCHR(st.st_mode))
        skip();
    base_out o;
    ft_error err = {0};
    assert_int_equal(base_out_open(&o, "/dev/full", &err), 0);
    fputs("anything\n", o.f);
    assert_int_equal(base_out_commit(&o, &err), -1);
    assert_string_equal(err.file, "/dev/full");
    char want[256];
    snprintf(want, sizeof want, "cannot write: %s", strerror(ENOSPC));
    assert_string_equal(err.msg, want);
}

/* A file system that fills up: a 64 KiB tmpfs, written with 1 MiB. Needs
 * the right to mount (root in a sandbox that allows it); skipped if not. */
static void test_full_file_system_keeps_the_earlier_file(void **state)
{
    (void)state;
    const char *mnt = in_dir("small");
    assert_int_equal(mkdir(mnt, 0700), 0);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k") != 0) {
        rmdir(mnt);
        skip();
    }
    char path[600];
    snprintf(path, sizeof path, "%s/trace.csv", mnt);
    put_file(path, "earlier\n");
    base_out o;
    ft_error err = {0};
    int rc = base_out_open(&o, path, &err);
    if (rc == 0) {
        for (int i = 0; i < 1024 * 16; i++)
            fputs("0123456789012345678901234567890123456789012345678901234567890123", o.f);
        rc = base_out_commit(&o, &err);
    }
    char *text = get_file(path);
    umount(mnt);
    rmdir(mnt);
    assert_int_equal(rc, -1);
    char want[256];
    snprintf(want, sizeof want, "cannot write: %s", strerror(ENOSPC));
    assert_string_equal(err.msg, want);
    assert_string_equal(text, "earlier\n");
    free(text);
}

static void test_failed_rename_removes_the_temporary(void **state)
{
    (void)state;
    const char *path = in_dir("becomes-a-folder");
    base_out o;
    ft_error err = {0};
    assert_int_equal(base_out_open(&o, path, &err), 0);
    fputs("data", o.f);
    assert_int_equal(mkdir(path, 0700), 0); /* rename(2) of a file onto a folder fails */
    assert_int_equal(base_out_commit(&o, &err), -1);
    assert_non_null(strstr(err.msg, "cannot write: "));
    assert_false(hidden_files());
    rmdir(path);
}

static void test_open_refuses_a_folder_and_a_missing_folder(void **state)
{
    (void)state;
    base_out o;
    ft_error err = {0};
    assert_int_equal(base_out_open(&o, dir, &err), -1);
    char want[256];
    snprintf(want, sizeof want, "cannot write: %s", strerror(EISDIR));
    assert_string_equal(err.msg, want);
    assert_int_equal(base_out_open(&o, in_dir("no-such-folder/x.json"), &err), -1);
    snprintf(want, sizeof want, "cannot write: %s", strerror(ENOENT));
    assert_string_equal(err.msg, want);
}

static void test_same_path_is_found_through_its_spellings(void **state)
{
    (void)state;
    const char *a = in_dir("same.json");
    char dotted[600], link[600];
    snprintf(dotted, sizeof dotted, "%s/./sub/../same.json", dir);
    snprintf(link, sizeof link, "%s/link.json", dir);
    assert_int_equal(mkdir(in_dir("sub"), 0700), 0);
    /* neither exists yet: the same folder after realpath and the same name */
    assert_true(base_same_path(a, dotted));
    put_file(a, "x");
    assert_int_equal(symlink(a, link), 0);
    assert_true(base_same_path(a, dotted));
    assert_true(base_same_path(a, link)); /* same device and inode */
    assert_true(base_same_path("-", "-"));
    assert_false(base_same_path(a, "-"));
    assert_false(base_same_path(a, in_dir("other.json")));
    unlink(link);
    unlink(a);
    rmdir(in_dir("sub"));
}

/* ---- quoting ---------------------------------------------------------------- */

static char *csv_of(const char *s)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    base_csv_put(f, s);
    fclose(f);
    return buf;
}

static void test_csv_quotes_only_fields_that_need_it(void **state)
{
    (void)state;
    /* RFC 4180 2.6 and 2.7 */
    const char *cases[][2] = {{"weld", "weld"},
                              {"a,b", "\"a,b\""},
                              {"say \"hi\"", "\"say \"\"hi\"\"\""},
                              {"two\nlines", "\"two\nlines\""},
                              {"cr\r", "\"cr\r\""},
                              {"", ""}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = csv_of(cases[i][0]);
        assert_string_equal(got, cases[i][1]);
        free(got);
    }
}

static void test_json_string_reads_back_as_the_input(void **state)
{
    (void)state;
    /* every byte 1..127 and some UTF-8: a JSON parser must give them back */
    char in[160];
    size_t n = 0;
    for (int c = 1; c < 128; c++)
        in[n++] = (char)c;
    memcpy(in + n, "\xc3\xa9\xe2\x82\xac", 5); /* e-acute, euro */
    n += 5;
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    base_json_put(f, in, n);
    fclose(f);
    char quoted[1024];
    size_t k = base_json_quote(quoted, sizeof quoted, in, n);
    assert_int_equal(k, blen);
    assert_string_equal(quoted, buf); /* the two writers agree */
    json_error_t jerr;
    json_t *v = json_loads(buf, JSON_DECODE_ANY, &jerr);
    assert_non_null(v);
    assert_int_equal(json_string_length(v), n);
    assert_memory_equal(json_string_value(v), in, n);
    json_decref(v);
    free(buf);
}

static void test_json_quote_reports_the_length_it_needs(void **state)
{
    (void)state;
    char small[5];
    /* "a\"b" quoted is "a\"b" with quotes: 1 + 1 + 2 + 1 + 1 = 6 bytes */
    assert_int_equal(base_json_quote(small, sizeof small, "a\"b", 3), 6);
    assert_string_equal(small, "\"a\\\"");
    assert_int_equal(base_json_quote(NULL, 0, "\x01", 1), 8); /* "\u0001" */
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_reads_a_regular_file_whole),
        cmocka_unit_test(test_reader_names_the_reason),
        cmocka_unit_test(test_reader_does_not_hang_on_a_fifo),
        cmocka_unit_test(test_reader_caps_the_size),
        cmocka_unit_test(test_commit_replaces_the_file_whole),
        cmocka_unit_test(test_abort_leaves_the_earlier_file_untouched),
        cmocka_unit_test(test_full_device_fails_with_its_reason),
        cmocka_unit_test(test_full_file_system_keeps_the_earlier_file),
        cmocka_unit_test(test_failed_rename_removes_the_temporary),
        cmocka_unit_test(test_open_refuses_a_folder_and_a_missing_folder),
        cmocka_unit_test(test_same_path_is_found_through_its_spellings),
        cmocka_unit_test(test_csv_quotes_only_fields_that_need_it),
        cmocka_unit_test(test_json_string_reads_back_as_the_input),
        cmocka_unit_test(test_json_quote_reports_the_length_it_needs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
