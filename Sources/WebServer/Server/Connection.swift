#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims

/// One accepted TCP connection, owned by its event loop: reads, parses, dispatches and writes.
///
/// HTTP requests are served one at a time in order (pipelined bytes wait in the input buffer);
/// after a successful upgrade the same connection speaks WebSocket (`Connection+WebSocket.swift`).
final class Connection: LoopChannel {
    let fd: Int32
    unowned let loop: EventLoop
    let context: ServerContext
    let peer: String

    var input = InputBuffer()
    var output = OutputQueue()
    var parser: HTTPRequestParser
    private(set) var isClosed = false

    // HTTP request state.
    private var head: RequestHead?
    private var body: [UInt8] = []
    private var requestStart: UInt64 = 0
    private var headStartedAt: UInt64?
    var lastProgress: UInt64
    var awaitingResponse = false
    var shuttingDown = false

    // Output and teardown state.
    /// No more requests: close once the output is written.
    var closeAfterWrite = false
    /// Our side is shut down; discarding input until the peer closes (so it sees our last response).
    private var draining = false
    private var drainDeadline: UInt64 = 0
    /// When draining began, and the output the kernel still held at the last deadline.
    private var drainStarted: UInt64 = 0
    private var drainOutputLeft = Int.max
    /// What draining may still discard; a WebSocket peer owes us a close frame, not megabytes.
    private var drainBudget = Int.max
    private var peerClosed = false
    private var readPaused = false
    private var interest: UInt32 = 0
    private var lastWriteProgress: UInt64

    private var flushScheduled = false

    /// Back-pressure for whoever produces output in a task: a WebSocket handler or a streamed body.
    var outboundGate: OutboundGate?
    /// A streamed response body is being produced.
    var streaming = false

    /// Set once the connection has switched to WebSocket.
    var webSocket: WebSocketState?

    init(fd: Int32, loop: EventLoop, context: ServerContext, peer: String) {
        self.fd = fd
        self.loop = loop
        self.context = context
        self.peer = peer
        parser = HTTPRequestParser(limits: context.limits.parser)
        lastProgress = loop.now
        lastWriteProgress = loop.now
    }

    /// Registers with the loop and starts reading.
    func start() {
        interest = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
        loop.register(fd, interest: interest, channel: self)
    }

    // MARK: Events

    func handle(events: UInt32) {
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 && events & EPOLLIN.rawValue == 0 {
            close()
            return
        }
        if events & EPOLLOUT.rawValue != 0 {
            flush()
            if isClosed { return }
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 {
            readAvailable()
        }
    }

    private func readAvailable() {
        let buffer = loop.readBuffer
        var reads = 0
        while reads < 4 {
            reads += 1
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 {
                if draining {
                    // Past the budget, stop reading: the peer's sends stall, it can still read
                    // what we sent, and the drain deadline hangs up.
                    drainBudget -= count
                    if drainBudget < 0 { break }
                    continue
                }
                input.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                lastProgress = loop.now
                if count < buffer.count { break }
            } else if count == 0 {
                peerClosed = true
                break
            } else {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { break }
                close()
                return
            }
        }
        if draining {
            if peerClosed { close() } else { updateInterest() }
            return
        }
        processInput()
        flush()
        if isClosed { return }
        if peerClosed && webSocket != nil && !closeAfterWrite {
            // The peer vanished without a close frame.
            webSocket?.socket.markClosed()
            close()
            return
        }
        updateInterest()
    }

    /// The peer half-closed and nothing more will be answered: close once the output is written.
    private var peerDone: Bool { peerClosed && !awaitingResponse && !readPaused }

    /// Parses and serves what the input buffer holds, as far as the connection's state allows.
    func processInput() {
        if webSocket != nil {
            processWebSocketInput()
            return
        }
        while !awaitingResponse && !closeAfterWrite && !isClosed && !readPaused {
            if headStartedAt == nil && parser.isReadingHead && (!input.isEmpty || !parser.isBetweenRequests) {
                headStartedAt = loop.now
            }
            switch parser.next(&input) {
            case .needMore:
                return
            case .head(let head):
                headStartedAt = nil
                self.head = head
                body = []
                requestStart = loop.now
                if head.expectsContinue {
                    if let refusal = refusalBeforeBody(head) {
                        writeError(refusal, head: head, requestID: requestID(for: head))
                        return
                    }
                    output.append(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                }
            case .body(let piece):
                body.append(contentsOf: piece)
            case .end:
                dispatch()
            case .error(let error):
                context.logger.log(.info, "\(peer) bad request: \(error)")
                let status = error.status
                writeError(HTTPError(status, error.description), head: head, requestID: head.map(requestID(for:)) ?? newRequestID())
                return
            }
            if output.count > context.limits.outputHighWater {
                readPaused = true
            }
        }
    }

    /// With `Expect: 100-continue`, answers without reading the body when the route would refuse anyway.
    private func refusalBeforeBody(_ head: RequestHead) -> HTTPError? {
        guard let target = try? RequestTarget.parse(head.target) else { return HTTPError(.badRequest, "bad request target") }
        return RequestPipeline.refusal(context.router.lookup(method: HTTPMethod(head.method), path: target.path, segments: target.segments))
    }

    // MARK: Dispatch

    private func dispatch() {
        guard let head else { return }
        let id = requestID(for: head)
        var request: Request
        do {
            request = try Request(method: HTTPMethod(head.method), target: head.target, headers: head.headers,
                                  body: body, version: head.version, id: id)
        } catch {
            writeResponse(renderError(error, requestID: id, accept: head.headers["accept"]), head: head, requestID: id)
            return
        }
        body = []
        request.peerAddress = peer
        let logger = context.logger, page = context.errorPage, observer = context.router.observer
        switch RequestPipeline.route(request, router: context.router, errorPage: page) {
        case .answered(let response):
            writeResponse(response, head: head, requestID: id)
        case .immediate(let handler, let request):
            writeResponse(RequestPipeline.run(handler, request, logger: logger, page: page, observer: observer), head: head, requestID: id)
        case .async(let handler, let request):
            awaitingResponse = true
            let bound = LoopBound(self, on: loop)
            Task {
                let response = await RequestPipeline.run(handler, request, logger: logger, page: page, observer: observer)
                bound.execute { connection in connection.finishAsync(response, head: head, requestID: id) }
            }
        case .webSocket(let handler, let request):
            upgrade(request: request, head: head, handler: handler)
        }
    }

    private func finishAsync(_ response: Response, head: RequestHead, requestID: String) {
        guard !isClosed else { return }
        awaitingResponse = false
        writeResponse(response, head: head, requestID: requestID)
        processInput()
        flush()
        if !isClosed { updateInterest() }
    }

    /// Renders an error with the server's error page.
    func renderError(_ error: HTTPError, requestID: String, accept: String?) -> Response {
        ErrorRenderer.response(for: error, requestID: requestID, accept: accept, page: context.errorPage)
    }

    // MARK: Writing

    /// Queues a response and decides whether the connection stays open.
    func writeResponse(_ response: Response, head: RequestHead?, requestID: String, forceClose: Bool = false) {
        var response = response
        if response.status.code < 200 || response.status.code > 599 {
            // 1xx answers belong to the server (100, 101); anything else is not HTTP.
            context.logger.log(.error, "request \(requestID): handler answered with status \(response.status.code)")
            response = renderError(HTTPError(.internalServerError, "internal error (request id \(requestID))"),
                                              requestID: requestID, accept: head?.headers["accept"])
        }
        context.router.addStandardHeaders(to: &response)
        let wantsClose = response.headers["connection"].map { equalsIgnoringCase(trimmed($0), "close") } ?? false
        let isHead = head?.method == "HEAD"
        let version = head?.version ?? .http1_1
        var framing = ResponseSerializer.Framing.sized
        if response.bodyProducer != nil {
            framing = version == .http1_1 ? .chunked : .untilClose
        }
        let keepAlive = !forceClose && !wantsClose && !shuttingDown && (head?.keepAlive ?? false)
            && !context.stopping.load(ordering: .acquiring)
            && !(framing == .untilClose && !isHead)
        let date = loop.httpDate
        let written = output.append { out in
            ResponseSerializer.serialize(response, isHead: isHead, version: version, keepAlive: keepAlive,
                                         date: date, requestID: requestID, framing: framing, into: &out)
        }
        if context.logger.level <= .info {
            let elapsed = loop.now &- requestStart
            // The path only: query strings can carry tokens.
            let path = head.map { context.router.loggedPath($0.target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "") } ?? "-"
            context.logger.log(.info, "\(head?.method ?? "-") \(path) \(response.status.code) \(written)B \(elapsed)ms id=\(requestID)")
        }
        if let producer = response.bodyProducer, !isHead, !response.status.forbidsBody {
            startStream(producer, chunked: framing == .chunked, keepAlive: keepAlive)
            self.head = nil
            return
        }
        self.head = nil
        lastProgress = loop.now   // the idle timeout counts from the last answer too
        if !keepAlive {
            closeAfterWrite = true
        }
    }

    private func writeError(_ error: HTTPError, head: RequestHead?, requestID: String) {
        let response = renderError(error, requestID: requestID, accept: head?.headers["accept"])
        writeResponse(response, head: head, requestID: requestID, forceClose: true)
    }

    /// Writes what the kernel takes; closes or drains when done and asked to.
    func flush() {
        guard !isClosed else { return }
        if !output.isEmpty {
            let written: Int
            do {
                written = try output.flush(to: fd)
            } catch {
                close()
                return
            }
            if written > 0 {
                lastWriteProgress = loop.now
                outboundGate?.didWrite(written)
            }
        }
        if output.isEmpty && (closeAfterWrite || peerDone) && !draining {
            startDraining()
            return
        }
        if readPaused && output.count <= context.limits.outputLowWater && !closeAfterWrite {
            readPaused = false
            processInput()
            if !output.isEmpty && !isClosed { flush() }
        }
        if !isClosed { updateInterest() }
    }

    /// Flushes at the end of the loop's current wakeup.
    func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        loop.deferFlush(self)
    }

    func flushDeferred() {
        flushScheduled = false
        flush()
    }

    /// Half-closes our side, then discards input until the peer closes or two seconds pass, so a client
    /// still sending does not get a reset that could destroy our last response.
    private func startDraining() {
        if peerClosed || shuttingDown {
            close()
            return
        }
        draining = true
        drainDeadline = loop.now + 2000
        drainStarted = loop.now
        drainOutputLeft = Int.max
        if let webSocket { drainBudget = WebSocketState.maximumDiscardedAfterClose - webSocket.discardedAfterClose }
        Glibc.shutdown(fd, Int32(SHUT_WR))
        input = InputBuffer()
        updateInterest()
    }

    /// The drain deadline passed. While the peer is still taking our last output (the kernel's
    /// unacknowledged bytes shrink), wait on, up to the write timeout: closing with unread input
    /// resets the connection and destroys what the kernel has not delivered yet (a WebSocket's
    /// close frame behind megabytes the peer is reading). Otherwise discard what it sent and close.
    private func closeDrained(now: UInt64) {
        let unacknowledged = Int(clinux_unacknowledged_output(fd))
        if unacknowledged > 0, unacknowledged < drainOutputLeft,
           now &- drainStarted < UInt64(context.limits.writeTimeout * 1000) {
            drainOutputLeft = unacknowledged
            drainDeadline = now + 2000
            return
        }
        let buffer = loop.readBuffer
        var discarded = 0
        while discarded < 8 << 20 {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count <= 0 { break }
            discarded += count
        }
        close()
    }

    func updateInterest() {
        guard !isClosed else { return }
        var wanted: UInt32 = 0
        let wsPaused = webSocket?.readPaused ?? false
        if !peerClosed && ((draining && drainBudget >= 0) || (!draining && !readPaused && !awaitingResponse && !closeAfterWrite && !wsPaused)) {
            wanted |= EPOLLIN.rawValue | EPOLLRDHUP.rawValue
        }
        if !output.isEmpty { wanted |= EPOLLOUT.rawValue }
        if wanted != interest {
            interest = wanted
            loop.modify(fd, interest: wanted)
        }
    }

    /// Stops reading until `resumeReading()` (WebSocket inbox full).
    func resumeReading() {
        guard !isClosed else { return }
        processInput()
        flush()
    }

    // MARK: Deadlines and shutdown

    func tick(now: UInt64) {
        guard !isClosed else { return }
        let limits = context.limits
        if draining {
            if now >= drainDeadline { closeDrained(now: now) }
            return
        }
        if output.isEmpty {
            // The write timeout counts from when output last went out, or from when there was none.
            lastWriteProgress = now
        } else if now &- lastWriteProgress > UInt64(limits.writeTimeout * 1000) {
            context.logger.log(.info, "\(peer) closed: output unread for \(limits.writeTimeout)s")
            close()
            return
        }
        if webSocket != nil {
            tickWebSocket(now: now)
            return
        }
        if awaitingResponse || !output.isEmpty { return }
        if let started = headStartedAt {
            if now &- started > UInt64(limits.headTimeout * 1000) {
                context.logger.log(.info, "\(peer) closed: request head not complete within \(limits.headTimeout)s")
                writeError(HTTPError(.requestTimeout), head: nil, requestID: newRequestID())
                flush()
            }
        } else if head != nil {
            if now &- lastProgress > UInt64(limits.bodyTimeout * 1000) {
                writeError(HTTPError(.requestTimeout), head: nil, requestID: newRequestID())
                flush()
            }
        } else if now &- lastProgress > UInt64(limits.idleTimeout * 1000) {
            close()
        }
    }

    func beginShutdown() {
        shuttingDown = true
        if draining {
            close()
            return
        }
        if webSocket != nil {
            closeWebSocket(code: WebSocketCloseCode.goingAway, reason: "server shutting down")
            return
        }
        if !awaitingResponse && head == nil && output.isEmpty {
            close()
        }
    }

    func forceClose() { close() }

    /// Closes the socket and forgets the connection.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        loop.connectionCount.subtract(1, ordering: .relaxed)
        loop.unregister(fd)
        Glibc.close(fd)
        outboundGate?.close()
        if let webSocket {
            webSocket.socket.markClosed()
        }
    }

    // MARK: Request ids

    private func requestID(for head: RequestHead) -> String {
        if let given = head.headers["x-request-id"], (1...128).contains(given.utf8.count),
           given.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            return given
        }
        return newRequestID()
    }

    private func newRequestID() -> String {
        loop.requestCounter &+= 1
        return RequestIDs.make(loop: loop.index, counter: loop.requestCounter)
    }
}

/// Generated request ids: a per-process random prefix, the loop index and a counter, in hex
/// (`9f3c01aa-1-2b7`).
enum RequestIDs {
    static let prefix: [UInt8] = {
        var generator = SystemRandomNumberGenerator()
        return Array((String(generator.next() as UInt32, radix: 16) + "-").utf8)
    }()

    /// The id for a loop's `counter`th request, written in one allocation (a request id is made for
    /// every request; joining four strings was a visible share of a keep-alive request).
    static func make(loop: Int, counter: UInt64) -> String {
        let prefix = Self.prefix
        return String(unsafeUninitializedCapacity: prefix.count + 34) { buffer in
            var end = 0
            for byte in prefix { buffer[end] = byte; end += 1 }
            end = appendHex(UInt64(loop), to: buffer, at: end)
            buffer[end] = UInt8(ascii: "-")
            return appendHex(counter, to: buffer, at: end + 1)
        }
    }

    private static func appendHex(_ value: UInt64, to buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var digits = 1
        while digits < 16 && value >> (4 * UInt64(digits)) != 0 { digits += 1 }
        for position in 0..<digits {
            let nibble = UInt8(truncatingIfNeeded: value >> (4 * UInt64(digits - 1 - position))) & 0x0F
            buffer[start + position] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
        }
        return start + digits
    }
}
