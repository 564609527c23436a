/* fuzz_orders.c -- libFuzzer harness: any bytes as an order list (CSV).
 *
 * The input is written to orders.csv next to a fixed model whose source
 * reads it (products door, car and cable, the last one in metres). The
 * loader must answer with a model or an error that names the CSV file (or
 * the model's `orders` value) with a position, never crash or leak. A loaded
 * list must be sorted by time, with counts in 1 .. 10^9 and positive
 * quantities; the model is then run for an hour with a cap of 1000 items in
 * the plant, so rows of up to 10^9 items exercise the lazy release: the run
 * ends, or stops at the cap with an error, but never allocates a row up
 * front. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fabtwin/fabtwin.h"
#include "fuzz_folder.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char MODEL[] = "model: orders\n"
                            "run: { length: 1h, max_items: 1000 }\n"
                            "products:\n"
                            "  - { name: door, routing: [{ station: press, time: 1min }] }\n"
                            "  - { name: car, routing: [{ station: press, time: 2min }] }\n"
                            "  - name: cable\n"
                            "    unit: m\n"
                            "    quantity: 500 m\n"
                            "    routing: [{ station: press, time: 30s }]\n"
                            "sources:\n"
                            "  - { name: plan, orders: orders.csv }\n"
                            "buffers:\n"
                            "  - { name: in, capacity: 5, feeds: press }\n"
                            "stations:\n"
                            "  - { name: press }\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_folder_setup("model.yaml", "orders.csv"))
        abort();
    FILE *f = fopen(fuzz_csv_path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    ft_error err;
    memset(&err, 0, sizeof err);
    model_desc *m = model_load_string(MODEL, strlen(MODEL), fuzz_model_path, &err);
    if (!m) {
        /* an error in the list names the CSV file; about the list as a whole
         * (unreadable, no orders), the model's `orders` value */
        bool in_csv = strcmp(err.file, fuzz_csv_path) == 0,
             at_value = strcmp(err.file, fuzz_model_path) == 0;
        if (!err.msg[0] || err.line < 0 || err.col < 0 || !(in_csv || at_value))
            abort();
        return 0;
    }
    const model_source *src = &m->sources[0];
    if (src->n_orders == 0)
        abort();
    for (size_t i = 0; i < src->n_orders; i++) {
        const model_order *o = &src->orders[i];
        if (i && o->time_s < src->orders[i - 1].time_s)
            abort(); /* sorted by time */
        if (o->count < 1 || o->count > 1000000000L || !(o->quantity > 0) || !(o->time_s >= 0))
            abort();
    }
    ft_sim *run = ft_sim_new((const ft_model *)m, NULL, &err);
    if (!run)
        abort(); /* the run's end is within the time limit the loader checked */
    if (ft_sim_run(run, &err) && !strstr(err.msg, "items in the plant"))
        abort(); /* the only way this run may stop early is the cap */
    ft_sim_free(run);
    model_free(m);
    return 0;
}
