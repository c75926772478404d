import ConfigRepo
import Dispatch
import DriverProtocol
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One running driver executable: its pipes, a reader thread for stdout (JSON Lines) and one
/// for stderr (log text). Lines are written from the sender's thread when the pipe takes them;
/// when it is full, a serial queue sends what waits, so callers never block on a full pipe.
final class DriverProcess: @unchecked Sendable {
    /// What the process says, delivered on its reader threads.
    enum Event {
        case message([String: JSONValue])
        case protocolError(String)
        case stderrLine(String)
        case exited(Int32)
    }

    let pid: Int32
    private let process: Process
    private let input: FileHandle
    private let writes = DispatchQueue(label: "backoffice.driver.write")
    /// Lines waiting for the pipe to drain, whether the write queue is sending them, and whether
    /// stdin was closed (nothing more is sent).
    private let outgoing = Mutex<(bytes: [UInt8], flushQueued: Bool, closed: Bool)>(([], false, false))

    /// Starts `executable`; `events` is called on reader threads, `.exited` last.
    init(executable: String, events: @escaping @Sendable (Event) -> Void) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = []
        var environment = ProcessInfo.processInfo.environment
        environment["BACKOFFICE_DRIVER_PROTOCOL"] = "1"
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        self.process = process
        pid = process.processIdentifier
        input = stdin.fileHandleForWriting
        // Our end only (the driver's read end is another file description): `send` never blocks.
        let inFD = input.fileDescriptor
        _ = fcntl(inFD, F_SETFL, fcntl(inFD, F_GETFL) | O_NONBLOCK)
        let outFD = stdout.fileHandleForReading.fileDescriptor
        let errFD = stderr.fileHandleForReading.fileDescriptor
        let stdoutHandle = stdout.fileHandleForReading, stderrHandle = stderr.fileHandleForReading
        let errorsDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            Self.readLines(fd: errFD) { piece in
                if case .line(let bytes) = piece { events(.stderrLine(String(decoding: bytes, as: UTF8.self))) }
            }
            _ = stderrHandle
            errorsDone.signal()
        }
        Thread.detachNewThread {
            Self.readLines(fd: outFD) { piece in
                switch piece {
                case .line(let bytes):
                    do {
                        guard case .object(let members) = try JSONParser.parse(bytes) else {
                            events(.protocolError("a line that is not a JSON object: \(Self.excerpt(bytes))"))
                            return
                        }
                        events(.message(members))
                    } catch {
                        events(.protocolError("a line that is not JSON (\(error)): \(Self.excerpt(bytes))"))
                    }
                case .tooLong(let count):
                    events(.protocolError("a line of \(count) bytes, over the \(DriverProtocol.maximumLineLength >> 20) MiB limit"))
                }
            }
            _ = stdoutHandle
            // stdout closed: the process is gone or can no longer talk to us.
            if process.isRunning { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            _ = errorsDone.wait(timeout: .now() + 1)
            events(.exited(process.terminationStatus))
        }
    }

    /// Sends one message line: written at once from the caller's thread when no earlier line is
    /// waiting (the pipe is non-blocking on our side, so this never blocks), else appended to the
    /// waiting lines, which the write queue sends in order as the pipe drains.
    func send(_ message: JSONValue) {
        var line: [UInt8] = []
        JSONWriter.appendCompact(message, to: &line)
        line.append(UInt8(ascii: "\n"))
        let fd = input.fileDescriptor
        let queueFlush = outgoing.withLock { state -> Bool in
            if state.closed { return false }
            if state.flushQueued {
                state.bytes += line
                return false
            }
            // Under the lock, so a line written here cannot overtake or split another.
            let written = Self.writeSome(line, to: fd)
            guard let written else { return false }  // the process is gone; its exit is reported by the reader
            if written == line.count { return false }
            state.bytes += line[written...]
            state.flushQueued = true
            return true
        }
        guard queueFlush else { return }
        writes.async { [self] in
            while true {
                let bytes: [UInt8] = outgoing.withLock { state in
                    if state.bytes.isEmpty { state.flushQueued = false }
                    defer { state.bytes = [] }
                    return state.bytes
                }
                if bytes.isEmpty { return }
                guard Self.writeAll(bytes, to: fd) else {
                    // The process is gone (its exit is reported by the reader): drop what follows.
                    outgoing.withLock { $0.bytes = []; $0.flushQueued = false }
                    return
                }
            }
        }
    }

    /// Writes what the pipe takes now: the count written (0 when it is full), nil when the
    /// process can no longer read.
    private static func writeSome(_ bytes: [UInt8], to fd: Int32) -> Int? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return offset }
                return nil
            }
            offset += written
        }
        return offset
    }

    /// Writes all of `bytes`, waiting for the pipe to drain when it is full (on the write queue).
    private static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            guard let written = writeSome(Array(bytes[offset...]), to: fd) else { return false }
            offset += written
            if offset < bytes.count {
                var waiting = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&waiting, 1, -1) < 0, errno != EINTR { return false }
            }
        }
        return true
    }

    /// SIGKILL, now.
    func kill() {
        if process.isRunning { _ = Glibc.kill(pid, SIGKILL) }
    }

    /// Closes stdin after the queued writes (the driver then exits, protocol §2.6).
    func closeInput() {
        outgoing.withLock { $0.closed = true }
        let handle = input
        writes.async { try? handle.close() }
    }

    private static func readLines(fd: Int32, _ deliver: (LineFramer.Piece) -> Void) {
        var splitter = LineFramer()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            let pieces = buffer.withUnsafeBufferPointer { splitter.feed(UnsafeBufferPointer(rebasing: $0[0..<count])) }
            for piece in pieces { deliver(piece) }
        }
    }

    private static func excerpt(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(120), as: UTF8.self)
        return bytes.count > 120 ? text + "…" : text
    }
}
