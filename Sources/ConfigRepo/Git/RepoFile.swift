/// One file of a commit's tree: its path from the repository root, its blob id and bytes.
public struct RepoFile: Sendable, Hashable {
    /// Path from the root with `/` separators, e.g. `systems/sys-boardroom.json`.
    public var path: String
    /// The blob id: the version of the object this file holds.
    public var blob: ObjectID
    public var bytes: [UInt8]

    public init(path: String, blob: ObjectID, bytes: [UInt8]) {
        self.path = path
        self.blob = blob
        self.bytes = bytes
    }
}
