// libFuzzer harness for the WebSocket frame parser and message assembler.
//
// Besides not crashing: the same events whether bytes arrive whole or one at a time, text messages
// are valid UTF-8, and no frame or message exceeds its limit.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebSocketParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = events(bytes, chunk: max(1, bytes.count))
    let bytewise = events(bytes, chunk: 1)
    precondition(whole == bytewise, "chunking changed the events: \(whole) vs \(bytewise)")
    return 0
}

private func events(_ bytes: [UInt8], chunk: Int) -> [String] {
    var parser = WebSocketFrameParser(maxFrameBytes: 1024)
    var assembler = WebSocketAssembler(maxMessageBytes: 2048)
    var buffer = InputBuffer()
    var out: [String] = []
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + chunk)
        buffer.append(Array(bytes[offset..<end]))
        offset = end
        while true {
            switch parser.next(&buffer) {
            case .needMore:
                break
            case .error(let error):
                out.append("fail \(error.code)")
                return out
            case .frame(let frame):
                precondition(frame.payload.count <= 1024)
                switch assembler.receive(frame) {
                case .none: break
                case .message(.text(let text)):
                    precondition(text.utf8.count <= 2048)
                    out.append("text \(text.utf8.count)")
                case .message(.binary(let payload)):
                    precondition(payload.count <= 2048)
                    out.append("binary \(payload.count)")
                case .ping(let payload): out.append("ping \(payload.count)")
                case .pong(let payload): out.append("pong \(payload.count)")
                case .close(let code, let reason): out.append("close \(code ?? 0) \(reason.utf8.count)")
                case .error(let error):
                    out.append("fail \(error.code)")
                    return out
                }
                continue
            }
            break
        }
    }
    return out
}
