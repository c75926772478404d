"""Every request-parsing pitfall of style-anchors §3, sent as raw bytes over a real socket.

Each test checks the status and, where the request's framing can no longer be trusted, that the
server closes the connection.
"""
import pytest

from http_server import Conn, exchange, expect_refused, server  # noqa: F401  (fixture)

HOST = "Host: t\r\n"


def test_content_length_and_transfer_encoding_together(server):
    expect_refused(server.port, "POST /_test/echo HTTP/1.1\r\n" + HOST +
                   "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)


@pytest.mark.parametrize("lengths", [
    ["5", "5"],          # repeated, same value
    ["5", "6"],          # conflicting
    ["5, 5"],            # list
    ["+5"],              # signed
    ["-1"],              # negative
    ["0x5"],             # hex
    ["5 5"],             # embedded space
    [""],                # empty
    ["99999999999999999999999"],  # overflow
], ids=["repeated", "conflicting", "list", "plus", "negative", "hex", "space", "empty", "overflow"])
def test_bad_content_length(server, lengths):
    fields = "".join(f"Content-Length: {value}\r\n" for value in lengths)
    expect_refused(server.port, "POST /_test/echo HTTP/1.1\r\n" + HOST + fields + "\r\nhello", 400)


def test_chunked_not_last(server):
    expect_refused(server.port, "POST /_test/echo HTTP/1.1\r\n" + HOST +
                   "Transfer-Encoding: chunked, gzip\r\n\r\n", 400)


def test_unknown_transfer_coding(server):
    expect_refused(server.port, "POST /_test/echo HTTP/1.1\r\n" + HOST +
                   "Transfer-Encoding: gzip, chunked\r\n\r\n", 501)


def test_transfer_encoding_in_http_1_0(server):
    expect_refused(server.port, "POST /_test/echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)


@pytest.mark.parametrize("size_line", ["zz", "", "5 ", " 5", "-5", "0x5"], ids=["letters", "empty", "trailing-space", "leading-space", "negative", "prefix"])
def test_bad_chunk_size(server, size_line):
    expect_refused(server.port, "POST /_test/echo HTTP/1.1\r\n" + HOST +
                   f"Transfer-Encoding: chunked\r\n\r\n{size_line}\r\nhello\r\n0\r\n\r\n", 400)


def test_chunk_size_overflow(server):
    expect_refused(server.port, "POST /_test/echo HTTP/1.1\r\n" + HOST +
                   "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffffffff\r\n", 400)


def test_chunk_size_over_body_limit(server):
    expect_refused(server.port, "POST /_test/echo HTTP/1.1\r\n" + HOST +
                   "Transfer-Encoding: chunked\r\n\r\n10000000\r\n", 413)


def test_chunk_data_without_crlf(server):
    expect_refused(server.port, "POST /_test/echo HTTP/1.1\r\n" + HOST +
                   "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", 400)


def test_chunked_body_is_decoded(server):
    status, _, body = exchange(server.port, "POST /_test/echo HTTP/1.1\r\n" + HOST +
                               "Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n")
    assert (status, body) == (200, b"hello world")


def test_whitespace_before_colon(server):
    expect_refused(server.port, "GET /healthz HTTP/1.1\r\nHost : t\r\n\r\n", 400)


def test_obs_fold(server):
    expect_refused(server.port, "GET /healthz HTTP/1.1\r\n" + HOST + "X-A: one\r\n two\r\n\r\n", 400)


def test_bare_cr(server):
    expect_refused(server.port, "GET /healthz HTTP/1.1\r\n" + HOST + "X-A: o\rne\r\n\r\n", 400)


def test_bare_lf(server):
    expect_refused(server.port, "GET /healthz HTTP/1.1\n" + HOST + "\r\n", 400)


def test_control_character_in_value(server):
    expect_refused(server.port, "GET /healthz HTTP/1.1\r\n" + HOST + "X-A: a\x00b\r\n\r\n", 400)


def test_missing_host(server):
    expect_refused(server.port, "GET /healthz HTTP/1.1\r\n\r\n", 400)


def test_duplicate_host(server):
    expect_refused(server.port, "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400)


def test_http_1_0_needs_no_host(server):
    status, headers, _ = exchange(server.port, "GET /healthz HTTP/1.0\r\n\r\n")
    assert status == 200 and headers["connection"] == "close"


def test_unsupported_version(server):
    expect_refused(server.port, "GET /healthz HTTP/2.0\r\n" + HOST + "\r\n", 505)


def test_malformed_request_line(server):
    expect_refused(server.port, "GET  /healthz HTTP/1.1\r\n" + HOST + "\r\n", 400)


def test_request_line_too_long(server):
    expect_refused(server.port, "GET /" + "a" * 9000 + " HTTP/1.1\r\n" + HOST + "\r\n", 414)


def test_too_many_headers(server):
    fields = "".join(f"X-{n}: v\r\n" for n in range(101))
    expect_refused(server.port, "GET /healthz HTTP/1.1\r\n" + HOST + fields + "\r\n", 431)


def test_header_block_too_large(server):
    fields = "".join(f"X-{n}: {'v' * 8000}\r\n" for n in range(9))
    expect_refused(server.port, "GET /healthz HTTP/1.1\r\n" + HOST + fields + "\r\n", 431)


def test_body_too_large(server):
    expect_refused(server.port, "POST /_test/echo HTTP/1.1\r\n" + HOST + "Content-Length: 9000000\r\n\r\n", 413)


def test_chunked_body_too_large(server):
    conn = Conn(server.port)
    try:
        conn.send("POST /_test/echo HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"100000\r\n" + b"x" * 0x100000 + b"\r\n"
        status = None
        try:
            for _ in range(9):
                conn.send(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = conn.response()
        status = response[0] if response else None
        assert status == 413
    finally:
        conn.close()


def test_expect_continue_gets_100_then_the_answer(server):
    conn = Conn(server.port)
    try:
        conn.send("POST /_test/echo HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        assert conn.response()[0] == 100
        conn.send("hello")
        status, _, body = conn.response()
        assert (status, body) == (200, b"hello")
    finally:
        conn.close()


def test_expect_continue_refused_when_body_too_large(server):
    response = expect_refused(server.port, "POST /_test/echo HTTP/1.1\r\n" + HOST +
                              "Content-Length: 900000000\r\nExpect: 100-continue\r\n\r\n", 413)
    assert response[0] != 100


def test_expect_continue_refused_for_unknown_route(server):
    expect_refused(server.port, "POST /nowhere HTTP/1.1\r\n" + HOST +
                   "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n", 404)


def test_bad_expect(server):
    expect_refused(server.port, "POST /_test/echo HTTP/1.1\r\n" + HOST +
                   "Content-Length: 5\r\nExpect: 200-ok\r\n\r\nhello", 417)


def test_head_keeps_content_length_without_body(server):
    conn = Conn(server.port)
    try:
        conn.send("HEAD /healthz HTTP/1.1\r\n" + HOST + "\r\nGET /_test/plaintext HTTP/1.1\r\n" + HOST + "\r\n")
        status, headers, _ = conn.response(head_request=True)
        assert status == 200 and int(headers["content-length"]) > 0
        # The next bytes must be the second response, not a body.
        status, _, body = conn.response()
        assert (status, body) == (200, b"Hello, World!")
    finally:
        conn.close()


@pytest.mark.parametrize("code", [204, 304])
def test_bodyless_statuses(server, code):
    conn = Conn(server.port)
    try:
        conn.send(f"GET /_test/status/{code} HTTP/1.1\r\n" + HOST + "\r\nGET /_test/plaintext HTTP/1.1\r\n" + HOST + "\r\n")
        status, headers, _ = conn.response()
        assert status == code
        if code == 204:
            assert "content-length" not in headers
        status, _, body = conn.response()
        assert (status, body) == (200, b"Hello, World!")
    finally:
        conn.close()


def test_pipelined_requests_answered_in_order(server):
    conn = Conn(server.port)
    try:
        requests = ("GET /_test/slow HTTP/1.1\r\n" + HOST + "\r\n"
                    "GET /_test/params/a/b?q=1 HTTP/1.1\r\n" + HOST + "\r\n"
                    "POST /_test/echo HTTP/1.1\r\n" + HOST + "Content-Length: 3\r\n\r\nabc"
                    "GET /_test/plaintext HTTP/1.1\r\n" + HOST + "X-Request-ID: last-one\r\n\r\n")
        conn.send(requests)
        bodies = [conn.response() for _ in range(4)]
        assert [b[2] for b in bodies] == [b"slow", b'{"first":"a","second":"b","q":"1"}', b"abc", b"Hello, World!"]
        assert bodies[3][1]["x-request-id"] == "last-one"
    finally:
        conn.close()


def test_pipelined_requests_sent_byte_by_byte(server):
    conn = Conn(server.port)
    try:
        for byte in ("GET /_test/plaintext HTTP/1.1\r\n" + HOST + "\r\n") * 2:
            conn.send(byte)
        assert conn.response()[2] == b"Hello, World!"
        assert conn.response()[2] == b"Hello, World!"
    finally:
        conn.close()


def test_connection_close_is_honoured(server):
    conn = Conn(server.port)
    try:
        conn.send("GET /healthz HTTP/1.1\r\n" + HOST + "Connection: close\r\n\r\n")
        status, headers, _ = conn.response()
        assert status == 200 and headers["connection"] == "close"
        assert conn.is_closed()
    finally:
        conn.close()


def test_http_1_0_keep_alive(server):
    conn = Conn(server.port)
    try:
        for _ in range(2):
            conn.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            status, headers, _ = conn.response()
            assert status == 200 and headers["connection"] == "keep-alive"
    finally:
        conn.close()


@pytest.mark.parametrize("target", ["/backoffice/../etc/passwd", "/backoffice/%2e%2e/x", "/backoffice/a%00b", "/a%zz"],
                         ids=["dotdot", "encoded-dotdot", "nul", "bad-escape"])
def test_bad_paths_rejected(server, target):
    status, _, _ = exchange(server.port, f"GET {target} HTTP/1.1\r\n" + HOST + "\r\n")
    assert status == 400


def test_absolute_form_target(server):
    status, _, body = exchange(server.port, f"GET http://t/_test/plaintext HTTP/1.1\r\n" + HOST + "\r\n")
    assert (status, body) == (200, b"Hello, World!")


def test_slowloris_cut_at_head_deadline(tmp_path):
    import time
    from http_server import Server
    slow = Server(extra_args=["--head-timeout", "3"])
    try:
        conn = Conn(slow.port, timeout=0.2)
        head = "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: " + "a" * 40 + "\r\n\r\n"
        cut = False
        for byte in head:
            try:
                conn.send(byte)
            except (BrokenPipeError, ConnectionResetError):
                cut = True
                break
            time.sleep(0.8)   # one byte a second, counting the probe below
            if conn.is_closed():
                cut = True
                break
        assert cut, "a client trickling its head was never cut off"
        assert b"408" in conn.buffer or conn.buffer == b""
        conn.close()
    finally:
        slow.stop()
