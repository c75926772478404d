import ConfigRepo
import Synchronization
import WebServer

/// The identity directory of the configuration head, built once and again only after
/// `invalidate()` — which the application's head watch calls for every new head and the site
/// after its own commits — and then only when the head really moved. Requests never touch git
/// otherwise.
public final class DirectoryCache: Sendable {
    private struct State {
        var directory: IdentityDirectory
        /// Bumped by `invalidate()`; the directory is current for `loaded`.
        var generation = 0
        var loaded = 0
    }

    private let load: (@Sendable () -> Snapshot?)?
    /// Makes the directory of a new head.
    private let build: @Sendable (Snapshot) -> IdentityDirectory
    private let state: Mutex<State>

    public init(repository: ConfigRepository) {
        load = { try? repository.headSnapshot() }
        let snapshot = (try? repository.headSnapshot()) ?? Snapshot(commit: nil, files: [])
        state = Mutex(State(directory: Self.directory(snapshot, repository)))
        build = { Self.directory($0, repository) }
    }

    /// The directory of `snapshot`, its default domain dated by the repository's history.
    private static func directory(_ snapshot: Snapshot, _ repository: ConfigRepository) -> IdentityDirectory {
        IdentityDirectory(snapshot: snapshot, defaultDomainID: DefaultDomain.id(in: snapshot, repository: repository))
    }

    /// A fixed directory (tests, benchmarks).
    public init(snapshot: Snapshot) {
        load = nil
        build = { IdentityDirectory(snapshot: $0) }
        state = Mutex(State(directory: IdentityDirectory(snapshot: snapshot)))
    }

    public var current: IdentityDirectory {
        let (hit, generation, loaded) = state.withLock { ($0.directory, $0.generation, $0.loaded) }
        guard generation != loaded, let load, let snapshot = load() else { return hit }
        let directory = snapshot.commit == hit.snapshot.commit ? hit : build(snapshot)
        state.withLock { state in
            // An invalidation that came while loading keeps the next request reading again.
            if state.loaded < generation {
                state.directory = directory
                state.loaded = generation
            }
        }
        return directory
    }

    /// Reads the head again at the next request (the head moved).
    public func invalidate() { state.withLock { $0.generation += 1 } }
}
