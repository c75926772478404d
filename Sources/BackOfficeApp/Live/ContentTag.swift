import Auth
import Foundation
import WebServer

/// A strong ETag over a body built per request (FNV-1a, 64 bit): pages with live state keep
/// their validators, so a browser revalidating an unchanged page gets a 304.
enum ContentTag {
    static func of(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return "\"l-" + String(hash, radix: 16) + "-" + String(bytes.count, radix: 16) + "\""
    }

    /// The page with its tag, or 304 when the request already has it.
    static func response(_ bytes: [UInt8], for request: Request) -> Response {
        let tag = of(bytes)
        let headers: HTTPHeaders = ["Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache", "ETag": tag]
        if let match = request.headers["if-none-match"],
           match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == tag }) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: bytes)
    }
}
