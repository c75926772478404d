import CLinuxShims
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The one thread `DriverActor` runs on: it runs the actor's jobs and waits in a level-triggered
/// epoll for the descriptors the process reads (stdin, device sockets), calling their handlers
/// on itself, on the actor. A line read from the core or a reply read from a device is handled
/// where it was read, with no hand-over to another thread (`docs/driverkit.md`, "Threads").
///
/// Jobs enqueued from other threads (a sleep that ended, a TLS handshake's result) wake the loop
/// through an eventfd; jobs enqueued by the loop itself just join the queue.
///
/// It is also a task executor: a task started with `Task(executorPreference: DriverLoop.shared)`
/// (an exec) resumes here after a continuation (a device's answer), where it would otherwise
/// resume on the global pool and hop back — two more thread switches per exec.
final class DriverLoop: SerialExecutor, TaskExecutor, @unchecked Sendable {
    static let shared = DriverLoop()

    /// What a watched descriptor's readiness calls (each on the actor): `readable` until it is
    /// unwatched, `writable` once.
    private struct Watch {
        var readable: (@DriverActor () -> Void)?
        var writable: (@DriverActor () -> Void)?
        /// Tells a stale event of a closed descriptor from one of a new descriptor with its number.
        var generation: UInt32
    }

    // `epollFD`, `wakeFD` are immutable; `watches`, `nextGeneration` and `loopThread` are touched
    // only on the loop thread (watching is done on the actor, which runs there).
    private let epollFD: Int32
    private let wakeFD: Int32
    private var watches: [Int32: Watch] = [:]
    private var nextGeneration: UInt32 = 0
    private let loopThread = Mutex<pthread_t?>(nil)
    /// Jobs to run, and whether the loop is (about to be) asleep in `epoll_wait` and must be woken.
    private let jobs = Mutex<(queue: [UnownedJob], asleep: Bool)>(([], false))

    private init() {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(epollFD >= 0 && wakeFD >= 0, "DriverLoop: epoll_create1/eventfd failed: \(String(cString: strerror(errno)))")
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = UInt64(UInt32(bitPattern: wakeFD))
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
        let thread = Thread { [self] in run() }
        thread.name = "DriverActor"
        thread.stackSize = 8 << 20
        thread.start()
    }

    // MARK: executor

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let wake = jobs.withLock { state -> Bool in
            state.queue.append(job)
            defer { state.asleep = false }
            return state.asleep
        }
        if wake {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor { UnownedTaskExecutor(ordinary: self) }

    /// Descriptor handlers run outside any job; they are on the actor when on the loop thread.
    func isIsolatingCurrentContext() -> Bool? { onLoopThread }

    func checkIsolated() {
        precondition(onLoopThread, "not on the DriverActor thread")
    }

    private var onLoopThread: Bool {
        guard let thread = loopThread.withLock({ $0 }) else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    // MARK: descriptors

    /// Calls `handler` on the actor each time `fd` is readable, until `unwatch(fd)`. False when
    /// epoll refuses the descriptor (a regular file, which is always readable).
    @discardableResult
    @DriverActor func watchReadable(_ fd: Int32, _ handler: @escaping @DriverActor () -> Void) -> Bool {
        update(fd) { $0.readable = handler }
    }

    /// Calls `handler` on the actor once, the next time `fd` is writable.
    @DriverActor func watchWritable(_ fd: Int32, _ handler: @escaping @DriverActor () -> Void) {
        _ = update(fd) { $0.writable = handler }
    }

    /// Stops watching `fd`; call before closing it.
    @DriverActor func unwatch(_ fd: Int32) {
        guard watches.removeValue(forKey: fd) != nil else { return }
        epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
    }

    @discardableResult
    @DriverActor private func update(_ fd: Int32, _ change: (inout Watch) -> Void) -> Bool {
        let existing = watches[fd]
        var watch = existing ?? Watch(generation: nextGenerationNumber())
        change(&watch)
        if watch.readable == nil && watch.writable == nil {
            // Unwatched, not left registered with no interest (epoll would still report hang-ups).
            unwatch(fd)
            return true
        }
        watches[fd] = watch
        var event = epoll_event()
        event.events = (watch.readable == nil ? 0 : EPOLLIN.rawValue | EPOLLRDHUP.rawValue) | (watch.writable == nil ? 0 : EPOLLOUT.rawValue)
        event.data.u64 = UInt64(watch.generation) << 32 | UInt64(UInt32(bitPattern: fd))
        guard epoll_ctl(epollFD, existing == nil ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) == 0 else {
            if existing == nil { watches[fd] = nil }
            return false
        }
        return true
    }

    @DriverActor private func nextGenerationNumber() -> UInt32 {
        nextGeneration &+= 1
        return nextGeneration
    }

    // MARK: the loop

    private func run() {
        loopThread.withLock { $0 = pthread_self() }
        let capacity = 64
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        while true {
            runJobs()
            let count = epoll_wait(epollFD, events, Int32(capacity), -1)
            jobs.withLock { $0.asleep = false }
            for index in 0..<Int(max(0, count)) {
                let data = events[index].data.u64
                let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: data))
                if fd == wakeFD {
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                    continue
                }
                let bits = events[index].events
                DriverActor.assumeIsolated { self.dispatch(fd: fd, generation: UInt32(truncatingIfNeeded: data >> 32), bits: bits) }
            }
        }
    }

    /// Runs queued jobs until none are left; then marks the loop asleep (under the same lock, so
    /// a job enqueued after this wakes it).
    private func runJobs() {
        while true {
            let batch = jobs.withLock { state -> [UnownedJob] in
                if state.queue.isEmpty { state.asleep = true }
                defer { state.queue.removeAll(keepingCapacity: true) }
                return state.queue
            }
            if batch.isEmpty { return }
            for job in batch { job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor()) }
        }
    }

    @DriverActor private func dispatch(fd: Int32, generation: UInt32, bits: UInt32) {
        guard let watch = watches[fd], watch.generation == generation else { return }
        if bits & (EPOLLOUT.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0, let writable = watch.writable {
            update(fd) { $0.writable = nil }
            writable()
        }
        // The writable handler may have unwatched or replaced the descriptor.
        guard bits & ~EPOLLOUT.rawValue != 0, let current = watches[fd], current.generation == generation,
              let readable = current.readable else { return }
        readable()
    }
}

extension DriverActor {
    /// Runs `operation` on the actor from code that is on its thread without being in one of its
    /// jobs (the loop's descriptor handlers); traps elsewhere. As `MainActor.assumeIsolated` does.
    static func assumeIsolated<T>(_ operation: @DriverActor () throws -> T) rethrows -> T {
        shared.preconditionIsolated()
        return try withoutActuallyEscaping(operation) { operation in
            try unsafeBitCast(operation, to: (() throws -> T).self)()
        }
    }
}
