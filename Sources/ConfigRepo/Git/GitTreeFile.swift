/// One file of a commit's tree as a checkout sees it: path, blob and whether git marks it
/// executable (mode 100755) or as a symbolic link.
public struct GitTreeFile: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        case regular
        case executable
        case symbolicLink
    }

    /// Path from the repository root with `/` separators.
    public var path: String
    public var blob: ObjectID
    public var mode: Mode

    public init(path: String, blob: ObjectID, mode: Mode) {
        self.path = path
        self.blob = blob
        self.mode = mode
    }
}
