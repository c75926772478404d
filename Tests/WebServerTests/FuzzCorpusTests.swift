#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import WebServer

/// Replays every input in `fuzz/corpus/` (the seeds, and any crash `make fuzz` found, once copied
/// there) through the parsers with the fuzzers' invariants, so a finding stays fixed.
enum FuzzCorpus {
    static let root: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/fuzz/corpus"
    }()

    static func inputs(_ kind: String) -> [(name: String, bytes: [UInt8])] {
        let directory = root + "/" + kind
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var found: [(String, [UInt8])] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard !name.hasPrefix(".") else { continue }
            let fd = open(directory + "/" + name, O_RDONLY)
            guard fd >= 0 else { continue }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(fd, &chunk, chunk.count)
                if count <= 0 { break }
                bytes += chunk[0..<count]
            }
            close(fd)
            found.append((name, bytes))
        }
        return found.sorted { $0.0 < $1.0 }
    }
}

/// HTTP events for `bytes` fed in pieces of `chunk` bytes, bodies merged.
private func httpEvents(_ bytes: [UInt8], chunk: Int) -> [String] {
    var parser = HTTPRequestParser(limits: .init(maxRequestLineBytes: 512, maxHeaderBytes: 2048, maxHeaderCount: 100, maxBodyBytes: 4096))
    var input = InputBuffer()
    var events: [String] = []
    var body = 0
    var offset = 0
    repeat {
        let end = min(bytes.count, offset + chunk)
        input.append(Array(bytes[offset..<end]))
        offset = end
        loop: while true {
            switch parser.next(&input) {
            case .needMore: break loop
            case .head(let head): events.append("head \(head.method) \(head.target) \(head.framing)")
            case .body(let piece): body += piece.count
            case .end:
                events.append("end \(body)")
                body = 0
            case .error(let error):
                events.append("error \(error.status.code)")
                return events
            }
        }
    } while offset < bytes.count
    return events
}

@Test func httpCorpusParsesTheSameWholeAndByteByByte() {
    let inputs = FuzzCorpus.inputs("http")
    #expect(!inputs.isEmpty, "no corpus at \(FuzzCorpus.root)")
    for input in inputs {
        let bytes = Array(input.bytes.dropFirst())   // the fuzzer's first byte picks a split point
        #expect(httpEvents(bytes, chunk: max(1, bytes.count)) == httpEvents(bytes, chunk: 1), "\(input.name)")
    }
}

@Test func webSocketCorpusParsesTheSameWholeAndByteByByte() {
    let inputs = FuzzCorpus.inputs("websocket")
    #expect(!inputs.isEmpty)
    for input in inputs {
        #expect(webSocketEvents(input.bytes, maxFrame: 1024, maxMessage: 2048) == webSocketEventsWhole(input.bytes), "\(input.name)")
    }
}

/// Like `webSocketEvents` but with all bytes at once.
private func webSocketEventsWhole(_ bytes: [UInt8]) -> [String] {
    var parser = WebSocketFrameParser(maxFrameBytes: 1024)
    var assembler = WebSocketAssembler(maxMessageBytes: 2048)
    var input = InputBuffer(bytes)
    var events: [String] = []
    while true {
        switch parser.next(&input) {
        case .needMore: return events
        case .error(let error):
            events.append("fail \(error.code)")
            return events
        case .frame(let frame):
            switch assembler.receive(frame) {
            case .none: break
            case .message(.text(let text)): events.append("text \(text)")
            case .message(.binary(let bytes)): events.append("binary \(bytes.count)")
            case .ping(let payload): events.append("ping \(payload.count)")
            case .pong: events.append("pong")
            case .close(let code, let reason): events.append("close \(code.map(String.init) ?? "-") \(reason)")
            case .error(let error):
                events.append("fail \(error.code)")
                return events
            }
        }
    }
}
