import DriverKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A driver process driven over its pipes with blocking reads (the bench is the core).
final class DriverPipe {
    let process = Process()
    private let input: FileHandle
    private let output: Int32
    private var buffer: [UInt8] = []
    private var seq = 0

    /// `wrapper`: a command line the driver runs under (`heaptrack -o /tmp/x`), split at spaces.
    init(binary: String, wrapper: String? = nil) throws {
        if let wrapper, let tool = wrapper.split(separator: " ").first {
            process.executableURL = URL(fileURLWithPath: tool.hasPrefix("/") ? String(tool) : "/usr/bin/\(tool)")
            process.arguments = wrapper.split(separator: " ").dropFirst().map(String.init) + [binary]
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
        }
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading.fileDescriptor
    }

    func send(_ message: JSON) { input.write(Data((message.serialized + "\n").utf8)) }

    /// The next message (blocking); nil at end of output.
    func next() -> JSON? {
        while true {
            if let end = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<end])
                buffer.removeFirst(end + 1)
                if let message = try? JSONParser.parse(line) { return message }
                continue
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = read(output, &chunk, chunk.count)
            if count <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    /// Sends a request and returns its result, skipping status and log lines.
    @discardableResult
    func request(_ message: JSON) -> JSON? {
        seq += 1
        guard case .object(var members) = message else { return nil }
        members["seq"] = .number(Double(seq))
        send(.object(members))
        while let reply = next() {
            if reply["type"] == "result", reply["seq"]?.intValue == seq { return reply }
        }
        return nil
    }

    /// Resident memory of the driver process in KiB.
    var residentKiB: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    func terminate() {
        send(["type": "terminate"])
        process.waitUntilExit()
    }
}
