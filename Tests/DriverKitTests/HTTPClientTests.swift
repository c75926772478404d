import Foundation
import Testing
@testable import DriverKit
#if canImport(Glibc)
import Glibc
#endif

@Suite struct HTTPResponseParserTests {
    @Test func aContentLengthBodyArrivingInPiecesCompletesAtItsLength() throws {
        var parser = HTTPResponseParser()
        #expect(try !parser.push(Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Len".utf8)))
        #expect(try !parser.push(Array("gth: 14\r\n\r\n{\"presence\":".utf8)))
        #expect(try parser.push(Array("1}".utf8)))
        #expect(parser.status == 200)
        #expect(parser.headers["content-type"] == "application/json")
        #expect(String(decoding: parser.body, as: UTF8.self) == "{\"presence\":1}")
    }

    @Test func chunksWithExtensionsAndTrailersAreJoined() throws {
        var parser = HTTPResponseParser()
        let response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;name=x\r\nWiki\r\n5\r\npedia\r\n0\r\nExpires: never\r\n\r\n"
        // One byte at a time: every stage must wait for what it needs.
        var complete = false
        for byte in response.utf8 { complete = try parser.push([byte]) }
        #expect(complete)
        #expect(String(decoding: parser.body, as: UTF8.self) == "Wikipedia")
    }

    @Test func aBodyWithoutLengthEndsWithTheConnection() throws {
        var parser = HTTPResponseParser()
        #expect(try !parser.push(Array("HTTP/1.0 200 OK\r\n\r\nhello ".utf8)))
        #expect(try !parser.push(Array("world".utf8)))
        #expect(try parser.finish())
        #expect(String(decoding: parser.body, as: UTF8.self) == "hello world")
    }

    @Test func aCutShortOrMalformedResponseSaysWhatIsWrong() throws {
        var short = HTTPResponseParser()
        _ = try short.push(Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".utf8))
        #expect(throws: DriverError.failed("the connection closed before the response was complete")) { try short.finish() }
        var garbage = HTTPResponseParser()
        #expect(throws: DriverError.failed("not an HTTP/1.x response: \"SSH-2.0-OpenSSH\"")) { try garbage.push(Array("SSH-2.0-OpenSSH\r\n\r\n".utf8)) }
        var noContent = HTTPResponseParser()
        #expect(try noContent.push(Array("HTTP/1.1 204 No Content\r\n\r\n".utf8)))
        #expect(noContent.body.isEmpty)
    }
}

@Suite struct HTTPClientTests {
    /// Reads one request head from `fd` (until the blank line).
    func readRequest(_ fd: Int32) async -> String {
        var text = ""
        while !text.contains("\r\n\r\n") {
            let more = await readSome(fd)
            if more.isEmpty { break }
            text += more
        }
        return text
    }

    @Test(.timeLimit(.minutes(1))) @DriverActor func plainHTTPGoesOverItsOwnConnectionAndFollowsRedirects() async throws {
        let server = LoopbackPeer()
        let client = HTTPClient(base: URL(string: "http://127.0.0.1:\(server.port)/rooms/"))
        client.headers["Authorization"] = "Bearer abc"
        async let response = client.get("sys-1?fields=all")
        let first = await server.accept()
        let request = await readRequest(first)
        #expect(request.hasPrefix("GET /rooms/sys-1?fields=all HTTP/1.1\r\n"))
        #expect(request.contains("\r\nHost: 127.0.0.1:\(server.port)\r\n"))
        #expect(request.contains("\r\nConnection: close\r\n"))
        #expect(request.contains("\r\nAuthorization: Bearer abc\r\n"))
        writeAll(first, "HTTP/1.1 302 Found\r\nLocation: /moved\r\nContent-Length: 0\r\n\r\n")
        close(first)
        let second = await server.accept()
        #expect(await readRequest(second).hasPrefix("GET /moved HTTP/1.1\r\n"))
        writeAll(second, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        writeAll(second, "10\r\n{\"presence\":true\r\n1\r\n}\r\n0\r\n\r\n")
        let reply = try await response
        close(second)
        #expect(reply.status == 200)
        #expect(try reply.json()["presence"] == true)
    }

    @Test(.timeLimit(.minutes(1))) @DriverActor func aSilentServerTimesOutAndARefusedOneIsOffline() async throws {
        let server = LoopbackPeer()
        let client = HTTPClient(base: URL(string: "http://127.0.0.1:\(server.port)/"))
        client.timeout = .milliseconds(100)
        async let response = client.get()
        let connection = await server.accept()
        do {
            _ = try await response
            Issue.record("a server that never answers must time out")
        } catch let error as DriverError {
            #expect(error.code == .timeout)
            #expect(error.message == "GET http://127.0.0.1:\(server.port)/ failed: no response within 0.1 s")
        }
        close(connection)

        // A port bound but not listening: connecting is refused.
        let bound = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(bound) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(bound, $0, length) == 0 && getsockname(bound, $0, &length) == 0 }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let refused = HTTPClient(base: URL(string: "http://127.0.0.1:\(port)/x"))
        do {
            _ = try await refused.get()
            Issue.record("nothing listens there")
        } catch let error as DriverError {
            #expect(error.code == .offline)
            #expect(error.message.hasPrefix("GET http://127.0.0.1:\(port)/x failed: connect: "))
        }
    }
}
