/* twin_mirror.h -- the state mirror: the twin's picture of the plant, kept
 * in step with telemetry. It validates each message against the model,
 * drops duplicates per gateway, orders what can be ordered by timestamp,
 * counts output exactly by reconciling events with cumulative counters, and
 * measures drift from the model. Everything it holds is bounded (the limits
 * below); what does not fit is refused and counted, never grown. */
#ifndef TWIN_MIRROR_H
#define TWIN_MIRROR_H

#include <stdio.h>

#include "twin_model.h"
#include "twin_msg.h"

#define TWIN_MAX_GATEWAYS 16
#define TWIN_SEQ_WINDOW 65536     /* per gateway: seqs this far below the newest are refused */
#define TWIN_ITEM_SLOTS 65536     /* item hash table slots (power of two) */
#define TWIN_GONE_KEEP 16384      /* finished items remembered to ignore their late messages */
#define TWIN_ITEM_LIVE_MAX (TWIN_ITEM_SLOTS / 2 - TWIN_GONE_KEEP) /* items in the plant */
#define TWIN_TALLY_RING 4096      /* per gateway: counted events since its last counters */
#define TWIN_HOLD_MAX 8           /* per gateway: quarantined messages (confirm + 1 at most) */
#define TWIN_STARTUP_MAX 16       /* messages held before the plant clock is established */
#define TWIN_CONFIRM_MAX (TWIN_HOLD_MAX - 1)

typedef enum twin_phase {
    TWIN_IN_TRANSIT,  /* released, or on a conveyor: not placeable */
    TWIN_QUEUED,      /* waiting in the input buffer of station `where` */
    TWIN_PROCESSING,  /* being processed at `where` since `since_s` */
    TWIN_HELD,        /* finished or blocked at `where`, not yet moved on */
    TWIN_KITTED,      /* a part taken by the assembly `where` */
    TWIN_GONE         /* exited, scrapped or consumed */
} twin_phase;

typedef struct twin_item {
    uint64_t id;                 /* 0: empty slot */
    double released_s, since_s, last_ts_s, quantity;
    uint64_t last_seq;           /* of the message that set the position ... */
    int16_t product, where;      /* indexes into the twin_model; where -1: none */
    int8_t last_gw;              /* ... and its gateway: orders messages of one instant */
    uint8_t phase;
} twin_item;

typedef struct twin_tally {
    uint64_t seq;
    uint8_t kind;                /* 0 released, 1 produced, 2 scrapped */
    int16_t product;
} twin_tally;

typedef struct twin_gateway {
    char name[TWIN_NAME_MAX];
    bool alive;
    double birth_s, death_s;
    double last_ts_s;            /* the newest ts accepted from it (deaths aside) */
    uint64_t max_seq;
    bool any_seq;
    uint64_t seen[TWIN_SEQ_WINDOW / 64]; /* bit seq % WINDOW: seen */
    /* output = the last counters message + the events after it */
    bool has_counters, final_seen;
    uint64_t counters_seq, base_released;
    uint64_t base_produced[TWIN_MAX_NAMES], base_scrapped[TWIN_MAX_NAMES];
    twin_tally ring[TWIN_TALLY_RING];
    size_t ring_head, ring_n;
    uint64_t ring_folds;         /* tallies folded into the base because the ring was full */
    /* admission (twin_admit.c) */
    bool heard;                  /* a message of it was applied (last_ts_s is its clock) */
    bool clock_ahead;            /* confirmed ahead of the others: applied, not moving the clock */
    twin_msg *held;              /* TWIN_HOLD_MAX quarantined messages */
    size_t n_held;               /* quarantined messages, oldest first */
    unsigned hold_why;           /* TWIN_HOLD_SEQ | TWIN_HOLD_TS: what made them outliers */
    unsigned against;            /* its in-range messages since the hold began */
    uint64_t range_seq;          /* the newest seq admitted (applied or refused by the model) */
    bool any_range;
} twin_gateway;

#define TWIN_HOLD_SEQ 1u          /* seq beyond max_seq + seq_jump */
#define TWIN_HOLD_TS 2u           /* ts beyond the reference clock + max_future_s */

typedef struct twin_station_live {
    twin_station_state state;
    bool known, stale;
    int gw;                      /* reporting gateway, -1 unknown */
    double since_s, last_ts_s;
    double state_s[TWIN_ST_N];   /* plant time spent in each state, up to since_s */
    double last_start_s;         /* the newest job start seen here */
    long queue_level;            /* items waiting, as the newest counters said ... */
    double queue_ts_s;           /* ... at this time; < 0: never said */
    /* drift: what the plant shows */
    uint64_t jobs, failures;
    double process_sum_s;
} twin_station_live;

typedef struct twin_mirror {
    const twin_model *tm;
    double now_s;                /* the plant clock: newest accepted ts */
    bool clock_set;
    double max_future_s, max_past_s;
    uint64_t seq_jump;           /* a seq further than this past the gateway's newest is held */
    unsigned confirm;            /* a hold is decided by this many later messages (1..7) */
    twin_msg *startup;           /* TWIN_STARTUP_MAX: held until the clock is established */
    size_t n_startup;
    uint64_t held;               /* quarantined now (startup and holds) */
    double stale_after_s;        /* a gateway silent this long is stale too; 0: only its death */
    twin_gateway *gws[TWIN_MAX_GATEWAYS];
    size_t n_gws;
    twin_station_live st[TWIN_MAX_STATIONS];
    twin_item *items;            /* TWIN_ITEM_SLOTS, open addressing */
    size_t n_live, n_gone;
    uint64_t gone[TWIN_GONE_KEEP];
    size_t gone_head;
    uint64_t received, accepted, rejects[TWIN_REJ_N];
    uint64_t out_of_order;       /* accepted, counted, but older than the item's/station's state */
    uint64_t gaps;               /* connection gaps marked (twin_mirror_mark_gap) */
    double gap_s;
    double first_ts_s;           /* the earliest birth: forecasts align to it */
    /* called for every message applied, also one released from quarantine
     * later (NULL: none); the session keeps its stations' changes with it */
    void (*on_applied)(void *ctx, const twin_msg *msg);
    void *applied_ctx;
    char last_why[160];
} twin_mirror;

int twin_mirror_init(twin_mirror *m, const twin_model *tm, ft_error *err);
void twin_mirror_free(twin_mirror *m);

/* Parse, validate and apply one payload. Returns TWIN_OK or the reason it
 * was refused (also counted in m->rejects). */
twin_reject twin_mirror_ingest(twin_mirror *m, const char *payload, size_t len);
/* The same in two steps, for a caller that acts on the message's time
 * before it is applied (forecasts at a boundary): parse counts the message
 * as received and a parse failure as rejected; apply does the rest. */
twin_reject twin_mirror_parse(twin_mirror *m, const char *payload, size_t len, twin_msg *msg);
twin_reject twin_mirror_apply(twin_mirror *m, const twin_msg *msg);

/* Apply a parsed message now, past the admission rules: the clock moves to
 * its ts if `moves_clock`. For twin_admit.c only. */
twin_reject twin_mirror_apply_now(twin_mirror *m, int gw, const twin_msg *msg, bool moves_clock);
int twin_mirror_gateway(twin_mirror *m, const char *name, twin_reject *why);

/* The end of the input: what is still quarantined is decided now (the
 * startup hold establishes the clock on what it has; an unconfirmed jump is
 * rejected). Further messages may follow; they are admitted as usual. */
void twin_mirror_finish(twin_mirror *m);

/* Would msg, applied now, move the plant clock forward (twin_admit.c)? The
 * session runs due forecasts only before such a message. */
bool twin_mirror_moves_clock(const twin_mirror *m, const twin_msg *msg);

/* A span in which the twin could not hear the plant (broker down). Refused
 * (TWIN_REJ_BAD_GAP, counted) unless 0 <= from_s <= to_s <= TWIN_TS_MAX_S
 * and, once the clock runs, the span lies within [now - max_past_s,
 * now + max_future_s]. */
twin_reject twin_mirror_mark_gap(twin_mirror *m, double from_s, double to_s);

uint64_t twin_mirror_produced(const twin_mirror *m, int product);
uint64_t twin_mirror_scrapped(const twin_mirror *m, int product);
uint64_t twin_mirror_released(const twin_mirror *m);
uint64_t twin_mirror_output(const twin_mirror *m); /* produced, all products */

/* Is station s stale: its gateway died (st[s].stale), or (stale_after_s >
 * 0) nothing was accepted from its gateway for more than stale_after_s of
 * plant time? A station no gateway has claimed counts as heard at the
 * earliest birth. Silence is measured on the plant clock, which stands
 * still when the whole plant is silent: that is a gap, not staleness. */
bool twin_mirror_station_stale(const twin_mirror *m, size_t s);

/* Where the mirror places the items now: per station, and in total. */
typedef struct twin_census {
    size_t queued[TWIN_MAX_STATIONS], processing[TWIN_MAX_STATIONS], held[TWIN_MAX_STATIONS];
    size_t kitted[TWIN_MAX_STATIONS];
    size_t in_transit, live;
} twin_census;

void twin_mirror_census(const twin_mirror *m, twin_census *c);

/* The twin's state as JSON: counts, rejects, stations with drift, gateways. */
void twin_mirror_write_json(const twin_mirror *m, FILE *out);

#endif
