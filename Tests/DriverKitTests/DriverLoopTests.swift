import Foundation
import Synchronization
import Testing
@testable import DriverKit
#if canImport(Glibc)
import Glibc
#endif

/// The thread running this code, as a number that can cross threads.
private func currentThread() -> UInt { UInt(bitPattern: Int(pthread_self())) }

@DriverActor private func actorThread() -> UInt { currentThread() }

/// Nonisolated: runs wherever the task's executor puts it.
private func threadAfterResuming() async -> UInt {
    await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
        DispatchQueue.global().async { waiter.resume() }
    }
    return currentThread()
}

@Suite struct DriverLoopTests {
    @Test func descriptorHandlersRunOnTheActorsOwnThread() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let readEnd = fds[0]
        let seen = Mutex<(thread: UInt, bytes: [UInt8])?>(nil)
        await { @DriverActor in
            DriverLoop.shared.watchReadable(readEnd) {
                var buffer = [UInt8](repeating: 0, count: 16)
                let count = read(readEnd, &buffer, 16)
                DriverLoop.shared.unwatch(readEnd)
                seen.withLock { $0 = (currentThread(), Array(buffer[0..<max(0, count)])) }
            }
        }()
        #expect(write(fds[1], "hi", 2) == 2)
        while seen.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(5)) }
        let handled = try #require(seen.withLock { $0 })
        #expect(handled.bytes == Array("hi".utf8))
        #expect(handled.thread == (await actorThread()))
    }

    @Test func aTaskPreferringTheLoopResumesOnItAfterAContinuation() async {
        let loop = await actorThread()
        let preferring = await Task(executorPreference: DriverLoop.shared) { await threadAfterResuming() }.value
        #expect(preferring == loop)
        // Without the preference, nonisolated code resumes on the global pool: the test can tell them apart.
        let plain = await Task.detached { await threadAfterResuming() }.value
        #expect(plain != loop)
    }

    @Test func aRegularFileIsReadThroughToItsEnd() async throws {
        let path = NSTemporaryDirectory() + "driverloop-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try "one\ntwo\nthree".write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        let lines = Mutex<[String]>([])
        let ended = Mutex(false)
        await { @DriverActor in
            let reader = LineReader(fd: fd) { events in
                for event in events {
                    switch event {
                    case .line(let bytes): lines.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) }
                    case .tooLong: break
                    case .endOfFile: ended.withLock { $0 = true }
                    }
                }
            }
            reader.start()
        }()
        while !ended.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(lines.withLock { $0 } == ["one", "two", "three"])
    }
}
