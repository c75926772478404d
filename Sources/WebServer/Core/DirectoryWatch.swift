#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims

/// Linux inotify on directories: tells which entries of the watched directories changed.
///
/// Not synchronized: its owner serializes `add` and `drain` (the static file cache does so under
/// its mutex). `hasPendingEvents` may be asked from any thread.
struct DirectoryWatch: Sendable {
    /// One change the kernel reported.
    struct Event {
        /// The watch it belongs to (`add`'s result); -1 for a queue overflow.
        var watch: Int32
        /// `IN_*` bits.
        var mask: UInt32
        /// The entry inside the watched directory; empty for events on the directory itself.
        var name: String

        /// The kernel dropped events: nothing that was watched can be trusted.
        var isOverflow: Bool { mask & UInt32(IN_Q_OVERFLOW) != 0 }
        /// The directory itself went away or moved; its watch is gone or no longer names it.
        var endsWatch: Bool {
            mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT) != 0
        }
    }

    /// Changes to the entries of a directory: created, deleted, renamed in or out, attributes.
    static let entryChanges = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB
                                     | IN_DELETE_SELF | IN_MOVE_SELF)
    /// The entry changes plus writes to the files inside.
    static let contentChanges = entryChanges | UInt32(IN_MODIFY | IN_CLOSE_WRITE)

    private let fd: Int32

    /// A new inotify instance, or nil when the kernel refuses one (the per-user limit).
    init?() {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
    }

    /// Starts (or widens) watching `directory` for `mask`; nil when it cannot be watched.
    func add(_ directory: String, mask: UInt32) -> Int32? {
        let watch = inotify_add_watch(fd, directory, mask | UInt32(IN_MASK_ADD | IN_ONLYDIR))
        return watch >= 0 ? watch : nil
    }

    /// Stops a watch (a directory that moved: its watch would report under the old name).
    func remove(_ watch: Int32) {
        _ = inotify_rm_watch(fd, watch)
    }

    /// Whether events wait to be drained; one cheap system call, no lock. An error counts as yes.
    var hasPendingEvents: Bool { clinux_bytes_readable(fd) != 0 }

    /// Reads every queued event, in order.
    func drain(_ body: (Event) -> Void) {
        let capacity = 16 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer, capacity)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            var offset = 0
            let headerSize = MemoryLayout<inotify_event>.size
            while offset + headerSize <= count {
                let header = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameStart = buffer + offset + headerSize
                let nameLength = Int(header.len)
                // The name is NUL-padded to `len` bytes.
                let name = nameLength == 0 ? "" : String(cString: nameStart.assumingMemoryBound(to: CChar.self))
                body(Event(watch: header.wd, mask: header.mask, name: name))
                offset += headerSize + nameLength
            }
        }
    }
}
