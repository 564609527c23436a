/* twin_msg.h -- one telemetry message of the live twin (docs/telemetry.md):
 * parsing a JSON payload into plain data and encoding plain data back into
 * JSON. Parsing checks the syntax and the types only; whether a station or a
 * product exists is the mirror's business (twin_mirror.c), since only it
 * knows the model. */
#ifndef TWIN_MSG_H
#define TWIN_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TWIN_MSG_MAX_BYTES 4096   /* larger payloads are refused unread */
#define TWIN_NAME_MAX 128         /* station, product, gateway names (bytes, with NUL) */
#define TWIN_MSG_MAX_PRODUCTS 32  /* entries of a counters message */
#define TWIN_TS_MAX_S 1.0e7       /* plant time stays below ~16 weeks after Monday 00:00 */
/* Every integer of a message (seq, item, into, counters) is at most 2^53 - 1:
 * exactly representable as a JSON number everywhere (a browser, a double),
 * and the sum of all counters of all gateways stays far below INT64_MAX, so
 * no total can wrap or turn negative on its way out. */
#define TWIN_INT_MAX 9007199254740991ull
#define TWIN_QUEUE_MAX 1000000000L /* items waiting at one station (counters "queues") */

/* Why a message was not applied. The mirror keeps one counter per reason. */
typedef enum twin_reject {
    TWIN_OK = 0,
    TWIN_REJ_TOO_LARGE,       /* over TWIN_MSG_MAX_BYTES */
    TWIN_REJ_MALFORMED,       /* not JSON */
    TWIN_REJ_NOT_OBJECT,      /* JSON, but not an object */
    TWIN_REJ_MISSING_FIELD,   /* a required field is absent */
    TWIN_REJ_WRONG_TYPE,      /* a field has the wrong JSON type */
    TWIN_REJ_BAD_VERSION,     /* "v" is not 1 */
    TWIN_REJ_UNKNOWN_TYPE,    /* "type" is not one of the contract's */
    TWIN_REJ_BAD_VALUE,       /* a value out of its range or an unknown enum word */
    TWIN_REJ_UNKNOWN_STATION, /* names no station of the model */
    TWIN_REJ_UNKNOWN_OBJECT,  /* a part event "at" a place the model does not have */
    TWIN_REJ_UNKNOWN_PRODUCT,
    TWIN_REJ_FUTURE,          /* ts too far ahead of the plant clock, not confirmed */
    TWIN_REJ_TOO_OLD,         /* ts too far behind the twin's clock */
    TWIN_REJ_DUPLICATE,       /* this gateway's seq was seen already */
    TWIN_REJ_SEQ_TOO_OLD,     /* seq below the duplicate window: cannot tell, refused */
    TWIN_REJ_TOO_MANY_GATEWAYS,
    TWIN_REJ_ITEM_TABLE_FULL, /* the per-item map is at its bound */
    TWIN_REJ_SEQ_JUMP,        /* a forward seq jump the gateway's next messages did not confirm */
    TWIN_REJ_BAD_GAP,         /* a gap record of a log that is not a span of plant time */
    TWIN_REJ_N,
    TWIN_QUARANTINED = TWIN_REJ_N /* not a rejection: quarantined until later messages decide */
} twin_reject;

const char *twin_reject_name(twin_reject r);

typedef enum twin_msg_type {
    TWIN_MSG_BIRTH, TWIN_MSG_DEATH, TWIN_MSG_STATION, TWIN_MSG_PART, TWIN_MSG_COUNTERS,
    TWIN_MSG_N_TYPES
} twin_msg_type;

typedef enum twin_station_state {
    TWIN_ST_WORKING, TWIN_ST_IDLE, TWIN_ST_BLOCKED, TWIN_ST_FAILED, TWIN_ST_SETUP, TWIN_ST_OFF,
    TWIN_ST_N
} twin_station_state;

/* Part events: where an item is now. */
typedef enum twin_part_event {
    TWIN_PART_RELEASED,  /* at: the source that let it in */
    TWIN_PART_ENTERED,   /* at: a buffer (or conveyor) it now waits in */
    TWIN_PART_STARTED,   /* at: the station now processing it */
    TWIN_PART_FINISHED,  /* at: the station that finished it (it still holds it) */
    TWIN_PART_BLOCKED,   /* at: the station holding it, finished, nowhere to go */
    TWIN_PART_KITTED,    /* at: the assembly station that took it as a part */
    TWIN_PART_CONSUMED,  /* at: the assembly; into: the assembled item */
    TWIN_PART_EXITED,    /* left the plant, finished; at: the last station */
    TWIN_PART_SCRAPPED,  /* at: the inspection that scrapped it */
    TWIN_PART_N
} twin_part_event;

const char *twin_state_word(twin_station_state s);
const char *twin_part_word(twin_part_event e);
const char *twin_type_word(twin_msg_type t);

typedef struct twin_count {
    char product[TWIN_NAME_MAX];
    uint64_t produced, scrapped;
} twin_count;

typedef struct twin_msg {
    twin_msg_type type;
    char gw[TWIN_NAME_MAX];
    uint64_t seq;
    double ts_s;                       /* plant time: seconds since Monday 00:00 */
    /* station */
    char station[TWIN_NAME_MAX];
    twin_station_state state;
    /* part */
    twin_part_event part;
    uint64_t item, into;
    char product[TWIN_NAME_MAX];
    char at[TWIN_NAME_MAX];
    double quantity, released_s;
    /* counters (cumulative since the gateway's birth) */
    uint64_t released;
    twin_count counts[TWIN_MSG_MAX_PRODUCTS];
    size_t n_counts;
    bool final;                        /* the last counters of a shift */
    char queue_station[16][TWIN_NAME_MAX]; /* counters: items waiting at each station now */
    long queue_level[16];
    size_t n_queues;
    /* birth: the stations this gateway reports for */
    char stations[16][TWIN_NAME_MAX];
    size_t n_stations;
} twin_msg;

/* Parse and type-check one payload of `len` bytes. Returns TWIN_OK or the
 * reason it was refused; `why` (may be NULL, 160 bytes) names the field. */
twin_reject twin_msg_parse(const char *payload, size_t len, twin_msg *m, char *why);

/* Encode a message as one line of JSON (no newline). Returns the length, or
 * -1 if it does not fit in `cap` bytes. */
int twin_msg_encode(const twin_msg *m, char *buf, size_t cap);

#endif
