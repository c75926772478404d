#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims
import Synchronization
import WebServer

/// The server side: every connected socket, for broadcasting.
final class FanOutHub: Sendable {
    private let sockets = Mutex<[ObjectIdentifier: WebSocket]>([:])
    func add(_ socket: WebSocket) { sockets.withLock { $0[ObjectIdentifier(socket)] = socket } }
    func remove(_ socket: WebSocket) { _ = sockets.withLock { $0.removeValue(forKey: ObjectIdentifier(socket)) } }
    var all: [WebSocket] { sockets.withLock { Array($0.values) } }
    var count: Int { sockets.withLock { $0.count } }
}

struct FanOutResult {
    var framesPerSecond: Double
    var expectedPerSecond: Double
    var p50Milliseconds: Double
    var p99Milliseconds: Double
    var lost: Int
}

func nanosecondsNow() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

/// Connects `clients` WebSockets from one epoll thread, has the hub broadcast timestamped payloads,
/// and measures how many frames arrive and how late.
func runFanOut(port: Int, clients: Int, payloadBytes: Int, broadcastsPerSecond: Int, seconds: Int, hub: FanOutHub) -> FanOutResult {
    let epfd = epoll_create1(0)
    var fds: [Int32] = []
    var buffers: [Int32: [UInt8]] = [:]
    let request = Array("GET /fanout HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8)
    for _ in 0..<clients {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        fds.append(fd)
        buffers[fd] = []
    }
    // Read the 101s (blocking), then go non-blocking under epoll.
    for fd in fds {
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !(head.count >= 4 && head.suffix(4) == [13, 10, 13, 10]) {
            if recv(fd, &byte, 1, 0) != 1 { break }
            head.append(byte)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = fd
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event)
    }
    while hub.count < clients { usleep(10_000) }

    // Broadcaster: a task sending to every socket at the given rate.
    let stop = Mutex(false)
    let broadcasts = Mutex(0)
    let broadcaster = Task.detached {
        let interval = 1_000_000_000 / UInt64(broadcastsPerSecond)
        var next = nanosecondsNow()
        while !stop.withLock({ $0 }) {
            let stamp = String(nanosecondsNow())
            let text = stamp + " " + String(repeating: "x", count: max(0, payloadBytes - stamp.count - 1))
            WebSocket.broadcast(text: text, to: hub.all)
            broadcasts.withLock { $0 += 1 }
            next += interval
            let now = nanosecondsNow()
            if next > now { try? await Task.sleep(nanoseconds: next - now) }
        }
    }

    var latencies: [UInt64] = []
    latencies.reserveCapacity(clients * broadcastsPerSecond * seconds + 1000)
    var received = 0
    let start = nanosecondsNow()
    let end = start + UInt64(seconds) * 1_000_000_000
    let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: 256)
    var leftovers = [[UInt8]](repeating: [], count: Int(fds.max() ?? 0) + 1)
    var chunk = [UInt8](repeating: 0, count: 65536)
    while nanosecondsNow() < end {
        let count = epoll_wait(epfd, events, 256, 100)
        guard count > 0 else { continue }
        for index in 0..<Int(count) {
            let fd = events[index].data.fd
            var got = 0
            let leftover = leftovers[Int(fd)]
            chunk.withUnsafeMutableBytes { raw in
                for (offset, byte) in leftover.enumerated() { raw[offset] = byte }
                let received = recv(fd, raw.baseAddress! + leftover.count, raw.count - leftover.count, 0)
                got = received > 0 ? received + leftover.count : 0
            }
            guard got > leftover.count else { continue }
            let now = nanosecondsNow()
            var offset = 0
            chunk.withUnsafeBufferPointer { buffer in
                while got - offset >= 2 {
                    var length = Int(buffer[offset + 1] & 0x7F)
                    var header = 2
                    if length == 126 {
                        guard got - offset >= 4 else { break }
                        length = Int(buffer[offset + 2]) << 8 | Int(buffer[offset + 3])
                        header = 4
                    }
                    guard got - offset >= header + length else { break }
                    var sent: UInt64 = 0
                    var position = offset + header
                    while position < offset + header + length, buffer[position] != 0x20 {
                        sent = sent * 10 + UInt64(buffer[position] &- 0x30)
                        position += 1
                    }
                    latencies.append(now > sent ? now - sent : 0)
                    received += 1
                    offset += header + length
                }
            }
            leftovers[Int(fd)] = Array(chunk[offset..<got])
        }
    }
    let elapsed = Double(nanosecondsNow() - start) / 1e9
    stop.withLock { $0 = true }
    broadcaster.cancel()
    events.deallocate()
    for fd in fds { close(fd) }
    close(epfd)
    latencies.sort()
    func percentile(_ p: Double) -> Double {
        latencies.isEmpty ? 0 : Double(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]) / 1e6
    }
    let sentFrames = broadcasts.withLock { $0 } * clients
    return FanOutResult(framesPerSecond: Double(received) / elapsed,
                        expectedPerSecond: Double(clients * broadcastsPerSecond),
                        p50Milliseconds: percentile(0.5), p99Milliseconds: percentile(0.99),
                        lost: max(0, sentFrames - received - clients * 2))
}
