import Crypto

/// The opening handshake (RFC 6455 §4.2): validates an upgrade request and computes the accept key.
enum WebSocketHandshake {
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// Whether the request asks for a WebSocket upgrade at all.
    static func isUpgrade(_ headers: HTTPHeaders) -> Bool {
        headers.containsToken("websocket", in: "upgrade")
    }

    /// Checks a WebSocket upgrade request; returns the `Sec-WebSocket-Accept` value.
    static func validate(method: HTTPMethod, version: HTTPVersion, headers: HTTPHeaders) throws(HTTPError) -> String {
        guard method == .get, version == .http1_1 else { throw HTTPError(.badRequest, "WebSocket upgrade needs GET over HTTP/1.1") }
        guard headers.containsToken("websocket", in: "upgrade") else {
            throw HTTPError(HTTPStatus(426), "this endpoint speaks WebSocket", headers: ["Upgrade": "websocket", "Connection": "Upgrade"])
        }
        guard headers.containsToken("upgrade", in: "connection") else { throw HTTPError(.badRequest, "Connection must include Upgrade") }
        guard headers.values("sec-websocket-version") == ["13"] else {
            throw HTTPError(HTTPStatus(426), "unsupported WebSocket version", headers: ["Sec-WebSocket-Version": "13"])
        }
        let keys = headers.values("sec-websocket-key")
        guard keys.count == 1, let decoded = Base64.decode(keys[0]), decoded.count == 16 else {
            throw HTTPError(.badRequest, "bad Sec-WebSocket-Key")
        }
        return acceptValue(for: keys[0])
    }

    /// base64(SHA-1(key + GUID)).
    static func acceptValue(for key: String) -> String {
        Base64.encode(Digest.sha1.hash(key + guid))
    }
}
