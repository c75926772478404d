/// The version of a file a write was based on, checked against the branch head at commit time.
public enum ExpectedVersion: Sendable, Hashable {
    /// Write whatever is there now (no check).
    case any
    /// The file must not exist (creating a new object).
    case absent
    /// The file must still have this blob id (editing the version the user saw).
    case version(ObjectID)
}

/// One file of a write: put `content` at `path`, or delete it when `content` is nil.
public struct FileChange: Sendable, Hashable {
    /// Path from the repository root with `/` separators, e.g. `systems/sys-boardroom.json`.
    public var path: String
    /// The version the write was based on.
    public var expected: ExpectedVersion
    /// The new bytes; nil deletes the file.
    public var content: [UInt8]?

    /// A put (`content` non-nil) or delete (`content` nil) of `path`.
    public init(path: String, expected: ExpectedVersion = .any, content: [UInt8]?) {
        self.path = path
        self.expected = expected
        self.content = content
    }

    /// Puts `content` at `path`.
    public static func put(_ path: String, _ content: [UInt8], expected: ExpectedVersion = .any) -> FileChange {
        FileChange(path: path, expected: expected, content: content)
    }

    /// Deletes `path`.
    public static func delete(_ path: String, expected: ExpectedVersion = .any) -> FileChange {
        FileChange(path: path, expected: expected, content: nil)
    }
}
