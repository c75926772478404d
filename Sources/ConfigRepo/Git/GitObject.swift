/// The four kinds of git object, numbered as in a pack.
enum ObjectType: UInt8, Sendable {
    case commit = 1
    case tree = 2
    case blob = 3
    case tag = 4

    /// The name in an object's header (`blob 12\0…`).
    var name: String {
        switch self {
        case .commit: "commit"
        case .tree: "tree"
        case .blob: "blob"
        case .tag: "tag"
        }
    }

    init?(name: some Sequence<UInt8>) {
        switch String(decoding: Array(name), as: UTF8.self) {
        case "commit": self = .commit
        case "tree": self = .tree
        case "blob": self = .blob
        case "tag": self = .tag
        default: return nil
        }
    }
}

/// An object's type and content (without git's `type size\0` header).
struct GitObject: Sendable {
    var type: ObjectType
    var bytes: [UInt8]
}
