#!/usr/bin/env python3
"""A driver written from docs/driver-protocol.md alone, for the runtime's tests.

Module settings steer it: `fail_start` (start answers an error), `connect` (open a TCP
connection to ip:port and keep `connected` in status, reconnecting when it drops).
"""
import json
import os
import socket
import sys
import threading
import time

out_lock = threading.Lock()


def send(message):
    with out_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def reply(seq, value=None, error=None):
    if error:
        send({"type": "result", "seq": seq, "ok": False, "error": {"code": error[0], "message": error[1]}})
    else:
        send({"type": "result", "seq": seq, "ok": True, "value": value})


def arg(name, schema, **extra):
    return dict({"name": name, "schema": schema}, **extra)


METADATA = {
    "name": "Python Test Driver", "module_name": "Tester", "role": 1, "default_port": 9,
    "functions": {
        "echo": {"args": [arg("text", {"type": "string"})]},
        "add": {"args": [arg("a", {"type": "integer"}), arg("b", {"type": "integer", "default": 1})]},
        "set_status": {"args": [arg("key", {"type": "string"}), arg("value", {})]},
        "slow": {"args": [arg("ms", {"type": "integer", "minimum": 0})]},
        "never": {"args": []},
        "crash": {"args": []},
        "hang": {"args": []},
        "garbage": {"args": []},
        "fail": {"args": []},
        "log": {"args": [arg("text", {"type": "string"})]},
        "call": {"args": [arg("target", {"type": "string"}), arg("method", {"type": "string"}), arg("args", {"type": "array"})]},
        "watch": {"args": [arg("target", {"type": "string"}), arg("key", {"type": "string"})]},
        "save_setting": {"args": [arg("key", {"type": "string"}), arg("value", {})]},
        "lamp_reset": {"args": [], "security": "administrator"},
        "service_menu": {"args": [], "security": "support"},
        "webhook": {"args": [arg("method", {"type": "string"}), arg("headers", {"type": "object"}), arg("body", {"type": "string"})],
                    "security": "support"},
    },
}

if len(sys.argv) > 1 and sys.argv[1] == "--metadata":
    print(json.dumps(METADATA))
    sys.exit(0)

modules = {}        # id -> config
debugging = set()
connections = {}    # id -> Connection
my_seq = [0]
waiting = {}        # my seq -> (event, box)
watched = {}        # subscription -> (module, key)


def status(module, key, value):
    send({"type": "status", "module": module, "key": key, "value": value})


def log(module, level, text):
    if level in ("debug", "trace") and module not in debugging:
        return
    send({"type": "log", "module": module, "level": level, "message": text})


def ask(message):
    """A driver → core request; waits for the core's result."""
    my_seq[0] += 1
    seq = my_seq[0]
    event = threading.Event()
    box = {}
    waiting[seq] = (event, box)
    message["seq"] = seq
    send(message)
    event.wait(15)
    return box.get("result")


class Connection:
    """Keeps a TCP connection to the module's device; `connected` follows it."""

    def __init__(self, module, ip, port):
        self.module, self.address, self.stopped = module, (ip, port), False
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        while not self.stopped:
            try:
                sock = socket.create_connection(self.address, timeout=2)
            except OSError:
                status(self.module, "connected", False)
                time.sleep(0.2)
                continue
            self.sock = sock
            status(self.module, "connected", True)
            sock.settimeout(None)
            try:
                while not self.stopped and sock.recv(4096):
                    pass
            except OSError:
                pass
            sock.close()
            if not self.stopped:
                status(self.module, "connected", False)
                time.sleep(0.2)

    def stop(self):
        self.stopped = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except Exception:
            pass


def connect(module, config):
    old = connections.pop(module, None)
    if old:
        old.stop()
    if config.get("settings", {}).get("connect") and config.get("ip") and config.get("port"):
        connections[module] = Connection(module, config["ip"], config["port"])


def connection_fields(config):
    return [config.get(k) for k in ("ip", "port", "tls", "udp", "makebreak", "uri")]


def execute(m):
    seq, module, method, args = m["seq"], m["module"], m["method"], m["args"]
    if isinstance(args, dict):
        args = [args[a["name"]] for a in METADATA["functions"][method]["args"] if a["name"] in args]
    log(module, "debug", "exec %s %s" % (method, json.dumps(args)))
    if method == "echo":
        reply(seq, args[0])
    elif method == "add":
        reply(seq, args[0] + (args[1] if len(args) > 1 else 1))
    elif method == "set_status":
        status(module, args[0], args[1])
        reply(seq, True)
    elif method == "slow":
        def later():
            time.sleep(args[0] / 1000)
            reply(seq, "slept")
        threading.Thread(target=later, daemon=True).start()
    elif method == "never":
        pass
    elif method == "crash":
        os._exit(3)
    elif method == "hang":
        time.sleep(3600)
    elif method == "garbage":
        with out_lock:
            sys.stdout.write("this is not json\n{\"no\": \"type\"}\n")
            sys.stdout.flush()
        reply(seq, "after garbage")
    elif method == "fail":
        reply(seq, error=("failed", "the device said no"))
    elif method == "log":
        sys.stderr.write("stderr says %s\n" % args[0])
        sys.stderr.flush()
        log(module, "info", "info says %s" % args[0])
        reply(seq, True)
    elif method == "call":
        def run():
            result = ask({"type": "exec", "module": module, "target": args[0], "method": args[1], "args": args[2]})
            reply(seq, result)
        threading.Thread(target=run, daemon=True).start()
    elif method == "watch":
        def run():
            result = ask({"type": "subscribe", "module": module, "target": args[0], "key": args[1]})
            if result and result.get("ok"):
                watched[result["value"]["subscription"]] = (module, args[1])
                status(module, "watched", result["value"]["value"])
            reply(seq, result)
        threading.Thread(target=run, daemon=True).start()
    elif method == "webhook":
        # A trigger webhook's exec: answer [status, headers, body] and keep what came as statuses.
        status(module, "webhook_call", {"method": args[0], "query": args[1].get("pos-query-params", [""])[0],
                                        "cookie": "cookie" in args[1], "body": args[2]})
        reply(seq, [201, {"X-Handled-By": module}, "handled %s %s" % (args[0], args[2])])
    elif method == "save_setting":
        def run():
            reply(seq, ask({"type": "setting", "module": module, "key": args[0], "value": args[1]}))
        threading.Thread(target=run, daemon=True).start()
    else:
        reply(seq, method)


send({"type": "ready", "protocol": 1, "metadata": METADATA})
for line in sys.stdin:
    m = json.loads(line)
    t = m.get("type")
    if t == "start":
        config = m["config"]
        sys.stderr.write("starting %s\n" % m["module"])
        sys.stderr.flush()
        if config.get("settings", {}).get("fail_start"):
            reply(m["seq"], error=("start_failed", "fail_start is set"))
            continue
        modules[m["module"]] = config
        reply(m["seq"])
        status(m["module"], "started_pid", os.getpid())
        status(m["module"], "greeting", config.get("settings", {}).get("greeting"))
        connect(m["module"], config)
    elif t == "update":
        old = modules.get(m["module"], {})
        modules[m["module"]] = m["config"]
        reply(m["seq"])
        status(m["module"], "greeting", m["config"].get("settings", {}).get("greeting"))
        if connection_fields(old) != connection_fields(m["config"]):
            connect(m["module"], m["config"])
    elif t == "stop":
        modules.pop(m["module"], None)
        conn = connections.pop(m["module"], None)
        if conn:
            conn.stop()
        reply(m["seq"])
    elif t == "exec":
        execute(m)
    elif t == "info":
        reply(m["seq"], {"modules": sorted(modules)})
    elif t == "debug":
        debugging.add(m["module"])
    elif t == "ignore":
        debugging.discard(m["module"])
    elif t == "result":
        entry = waiting.pop(m["seq"], None)
        if entry:
            entry[1]["result"] = m
            entry[0].set()
    elif t == "status":
        module, key = watched.get(m["subscription"], (m["module"], None))
        status(module, "watched", m["value"])
    elif t == "terminate":
        break
