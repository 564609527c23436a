/* twin_model.h -- what the twin knows of the model: the names telemetry may
 * use (stations, buffers, sources, conveyors, products) and the model's own
 * expectations (process times, failure rate, repair time per station),
 * which drift detection compares the plant against and the forecast uses to
 * guess how long a job in progress still needs.
 *
 * Built only on the public API: the names come from a snapshot and the
 * expectations from a calibration run of the model itself, observed through
 * ft_event -- no access to the model's internals. */
#ifndef TWIN_MODEL_H
#define TWIN_MODEL_H

#include "fabtwin/fabtwin.h"

#define TWIN_MAX_STATIONS 64
#define TWIN_MAX_NAMES 64
#define TWIN_DURATIONS 256            /* process times kept per station */

typedef struct twin_station_info {
    const char *name;
    char *buffer;                 /* its input buffer, NULL when implicit */
    int servers;
    long capacity;                /* of the input buffer; -1 unbounded */
    double process_mean_s;        /* start -> finish, over the calibration run */
    float durations[TWIN_DURATIONS]; /* the first start -> finish times seen, ascending */
    size_t n_durations;
    double failures_per_work_h;   /* failures per hour of processing */
    double repair_mean_s;         /* fail -> repair */
    uint64_t jobs, failures;
} twin_station_info;

typedef struct twin_model {
    const ft_model *model;        /* not owned */
    twin_station_info stations[TWIN_MAX_STATIONS];
    size_t n_stations;
    char *products[TWIN_MAX_NAMES];
    size_t n_products;
    char *sources[TWIN_MAX_NAMES];
    size_t n_sources;
    char *conveyors[TWIN_MAX_NAMES];
    size_t n_conveyors;
    double calibration_s;         /* simulated time the expectations come from */
} twin_model;

/* Learn the names and run the model for `horizon_s` (e.g. 7 days) to measure
 * its expectations. */
int twin_model_init(twin_model *tm, const ft_model *m, double horizon_s, ft_error *err);
void twin_model_free(twin_model *tm);

/* Index or -1. */
int twin_model_station(const twin_model *tm, const char *name);
int twin_model_buffer_station(const twin_model *tm, const char *buffer);
int twin_model_product(const twin_model *tm, const char *name);
bool twin_model_is_source(const twin_model *tm, const char *name);
bool twin_model_is_conveyor(const twin_model *tm, const char *name);

#endif
