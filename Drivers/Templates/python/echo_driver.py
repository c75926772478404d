#!/usr/bin/env python3
"""A driver in Python, to start from: any executable that speaks docs/driver-protocol.md is a
driver, and runs from git without a build. Keep the file executable (`chmod +x`, which git
records) and the `#!` line. `--metadata` prints the metadata and exits."""
import json
import sys

METADATA = {
    "name": "Python Echo",
    "description": "Says back what it is given. A template for drivers in any language.",
    "module_name": "Echo",
    "role": 99,
    "default_settings": {"prefix": ""},
    "functions": {
        "echo": {"description": "Repeat the text.", "args": [{"name": "text", "schema": {"type": "string"}}]},
    },
}


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def reply(seq, value=None):
    send({"type": "result", "seq": seq, "ok": True, "value": value})


def main():
    if "--metadata" in sys.argv[1:]:
        print(json.dumps(METADATA))
        return
    send({"type": "ready", "protocol": 1, "metadata": METADATA})
    modules = {}
    for line in sys.stdin:
        message = json.loads(line)
        kind, seq, module = message.get("type"), message.get("seq"), message.get("module")
        if kind in ("start", "update"):
            modules[module] = message["config"].get("settings", {})
            reply(seq)
            send({"type": "status", "module": module, "key": "prefix", "value": modules[module].get("prefix", "")})
        elif kind == "stop":
            modules.pop(module, None)
            reply(seq)
        elif kind == "exec":
            if module not in modules:
                send({"type": "result", "seq": seq, "ok": False, "error": {"code": "unknown_module", "message": module}})
            elif message["method"] == "echo":
                args = message["args"]
                text = args[0] if isinstance(args, list) else args.get("text", "")
                reply(seq, modules[module].get("prefix", "") + text)
            else:
                send({"type": "result", "seq": seq, "ok": False,
                      "error": {"code": "unknown_method", "message": message["method"]}})
        elif kind == "info":
            reply(seq, {"modules": sorted(modules)})
        elif kind == "terminate":
            break


if __name__ == "__main__":
    main()
