/// Turns a `Response` into HTTP/1.1 bytes: status line, headers we own (`Server`, `Date`,
/// `Content-Length`, `Connection`, `X-Request-ID`), then the body unless the method or status forbids it.
enum ResponseSerializer {
    /// Fields the serializer writes itself; a handler's copy is dropped.
    private static let ownedHeaders = ["content-length", "connection", "date", "server", "transfer-encoding", "x-request-id"]
    private static let statusLines: [Int: [UInt8]] = {
        var lines: [Int: [UInt8]] = [:]
        for (code, reason) in HTTPStatus.reasons { lines[code] = Array("HTTP/1.1 \(code) \(reason)\r\n".utf8) }
        return lines
    }()

    /// How the body's end is marked.
    enum Framing {
        /// `Content-Length` from the body (or, for HEAD, from the handler's header).
        case sized
        /// `Transfer-Encoding: chunked` (streamed bodies on HTTP/1.1).
        case chunked
        /// Neither: the body ends when the connection closes (streamed bodies on HTTP/1.0).
        case untilClose
    }

    static func serialize(_ response: Response, isHead: Bool, version: HTTPVersion, keepAlive: Bool,
                          date: [UInt8], requestID: String, framing: Framing = .sized) -> [UInt8] {
        var out: [UInt8] = []
        serialize(response, isHead: isHead, version: version, keepAlive: keepAlive, date: date, requestID: requestID,
                  framing: framing, into: &out)
        return out
    }

    /// Appends the response to `out` (the connection's output queue), so the bytes are copied once.
    static func serialize(_ response: Response, isHead: Bool, version: HTTPVersion, keepAlive: Bool,
                          date: [UInt8], requestID: String, framing: Framing = .sized, into out: inout [UInt8]) {
        let sendsBody = !isHead && !response.status.forbidsBody
        out.reserveCapacity(out.count + 160 + response.headers.count * 40 + (sendsBody ? response.body.count : 0))
        if let line = statusLines[response.status.code], response.status.reason == HTTPStatus.reasons[response.status.code] {
            out.append(contentsOf: line)
        } else {
            out.append(contentsOf: "HTTP/1.1 \(response.status.code) \(response.status.reason)\r\n".utf8)
        }
        out.append(contentsOf: "Server: BackOffice\r\nDate: ".utf8)
        out.append(contentsOf: date)
        out.append(contentsOf: "\r\n".utf8)
        var explicitLength: String?
        for field in response.headers {
            if isOwned(field.name) {
                if equalsIgnoringCase(field.name, "content-length") { explicitLength = field.value }
                continue
            }
            // A name that is not a token could smuggle a header or end the block: drop it.
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(isTokenByte) else { continue }
            appendField(&out, field.name, field.value)
        }
        if framing == .chunked && !response.status.forbidsBody {
            out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        } else if framing == .sized && !response.status.forbidsBody {
            // A HEAD answer keeps the length the GET would have had.
            let length = isHead && response.body.isEmpty ? (explicitLength ?? "0") : String(response.body.count)
            appendField(&out, "Content-Length", length)
        }
        if !keepAlive {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        } else if version == .http1_0 {
            out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        appendField(&out, "X-Request-ID", requestID)
        out.append(contentsOf: "\r\n".utf8)
        if sendsBody && framing == .sized { out.append(contentsOf: response.body) }
    }

    private static func isOwned(_ name: String) -> Bool {
        let length = name.utf8.count
        return ownedHeaders.contains { $0.utf8.count == length && equalsIgnoringCase($0, name) }
    }

    private static func appendField(_ out: inout [UInt8], _ name: String, _ value: String) {
        if name.utf8.withContiguousStorageIfAvailable({ out.append(contentsOf: $0) }) == nil {
            out.append(contentsOf: name.utf8)
        }
        out.append(0x3A)
        out.append(0x20)
        // Never let a handler's value split the header block. Native strings are contiguous:
        // scan and copy the buffer (a generic walk of the UTF-8 view was a visible share).
        let copied = value.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard !bytes.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied != true {
            for byte in value.utf8 where byte != 0x0D && byte != 0x0A { out.append(byte) }
        }
        out.append(0x0D)
        out.append(0x0A)
    }
}
