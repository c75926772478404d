"""A real mosquitto broker for the MQTT end-to-end tests, and a paho-mqtt client that records
what it receives."""
import getpass
import os
import shutil
import subprocess
import tempfile
import threading
import time

import paho.mqtt.client as mqtt

from conftest import free_port
from runtime_harness import wait_for

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


class Mosquitto:
    """`mosquitto -c CONF` on a free loopback port, with its own temporary directory.
    `users` ({name: password}) turns anonymous access off."""

    def __init__(self, users=None, max_packet_size=0):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="bo-mosquitto-")
        # Started as root, mosquitto would become the user "mosquitto", which cannot read our files.
        lines = ["listener %d 127.0.0.1" % self.port, "user %s" % getpass.getuser(), "persistence false",
                 "log_dest stderr", "log_type error", "log_type warning"]
        if max_packet_size:
            lines.append("max_packet_size %d" % max_packet_size)
        if users:
            passwords = os.path.join(self.dir, "passwords")
            open(passwords, "w").close()
            os.chmod(passwords, 0o600)
            for user, password in users.items():
                subprocess.run(["mosquitto_passwd", "-b", passwords, user, password], check=True)
            lines += ["allow_anonymous false", "password_file %s" % passwords]
        else:
            lines.append("allow_anonymous true")
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        with open(self.conf, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        self.log = open(os.path.join(self.dir, "mosquitto.log"), "w")
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self._listening, 10, "mosquitto on port %d" % self.port)

    def _listening(self):
        import socket
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self):
        self.stop()
        self.start()

    def close(self):
        self.stop()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Recorder:
    """A paho-mqtt client subscribed to `topics`; `messages` holds (topic, payload, retain) in order."""

    def __init__(self, broker, *topics, username=None, password=None):
        self.messages = []
        self.lock = threading.Lock()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        if username:
            self.client.username_pw_set(username, password)
        self.subscribed = threading.Event()
        self.client.on_connect = lambda client, userdata, flags, reason, properties: [client.subscribe(t) for t in topics]
        self.client.on_subscribe = lambda *args: self.subscribed.set()
        self.client.on_message = self._received
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        assert self.subscribed.wait(10), "the subscription was not acknowledged"

    def _received(self, client, userdata, message):
        with self.lock:
            self.messages.append((message.topic, bytes(message.payload), bool(message.retain)))

    def payloads(self, topic):
        with self.lock:
            return [payload for name, payload, _ in self.messages if name == topic]

    def last(self, topic):
        found = self.payloads(topic)
        return found[-1] if found else None

    def publish(self, topic, payload, retain=False, qos=0):
        info = self.client.publish(topic, payload, qos=qos, retain=retain)
        info.wait_for_publish(10)

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()
