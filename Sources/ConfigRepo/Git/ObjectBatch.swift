/// The objects one write creates (blobs, trees, the commit), held in memory and readable
/// until ``flush(deflater:)`` stores them as one small pack.
///
/// A commit costs two new files (the pack and its index) instead of one loose file per
/// object, and never leaves loose objects for a packer to delete. Not thread-safe: one
/// writer owns it.
final class ObjectBatch: ObjectReader {
    let database: ObjectDatabase
    private let hasher: SHA1
    private var pending: [ObjectID: GitObject] = [:]
    private var order: [ObjectID] = []

    init(database: ObjectDatabase, hasher: SHA1 = SHA1()) {
        self.database = database
        self.hasher = hasher
    }

    /// Adds an object (once, however often it is added) and returns its id.
    @discardableResult
    func add(_ type: ObjectType, _ bytes: [UInt8]) -> ObjectID {
        let id = bytes.withUnsafeBytes { ObjectID.of(type, $0, using: hasher) }
        if pending.updateValue(GitObject(type: type, bytes: bytes), forKey: id) == nil { order.append(id) }
        return id
    }

    func read(_ id: ObjectID) throws(GitError) -> GitObject {
        if let object = pending[id] { return object }
        return try database.read(id)
    }

    var isEmpty: Bool { order.isEmpty }

    /// Writes every pending object into one new pack, makes it readable through the database,
    /// keeps the new trees and commits in memory for the next write, and empties the batch.
    /// Returns the pack, or nil when nothing was pending.
    @discardableResult
    func flush(deflater: Deflater) throws(GitError) -> PackFile? {
        guard !order.isEmpty else { return nil }
        let writer = try PackFileWriter(packDirectory: database.packDirectory, objectCount: order.count, deflater: deflater,
                                        spares: database.spares)
        for id in order {
            let object = pending[id]!
            try object.bytes.withGitBytes({ (bytes: UnsafeRawBufferPointer) throws(GitError) in
                _ = try writer.appendWhole(id, type: object.type, data: bytes)
            })
        }
        let pack = try writer.finish()
        database.publish(pack)
        database.remember(order.map { ($0, pending[$0]!) })
        pending.removeAll(keepingCapacity: true)
        order.removeAll(keepingCapacity: true)
        return pack
    }
}
