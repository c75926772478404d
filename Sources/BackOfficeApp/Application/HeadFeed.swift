import ConfigRepo
import Synchronization

/// The application's one watcher of the branch head (`ConfigRepository.watch`: a thread that
/// polls the branch and is woken at once by this process's commits). Every feature that follows
/// the head subscribes here — the site's pages and banner, the identity directory — instead of
/// building a watcher, or polling the head on requests, of its own.
final class HeadFeed: Sendable {
    typealias Subscriber = @Sendable (SnapshotChange) -> Void

    private let subscribers = Mutex<[Subscriber]>([])
    private let token = Mutex<WatchToken?>(nil)

    /// Calls `subscriber` for every new head, in order, on the watcher's thread (it may block:
    /// a re-render does).
    func subscribe(_ subscriber: @escaping Subscriber) {
        subscribers.withLock { $0.append(subscriber) }
    }

    /// Starts watching `repository`; the feed runs as long as the process.
    func start(_ repository: ConfigRepository) throws {
        let watch = try repository.watch { [self] change in
            for subscriber in subscribers.withLock({ $0 }) { subscriber(change) }
        }
        token.withLock { $0 = watch }
    }
}
