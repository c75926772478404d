import Foundation

/// The little HTTP/1.1 the simulators need: one request at a time per connection,
/// `Content-Length` bodies, keep-alive.
public struct SimpleHTTPRequest: Sendable {
    public let method: String
    public let path: String
    public let body: [UInt8]
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

public struct SimpleHTTPResponse: Sendable {
    public var status: Int
    public var body: String
    public var contentType = "application/json"

    public init(status: Int, body: String, contentType: String = "application/json") {
        self.status = status
        self.body = body
        self.contentType = contentType
    }

    public static func json(_ body: String, status: Int = 200) -> SimpleHTTPResponse { .init(status: status, body: body) }
    public static func error(_ status: Int, _ message: String) -> SimpleHTTPResponse {
        .init(status: status, body: "{\"error\":\"\(message.replacingOccurrences(of: "\"", with: "'"))\"}")
    }
}

enum SimpleHTTP {
    static let reasons = [200: "OK", 204: "No Content", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"]

    /// Serves requests on `connection` until the peer closes; `delayed` replies honour faults.
    static func serve(_ connection: ClientConnection, stats: SimulatorStats?, delayed: Bool,
                      handler: (SimpleHTTPRequest) -> SimpleHTTPResponse?) {
        var buffer: [UInt8] = []
        while true {
            var headerEnd: Int?
            while headerEnd == nil {
                headerEnd = find([13, 10, 13, 10], in: buffer)
                if headerEnd != nil { break }
                guard buffer.count < 65536, let more = connection.readSome() else { return }
                buffer.append(contentsOf: more)
            }
            let head = String(decoding: buffer[..<headerEnd!], as: UTF8.self)
            buffer.removeFirst(headerEnd! + 4)
            let lines = head.components(separatedBy: "\r\n")
            let parts = lines[0].split(separator: " ")
            guard parts.count == 3 else { return }
            var length = 0
            var closeAfter = parts[2] == "HTTP/1.0"
            for line in lines.dropFirst() {
                let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { continue }
                if pair[0].lowercased() == "content-length" { length = Int(pair[1]) ?? 0 }
                if pair[0].lowercased() == "connection" { closeAfter = pair[1].lowercased() == "close" }
            }
            while buffer.count < length {
                guard let more = connection.readSome() else { return }
                buffer.append(contentsOf: more)
            }
            let body = Array(buffer[0..<length])
            buffer.removeFirst(length)
            stats?.request()
            let request = SimpleHTTPRequest(method: String(parts[0]), path: String(parts[1]), body: body)
            guard let response = handler(request) else { continue }  // silent device: no answer
            let payload = Array(response.body.utf8)
            let text = "HTTP/1.1 \(response.status) \(reasons[response.status] ?? "Status")\r\nContent-Type: \(response.contentType)\r\nContent-Length: \(payload.count)\r\n\(closeAfter ? "Connection: close\r\n" : "")\r\n"
            let bytes = Array(text.utf8) + payload
            if delayed { connection.reply(bytes) } else { connection.write(bytes) }
            if closeAfter { return }
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<i + needle.count].elementsEqual(needle) { return i }
        }
        return nil
    }
}
