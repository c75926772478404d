import ConfigRepo
import Foundation
import Synchronization

/// The live status of every module: the last value of each key, kept in memory, published to
/// watchers on each real change, and saved to / loaded from a file so a restart shows the last
/// known state (DESIGN §5).
public final class StatusStore: Sendable {
    public typealias KeyWatcher = @Sendable (_ value: JSONValue) -> Void
    public typealias ChangeWatcher = @Sendable (_ module: String, _ key: String, _ value: JSONValue) -> Void

    private struct WatchKey: Hashable {
        var module: String
        var key: String
    }

    private struct Storage {
        var values: [String: [String: JSONValue]] = [:]
        var keyWatchers: [WatchKey: [Int: KeyWatcher]] = [:]
        var tokenKeys: [Int: WatchKey] = [:]
        var changeWatchers: [Int: ChangeWatcher] = [:]
        var nextToken = 1
        var dirty = false
    }

    private let storage = Mutex(Storage())

    public init() {}

    /// The value of `key`, or nil.
    public func value(module: String, key: String) -> JSONValue? {
        storage.withLock { $0.values[module]?[key] }
    }

    /// Every key of a module.
    public func values(module: String) -> [String: JSONValue] {
        storage.withLock { $0.values[module] ?? [:] }
    }

    /// Sets a key (`null` deletes it) and tells the watchers, unless nothing changed.
    public func set(module: String, key: String, value: JSONValue) {
        let (keyWatchers, changeWatchers): ([KeyWatcher], [ChangeWatcher]) = storage.withLock { storage in
            let old = storage.values[module]?[key]
            if value.isNull {
                guard old != nil else { return ([], []) }
                storage.values[module]?[key] = nil
            } else {
                guard old != value else { return ([], []) }
                storage.values[module, default: [:]][key] = value
            }
            storage.dirty = true
            let keyed = storage.keyWatchers[WatchKey(module: module, key: key)].map { Array($0.values) } ?? []
            return (keyed, Array(storage.changeWatchers.values))
        }
        for watcher in keyWatchers { watcher(value) }
        for watcher in changeWatchers { watcher(module, key, value) }
    }

    /// Calls `watcher` with each new value of one key. Returns a token for `unwatch`.
    public func watch(module: String, key: String, _ watcher: @escaping KeyWatcher) -> Int {
        storage.withLock { storage in
            let token = storage.nextToken
            storage.nextToken += 1
            let watchKey = WatchKey(module: module, key: key)
            storage.keyWatchers[watchKey, default: [:]][token] = watcher
            storage.tokenKeys[token] = watchKey
            return token
        }
    }

    /// Calls `watcher` for every change of every module (the site's live view, triggers).
    public func watchAll(_ watcher: @escaping ChangeWatcher) -> Int {
        storage.withLock { storage in
            let token = storage.nextToken
            storage.nextToken += 1
            storage.changeWatchers[token] = watcher
            return token
        }
    }

    public func unwatch(_ token: Int) {
        storage.withLock { storage in
            if let key = storage.tokenKeys.removeValue(forKey: token) {
                storage.keyWatchers[key]?[token] = nil
                if storage.keyWatchers[key]?.isEmpty == true { storage.keyWatchers[key] = nil }
            }
            storage.changeWatchers[token] = nil
        }
    }

    /// Forgets modules that are no longer configured.
    func removeModules(notIn keep: Set<String>) {
        storage.withLock { storage in
            let before = storage.values.count
            storage.values = storage.values.filter { keep.contains($0.key) }
            if storage.values.count != before { storage.dirty = true }
        }
    }

    // MARK: - Snapshot file

    /// Writes `{module: {key: value}}` to `path` (atomically) when something changed since the last save.
    public func save(to path: String, force: Bool = false) throws {
        let values: [String: [String: JSONValue]]? = storage.withLock { storage in
            guard storage.dirty || force else { return nil }
            storage.dirty = false
            return storage.values
        }
        guard let values else { return }
        let json = JSONValue.object(values.mapValues { .object($0) })
        let temporary = path + ".tmp"
        try Data(JSONWriter.compactString(json).utf8).write(to: URL(fileURLWithPath: temporary))
        if rename(temporary, path) != 0 {
            throw RuntimeError(code: "failed", message: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Loads a snapshot written by `save`; a missing file is an empty store, a broken one is ignored.
    public func load(from path: String) {
        guard let data = FileManager.default.contents(atPath: path),
              let json = try? JSONParser.parse([UInt8](data)), let modules = json.objectValue else { return }
        storage.withLock { storage in
            for (module, keys) in modules {
                if let keys = keys.objectValue { storage.values[module] = keys }
            }
        }
    }
}
