import Glibc

/// A minimal HTTP/1.1 client over one keep-alive `LoopbackSocket`, for benchmarks that time a
/// request as a browser makes it (no client library's work in the figure). It follows nothing:
/// a 303 comes back as a 303. Bodies are read by `Content-Length` or chunked encoding.
public final class LoopbackHTTPClient {
    public struct Response {
        public var status: Int
        /// Header names in lower case (the last value of a repeated header wins).
        public var headers: [String: String]
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    private let socket: LoopbackSocket
    private var buffer: [UInt8] = []

    /// Connects to `port`; nil when nothing accepts there.
    public init?(port: Int) {
        guard let socket = LoopbackSocket(port: port) else { return nil }
        self.socket = socket
    }

    deinit { close(socket.fd) }

    /// Sends one request and reads its whole response.
    public func send(_ method: String, _ target: String, headers: [String: String] = [:], body: [UInt8] = []) throws -> Response {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        guard socket.sendAll(Array(head.utf8) + body) else { throw Failure(description: "send failed: errno \(errno)") }
        return try readResponse()
    }

    private func readResponse() throws -> Response {
        let headEnd = try readUntil([13, 10, 13, 10])
        let headText = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        let lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false)
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "bad status line: \(lines.first ?? "")") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces
        }
        var body: [UInt8] = []
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            while true {
                let lineEnd = try readUntil([13, 10])
                let size = Int(String(decoding: buffer[..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? 0
                buffer.removeFirst(lineEnd + 2)
                try fill(size + 2)
                body += buffer[..<size]
                buffer.removeFirst(size + 2)
                if size == 0 { break }
            }
        } else {
            let length = Int(headers["content-length"] ?? "0") ?? 0
            try fill(length)
            body = Array(buffer[..<length])
            buffer.removeFirst(length)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// The offset of `marker` in the buffer, reading until it is there.
    private func readUntil(_ marker: [UInt8]) throws -> Int {
        var searched = 0
        while true {
            if buffer.count >= marker.count {
                for start in searched...(buffer.count - marker.count) where buffer[start..<start + marker.count].elementsEqual(marker) {
                    return start
                }
                searched = buffer.count - marker.count + 1
            }
            try receive()
        }
    }

    /// Reads until the buffer holds at least `count` bytes.
    private func fill(_ count: Int) throws {
        while buffer.count < count { try receive() }
    }

    private func receive() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw Failure(description: n == 0 ? "connection closed by the server" : "receive failed: errno \(errno)") }
        buffer += chunk[..<n]
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
