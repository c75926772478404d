import BenchSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 request over a fresh loopback connection (`Connection: close`), read to the
/// end: enough for a benchmark that must not add a client library's own latency to its figures.
struct LoopbackHTTP {
    let port: Int

    struct Answer {
        let status: Int
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    func request(_ method: String, _ path: String, headers: [String: String], body: [UInt8]) throws -> Answer {
        guard let socket = LoopbackSocket(port: port, receiveTimeout: 60) else { throw BenchFailure("connect to port \(port): errno \(errno)") }
        let descriptor = socket.fd
        defer { close(descriptor) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        guard socket.sendAll(request) else { throw BenchFailure("send: errno \(errno)") }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        guard let end = response.firstRange(of: Array("\r\n\r\n".utf8)) else { throw BenchFailure("no HTTP answer from port \(port)") }
        let header = String(decoding: response[..<end.lowerBound], as: UTF8.self)
        let status = Int(header.split(separator: " ", maxSplits: 2).dropFirst().first ?? "") ?? 0
        var payload = Array(response[end.upperBound...])
        if header.lowercased().contains("transfer-encoding: chunked") { payload = Self.unchunked(payload) }
        return Answer(status: status, body: payload)
    }

    private static func unchunked(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while let lineEnd = bytes[index...].firstRange(of: Array("\r\n".utf8)) {
            let size = Int(String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self)
                .split(separator: ";").first ?? "", radix: 16) ?? 0
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard start + size <= bytes.count else { break }
            output += bytes[start..<start + size]
            index = start + size + 2
        }
        return output
    }
}
