import ConfigRepo
import Synchronization

/// A state file's contents as a table in memory, shared with the other processes that write the
/// file (the server and `backoffice user …`): reads see another process's write (the file is
/// read again when its `StateFile.Version` changed, one `lstat` per read), and every change is
/// made to the file's newest contents under its lock, so no process writes back a stale copy
/// over another's change.
final class SharedState<Table: Sendable>: Sendable {
    let file: StateFile
    private let decode: @Sendable (JSONValue?) -> Table
    private let encode: @Sendable (Table) -> JSONValue
    private let cache: Mutex<(version: StateFile.Version?, table: Table)>

    init(_ file: StateFile, decode: @escaping @Sendable (JSONValue?) -> Table, encode: @escaping @Sendable (Table) -> JSONValue) throws {
        self.file = file
        self.decode = decode
        self.encode = encode
        let version = file.version()
        cache = Mutex((version, decode(try file.readJSON())))
    }

    /// The table as the file holds it now.
    var current: Table {
        let version = file.version()
        if let hit = cache.withLock({ $0.version == version ? $0.table : nil }) { return hit }
        // Another process wrote it (or it went away): read it again; an unreadable file keeps
        // the last good copy rather than forgetting every session at once.
        guard let json = try? file.readJSON() else { return cache.withLock { $0.table } }
        let table = decode(json)
        cache.withLock { $0 = (version, table) }
        return table
    }

    /// Changes the file's newest contents under its lock and writes them back; returns what
    /// `change` returns. Throws only when the lock or the file cannot be used.
    @discardableResult
    func update<Result>(_ change: (inout Table) -> Result) throws -> Result {
        try file.withLock {
            var table = decode(try file.readJSON())
            let result = change(&table)
            try file.writeJSON(encode(table))
            let version = file.version()
            cache.withLock { $0 = (version, table) }
            return result
        }
    }
}
