// libFuzzer harness for the HTTP/1.1 request parser and the request-target decoder.
//
// Besides not crashing, the parser must give the same events whether the input arrives whole or in
// two pieces split at any point, and body bytes must never exceed the declared length.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard !bytes.isEmpty else { return 0 }
    let split = Int(bytes[0]) % (bytes.count + 1)
    let input = Array(bytes.dropFirst())
    var limits = HTTPRequestParser.Limits()
    limits.maxBodyBytes = 4096
    limits.maxHeaderBytes = 2048
    limits.maxRequestLineBytes = 512
    let whole = events(input, pieces: [input.count], limits: limits)
    let twoPieces = events(input, pieces: [min(split, input.count), input.count], limits: limits)
    precondition(whole == twoPieces, "split at \(split) changed the events: \(whole) vs \(twoPieces)")
    return 0
}

private func events(_ bytes: [UInt8], pieces: [Int], limits: HTTPRequestParser.Limits) -> [String] {
    var parser = HTTPRequestParser(limits: limits)
    var buffer = InputBuffer()
    var out: [String] = []
    var start = 0
    var expectedBody: Int?
    var bodySoFar = 0
    for end in pieces {
        buffer.append(Array(bytes[start..<end]))
        start = end
        loop: while true {
            switch parser.next(&buffer) {
            case .needMore: break loop
            case .head(let head):
                if case .length(let length) = head.framing { expectedBody = length } else { expectedBody = nil }
                bodySoFar = 0
                _ = try? RequestTarget.parse(head.target)
                out.append("head \(head.method) \(head.target) \(head.version) \(head.framing) \(head.keepAlive) \(head.headers.count)")
            case .body(let piece):
                precondition(!piece.isEmpty, "empty body event")
                bodySoFar += piece.count
                if let expectedBody { precondition(bodySoFar <= expectedBody, "body longer than Content-Length") }
                out.append("body \(piece.count)")
            case .end:
                if let expectedBody { precondition(bodySoFar == expectedBody, "body shorter than Content-Length at end") }
                out.append("end")
            case .error(let error):
                out.append("error \(error.status.code)")
                break loop
            }
        }
        if out.last?.hasPrefix("error") == true { break }
    }
    // Body events may be cut differently by the split; compare totals, not pieces.
    var merged: [String] = []
    var pending = 0
    for event in out {
        if event.hasPrefix("body ") {
            pending += Int(event.dropFirst(5))!
        } else {
            if pending > 0 { merged.append("body \(pending)"); pending = 0 }
            merged.append(event)
        }
    }
    if pending > 0 { merged.append("body \(pending)") }
    return merged
}
