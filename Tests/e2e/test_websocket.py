"""WebSocket over a real socket: the Python `websockets` client, raw-frame protocol violations,
handshake checks and 1,000 aborted connections without a descriptor leak."""
import asyncio
import base64
import os
import socket
import struct

import pytest
import websockets

from http_server import Conn, Server, server  # noqa: F401  (fixture)


def test_echo_with_websockets_client(server):
    async def talk():
        async with websockets.connect(f"ws://127.0.0.1:{server.port}/_test/echo", max_size=None) as ws:
            await ws.send("héllo")
            assert await ws.recv() == "héllo"
            await ws.send(b"\x00\x01binary")
            assert await ws.recv() == b"\x00\x01binary"
            big = "x" * 200_000
            await ws.send(big)
            assert await ws.recv() == big
            await ws.ping(b"p")
        return ws.close_code

    assert asyncio.run(talk()) == 1000


def frame(opcode, payload=b"", fin=True, rsv=0, masked=True, length=None):
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    size = len(payload) if length is None else length
    header = bytes([first])
    mask_bit = 0x80 if masked else 0
    if size < 126:
        header += bytes([mask_bit | size])
    elif size <= 0xFFFF:
        header += bytes([mask_bit | 126]) + struct.pack("!H", size)
    else:
        header += bytes([mask_bit | 127]) + struct.pack("!Q", size)
    if not masked:
        return header + payload
    key = os.urandom(4)
    return header + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class RawWebSocket:
    def __init__(self, port):
        self.conn = Conn(port, timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        self.conn.send(f"GET /_test/echo HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        status, headers, _ = self.conn.response()
        assert status == 101 and headers["upgrade"].lower() == "websocket"

    def send(self, data):
        self.conn.send(data)

    def read_frame(self):
        while len(self.conn.buffer) < 2:
            self.conn._fill()
        first, second = self.conn.buffer[0], self.conn.buffer[1]
        size, offset = second & 0x7F, 2
        if size == 126:
            size, offset = struct.unpack("!H", self.conn.buffer[2:4])[0], 4
        elif size == 127:
            size, offset = struct.unpack("!Q", self.conn.buffer[2:10])[0], 10
        while len(self.conn.buffer) < offset + size:
            self.conn._fill()
        payload = self.conn.buffer[offset:offset + size]
        self.conn.buffer = self.conn.buffer[offset + size:]
        return first & 0x0F, payload

    def expect_close(self, code):
        """The next frames end in a close frame with `code`, then the TCP connection closes."""
        while True:
            opcode, payload = self.read_frame()
            if opcode == 0x8:
                break
        assert struct.unpack("!H", payload[:2])[0] == code
        assert self.conn.is_closed()


@pytest.mark.parametrize("name,data,code", [
    ("unmasked client frame", frame(0x1, b"hi", masked=False), 1002),
    ("RSV bits", frame(0x1, b"hi", rsv=1), 1002),
    ("unknown opcode", frame(0x3, b"hi"), 1002),
    ("fragmented control frame", frame(0x9, b"hi", fin=False), 1002),
    ("oversize control frame", frame(0x9, b"x" * 126), 1002),
    ("continuation without message", frame(0x0, b"hi"), 1002),
    ("new message inside fragments", frame(0x1, b"a", fin=False) + frame(0x1, b"b"), 1002),
    ("invalid UTF-8 across fragments", frame(0x1, b"\xce", fin=False) + frame(0x0, b"\xff"), 1007),
    ("truncated UTF-8 at message end", frame(0x1, b"ok\xce", fin=False) + frame(0x0, b"")[:0] + frame(0x0, b"", fin=True), 1007),
    ("invalid UTF-8 before the frame is complete", frame(0x1, b"ok\xff" + b"x" * 100)[:12], 1007),
    ("close code 999", frame(0x8, struct.pack("!H", 999)), 1002),
    ("close code 1005", frame(0x8, struct.pack("!H", 1005)), 1002),
    ("close code 2999", frame(0x8, struct.pack("!H", 2999)), 1002),
    ("one-byte close", frame(0x8, b"\x03"), 1002),
    ("invalid UTF-8 close reason", frame(0x8, struct.pack("!H", 1000) + b"\xff"), 1007),
    ("frame over the size limit", frame(0x2, b"", length=17 * 1024 * 1024), 1009),
    ("length with top bit set", frame(0x2, b"", length=1 << 63), 1002),
])
def test_protocol_violations_close_the_connection(server, name, data, code):
    ws = RawWebSocket(server.port)
    try:
        ws.send(data)
        ws.expect_close(code)
    finally:
        ws.conn.close()


def test_interleaved_ping_and_fragmented_text(server):
    ws = RawWebSocket(server.port)
    try:
        ws.send(frame(0x1, "hé".encode()[:2], fin=False) + frame(0x9, b"ping!") + frame(0x0, "hé".encode()[2:] + b"llo"))
        assert ws.read_frame() == (0xA, b"ping!")
        assert ws.read_frame() == (0x1, "héllo".encode())
        ws.send(frame(0x8, struct.pack("!H", 1000) + b"bye"))
        ws.expect_close(1000)
    finally:
        ws.conn.close()


@pytest.mark.parametrize("headers,status", [
    ("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n", 400),       # no key
    ("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n", 400),  # short key
    ("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n", 426),
    ("Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n", 400),  # no Connection: Upgrade
    ("", 426),   # plain GET on a WebSocket route
])
def test_bad_handshakes(server, headers, status):
    conn = Conn(server.port)
    try:
        conn.send("GET /_test/echo HTTP/1.1\r\nHost: t\r\n" + headers + "\r\n")
        assert conn.response()[0] == status
    finally:
        conn.close()


def test_handshake_accept_value(server):
    conn = Conn(server.port)
    try:
        conn.send("GET /_test/echo HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        status, headers, _ = conn.response()
        assert status == 101 and headers["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="   # RFC 6455 §1.3
    finally:
        conn.close()


def test_aborted_websockets_leak_no_descriptors():
    fresh = Server(extra_args=["--no-simulators"])
    try:
        RawWebSocket(fresh.port).conn.close()
        before = fresh.settled_fds()
        for index in range(1000):
            ws = RawWebSocket(fresh.port)
            if index % 2:
                ws.send(frame(0x1, b"half a mess", fin=False)[:5])   # abort mid-frame
            ws.conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            ws.conn.close()
        assert fresh.fds_back_to(before) <= before
    finally:
        fresh.stop()


def test_unread_echoes_push_back_to_the_sender():
    """Echo handler + a client that never reads: the handler's sends wait, its inbox fills, the server
    stops reading, and the client's sends block. Reading then drains everything in order."""
    fresh = Server()
    try:
        ws = RawWebSocket(fresh.port)
        ws.conn.sock.settimeout(2)
        sent_messages = 0
        try:
            for index in range(2000):              # up to 120 MB
                data = frame(0x2, index.to_bytes(4, "big") + bytes(59_996))
                view = memoryview(data)
                while view:
                    view = view[ws.conn.sock.send(view):]
                sent_messages += 1
        except socket.timeout:
            pass
        assert sent_messages < 2000, "the server kept reading while its echoes went unread"
        rss_kib = int(next(line for line in open(f"/proc/{fresh.process.pid}/status") if line.startswith("VmRSS")).split()[1])
        assert rss_kib < 400_000
        ws.conn.sock.settimeout(10)
        for index in range(sent_messages):
            opcode, payload = ws.read_frame()
            assert opcode == 0x2 and payload[:4] == index.to_bytes(4, "big")
        ws.conn.close()
    finally:
        fresh.stop()
