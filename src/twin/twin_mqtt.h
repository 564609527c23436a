/* twin_mqtt.h -- the MQTT transport (libmosquitto): a twin subscribed to a
 * plant's telemetry, and the emulator publishing it. Without libmosquitto
 * (FT_MQTT undefined) both refuse with a message saying so. */
#ifndef TWIN_MQTT_H
#define TWIN_MQTT_H

#include "twin_emulate.h"
#include "twin_session.h"

/* Subscribe to PREFIX/# at url (mqtt://host:port) and feed the session until
 * every gateway has sent its final counters or died, or until
 * twin_session_request_stop (the caller's signal handler, a server that
 * shuts down).
 * Reconnects with back-off; a disconnection is marked as a gap. Forecasts
 * are also published, retained, to twin/PREFIX/forecast. */
int twin_mqtt_run_twin(twin_session *s, const char *url, const char *prefix, ft_error *err);

/* Run the emulator publishing to PREFIX/<gw>/<type> at `speed` x real time
 * (0: as fast as the broker takes it), with each gateway's death as its
 * last will. */
int twin_mqtt_run_emulate(const ft_model *m, const twin_model *tm, twin_emulate_options *o,
                          const char *url, const char *prefix, double speed, twin_truth *truth,
                          ft_error *err);

#endif
