/* twin_record.h -- the twin's flight recorder and its player.
 *
 * Everything the twin receives is appended to a JSON Lines file, one
 * envelope per message: {"rx":PLANT_TIME,"topic":"...","payload":"..."}
 * with the payload kept byte for byte (as a JSON string, so that even a
 * malformed payload is recorded and replays as the same reject). A gap in
 * reception is a line {"gap":[FROM_S,TO_S]}. Replay reads such a file, or a
 * file of bare telemetry messages one per line (`fabtwin emulate --out`). */
#ifndef TWIN_RECORD_H
#define TWIN_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "fabtwin/fabtwin.h"

typedef struct twin_recorder twin_recorder;

/* Open for appending (created if missing). */
twin_recorder *twin_recorder_open(const char *path, ft_error *err);
int twin_recorder_write(twin_recorder *r, double rx_s, const char *topic, const char *payload,
                        size_t len);
int twin_recorder_gap(twin_recorder *r, double from_s, double to_s);
/* Flush to the disk (fdatasync). Also done every 1,000 messages and on close.
 * After the first failed write or sync nothing more is written, and this,
 * every later write and the close return -1. */
int twin_recorder_sync(twin_recorder *r);
/* 0, or -1 with errno of the first failure (a write, a sync, the close). */
int twin_recorder_close(twin_recorder *r);

/* One line of a log: a payload, or a gap marker. */
typedef struct twin_replay_line {
    bool is_gap;
    double gap_from_s, gap_to_s;
    const char *payload;        /* valid until the next call */
    size_t len;
    const char *topic;          /* "" for bare messages */
} twin_replay_line;

typedef struct twin_replay twin_replay;

twin_replay *twin_replay_open(const char *path, ft_error *err);
/* The same on an open stream, which the player then owns (and closes). */
twin_replay *twin_replay_open_file(FILE *f, ft_error *err);
/* 1: a line, 0: end of file, -1: read error. */
int twin_replay_next(twin_replay *p, twin_replay_line *line);
void twin_replay_close(twin_replay *p);
/* Why twin_replay_next returned -1 ("Input/output error", ...). */
const char *twin_replay_error(const twin_replay *p);

#endif
