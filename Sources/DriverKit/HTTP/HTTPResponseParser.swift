/// Reads an HTTP/1.1 response as its bytes arrive: the status line, the headers, then a body
/// framed by `Content-Length`, by chunks, or by the end of the connection.
struct HTTPResponseParser {
    /// A response larger than this is refused rather than held.
    static let maximumSize = 16 << 20

    private enum Stage {
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers
        case untilClose
        case done
    }

    private var buffer: [UInt8] = []
    private var stage = Stage.head
    private(set) var status = 0
    private(set) var headers: [String: String] = [:]
    private(set) var body: [UInt8] = []

    /// Whether the whole response has arrived.
    var isComplete: Bool { if case .done = stage { true } else { false } }

    /// Takes the next bytes; returns true once the response is complete.
    mutating func push(_ bytes: some Collection<UInt8>) throws(DriverError) -> Bool {
        buffer.append(contentsOf: bytes)
        guard buffer.count + body.count <= Self.maximumSize else {
            throw .failed("the response is larger than \(Self.maximumSize >> 20) MiB")
        }
        while try step() {}
        return isComplete
    }

    /// The connection ended: a body read until close is complete, anything else is cut short.
    mutating func finish() throws(DriverError) -> Bool {
        if case .untilClose = stage {
            body.append(contentsOf: buffer)
            buffer = []
            stage = .done
        }
        guard isComplete else { throw .failed("the connection closed before the response was complete") }
        return true
    }

    /// One step of progress; false when more bytes are needed (or the response is done).
    private mutating func step() throws(DriverError) -> Bool {
        switch stage {
        case .head:
            guard let end = find([13, 10, 13, 10]) else { return false }
            try parseHead(buffer[..<end])
            buffer.removeFirst(end + 4)
            return true
        case .body(let remaining):
            let take = min(remaining, buffer.count)
            body.append(contentsOf: buffer[..<take])
            buffer.removeFirst(take)
            stage = remaining == take ? .done : .body(remaining: remaining - take)
            return false
        case .chunkSize:
            guard let end = find([13, 10]) else { return false }
            let line = String(decoding: buffer[..<end], as: UTF8.self)
            let digits = line.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces() } ?? ""
            guard let size = Int(digits, radix: 16), size >= 0 else { throw .failed("bad chunk size \"\(line.prefix(40))\"") }
            buffer.removeFirst(end + 2)
            stage = size == 0 ? .trailers : .chunkData(remaining: size)
            return true
        case .chunkData(let remaining):
            let take = min(remaining, buffer.count)
            body.append(contentsOf: buffer[..<take])
            buffer.removeFirst(take)
            stage = remaining == take ? .chunkEnd : .chunkData(remaining: remaining - take)
            return remaining == take
        case .chunkEnd:
            guard buffer.count >= 2 else { return false }
            guard buffer[0] == 13, buffer[1] == 10 else { throw .failed("a chunk does not end with CRLF") }
            buffer.removeFirst(2)
            stage = .chunkSize
            return true
        case .trailers:
            guard let end = find([13, 10]) else { return false }
            buffer.removeFirst(end + 2)
            if end == 0 { stage = .done }
            return end != 0
        case .untilClose, .done:
            return false
        }
    }

    private mutating func parseHead(_ head: ArraySlice<UInt8>) throws(DriverError) {
        let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.first.map(String.init) ?? ""
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]), (100..<600).contains(code) else {
            throw .failed("not an HTTP/1.x response: \"\(statusLine.prefix(60))\"")
        }
        status = code
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw .failed("bad header line \"\(line.prefix(60))\"") }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        if code == 204 || code == 304 || (100..<200).contains(code) {
            stage = .done
        } else if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            stage = .chunkSize
        } else if let length = headers["content-length"] {
            guard let count = Int(length), count >= 0 else { throw .failed("bad Content-Length \"\(length.prefix(40))\"") }
            guard count <= Self.maximumSize else { throw .failed("the response is larger than \(Self.maximumSize >> 20) MiB") }
            stage = count == 0 ? .done : .body(remaining: count)
        } else {
            stage = .untilClose
        }
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for start in 0...(buffer.count - pattern.count) where buffer[start] == pattern[0] {
            if buffer[start..<(start + pattern.count)].elementsEqual(pattern) { return start }
        }
        return nil
    }
}

private extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
