/// Streamed response bodies (`Response.stream`): the producer runs in a task and hands chunks to
/// the loop; the connection answers nothing else until it finishes.
extension Connection {
    /// Runs a body producer in a task; the connection answers nothing else until it finishes.
    func startStream(_ producer: @escaping Response.BodyProducer, chunked: Bool, keepAlive: Bool) {
        streaming = true
        awaitingResponse = true
        let gate = OutboundGate(highWater: context.limits.outputHighWater, lowWater: context.limits.outputLowWater)
        outboundGate = gate
        let bound = LoopBound(self, on: loop)
        let writer = ResponseBodyWriter(gate: gate, connection: bound, chunked: chunked)
        let logger = context.logger
        Task {
            var succeeded = true
            do {
                try await producer(writer)
            } catch {
                logger.log(.warning, "streamed response failed: \(error)")
                succeeded = false
            }
            let outcome = succeeded
            bound.execute { connection in connection.finishStream(succeeded: outcome, chunked: chunked, keepAlive: keepAlive) }
        }
    }

    /// Queues a piece of a streamed body (already chunk-framed when chunked).
    func enqueueStreamData(_ data: [UInt8]) {
        guard !isClosed, streaming else { return }
        output.append(data)
        scheduleFlush()
    }

    private func finishStream(succeeded: Bool, chunked: Bool, keepAlive: Bool) {
        guard !isClosed, streaming else { return }
        streaming = false
        outboundGate = nil
        guard succeeded else {
            // The head promised a complete body; ending the connection without the last chunk is
            // the only honest signal. What was produced still goes out first.
            closeAfterWrite = true
            flush()
            return
        }
        if chunked { output.append(Array("0\r\n\r\n".utf8)) }
        lastProgress = loop.now
        awaitingResponse = false
        if !keepAlive { closeAfterWrite = true }
        processInput()
        flush()
    }
}
