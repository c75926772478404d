import ConfigRepo

/// One page of the pre-rendered site and the file it is written to under the site directory.
public enum PageKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    case home
    /// Page `page` (from 1) of a kind's list.
    case list(Kind, page: Int)
    case detail(ObjectRef)
    /// A level zone's map.
    case map(zoneID: String)

    /// The file, relative to the site directory. One folder per kind, one file per page (no
    /// folder per object): 60,000 pages are 60,000 files, not also 60,000 directories.
    public var file: String {
        switch self {
        case .home: "index.html"
        case .list(let kind, let page): page <= 1 ? "\(kind.directory)/index.html" : "\(kind.directory)/page-\(page).html"
        case .detail(let ref): "\(ref.kind.directory)/\(ref.id).html"
        case .map(let zoneID): "zones/\(zoneID).map.html"
        }
    }

    /// The page a URL shows (segments after `/backoffice`), if it is a pre-rendered page, and
    /// whether the URL is the canonical one (lists and objects end in `/`, maps do not).
    public static func page(segments: [String], trailingSlash: Bool) -> (page: PageKey, canonical: Bool)? {
        guard let first = segments.first else { return (.home, true) }
        guard let kind = SiteKinds.kind(segment: first) else { return nil }
        switch segments.count {
        case 1: return (.list(kind, page: 1), trailingSlash)
        case 2 where !["new", "page"].contains(segments[1]): return (.detail(ObjectRef(kind, segments[1])), trailingSlash)
        case 3 where segments[1] == "page": return Int(segments[2]).map { (.list(kind, page: $0), trailingSlash) }
        case 3 where segments[2] == "map" && kind == .zone: return (.map(zoneID: segments[1]), !trailingSlash)
        default: return nil
        }
    }

    public var description: String { file }

    public static func < (lhs: PageKey, rhs: PageKey) -> Bool { lhs.file < rhs.file }
}
