/// One HTTP request as a handler sees it: decoded path, query, headers and the whole body.
public struct Request: Sendable {
    /// The method token (`GET`).
    public let method: HTTPMethod
    /// The request target exactly as sent (`/a%20b?x=1`).
    public let target: String
    /// The percent-decoded path (`/a b`).
    public let path: String
    /// The decoded path segments (`["a b"]`); empty segments are dropped.
    public let pathSegments: [String]
    /// The decoded query items, in order (`+` is a space).
    public let queryItems: [(name: String, value: String)]
    /// The protocol version.
    public let version: HTTPVersion
    /// Header fields, names lowercased.
    public let headers: HTTPHeaders
    /// The body, de-chunked. Empty when there was none.
    public let body: [UInt8]
    /// The request id: the client's `X-Request-ID` when sane, else generated. Echoed on the response.
    public let id: String
    /// Values of the route's `:name` segments.
    public internal(set) var parameters: [String: String] = [:]
    /// The route that matched, set by the request pipeline before the gate runs.
    public internal(set) var route: RouteKey?
    /// When the pipeline took the request, kept only while the router has an observer (its duration).
    var routedAt: ContinuousClock.Instant?
    /// What the application attached (the router's gate sets who is asking); defaults deny.
    public var context = RequestContext()
    /// The client's address as the socket saw it (`127.0.0.1:53122`); empty for in-process requests.
    public internal(set) var peerAddress: String = ""

    /// A request built directly (tests, in-process calls).
    public init(method: HTTPMethod, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                version: HTTPVersion = .http1_1, id: String = "test") throws(HTTPError) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.id = id
        let parsed = try RequestTarget.parse(target)
        path = parsed.path
        pathSegments = parsed.segments
        queryItems = parsed.query
    }

    /// The first value of query item `name`.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// A path parameter by name (`:id` → `parameter("id")`).
    public func parameter(_ name: String) -> String? { parameters[name] }

    /// The body as UTF-8 text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Splits and decodes a request target once (RFC 9112 §3.2): origin-form, absolute-form or `*`.
enum RequestTarget {
    struct Parsed {
        var path: String
        var segments: [String]
        var query: [(name: String, value: String)]
    }

    static func parse(_ target: String) throws(HTTPError) -> Parsed {
        var utf8 = Substring(target)
        if target == "*" { return Parsed(path: "*", segments: [], query: []) }
        if utf8.utf8.first != UInt8(ascii: "/") {
            // absolute-form: drop scheme and authority.
            guard let schemeEnd = utf8.firstRange(of: "://") else { throw HTTPError(.badRequest, "bad request target") }
            let scheme = utf8[..<schemeEnd.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else { throw HTTPError(.badRequest, "bad request target") }
            let rest = utf8[schemeEnd.upperBound...]
            utf8 = rest.firstIndex(where: { $0 == "/" || $0 == "?" }).map { rest[$0...] } ?? "/"
            if utf8.hasPrefix("?") { utf8 = "/" + utf8 }
        }
        // Byte-wise on the UTF-8 view: the separators are ASCII, and Character-wise splitting
        // (grapheme breaking) was the largest share of a keep-alive request's user time.
        let bytes = utf8.utf8
        let pathPart: Substring, queryPart: Substring?
        if let question = bytes.firstIndex(of: UInt8(ascii: "?")) {
            pathPart = utf8[..<question]
            queryPart = utf8[bytes.index(after: question)...]
        } else {
            pathPart = utf8
            queryPart = nil
        }
        // One pass over contiguous bytes (a native string's are): the generic walk of the
        // substring's UTF-8 view was a visible share of a keep-alive request.
        let split = pathPart.utf8.withContiguousStorageIfAvailable(splitPath) ?? Array(pathPart.utf8).withUnsafeBufferPointer(splitPath)
        let (segments, asSent) = try split.get()
        let pathBytes = pathPart.utf8
        var path: String
        if asSent {
            path = String(pathPart)
        } else {
            path = "/" + segments.joined(separator: "/")
            if pathBytes.count > 1 && pathBytes.last == UInt8(ascii: "/") && !segments.isEmpty { path += "/" }
        }
        var query: [(name: String, value: String)] = []
        if let queryPart {
            guard let pairs = URLEncodedForm.pairs(queryPart) else { throw HTTPError(.badRequest, "bad percent-encoding in query") }
            query = pairs
        }
        return Parsed(path: path, segments: segments, query: query)
    }

    /// The decoded segments of a path (`/a/b%20c/` → `a`, `b c`), and whether the path as sent is
    /// already its decoded form (no `%`, no empty segment between slashes).
    private static func splitPath(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<(segments: [String], asSent: Bool), HTTPError> {
        var slashes = 0, escaped = false
        for byte in bytes {
            if byte == UInt8(ascii: "/") { slashes += 1 }
            else if byte == UInt8(ascii: "%") { escaped = true }
            else if byte == UInt8(ascii: "#") { return .failure(HTTPError(.badRequest, "fragment in request target")) }
        }
        var segments: [String] = []
        segments.reserveCapacity(slashes)
        var asSent = !escaped
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "/") {
            defer { start = index + 1 }
            if start == index {
                if index != 0 && index != bytes.count { asSent = false }   // `//`
                continue
            }
            let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            guard let decoded = escaped ? URLEncodedForm.percentDecode(raw, plusIsSpace: false) : raw else {
                return .failure(HTTPError(.badRequest, "bad percent-encoding in path"))
            }
            if decoded.utf8.contains(0) { return .failure(HTTPError(.badRequest, "NUL in path")) }
            if decoded == ".." || decoded == "." { return .failure(HTTPError(.badRequest, "dot segment in path")) }
            segments.append(decoded)
        }
        return .success((segments, asSent))
    }
}
