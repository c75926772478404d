import CLinuxShims
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A client of a fan-out measurement: a socket that receives stamped notifications.
protocol FanOutSubscriber: AnyObject {
    var fd: Int32 { get }
    /// The stamps (CLOCK_MONOTONIC nanoseconds) of every whole notification read so far, without blocking.
    func drainNumbers() -> [UInt64]
}

/// The one receive buffer the single-threaded meter reads every socket into.
enum FanOutScratch {
    nonisolated(unsafe) private static var chunk = [UInt8](repeating: 0, count: 65536)

    /// Appends what `fd` has to `buffer` without blocking.
    static func fill(_ fd: Int32, into buffer: inout [UInt8]) {
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count > 0 { buffer += chunk[0..<count] }
    }

    /// The decimal stamp starting at `position` in `buffer` (digits up to `end`), if there is one.
    static func stamp(in buffer: [UInt8], at position: Int, end: Int) -> UInt64? {
        var position = position
        var number: UInt64 = 0
        var digits = 0
        while position < end, buffer[position] >= 0x30, buffer[position] <= 0x39 {
            number = number * 10 + UInt64(buffer[position] - 0x30)
            position += 1
            digits += 1
        }
        return digits > 0 ? number : nil
    }
}

/// Publishes a stamp `rate` times a second for `seconds` while one thread reads every subscriber
/// with epoll: notifications delivered per second, the rate offered, and the latency quantiles.
struct FanOutMeter {
    struct Result {
        var delivered: Double
        var received: Int
        var offered: Double
        var p50: Double
        var p99: Double
    }

    let rate: Int
    let seconds: Double

    func run(_ subscribers: [any FanOutSubscriber], publish: @escaping @Sendable (UInt64) -> Void) -> Result {
        let epfd = epoll_create1(0)
        defer { close(epfd) }
        var byFD: [Int32: any FanOutSubscriber] = [:]
        for subscriber in subscribers {
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.fd = subscriber.fd
            epoll_ctl(epfd, EPOLL_CTL_ADD, subscriber.fd, &event)
            byFD[subscriber.fd] = subscriber
        }
        let stop = Atomic(false)
        let published = Atomic(0)
        let rate = self.rate
        let finished = DispatchSemaphore(value: 0)
        let publisher = Thread {
            defer { finished.signal() }
            let interval = UInt64(1_000_000_000 / rate)
            var next = nanosecondsNow()
            while !stop.load(ordering: .relaxed) {
                publish(nanosecondsNow())
                published.add(1, ordering: .relaxed)
                next += interval
                let now = nanosecondsNow()
                if next > now { usleep(UInt32((next - now) / 1000)) }
            }
        }
        var latencies: [UInt64] = []
        latencies.reserveCapacity(Int(Double(rate * subscribers.count) * seconds))
        var received = 0
        let start = nanosecondsNow()
        publisher.start()
        let end = start + UInt64(seconds * 1e9)
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: 512)
        defer { events.deallocate() }
        while nanosecondsNow() < end {
            let count = epoll_wait(epfd, events, 512, 100)
            guard count > 0 else { continue }
            for index in 0..<Int(count) {
                guard let subscriber = byFD[events[index].data.fd] else { continue }
                let now = nanosecondsNow()
                for stamp in subscriber.drainNumbers() {
                    latencies.append(now > stamp ? now - stamp : 0)
                    received += 1
                }
            }
        }
        stop.store(true, ordering: .relaxed)
        finished.wait()
        let elapsed = Double(nanosecondsNow() - start) / 1e9
        latencies.sort()
        return Result(delivered: Double(received) / elapsed, received: received,
                      offered: Double(published.load(ordering: .relaxed) * subscribers.count) / elapsed,
                      p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99))
    }
}
