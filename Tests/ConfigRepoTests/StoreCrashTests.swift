import Foundation
import Testing
@testable import ConfigRepo

/// A writer killed with SIGKILL mid-loop (mid-commit, mid-pack, mid-merge: it merges packs in
/// the background every other commit) leaves a repository that `git fsck --full --strict`
/// and `git verify-pack` accept and that holds every acknowledged write. The writer is this test binary itself, re-run with
/// `STORE_CRASH_WRITER_REPO` set so only ``StoreCrashWriter`` runs in the child.
@Suite struct StoreCrashTests {
    @Test func aKilledWriterLosesNoAcknowledgedWrite() throws {
        let fixture = try StoreFixture()
        let executable = URL(fileURLWithPath: CommandLine.arguments[0])
        let child = Process()
        child.executableURL = executable
        child.arguments = ["--testing-library", "swift-testing", "--filter", "StoreCrashWriter"]
        var environment = ProcessInfo.processInfo.environment
        environment["STORE_CRASH_WRITER_REPO"] = fixture.path
        child.environment = environment
        let pipe = Pipe()
        child.standardOutput = pipe
        child.standardError = FileHandle.nullDevice
        try child.run()

        // Read acknowledgements ("ack <n> <commit>") until enough, then kill mid-loop.
        var acknowledged: [Int: String] = [:]
        var buffer = Data()
        let reader = pipe.fileHandleForReading
        let deadline = Date().addingTimeInterval(60)
        while acknowledged.count < 40, Date() < deadline {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                let parts = line.split(separator: " ")
                if parts.count == 3, parts[0] == "ack", let number = Int(parts[1]) { acknowledged[number] = String(parts[2]) }
            }
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(acknowledged.count >= 40, "the writer child did not start")

        #expect(try fixture.deepCheck() == [])
        let store = try ConfigStore(path: fixture.path)
        for (number, _) in acknowledged {
            #expect(try fixture.text("crash/f\(number % 10).json") != nil)
        }
        // The newest acknowledged write of each file is at least as new as acknowledged.
        let newest = try #require(acknowledged.keys.max())
        let text = try #require(try fixture.text("crash/f\(newest % 10).json"))
        #expect(Int(text.trimmingCharacters(in: .whitespacesAndNewlines))! >= newest)
        // And the store still writes afterwards.
        _ = try store.commit([.put("after.json", [1])], author: .backoffice, message: "after the crash")
        _ = try store.packAll()
        #expect(try fixture.fsck().status == 0)
        #expect(try fixture.text("crash/f\(newest % 10).json") == text)
    }
}

/// The child side of ``StoreCrashTests``: writes forever, printing an acknowledgement after
/// each commit returns. Runs only in the child.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["STORE_CRASH_WRITER_REPO"] != nil))
struct StoreCrashWriter {
    @Test func writeUntilKilled() throws {
        let path = ProcessInfo.processInfo.environment["STORE_CRASH_WRITER_REPO"]!
        let store = try ConfigStore(path: path, packCheckInterval: 2)
        var number = 0
        while true {
            let info = try store.commit([.put("crash/f\(number % 10).json", Array("\(number)\n".utf8))],
                                        author: .backoffice, message: "write \(number)")
            FileHandle.standardOutput.write(Data("ack \(number) \(info.id.hex)\n".utf8))
            number += 1
        }
    }
}
