#if canImport(Glibc)
import Glibc
#endif

/// The incremental HTTP/1.1 request parser (RFC 9112), a state machine over an `InputBuffer`.
///
/// Call `next(_:)` repeatedly: it consumes bytes and returns one event at a time, or `.needMore`.
/// It is strict on purpose: anything that could let two parties disagree on where a request ends
/// (request smuggling) is an error, and after an error the parser stays failed.
struct HTTPRequestParser {
    /// The limits a parser enforces.
    struct Limits: Sendable {
        var maxRequestLineBytes = 8 * 1024
        var maxHeaderBytes = 64 * 1024
        var maxHeaderCount = 100
        var maxBodyBytes = 8 * 1024 * 1024
    }

    /// What one step of parsing produced.
    enum Event {
        /// Not enough bytes yet.
        case needMore
        /// A complete, validated head; body events follow, then `.end`.
        case head(RequestHead)
        /// A piece of the (de-chunked) body.
        case body(ArraySlice<UInt8>)
        /// The request is complete; the next request may follow.
        case end
        /// The request is invalid; answer with the error's status and close.
        case error(HTTPParseError)
    }

    private enum State {
        case requestLine
        case headers
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case failed(HTTPParseError)
    }

    let limits: Limits
    private var state = State.requestLine
    /// Bytes after the reader index already searched for a line end.
    private var scanned = 0
    private var headBytes = 0
    private var bodyBytes = 0
    private var emptyLines = 0
    private var method = ""
    private var target = ""
    private var version = HTTPVersion.http1_1
    private var headers = HTTPHeaders()

    init(limits: Limits = Limits()) { self.limits = limits }

    /// Whether the parser sits between requests with nothing of the next one read.
    var isBetweenRequests: Bool {
        if case .requestLine = state { return scanned == 0 && emptyLines == 0 }
        return false
    }

    /// Whether a request head is being read (for the head deadline).
    var isReadingHead: Bool {
        switch state {
        case .requestLine, .headers: true
        default: false
        }
    }

    /// Consumes bytes from `input` and returns the next event.
    mutating func next(_ input: inout InputBuffer) -> Event {
        switch state {
        case .failed(let error):
            return .error(error)
        case .requestLine:
            while true {
                switch nextLine(&input, limit: limits.maxRequestLineBytes, overflow: .uriTooLong) {
                case .needMore: return .needMore
                case .error(let error): return fail(error)
                case .line(let range):
                    if range.isEmpty {
                        // RFC 9112 §2.2: ignore at least one empty line before a request line.
                        emptyLines += 1
                        if emptyLines > 4 { return fail(.badRequest("empty lines before the request")) }
                        continue
                    }
                    emptyLines = 0
                    if let error = parseRequestLine(input.bytes, range) { return fail(error) }
                    headBytes = range.count + 2
                    headers = HTTPHeaders()
                    state = .headers
                    return next(&input)
                }
            }
        case .headers:
            while true {
                let remaining = limits.maxHeaderBytes - headBytes
                switch nextLine(&input, limit: remaining, overflow: .headerFieldsTooLarge) {
                case .needMore: return .needMore
                case .error(let error): return fail(error)
                case .line(let range):
                    headBytes += range.count + 2
                    if range.isEmpty { return finishHead() }
                    if headers.count >= limits.maxHeaderCount { return fail(.headerFieldsTooLarge) }
                    switch parseField(input.bytes, range) {
                    case .success(let field): headers.add(field.0, field.1)
                    case .failure(let error): return fail(error)
                    }
                }
            }
        case .fixedBody(let remaining):
            if remaining == 0 {
                reset()
                return .end
            }
            let available = min(remaining, input.readableCount)
            if available == 0 { return .needMore }
            state = .fixedBody(remaining: remaining - available)
            return .body(input.read(available))
        case .chunkSize:
            switch nextLine(&input, limit: 4096, overflow: .badRequest("chunk size line too long")) {
            case .needMore: return .needMore
            case .error(let error): return fail(error)
            case .line(let range):
                guard let size = parseChunkSize(input.bytes, range) else { return fail(.badRequest("bad chunk size")) }
                if size == 0 {
                    state = .trailers
                    return next(&input)
                }
                if size > limits.maxBodyBytes - bodyBytes { return fail(.payloadTooLarge) }
                bodyBytes += size
                state = .chunkData(remaining: size)
                return next(&input)
            }
        case .chunkData(let remaining):
            let available = min(remaining, input.readableCount)
            if available == 0 { return .needMore }
            state = available == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - available)
            return .body(input.read(available))
        case .chunkDataEnd:
            guard input.readableCount >= 2 else {
                if input.readableCount == 1 && input.bytes[input.readerIndex] != 0x0D {
                    return fail(.badRequest("chunk data not followed by CRLF"))
                }
                return .needMore
            }
            guard input.bytes[input.readerIndex] == 0x0D, input.bytes[input.readerIndex + 1] == 0x0A else {
                return fail(.badRequest("chunk data not followed by CRLF"))
            }
            input.readerIndex += 2
            state = .chunkSize
            return next(&input)
        case .trailers:
            while true {
                let remaining = limits.maxHeaderBytes - headBytes
                switch nextLine(&input, limit: remaining, overflow: .headerFieldsTooLarge) {
                case .needMore: return .needMore
                case .error(let error): return fail(error)
                case .line(let range):
                    headBytes += range.count + 2
                    if range.isEmpty {
                        reset()
                        return .end
                    }
                    // Trailer fields are checked for syntax and dropped: nothing here needs them.
                    if case .failure(let error) = parseField(input.bytes, range) { return fail(error) }
                }
            }
        }
    }

    private mutating func reset() {
        state = .requestLine
        scanned = 0
        headBytes = 0
        bodyBytes = 0
        emptyLines = 0
    }

    private mutating func fail(_ error: HTTPParseError) -> Event {
        state = .failed(error)
        return .error(error)
    }

    private enum LineResult {
        case line(Range<Int>)
        case needMore
        case error(HTTPParseError)
    }

    /// Finds the next CRLF-terminated line (without the CRLF); bare CR or bare LF is an error.
    private mutating func nextLine(_ input: inout InputBuffer, limit: Int, overflow: HTTPParseError) -> LineResult {
        let start = input.readerIndex
        guard let newline = input.firstIndex(of: 0x0A, from: start + scanned) else {
            scanned = input.readableCount
            if scanned > limit { return .error(overflow) }
            return .needMore
        }
        scanned = 0
        if newline - start + 1 > limit { return .error(overflow) }
        guard newline > start, input.bytes[newline - 1] == 0x0D else { return .error(.badRequest("bare LF")) }
        let end = newline - 1
        if let carriageReturn = input.firstIndex(of: 0x0D, from: start), carriageReturn < end {
            return .error(.badRequest("bare CR"))
        }
        input.readerIndex = newline + 1
        return .line(start..<end)
    }

    private mutating func parseRequestLine(_ bytes: [UInt8], _ range: Range<Int>) -> HTTPParseError? {
        guard let firstSpace = bytes[range].firstIndex(of: 0x20) else { return .badRequest("malformed request line") }
        guard let secondSpace = bytes[(firstSpace + 1)..<range.upperBound].firstIndex(of: 0x20) else {
            return .badRequest("malformed request line")
        }
        let methodBytes = bytes[range.lowerBound..<firstSpace]
        let targetBytes = bytes[(firstSpace + 1)..<secondSpace]
        let versionBytes = bytes[(secondSpace + 1)..<range.upperBound]
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(isTokenByte) else { return .badRequest("bad method") }
        guard !targetBytes.isEmpty, targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .badRequest("bad request target")
        }
        guard versionBytes.count == 8, versionBytes.starts(with: [0x48, 0x54, 0x54, 0x50, 0x2F]) else {
            return .badRequest("bad protocol version")
        }
        let major = versionBytes[versionBytes.startIndex + 5], dot = versionBytes[versionBytes.startIndex + 6]
        let minor = versionBytes[versionBytes.startIndex + 7]
        guard isDigit(major), dot == 0x2E, isDigit(minor) else { return .badRequest("bad protocol version") }
        guard major == 0x31 else { return .versionNotSupported }
        method = String(decoding: methodBytes, as: UTF8.self)
        target = String(decoding: targetBytes, as: UTF8.self)
        version = minor == 0x30 ? .http1_0 : .http1_1
        return nil
    }

    private func parseField(_ bytes: [UInt8], _ range: Range<Int>) -> Result<(String, String), HTTPParseError> {
        let first = bytes[range.lowerBound]
        if first == 0x20 || first == 0x09 { return .failure(.badRequest("obs-fold line folding")) }
        guard let colon = bytes[range].firstIndex(of: 0x3A) else { return .failure(.badRequest("header without colon")) }
        let nameBytes = bytes[range.lowerBound..<colon]
        guard !nameBytes.isEmpty else { return .failure(.badRequest("empty header name")) }
        for byte in nameBytes where !isTokenByte(byte) {
            if byte == 0x20 || byte == 0x09 { return .failure(.badRequest("whitespace before colon")) }
            return .failure(.badRequest("bad header name"))
        }
        var valueStart = colon + 1, valueEnd = range.upperBound
        while valueStart < valueEnd, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 { valueStart += 1 }
        while valueEnd > valueStart, bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        for index in valueStart..<valueEnd {
            let byte = bytes[index]
            if byte < 0x20 && byte != 0x09 || byte == 0x7F { return .failure(.badRequest("control character in header value")) }
        }
        let name = String(unsafeUninitializedCapacity: nameBytes.count) { buffer in
            for (offset, byte) in nameBytes.enumerated() {
                buffer[offset] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            }
            return nameBytes.count
        }
        return .success((name, String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self)))
    }

    /// Checks the header block as a whole (Host, framing, Expect, Connection) and picks the body state.
    private mutating func finishHead() -> Event {
        var hostCount = 0
        var contentLengths: [String] = []
        var transferCodings: [Substring] = []
        var sawTransferEncoding = false
        var expect: String?
        var connectionClose = false, connectionKeepAlive = false
        for field in headers.fields {
            switch field.name {
            case "host": hostCount += 1
            case "content-length": contentLengths.append(field.value)
            case "transfer-encoding":
                sawTransferEncoding = true
                for coding in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                    transferCodings.append(trimmed(coding))
                }
            case "expect":
                if expect != nil { return fail(.expectationFailed) }
                expect = field.value
            case "connection":
                for token in field.value.split(separator: ",") {
                    let token = trimmed(token)
                    if equalsIgnoringCase(token, "close") { connectionClose = true }
                    if equalsIgnoringCase(token, "keep-alive") { connectionKeepAlive = true }
                }
            default: break
            }
        }
        if hostCount > 1 { return fail(.badRequest("duplicate Host")) }
        if hostCount == 0 && version == .http1_1 { return fail(.badRequest("missing Host")) }
        var framing = BodyFraming.none
        if sawTransferEncoding {
            if !contentLengths.isEmpty { return fail(.badRequest("both Content-Length and Transfer-Encoding")) }
            if version == .http1_0 { return fail(.badRequest("Transfer-Encoding in HTTP/1.0")) }
            guard let last = transferCodings.last, equalsIgnoringCase(last, "chunked") else {
                return fail(.badRequest("chunked is not the final transfer coding"))
            }
            if transferCodings.count > 1 {
                let others = transferCodings.dropLast()
                if others.contains(where: { equalsIgnoringCase($0, "chunked") }) {
                    return fail(.badRequest("chunked applied twice"))
                }
                return fail(.notImplemented("transfer coding \(others.joined(separator: ", "))"))
            }
            framing = .chunked
        } else if !contentLengths.isEmpty {
            if contentLengths.count > 1 { return fail(.badRequest("repeated Content-Length")) }
            let text = contentLengths[0].utf8
            guard !text.isEmpty, text.count <= 18, text.allSatisfy(isDigit), let length = Int(contentLengths[0]) else {
                return fail(.badRequest("invalid Content-Length"))
            }
            if length > limits.maxBodyBytes { return fail(.payloadTooLarge) }
            framing = length > 0 ? .length(length) : .none
        }
        var expectsContinue = false
        if let expect {
            guard equalsIgnoringCase(expect, "100-continue") else { return fail(.expectationFailed) }
            expectsContinue = framing != .none && version == .http1_1
        }
        let keepAlive = version == .http1_1 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        let head = RequestHead(method: method, target: target, version: version, headers: headers,
                               keepAlive: keepAlive, framing: framing, expectsContinue: expectsContinue)
        headers = HTTPHeaders()
        switch framing {
        case .none: state = .fixedBody(remaining: 0)
        case .length(let length): state = .fixedBody(remaining: length)
        case .chunked: state = .chunkSize
        }
        return .head(head)
    }

    /// Parses `1*HEXDIG [ chunk-ext ]`; nil on bad syntax or a size past 2^60.
    private func parseChunkSize(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        var size = 0
        var index = range.lowerBound
        while index < range.upperBound, let digit = hexValue(bytes[index]) {
            guard size < (1 << 56) else { return nil }
            size = size << 4 | digit
            index += 1
        }
        guard index > range.lowerBound else { return nil }
        if index < range.upperBound {
            // chunk-ext: `;name[=value]`, which we ignore; anything else after the digits is malformed.
            guard bytes[index] == 0x3B else { return nil }
            for byte in bytes[index..<range.upperBound] where byte < 0x20 && byte != 0x09 || byte == 0x7F { return nil }
        }
        return size
    }
}

@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

@inline(__always) func hexValue(_ byte: UInt8) -> Int? {
    switch byte {
    case 0x30...0x39: Int(byte - 0x30)
    case 0x41...0x46: Int(byte - 0x41 + 10)
    case 0x61...0x66: Int(byte - 0x61 + 10)
    default: nil
    }
}

/// RFC 9110 `tchar`.
@inline(__always) func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
    case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: true
    default: false
    }
}
