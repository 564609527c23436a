/* fuzz_model_load.c -- libFuzzer harness: any bytes into model_load_string.
 *
 * The loader must answer every input with a model or an error (with a
 * position inside the text), never a crash, a leak or undefined behaviour.
 * An input may carry an order list after a line "#---csv---": that part is
 * written to f.csv next to the (virtual) model file, so `orders: f.csv`
 * fuzzes the CSV reader too. A loaded model is queried a little (lookups,
 * calendars) and freed. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_folder.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char SEPARATOR[] = "\n#---csv---\n";

static const uint8_t *find(const uint8_t *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(s + i, needle, k) == 0)
            return s + i;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_folder_setup("fuzz.yaml", "f.csv"))
        abort();
    size_t yaml_len = size;
    const uint8_t *sep = find(data, size, SEPARATOR);
    unlink(fuzz_csv_path);
    if (sep) {
        yaml_len = (size_t)(sep - data);
        const uint8_t *csv = sep + strlen(SEPARATOR);
        FILE *f = fopen(fuzz_csv_path, "wb");
        if (!f)
            abort();
        fwrite(csv, 1, size - (size_t)(csv - data), f);
        fclose(f);
    }
    ft_error err;
    memset(&err, 0, sizeof err);
    model_desc *m = model_load_string((const char *)data, yaml_len, fuzz_model_path, &err);
    if (!m) {
        /* every failure says something, and a position is never negative */
        if (!err.msg[0] || err.line < 0 || err.col < 0)
            abort();
        return 0;
    }
    for (size_t i = 0; i < m->n_stations; i++) {
        if (model_find_station(m, m->stations[i].name) != (int)i)
            abort();
        (void)model_station_input(m, (int)i);
    }
    for (size_t i = 0; i < m->n_calendars; i++) {
        double t = 0, next;
        for (int k = 0; k < 64 && isfinite(t); k++) {
            (void)model_calendar_on(&m->calendars[i], t, &next);
            if (!(next > t))
                abort(); /* the next change is always later */
            t = next;
        }
    }
    model_free(m);
    return 0;
}
