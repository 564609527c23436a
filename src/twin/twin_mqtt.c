/* twin_mqtt.c -- the MQTT transport when fabtwin is built without
 * libmosquitto: both directions refuse, saying how to get them. The real
 * transport is twin_mqtt_mosq.c, compiled instead when FT_MQTT is set. */
#ifndef FT_MQTT
#include "twin_mqtt.h"

int twin_mqtt_run_twin(twin_session *s, const char *url, const char *prefix, ft_error *err)
{
    return ft_fail(err, NULL, 0, 0, "MQTT (%s) needs fabtwin built with libmosquitto "
                   "(apt-get install libmosquitto-dev, then rebuild); --replay works without", url);
}

int twin_mqtt_run_emulate(const ft_model *m, const twin_model *tm, twin_emulate_options *o,
                          const char *url, const char *prefix, double speed, twin_truth *truth,
                          ft_error *err)
{
    return ft_fail(err, NULL, 0, 0, "MQTT (%s) needs fabtwin built with libmosquitto "
                   "(apt-get install libmosquitto-dev, then rebuild); --out works without", url);
}
#else
typedef int twin_mqtt_c_is_empty_with_mosquitto; /* ISO C wants a declaration */
#endif
