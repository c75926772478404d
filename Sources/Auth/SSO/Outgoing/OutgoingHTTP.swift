#if canImport(Glibc)
import Glibc
#endif
import Crypto
import SiteGen

/// A small blocking HTTP/1.1 client for the calls sign-in makes to an identity provider
/// (discovery, token, JWKS, userinfo): one request per connection (`Connection: close`),
/// plain http or https through `Crypto.TLSClientSession` (the certificate must chain to the
/// system's trust store — `SSL_CERT_FILE` names another bundle — and name the host), a time
/// limit per call and a size limit on the answer. It runs on a blocking worker, never on an
/// event loop. Redirects are not followed.
public struct OutgoingHTTP: Sendable {
    public var timeout: Duration
    public var maximumBytes: Int

    public init(timeout: Duration = .seconds(10), maximumBytes: Int = 1 << 20) {
        self.timeout = timeout
        self.maximumBytes = maximumBytes
    }

    public struct Response: Sendable {
        public var status: Int
        /// Header names lowercased; a repeated header keeps its last value.
        public var headers: [String: String]
        public var body: [UInt8]
    }

    /// Why a call failed, in words for the log (never shown to a visitor).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    public func get(_ url: String, headers: [(String, String)] = []) throws(Failure) -> Response {
        try send("GET", url, headers: headers, body: [])
    }

    /// POSTs `form` as `application/x-www-form-urlencoded`.
    public func post(_ url: String, form: [(String, String)], headers: [(String, String)] = []) throws(Failure) -> Response {
        let body = form.map { FormEncoding.encode($0.0) + "=" + FormEncoding.encode($0.1) }.joined(separator: "&")
        return try send("POST", url, headers: headers + [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
    }

    public func send(_ method: String, _ url: String, headers: [(String, String)], body: [UInt8]) throws(Failure) -> Response {
        guard let target = HTTPTarget(url) else { throw Failure("not an http(s) URL: \(url)") }
        let descriptor = try connect(target)
        defer { close(descriptor) }
        var head = "\(method) \(target.pathAndQuery) HTTP/1.1\r\nHost: \(target.hostHeader)\r\nConnection: close\r\n"
        head += "User-Agent: BackOffice\r\nAccept: application/json\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers where !name.contains(where: \.isNewline) && !value.contains(where: \.isNewline) {
            head += "\(name): \(value)\r\n"
        }
        let request = Array((head + "\r\n").utf8) + body
        let channel: Channel
        if target.isTLS {
            do {
                channel = .tls(try TLSClientSession(fd: descriptor, hostname: target.host, verify: true, timeout: timeout))
            } catch { throw Failure("TLS with \(target.host): \(error)") }
        } else {
            channel = .plain(descriptor)
        }
        try channel.writeAll(request[...])
        return try readResponse(channel, url: url)
    }

    private enum Channel {
        case plain(Int32)
        case tls(TLSClientSession)

        func writeAll(_ bytes: ArraySlice<UInt8>) throws(Failure) {
            var rest = bytes
            while !rest.isEmpty {
                let count: Int
                switch self {
                case .plain(let descriptor): count = rest.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
                case .tls(let session): count = session.write(rest)
                }
                guard count > 0 else { throw Failure("the connection failed while sending the request") }
                rest = rest.dropFirst(count)
            }
        }

        /// Some bytes; empty at the end of the stream. Throws on a timeout or an error.
        func read() throws(Failure) -> [UInt8] {
            switch self {
            case .plain(let descriptor):
                var buffer = [UInt8](repeating: 0, count: 16 << 10)
                let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 { throw Failure(errno == EAGAIN ? "no answer in time" : "read: \(String(cString: strerror(errno)))") }
                return Array(buffer[0..<count])
            case .tls(let session):
                switch session.read() {
                case .data(let bytes): return bytes
                case .nothing: throw Failure("no answer in time")
                case .closed: return []
                }
            }
        }
    }

    private func readResponse(_ channel: Channel, url: String) throws(Failure) -> Response {
        var bytes: [UInt8] = []
        var headEnd: Int?
        var expected: Int?
        while true {
            let chunk = try channel.read()
            if chunk.isEmpty { break }
            bytes += chunk
            guard bytes.count <= maximumBytes + 16 << 10 else { throw Failure("the answer from \(url) is larger than \(maximumBytes) bytes") }
            if headEnd == nil, let end = Self.headerEnd(bytes) {
                headEnd = end
                let head = Self.parseHead(bytes[..<end])
                if let length = head?.headers["content-length"].flatMap(Int.init) { expected = end + length }
            }
            if let expected, bytes.count >= expected { break }
        }
        guard let headEnd, let head = Self.parseHead(bytes[..<headEnd]) else { throw Failure("no HTTP answer from \(url)") }
        var body = Array(bytes[headEnd...])
        if let length = head.headers["content-length"].flatMap(Int.init) {
            guard body.count >= length else { throw Failure("the answer from \(url) ended early") }
            body = Array(body.prefix(length))
        } else if head.headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let decoded = Self.dechunk(body) else { throw Failure("a malformed chunked answer from \(url)") }
            body = decoded
        }
        guard body.count <= maximumBytes else { throw Failure("the answer from \(url) is larger than \(maximumBytes) bytes") }
        return Response(status: head.status, headers: head.headers, body: body)
    }

    /// The index just past `\r\n\r\n`.
    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }

    private static func parseHead(_ bytes: ArraySlice<UInt8>) -> (status: Int, headers: [String: String])? {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1."), statusLine.count >= 12,
              let status = Int(statusLine.dropFirst(9).prefix(3)) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" }))
        }
        return (status, headers)
    }

    private static func dechunk(_ bytes: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = (index..<(bytes.count - 1)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }) else { return nil }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).prefix { $0 != ";" }
            guard let size = Int(sizeText.filter { $0 != " " }, radix: 16), size >= 0 else { return nil }
            if size == 0 { return out }
            let start = lineEnd + 2
            guard start + size <= bytes.count else { return nil }
            out += bytes[start..<(start + size)]
            index = start + size + 2
        }
        return nil
    }

    private func connect(_ target: HTTPTarget) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(target.host, String(target.port), &hints, &list)
        guard status == 0, let list else { throw Failure("cannot resolve \(target.host): \(String(cString: gai_strerror(status)))") }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            entry = current.pointee.ai_next
            let descriptor = socket(current.pointee.ai_family, current.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), current.pointee.ai_protocol)
            guard descriptor >= 0 else { continue }
            var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            if Glibc.connect(descriptor, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return descriptor }
            lastError = String(cString: strerror(errno))
            close(descriptor)
        }
        throw Failure("cannot connect to \(target.host):\(target.port): \(lastError)")
    }
}

/// The parts of an http(s) URL a request needs.
struct HTTPTarget: Sendable, Equatable {
    var isTLS: Bool
    var host: String
    var port: Int
    var pathAndQuery: String

    init?(_ url: String) {
        let rest: Substring
        if url.hasPrefix("https://") {
            isTLS = true
            rest = url.dropFirst(8)
        } else if url.hasPrefix("http://") {
            isTLS = false
            rest = url.dropFirst(7)
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...].prefix { $0 != "#" })
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        guard !authority.isEmpty, !authority.contains("@"), !authority.contains(where: { $0.isWhitespace }),
              !path.contains(where: { $0.isWhitespace || $0.isNewline }) else { return nil }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty { port = isTLS ? 443 : 80 } else {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else { return nil }
                port = number
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let number = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = number
        } else {
            host = String(authority)
            port = isTLS ? 443 : 80
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        pathAndQuery = path
    }

    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (isTLS ? 443 : 80) ? name : "\(name):\(port)"
    }
}
