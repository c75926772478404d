import DriverKit
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A bundled driver binary started as the core starts it, with the test playing the core.
final class DriverUnderTest: Sendable {
    private let process: Process
    private let toDriver: FileHandle
    private let fromDriver: Int32
    private let buffer = Mutex<[UInt8]>([])
    private let seq = Atomic<Int>(1000)
    /// Every message read so far, in order.
    let seen = Mutex<[JSON]>([])

    /// Where the driver executables are: next to the test bundle, or `DRIVER_BIN_DIR`.
    static var binDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["DRIVER_BIN_DIR"] { return dir }
        var candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("driver-pjlink").path) { return candidate.path }
            candidate = candidate.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug").path
    }

    init(_ name: String) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binDirectory + "/driver-" + name)
        process.environment = ["BACKOFFICE_DRIVER_PROTOCOL": "1"]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        toDriver = stdin.fileHandleForWriting
        fromDriver = stdout.fileHandleForReading.fileDescriptor
        _ = fcntl(fromDriver, F_SETFL, fcntl(fromDriver, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    func send(_ message: JSON) {
        toDriver.write(Data((message.serialized + "\n").utf8))
    }

    /// Sends a request with a fresh `seq` and waits for its result.
    func request(_ message: JSON) async -> JSON? {
        let number = seq.add(1, ordering: .relaxed).newValue
        guard case .object(var members) = message else { return nil }
        members["seq"] = .number(Double(number))
        send(.object(members))
        return await next { $0["type"] == "result" && $0["seq"]?.intValue == number }
    }

    func start(_ module: String, _ config: JSON) async -> JSON? {
        await request(["type": "start", "module": .string(module), "config": config])
    }

    func exec(_ module: String, _ method: String, _ args: JSON = []) async -> JSON? {
        await request(["type": "exec", "module": .string(module), "method": .string(method), "args": args])
    }

    /// Waits for status `key` of `module` to become `value` (true if it did within 30 s).
    func status(_ module: String, _ key: String, becomes value: JSON) async -> Bool {
        if lastStatus(module, key) == value { return true }
        return await next { $0["type"] == "status" && $0["module"]?.stringValue == module && $0["key"]?.stringValue == key && $0["value"] == value } != nil
    }

    func lastStatus(_ module: String, _ key: String) -> JSON? {
        seen.withLock { messages in
            messages.last { $0["type"] == "status" && $0["module"]?.stringValue == module && $0["key"]?.stringValue == key }?["value"]
        }
    }

    /// The next message that matches (nil after 30 s or at end of output). Everything the driver
    /// wrote is read before the deadline is checked, so a test resumed late by a busy thread pool
    /// still finds a message that arrived in time.
    func next(where matches: (JSON) -> Bool = { _ in true }) async -> JSON? {
        let deadline = Date().addingTimeInterval(30)
        while true {
            if let line = takeLine() {
                guard let message = try? JSONParser.parse(line) else { continue }
                seen.withLock { $0.append(message) }
                if matches(message) { return message }
                continue
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = read(fromDriver, &chunk, chunk.count)
            if count == 0 { return nil }
            if count > 0 {
                buffer.withLock { $0.append(contentsOf: chunk[0..<count]) }
                continue
            }
            guard Date() < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    private func takeLine() -> [UInt8]? {
        buffer.withLock { bytes in
            guard let end = bytes.firstIndex(of: 0x0A) else { return nil }
            let line = Array(bytes[..<end])
            bytes.removeFirst(end + 1)
            return line
        }
    }

    func terminate() async -> Int32 {
        send(["type": "terminate"])
        for _ in 0..<500 where process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        return process.isRunning ? -1 : process.terminationStatus
    }
}
