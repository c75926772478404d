#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims
import Synchronization

/// Something registered with an event loop: a listener or a connection.
protocol LoopChannel: AnyObject {
    /// Called on the loop thread with the epoll event bits for this channel's descriptor.
    func handle(events: UInt32)
    /// Called on the loop thread a few times a second, to enforce deadlines.
    func tick(now: UInt64)
    /// Called on the loop thread when the server begins its graceful shutdown.
    func beginShutdown()
    /// Closes at once (shutdown deadline passed).
    func forceClose()
    /// Writes output queued since the last wakeup (see `EventLoop.deferFlush`).
    func flushDeferred()
}

extension LoopChannel {
    func flushDeferred() {}
}

/// One thread running a level-triggered epoll loop.
///
/// Channels and their state belong to the loop thread. Other threads reach the loop only through
/// `execute(_:)`, which queues a closure under a mutex and wakes the loop through an eventfd.
final class EventLoop: @unchecked Sendable {
    // @unchecked Sendable: every stored property except `inbox` is touched only on the loop thread;
    // `inbox` is a Mutex, and `epollFD`/`wakeFD` are immutable after init.
    let index: Int
    private let epollFD: Int32
    private let wakeFD: Int32
    private let inbox = Mutex<Inbox>(Inbox())
    private var channels: [Int32: LoopChannel] = [:]
    private var deferredFlushes: [LoopChannel] = []
    private var running = true
    private var shuttingDown = false
    private var shutdownDeadline: UInt64 = 0
    private var lastTick: UInt64 = 0
    /// The loop's idea of now, refreshed after every wakeup (milliseconds, monotonic).
    private(set) var now: UInt64 = monotonicMilliseconds()
    /// A scratch buffer for reads, shared by all connections on this loop.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    /// Cached `Date` header value, refreshed once per second.
    private(set) var httpDate: [UInt8] = []
    private var httpDateSecond: time_t = 0
    /// Counter for generated request ids.
    var requestCounter: UInt64 = 0
    /// Connections this loop owns or has been handed and not yet closed. Listeners read it from
    /// other loops to give each new connection to the least busy loop (`Listener`).
    let connectionCount = Atomic<Int>(0)
    /// Called once, on the loop thread, when the loop has exited.
    var onExit: (@Sendable () -> Void)?

    private struct Inbox {
        var work: [@Sendable () -> Void] = []
        var stopped = false
    }

    init(index: Int) throws(IOError) {
        self.index = index
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw IOError(errno: errno, call: "epoll_create1") }
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard wakeFD >= 0 else { throw IOError(errno: errno, call: "eventfd") }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeFD
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
        refreshDate()
    }

    /// Runs `work` on the loop thread soon. Safe from any thread; dropped once the loop has stopped
    /// (then the result is false).
    @discardableResult
    func execute(_ work: @escaping @Sendable () -> Void) -> Bool {
        let (queued, mustWake) = inbox.withLock { inbox -> (Bool, Bool) in
            if inbox.stopped { return (false, false) }
            inbox.work.append(work)
            return (true, inbox.work.count == 1)
        }
        if mustWake {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
        return queued
    }

    /// Whether the loop has begun its graceful shutdown (loop thread only).
    var isShuttingDown: Bool { shuttingDown }

    /// Registers `fd` with the given interest bits (EPOLLIN and friends).
    func register(_ fd: Int32, interest: UInt32, channel: LoopChannel) {
        channels[fd] = channel
        var event = epoll_event()
        event.events = interest
        event.data.fd = fd
        epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event)
    }

    /// Changes the interest bits of a registered descriptor.
    func modify(_ fd: Int32, interest: UInt32) {
        var event = epoll_event()
        event.events = interest
        event.data.fd = fd
        epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    /// Removes `fd` from the loop; the caller closes it.
    func unregister(_ fd: Int32) {
        channels[fd] = nil
        epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
    }

    /// Adds `fd` to epoll without touching the channel table (a listener resuming after back-off).
    func addToEpoll(_ fd: Int32, interest: UInt32) {
        var event = epoll_event()
        event.events = interest
        event.data.fd = fd
        epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event)
    }

    /// Removes `fd` from epoll but keeps its channel (which still gets ticks).
    func unregisterFromEpoll(_ fd: Int32) {
        epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
    }

    /// Asks for `channel.flushDeferred()` once the queued work of this wakeup has run, so that
    /// many small writes to one socket (WebSocket broadcasts) leave in one system call.
    func deferFlush(_ channel: LoopChannel) {
        deferredFlushes.append(channel)
    }

    /// Number of channels, listeners included.
    var channelCount: Int { channels.count }

    /// Starts a graceful shutdown (on the loop thread): channels stop accepting and wind down;
    /// the loop exits when none remain or at `deadline`.
    func beginShutdown(deadline: UInt64) {
        shuttingDown = true
        shutdownDeadline = deadline
        for channel in Array(channels.values) { channel.beginShutdown() }
    }

    /// Runs the loop on the calling thread until shutdown completes.
    func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while running {
            let count = epoll_wait(epollFD, events, Int32(capacity), 250)
            now = monotonicMilliseconds()
            if count > 0 {
                for index in 0..<Int(count) {
                    let event = events[index]
                    let fd = event.data.fd
                    if fd == wakeFD {
                        var value: UInt64 = 0
                        _ = read(wakeFD, &value, 8)
                        continue
                    }
                    channels[fd]?.handle(events: event.events)
                }
            }
            runQueuedWork()
            if !deferredFlushes.isEmpty {
                let pending = deferredFlushes
                deferredFlushes.removeAll(keepingCapacity: true)
                for channel in pending { channel.flushDeferred() }
            }
            if now &- lastTick >= 250 {
                lastTick = now
                refreshDate()
                for channel in Array(channels.values) { channel.tick(now: now) }
            }
            if shuttingDown {
                if channels.isEmpty {
                    running = false
                } else if now >= shutdownDeadline {
                    for channel in Array(channels.values) { channel.forceClose() }
                    running = false
                }
            }
        }
        inbox.withLock { $0.stopped = true; $0.work.removeAll() }
        close(wakeFD)
        close(epollFD)
        readBuffer.deallocate()
        onExit?()
    }

    private func runQueuedWork() {
        // Work may enqueue more work; loop until the inbox is empty so nothing waits 250 ms.
        while true {
            let work = inbox.withLock { inbox -> [@Sendable () -> Void] in
                let taken = inbox.work
                inbox.work.removeAll(keepingCapacity: true)
                return taken
            }
            if work.isEmpty { return }
            for item in work { item() }
        }
    }

    private func refreshDate() {
        let seconds = time(nil)
        guard seconds != httpDateSecond else { return }
        httpDateSecond = seconds
        httpDate = Array(HTTPDate.format(epochSeconds: Int(seconds)).utf8)
    }
}

/// A reference to a loop-confined object that may travel through Sendable closures.
///
/// The value must be dereferenced only on `loop`'s thread (inside `loop.execute`).
struct LoopBound<Value: AnyObject>: @unchecked Sendable {
    // @unchecked Sendable: the wrapped object is only used inside closures run on its own loop.
    let value: Value
    let loop: EventLoop
    init(_ value: Value, on loop: EventLoop) {
        self.value = value
        self.loop = loop
    }

    /// Runs `body` with the value on its loop thread.
    func execute(_ body: @escaping @Sendable (Value) -> Void) {
        let value = self
        loop.execute { body(value.value) }
    }
}

/// Starts a detached POSIX thread running `body`.
func startThread(_ body: @escaping @Sendable () -> Void) {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    pthread_create(&thread, nil, { argument in
        let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
        box.body()
        return nil
    }, box)
    pthread_detach(thread)
}
