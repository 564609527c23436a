/* cli_twin_opts.h -- the options of the live twin that `fabtwin twin` and
 * `fabtwin serve --twin` share: where the telemetry comes from, the pace of
 * a replay, the forecasts, staleness, and what is written on the side. */
#ifndef FABTWIN_CLI_TWIN_OPTS_H
#define FABTWIN_CLI_TWIN_OPTS_H

#include "twin/twin_session.h"

typedef struct cli_twin_opts {
    const char *replay, *mqtt, *topic;  /* exactly one of replay and mqtt */
    const char *record, *json, *summary;
    double speed;                       /* replay pace, x real time; 0: as fast as possible */
    twin_session_options so;
} cli_twin_opts;

/* The defaults of `fabtwin twin` (docs/twin.md); json "-" (stdout). */
void cli_twin_defaults(cli_twin_opts *t);

/* If `opt` is a twin option, take it with its value: 1. Not one: 0. A bad
 * value: 2, with the message on stderr (the exit status of bad usage). */
int cli_twin_option(cli_twin_opts *t, const char *opt, const char *value);

/* Exactly one transport: 0, else 2 with the message on stderr. */
int cli_twin_check(const cli_twin_opts *t, const char *command);

#endif
