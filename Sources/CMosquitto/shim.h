// libmosquitto, the Eclipse Mosquitto project's MQTT client library (Debian: libmosquitto-dev).
// Its API is plain functions and C callbacks, so Swift imports it directly; the MQTT module
// (Sources/MQTT) is the one wrapper the rest of the code uses.
#include <mosquitto.h>
#include <mqtt_protocol.h>
