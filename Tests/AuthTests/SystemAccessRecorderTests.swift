import Foundation
import Synchronization
import Testing
@testable import Auth
@testable import WebServer

@Suite struct SystemAccessRecorderTests {
    @Test func recordsOncePerUserSystemAndActionAMinuteAndNothingWithoutALog() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recorder-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now = Mutex(1_000)
        let recorder = SystemAccessRecorder(clock: { now.withLock { $0 } })
        let user = Principal(userID: "user-1", name: "U", email: "u@example.com", role: .user, credential: .session)
        recorder.record(user, system: "sys-1", action: "control")  // no log attached yet (auth off): nothing
        let log = AccessLog(authDirectory: directory)
        recorder.attach(log)
        recorder.record(user, system: "sys-1", action: "control")
        recorder.record(user, system: "sys-1", action: "control")
        recorder.record(user, system: "sys-1", action: "view")
        recorder.record(.anonymous, system: "sys-1", action: "view")
        recorder.record(user, system: "not-a-system", action: "view")
        now.withLock { $0 += 61 }
        recorder.record(user, system: "sys-1", action: "control")
        let entries = log.entries(userID: "user-1")
        #expect(entries.map(\.action) == ["control", "view", "control"])
        #expect(entries.map(\.time) == [1_061, 1_000, 1_000])
        #expect(log.entries(userID: "anonymous").isEmpty)
    }
}
