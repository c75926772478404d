"""The Modbus HVAC driver against a real third-party Modbus TCP server (pymodbus).

The test plays the core: it starts the driver binary, speaks the driver protocol over its
stdin/stdout (docs/driver-protocol.md) and checks the registers with pymodbus' own client.
"""
import json
import os
import queue
import subprocess
import sys
import threading
import time

import pytest

from conftest import BACKOFFICE, free_port

DRIVER = os.path.join(os.path.dirname(BACKOFFICE), "driver-modbus-hvac")

# Holding registers 0 setpoint (x10) and 1 mode only: register 2 (fan speed) does not exist,
# so writing it must come back as a Modbus exception (illegal data address).
SERVER = """
import logging, sys
logging.disable(logging.CRITICAL)
from pymodbus.datastore import ModbusDeviceContext, ModbusSequentialDataBlock, ModbusServerContext
from pymodbus.server import StartTcpServer
device = ModbusDeviceContext(hr=ModbusSequentialDataBlock(1, [225, 1]), ir=ModbusSequentialDataBlock(1, [231]))
StartTcpServer(context=ModbusServerContext(devices={1: device}), address=("127.0.0.1", int(sys.argv[1])))
"""


class Driver:
    def __init__(self, binary=None):
        self.proc = subprocess.Popen([binary or DRIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.seq = 0
        self.status = {}
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, message):
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def next(self, match, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                return None
            message = json.loads(line)
            if message.get("type") == "status":
                self.status[message["key"]] = message["value"]
            if match(message):
                return message
        return None

    def request(self, message):
        self.seq += 1
        self.send(dict(message, seq=self.seq))
        return self.next(lambda m: m.get("type") == "result" and m.get("seq") == self.seq)

    def wait_status(self, key, value):
        if self.status.get(key) == value:
            return True
        return self.next(lambda m: m.get("type") == "status" and m["key"] == key and m["value"] == value) is not None

    def stop(self):
        if self.proc.poll() is None:
            self.send({"type": "terminate"})
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def peer():
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], stderr=subprocess.DEVNULL)
    from pymodbus.client import ModbusTcpClient
    client = ModbusTcpClient("127.0.0.1", port=port)
    deadline = time.time() + 15
    while not client.connect():
        assert time.time() < deadline, "pymodbus server did not start"
        time.sleep(0.1)
    yield port, client
    client.close()
    server.kill()
    server.wait()


def test_driver_reads_and_writes_a_real_modbus_server(peer):
    port, client = peer
    driver = Driver()
    try:
        ready = driver.next(lambda m: True)
        assert ready["type"] == "ready" and ready["metadata"]["module_name"] == "HVAC"
        result = driver.request({"type": "start", "module": "hvac", "config": {
            "module": "hvac", "ip": "127.0.0.1", "port": port, "settings": {"unit_id": 1, "poll_every_seconds": 60}}})
        assert result["ok"] is True
        assert driver.wait_status("connected", True)

        result = driver.request({"type": "exec", "module": "hvac", "method": "set_setpoint", "args": [21.5]})
        assert result["ok"] is True, result
        assert client.read_holding_registers(0, count=1, device_id=1).registers == [215]

        result = driver.request({"type": "exec", "module": "hvac", "method": "set_mode", "args": ["cool"]})
        assert result["ok"] is True, result
        assert client.read_holding_registers(1, count=1, device_id=1).registers == [3]

        # pymodbus answers an exception for the missing register; the caller gets it by name.
        result = driver.request({"type": "exec", "module": "hvac", "method": "set_fan_speed", "args": ["high"]})
        assert result["ok"] is False
        assert result["error"] == {"code": "failed",
                                   "message": "Modbus exception 2 (illegal data address) for function 6"}

        # The connection survives the exception.
        result = driver.request({"type": "exec", "module": "hvac", "method": "set_setpoint", "args": [23]})
        assert result["ok"] is True, result
        assert client.read_holding_registers(0, count=1, device_id=1).registers == [230]
    finally:
        driver.stop()
    assert driver.proc.returncode == 0
