import Foundation
import Synchronization

/// Writes rendered pages on one thread of its own while the renderers go on.
///
/// File creation is kernel work serialised on the directory: two threads creating files in
/// the same folder (50,000 module pages) mostly spin on its lock. So the renderers hand
/// finished pages to this one writer through a bounded queue, and the two kinds of work
/// overlap instead of contending.
final class PageWriter: Sendable {
    private let pending = Mutex<(items: [(path: String, bytes: [UInt8])], head: Int)>(([], 0))
    private let available = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore
    private let finished = DispatchSemaphore(value: 0)
    private let failure = Mutex<(any Error)?>(nil)
    private let onlyChanged: Bool

    /// `capacity`: pages waiting at most (renderers wait for room beyond that); `onlyChanged`:
    /// leave files that already hold the page alone (rendering over an existing site).
    init(capacity: Int = 512, onlyChanged: Bool = false) {
        self.onlyChanged = onlyChanged
        free = DispatchSemaphore(value: capacity)
        Thread.detachNewThread { [self] in run() }
    }

    /// The first write error, if any (renderers stop early on it).
    var error: (any Error)? { failure.withLock { $0 } }

    /// Queues a page; waits while the queue is full.
    func enqueue(_ bytes: [UInt8], to path: String) {
        free.wait()
        pending.withLock { $0.items.append((path, bytes)) }
        available.signal()
    }

    /// Waits until every queued page is written; throws the first write error.
    func finish() throws {
        free.wait()
        pending.withLock { $0.items.append(("", [])) }   // the end marker
        available.signal()
        finished.wait()
        if let error { throw error }
    }

    private func run() {
        while true {
            available.wait()
            let item = pending.withLock { queue -> (path: String, bytes: [UInt8]) in
                let item = queue.items[queue.head]
                queue.head += 1
                if queue.head >= 256 {   // drop the written prefix now and then
                    queue.items.removeFirst(queue.head)
                    queue.head = 0
                }
                return item
            }
            free.signal()
            if item.path.isEmpty { break }
            if failure.withLock({ $0 }) != nil { continue }
            do {
                if onlyChanged { try PageFiles.writeIfChanged(item.bytes, to: item.path) } else { try PageFiles.writeInPlace(item.bytes, to: item.path) }
            } catch { failure.withLock { $0 = $0 ?? error } }
        }
        finished.signal()
    }
}
