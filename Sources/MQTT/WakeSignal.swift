import CLinuxShims
#if canImport(Glibc)
import Glibc
#endif

/// An eventfd the network thread polls beside its socket, so other threads can wake it when
/// they queue a message, subscribe or close.
final class WakeSignal: Sendable {
    let fd: Int32

    init() throws(MQTTError) {
        fd = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard fd >= 0 else { throw MQTTError("cannot create an eventfd: \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    func signal() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    func drain() {
        var value: UInt64 = 0
        _ = read(fd, &value, 8)
    }

    /// Waits until signalled or `timeout` passes.
    func wait(timeout: Duration) {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, Int32(clamping: timeout.milliseconds))
        if descriptor.revents != 0 { drain() }
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so a short wait is never zero; negative is zero.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 || seconds > 0 else { return 0 }
        return seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    }
}
