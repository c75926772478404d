"""The web server with real clients: curl for keep-alive, chunked upload, HEAD and 304; Python for
routing, errors, static files, graceful shutdown and descriptor leaks."""
import os
import signal
import socket
import struct
import subprocess
import time

import pytest
import requests

from http_server import Conn, Server, server  # noqa: F401  (fixture)


def curl(*args):
    result = subprocess.run(["curl", "-sS", *args], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result


def test_healthz(server):
    response = requests.get(server.base + "/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["version"] and body["uptime_seconds"] >= 0
    assert response.headers["Server"] == "BackOffice" and "Date" in response.headers


def test_curl_reuses_keep_alive_connection(server):
    result = curl("-v", server.base + "/healthz", server.base + "/_test/plaintext")
    assert "Re-using existing connection" in result.stderr or "Reusing existing connection" in result.stderr


def test_curl_chunked_upload(server, tmp_path):
    payload = os.urandom(300_000)
    source = tmp_path / "upload.bin"
    source.write_bytes(payload)
    output = tmp_path / "echo.bin"
    curl("-H", "Transfer-Encoding: chunked", "--data-binary", f"@{source}", "-o", str(output), server.base + "/_test/echo")
    assert output.read_bytes() == payload


def test_curl_head_and_conditional_get(server):
    server.write_site_file("page.html", "<p>hello</p>")
    head = curl("-I", server.base + "/backoffice/page.html").stdout
    assert "200" in head.splitlines()[0] and "content-length: 12" in head.lower()
    etag = next(line.split(":", 1)[1].strip() for line in head.splitlines() if line.lower().startswith("etag:"))
    second = curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"If-None-Match: {etag}", server.base + "/backoffice/page.html")
    assert second.stdout == "304"
    modified = next(line.split(":", 1)[1].strip() for line in head.splitlines() if line.lower().startswith("last-modified:"))
    third = curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"If-Modified-Since: {modified}", server.base + "/backoffice/page.html")
    assert third.stdout == "304"


def test_static_files(server):
    server.write_site_file("index.html", "<h1>home</h1>")
    server.write_site_file("css/site.css", "body{}")
    server.write_site_file("empty/.keep", "")
    response = requests.get(server.base + "/backoffice/")
    assert response.text == "<h1>home</h1>" and response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Cache-Control"] and response.headers["ETag"] and response.headers["Last-Modified"]
    assert requests.get(server.base + "/backoffice/css/site.css").headers["Content-Type"].startswith("text/css")
    redirect = requests.get(server.base + "/backoffice/css", allow_redirects=False)
    assert redirect.status_code == 301 and redirect.headers["Location"] == "/backoffice/css/"
    assert requests.get(server.base + "/backoffice/css/").status_code == 404   # no listing
    assert requests.get(server.base + "/backoffice/empty/.keep").status_code == 404   # no dot files
    assert requests.get(server.base + "/backoffice/missing.html").status_code == 404


def test_static_symlink_escape_refused(server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    link = os.path.join(server.site, "leak.txt")
    os.symlink(secret, link)
    os.symlink(str(tmp_path), os.path.join(server.site, "leakdir"))
    os.symlink(os.path.join(server.site, "index.html"), os.path.join(server.site, "inside.html"))
    server.write_site_file("index.html", "<h1>home</h1>")
    assert requests.get(server.base + "/backoffice/leak.txt").status_code == 404
    assert requests.get(server.base + "/backoffice/leakdir/secret.txt").status_code == 404
    assert requests.get(server.base + "/backoffice/inside.html").text == "<h1>home</h1>"


def test_errors_render_json_or_html_by_accept(server):
    as_json = requests.get(server.base + "/nope", headers={"Accept": "application/json", "X-Request-ID": "abc-123"})
    assert as_json.status_code == 404 and as_json.json()["request_id"] == "abc-123"
    assert as_json.headers["X-Request-ID"] == "abc-123"
    as_html = requests.get(server.base + "/nope", headers={"Accept": "text/html,application/xhtml+xml"})
    assert as_html.status_code == 404 and as_html.text.lower().startswith("<!doctype html>")
    assert "BackOffice home" in as_html.text and "abc-123" not in as_html.text  # the site's page (SiteErrorPage)


def test_method_not_allowed_lists_allow(server):
    response = requests.delete(server.base + "/healthz")
    assert response.status_code == 405 and set(response.headers["Allow"].split(", ")) == {"GET", "HEAD"}


def test_unknown_error_is_500_with_request_id_only(server):
    response = requests.get(server.base + "/_test/crash")
    assert response.status_code == 500
    body = response.json()
    assert body["request_id"] == response.headers["X-Request-ID"] and "Boom" not in response.text


def test_path_parameters_and_query(server):
    response = requests.get(server.base + "/_test/params/caf%C3%A9/x%2Fy", params={"q": "a b&c"})
    assert response.json() == {"first": "café", "second": "x/y", "q": "a b&c"}


def test_generated_request_ids_differ(server):
    first = requests.get(server.base + "/healthz").headers["X-Request-ID"]
    second = requests.get(server.base + "/healthz").headers["X-Request-ID"]
    assert first and second and first != second


def test_emfile_on_accept_backs_off_and_recovers():
    import resource

    # The limit is set once the server runs, a few descriptors above what it holds then, so the
    # test does not depend on how many the sample building's modules and simulators need.
    limited = Server(extra_args=["--no-simulators"])
    try:
        limit = limited.settled_fds() + 16
        resource.prlimit(limited.process.pid, resource.RLIMIT_NOFILE, (limit, limit))
        clients = []
        for _ in range(80):   # more than the server has descriptors for
            try:
                clients.append(socket.create_connection(("127.0.0.1", limited.port), timeout=2))
            except OSError:
                break
        assert limited.process.poll() is None
        for client in clients:
            client.close()
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(limited.base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "server never recovered after running out of descriptors"
            time.sleep(0.2)
        assert "out of file descriptors" in limited.output()
    finally:
        limited.stop()


def test_connect_disconnect_cycles_leak_no_descriptors():
    fresh = Server(extra_args=["--no-simulators"])
    try:
        requests.get(fresh.base + "/healthz")
        before = fresh.settled_fds()
        for index in range(10_000):
            sock = socket.create_connection(("127.0.0.1", fresh.port))
            if index % 3 == 0:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            if index % 2 == 0:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))   # reset
            sock.close()
        assert fresh.fds_back_to(before) <= before
    finally:
        fresh.stop()


def test_graceful_shutdown_finishes_requests_and_closes_websockets():
    import asyncio
    import threading
    import websockets

    running = Server()
    try:
        ws_result = {}

        async def hold_websocket(ready):
            async with websockets.connect(f"ws://127.0.0.1:{running.port}/_test/echo") as ws:
                ready.set()
                try:
                    await ws.recv()
                except websockets.ConnectionClosed as closed:
                    ws_result["code"] = closed.rcvd.code if closed.rcvd else None

        ready = threading.Event()
        ws_thread = threading.Thread(target=lambda: asyncio.run(hold_websocket(ready)))
        ws_thread.start()
        assert ready.wait(10)
        slow = Conn(running.port, timeout=10)
        slow.send("GET /_test/slow HTTP/1.1\r\nHost: t\r\n\r\n")
        slow.wait_until_read()   # in flight, not a request still waiting in the socket
        running.process.send_signal(signal.SIGTERM)
        refused = False
        for _ in range(250):   # until the listener is shut (or the server is gone)
            try:
                socket.create_connection(("127.0.0.1", running.port), timeout=1).close()
            except (ConnectionRefusedError, ConnectionResetError):
                # Refused, or reset from the backlog of the listener being closed.
                refused = True
                break
            time.sleep(0.02)
        assert refused
        status, headers, body = slow.response()
        assert (status, body) == (200, b"slow") and headers["connection"] == "close"
        assert running.process.wait(timeout=10) == 0
        ws_thread.join(10)
        assert ws_result.get("code") == 1001
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", running.port), timeout=1)
    finally:
        running.stop()


def test_streamed_response_is_chunked(server):
    assert requests.get(server.base + "/_test/stream").text == "".join(f"chunk {n}\n" for n in range(5))
    big = curl(server.base + "/_test/stream?count=20000").stdout
    assert big.count("\n") == 20000 and big.endswith("chunk 19999\n")
    conn = Conn(server.port)
    try:
        conn.send("GET /_test/stream?count=2 HTTP/1.1\r\nHost: t\r\n\r\nGET /_test/plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
        while b"0\r\n\r\n" not in conn.buffer:
            conn._fill()
        head, _, rest = conn.buffer.partition(b"\r\n\r\n")
        assert b"Transfer-Encoding: chunked" in head and b"Content-Length" not in head
        assert rest.startswith(b"8\r\nchunk 0\n\r\n8\r\nchunk 1\n\r\n0\r\n\r\n")
        conn.buffer = rest[len(b"8\r\nchunk 0\n\r\n8\r\nchunk 1\n\r\n0\r\n\r\n"):]
        assert conn.response()[2] == b"Hello, World!"   # the pipelined request after the stream
    finally:
        conn.close()


def test_streamed_response_on_http_1_0_ends_with_close(server):
    conn = Conn(server.port)
    try:
        conn.send("GET /_test/stream?count=2 HTTP/1.0\r\n\r\n")
        assert conn.is_closed()
        head, _, body = conn.buffer.partition(b"\r\n\r\n")
        assert b"Connection: close" in head and b"Transfer-Encoding" not in head
        assert body == b"chunk 0\nchunk 1\n"
    finally:
        conn.close()


def test_failed_stream_is_cut_not_completed(server):
    conn = Conn(server.port)
    try:
        conn.send("GET /_test/stream?count=2&fail=1 HTTP/1.1\r\nHost: t\r\n\r\n")
        assert conn.is_closed()
        assert conn.buffer.endswith(b"chunk 1\n\r\n") and not conn.buffer.endswith(b"0\r\n\r\n")
    finally:
        conn.close()


def test_static_file_changes_are_seen_at_once(server):
    server.write_site_file("live.txt", "version one")
    assert requests.get(server.base + "/backoffice/live.txt").text == "version one"
    assert requests.get(server.base + "/backoffice/live.txt").text == "version one"   # now cached
    path = server.write_site_file("live.txt", "version two")
    os.utime(path, ns=(1, 2))   # same size, different mtime
    assert requests.get(server.base + "/backoffice/live.txt").text == "version two"
    os.remove(path)
    assert requests.get(server.base + "/backoffice/live.txt").status_code == 404


def test_static_file_edits_a_stat_cannot_see_are_served_at_once(server):
    """The cache is kept fresh by inotify, not by comparing size and mtime: an edit that keeps
    both, an atomic rename over the file and a directory moved away are all seen by the next request."""
    path = server.write_site_file("same.txt", "aaaa")
    os.utime(path, ns=(5_000_000_000, 5_000_000_000))
    assert requests.get(server.base + "/backoffice/same.txt").text == "aaaa"
    assert requests.get(server.base + "/backoffice/same.txt").text == "aaaa"   # now cached
    server.write_site_file("same.txt", "bbbb")
    os.utime(path, ns=(5_000_000_000, 5_000_000_000))
    assert requests.get(server.base + "/backoffice/same.txt").text == "bbbb"
    staged = server.write_site_file("same.txt.new", "renamed over")
    os.rename(staged, path)
    assert requests.get(server.base + "/backoffice/same.txt").text == "renamed over"
    server.write_site_file("docs/index.html", "<h1>docs</h1>")
    assert requests.get(server.base + "/backoffice/docs/").text == "<h1>docs</h1>"
    os.rename(os.path.join(server.site, "docs"), os.path.join(server.site, "old-docs"))
    assert requests.get(server.base + "/backoffice/docs/").status_code == 404


def test_request_log_lines():
    import re
    verbose = Server(extra_args=["--log-level", "info"])
    try:
        requests.get(verbose.base + "/_test/params/a/b?q=secret-token", headers={"X-Request-ID": "log-check-1"})
        deadline = time.monotonic() + 10
        while "log-check-1" not in verbose.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        line = next(line for line in verbose.output().splitlines() if "log-check-1" in line)
        assert re.search(r" info GET /_test/params/a/b 200 \d+B \d+ms id=log-check-1$", line), line
        assert "secret-token" not in verbose.output()
    finally:
        verbose.stop()


def test_unread_pipelined_responses_stop_the_reading():
    """A client that pipelines without reading fills the output queue; the server stops reading
    (so the client's sends block) instead of buffering without bound, then answers everything."""
    fresh = Server()
    try:
        conn = Conn(fresh.port, timeout=2)
        request = b"GET /_test/plaintext HTTP/1.1\r\nHost: t\r\n\r\n"
        batch = request * 1000
        sent = 0
        try:
            for _ in range(2000):                 # up to 80 MB of requests
                sent += conn.sock.send(batch)
        except socket.timeout:
            pass
        assert sent < len(batch) * 2000, "the server kept reading while its answers went unread"
        rss_kib = int(next(line for line in open(f"/proc/{fresh.process.pid}/status") if line.startswith("VmRSS")).split()[1])
        assert rss_kib < 300_000
        conn.sock.settimeout(10)
        for _ in range(sent // len(request)):
            status, _, body = conn.response()
            assert (status, body) == (200, b"Hello, World!")
        conn.close()
    finally:
        fresh.stop()


@pytest.mark.parametrize("code", [1, 42, 101, 600])
def test_handler_status_outside_http_becomes_500(server, code):
    assert requests.get(server.base + f"/_test/status/{code}").status_code == 500
