import ConfigRepo

/// One page of the pre-rendered site and the file it is written to under the site directory.
public enum PageKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    case home
    /// Page `page` (from 1) of a kind's list.
    case list(Kind, page: Int)
    case detail(ObjectRef)
    /// A level zone's map.
    case map(zoneID: String)

    /// The file, relative to the site directory.
    public var file: String {
        switch self {
        case .home: "index.html"
        case .list(let kind, let page): page <= 1 ? "\(kind.directory)/index.html" : "\(kind.directory)/page/\(page)/index.html"
        case .detail(let ref): "\(ref.kind.directory)/\(ref.id)/index.html"
        case .map(let zoneID): "zones/\(zoneID)/map.html"
        }
    }

    public var description: String { file }

    public static func < (lhs: PageKey, rhs: PageKey) -> Bool { lhs.file < rhs.file }
}
