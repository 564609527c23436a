/* twin_emulate.h -- a simulated plant that publishes telemetry: the model
 * runs from the shift start to the shift end and every ft_event becomes
 * telemetry messages (docs/telemetry.md), optionally with seeded noise --
 * dropped, duplicated, late and swapped messages -- and a gateway that
 * dies mid-shift. What really happened is kept as the ground truth. */
#ifndef TWIN_EMULATE_H
#define TWIN_EMULATE_H

#include "twin_model.h"

/* Where messages go: a file, a broker, a test. gw and type name the topic
 * (<prefix>/<gw>/<type>); ts_s is the plant time, for pacing. */
typedef void (*twin_sink_fn)(void *ctx, const char *gw, const char *type, double ts_s,
                             const char *payload, size_t len);

typedef struct twin_noise {
    double drop, dup, late, swap;   /* probabilities per message */
    uint64_t seed;
} twin_noise;

typedef struct twin_emulate_options {
    double start_s, end_s;          /* plant time of the shift (seconds since Monday 00:00) */
    bool has_seed;
    uint64_t seed;                  /* the plant's randomness; else the model's run.seed */
    int gateways;                   /* stations are spread over this many gateways (>= 1) */
    double counters_every_s;        /* cumulative counters period (default 300 s) */
    twin_noise noise;
    int kill_gateway;               /* -1: none; else this gateway dies at kill_at_s */
    double kill_at_s;
    twin_sink_fn sink;
    void *sink_ctx;
} twin_emulate_options;

/* What really happened in the shift. */
typedef struct twin_truth {
    uint64_t released, output;
    uint64_t produced[TWIN_MAX_NAMES], scrapped[TWIN_MAX_NAMES]; /* by twin_model product */
    uint64_t messages, dropped, duplicated, delayed;             /* what the noise did */
} twin_truth;

int twin_emulate_run(const ft_model *m, const twin_model *tm, const twin_emulate_options *o,
                     twin_truth *truth, ft_error *err);
void twin_truth_write_json(const twin_truth *t, const twin_model *tm, FILE *out);

/* The gateway a station reports through, and its name ("gw0", "gw1" ...). */
int twin_station_gateway(int station, int gateways);

#endif
