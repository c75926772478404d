import Foundation
import Testing
@testable import DriverKit
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP or UDP socket the test controls.
final class LoopbackPeer: @unchecked Sendable {
    let fd: Int32
    let port: Int

    init(udp: Bool = false) {
        let fd = socket(AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if !udp { listen(fd, 16) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }

    /// Accepts one client (blocking, off the cooperative pool).
    func accept() async -> Int32 {
        await withCheckedContinuation { done in
            DispatchQueue.global().async { done.resume(returning: Glibc.accept(self.fd, nil, nil)) }
        }
    }

    /// Echoes one datagram back to its sender (UDP).
    func echoOnce() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                var buffer = [UInt8](repeating: 0, count: 512)
                var from = sockaddr_storage()
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(self.fd, &buffer, buffer.count, 0, $0, &length) }
                }
                _ = withUnsafePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(self.fd, buffer, count, 0, $0, length) }
                }
                done.resume()
            }
        }
    }
}

@DriverActor final class TransportRecorder: TransportDelegate {
    var events: [String] = []
    var received: [UInt8] = []
    func transportConnected() { events.append("connected") }
    func transportDisconnected(reason: String) { events.append("disconnected") }
    func transportReceived(_ bytes: [UInt8]) { received += bytes }

    func waitFor(_ count: Int, _ event: String) async -> Bool {
        for _ in 0..<1000 {
            if events.filter({ $0 == event }).count >= count { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}

func writeAll(_ fd: Int32, _ text: String) { _ = text.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }

func readSome(_ fd: Int32) async -> String {
    await withCheckedContinuation { done in
        DispatchQueue.global().async {
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = recv(fd, &buffer, buffer.count, 0)
            done.resume(returning: String(decoding: buffer[0..<max(0, count)], as: UTF8.self))
        }
    }
}

@Suite(.serialized) struct TransportTests {
    @Test @DriverActor func tcpConnectsCarriesBytesAndReconnectsAfterADrop() async throws {
        let peer = LoopbackPeer()
        let recorder = TransportRecorder()
        var options = SocketTransport.Options(host: "127.0.0.1", port: peer.port)
        options.backoff = Backoff(initial: .milliseconds(20), maximum: .milliseconds(100))
        let transport = SocketTransport(options)
        transport.delegate = recorder
        transport.open()
        let first = await peer.accept()
        #expect(await recorder.waitFor(1, "connected"))
        try transport.write(Array("hello\r".utf8))
        #expect(await readSome(first) == "hello\r")
        writeAll(first, "world")
        for _ in 0..<500 where recorder.received.count < 5 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(String(decoding: recorder.received, as: UTF8.self) == "world")
        close(first)
        #expect(await recorder.waitFor(1, "disconnected"))
        #expect(throws: DriverError.self) { try transport.write([1]) }
        let second = await peer.accept()
        #expect(await recorder.waitFor(2, "connected"))
        #expect(transport.attempts == 2)
        transport.close()
        close(second)
    }

    @Test @DriverActor func refusedConnectionsBackOffAndKeepTrying() async throws {
        let port = LoopbackPeer().port  // bound then closed: nothing listens
        let recorder = TransportRecorder()
        var options = SocketTransport.Options(host: "127.0.0.1", port: port)
        options.backoff = Backoff(initial: .milliseconds(5), maximum: .milliseconds(20))
        let transport = SocketTransport(options)
        transport.delegate = recorder
        transport.open()
        #expect(await recorder.waitFor(3, "disconnected"))
        #expect(transport.attempts >= 3 && !transport.isConnected)
        transport.close()
    }

    @Test @DriverActor func makeBreakConnectsOnDemandAndDropsWhenIdle() async throws {
        let peer = LoopbackPeer()
        let recorder = TransportRecorder()
        var options = SocketTransport.Options(host: "127.0.0.1", port: peer.port, makebreak: true)
        options.idleDisconnect = .milliseconds(100)
        let transport = SocketTransport(options)
        transport.delegate = recorder
        transport.open()
        try await Task.sleep(for: .milliseconds(50))
        #expect(transport.attempts == 0)
        transport.connectIfNeeded()
        let client = await peer.accept()
        #expect(await recorder.waitFor(1, "connected"))
        #expect(await recorder.waitFor(1, "disconnected"))
        #expect(await readSome(client) == "")  // the driver closed it
        close(client)
        transport.close()
    }

    @Test @DriverActor func udpSendsAndReceivesDatagrams() async throws {
        let peer = LoopbackPeer(udp: true)
        let recorder = TransportRecorder()
        let transport = SocketTransport(SocketTransport.Options(host: "127.0.0.1", port: peer.port, udp: true))
        transport.delegate = recorder
        transport.open()
        #expect(transport.isConnected)
        let echo = Task { await peer.echoOnce() }
        try transport.write(Array("ping".utf8))
        await echo.value
        for _ in 0..<500 where recorder.received.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        #expect(String(decoding: recorder.received, as: UTF8.self) == "ping")
        transport.close()
    }
}

@Suite struct SchedulerTests {
    @Test @DriverActor func everyAfterAndCancel() async throws {
        let scheduler = Scheduler()
        var ticks = 0, once = 0, cancelled = 0
        scheduler.every(.milliseconds(5), immediately: true) { ticks += 1 }
        scheduler.after(.milliseconds(10)) { once += 1 }
        let doomed = scheduler.after(.milliseconds(10)) { cancelled += 1 }
        scheduler.cancel(doomed)
        for _ in 0..<400 where ticks < 3 || once == 0 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(ticks >= 3 && once == 1 && cancelled == 0)
        scheduler.cancelAll()
        let frozen = ticks
        try await Task.sleep(for: .milliseconds(30))
        #expect(ticks == frozen)
        #expect(scheduler.activeCount == 0)
    }

    @Test @DriverActor func failingBodiesKeepTheScheduleAlive() async throws {
        let scheduler = Scheduler()
        var runs = 0
        scheduler.every(.milliseconds(5)) {
            runs += 1
            throw DriverError.failed("boom")
        }
        for _ in 0..<400 where runs < 3 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(runs >= 3)
        scheduler.cancelAll()
    }

    @Test @DriverActor func aRepeatingTaskThatKeepsFailingMarksTheModuleDegradedUntilItSucceeds() async throws {
        var reports: [String?] = []
        let scheduler = Scheduler(logger: nil) { reports.append($0) }
        var runs = 0, failing = true
        scheduler.every(.milliseconds(5)) {
            runs += 1
            if failing { throw DriverError.failed("Modbus exception 11") }
        }
        for _ in 0..<400 where reports.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        #expect(runs >= Scheduler.degradedAfter)
        #expect(reports == ["Modbus exception 11 (3 or more polls in a row failed)"], "said once, not at every failure")
        failing = false
        for _ in 0..<400 where reports.count < 2 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(reports.last == .some(nil), "the next success ends it")
        scheduler.cancelAll()
        #expect(reports.count == 2)
    }

    @Test @DriverActor func atAPastDateRunsAtOnceAndBadCronIsRejected() async throws {
        let scheduler = Scheduler()
        var ran = false
        scheduler.at(Date(timeIntervalSinceNow: -10)) { ran = true }
        for _ in 0..<400 where !ran { try await Task.sleep(for: .milliseconds(5)) }
        #expect(ran)
        #expect(throws: CronError.self) { try scheduler.cron("61 * * * *") {} }
        let handle = try scheduler.cron("* * * * *", timeZone: TimeZone(identifier: "Europe/London")!) {}
        #expect(scheduler.activeCount == 1, "the finished `at` removed itself; the cron remains")
        scheduler.cancel(handle)
        #expect(scheduler.activeCount == 0)
        scheduler.cancelAll()
    }
}
