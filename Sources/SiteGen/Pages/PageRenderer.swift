import ConfigRepo

/// Renders the pages of one snapshot. A value: cheap to make per snapshot, safe to share.
public struct PageRenderer: Sendable {
    public let snapshot: Snapshot
    public let library: TemplateLibrary
    public let index: SiteIndex
    /// What the layout writes where notices go: a marker the server fills per request, or
    /// (for a standalone export) the banner itself.
    public var notices: TrustedHTML
    /// Whether the top bar has the Sign out button: a served site with sign-in on; not a
    /// standalone export, nor `serve --auth off` (there is no session to end).
    public var signOut: Bool
    /// The navigation bar with each section active (every page has it).
    private let navigation: Navigation

    public static let pageSize = 100
    /// The marker the serving code replaces with the banner and flash messages.
    public static let noticesMarker = TrustedHTML(trusted: "<!--notices-->")

    /// `navigation`: the bars made once for `library` (a renderer per request or per commit then
    /// does not render them again); nil renders them here.
    public init(snapshot: Snapshot, library: TemplateLibrary, index: SiteIndex, notices: TrustedHTML = PageRenderer.noticesMarker,
                signOut: Bool = false, navigation: Navigation? = nil) {
        self.snapshot = snapshot
        self.library = library
        self.index = index
        self.notices = notices
        self.signOut = signOut
        self.navigation = navigation ?? Navigation(library)
    }

    /// The `nav` template rendered for each active section (`.schema`: none active).
    public struct Navigation: Sendable {
        private let bars: [Kind: TemplateValue]

        public init(_ library: TemplateLibrary) {
            var rendered: [Kind: TemplateValue] = [:]
            for active in SiteKinds.all + [.schema] {
                let items: TemplateValue = .list(SiteKinds.all.map { kind in
                    ["text": .string(SiteKinds.title(kind)), "href": .string(SiteURL.list(kind)), "active": .bool(kind == active),
                     "viewer": .optional(kind.viewerRole == .user ? nil : kind.viewerRole.rawValue)]
                })
                let bytes = (try? library.render("nav", ["items": items])) ?? []
                rendered[active] = .html(TrustedHTML(trusted: String(decoding: bytes, as: UTF8.self)))
            }
            bars = rendered
        }

        /// The bar with `active`'s section marked (none for nil).
        subscript(active: Kind?) -> TemplateValue { bars[active ?? .schema] ?? bars[.schema]! }
    }

    /// The page's HTML, or nil when the page no longer exists (its object or list page is gone).
    public func render(_ key: PageKey) throws(TemplateError) -> [UInt8]? {
        switch key {
        case .home:
            return try page("home", title: "Overview", kind: nil, HomePage(snapshot: snapshot).values())
        case .list(let kind, let number):
            let ids = index.ids(kind)
            let pages = max(1, (ids.count + Self.pageSize - 1) / Self.pageSize)
            guard number <= pages else { return nil }
            return try renderList(kind, ids: ids, page: number, query: nil)
        case .detail(let ref):
            guard let document = snapshot.document(ref) else { return nil }
            return try renderDetail(document)
        case .map(let zoneID):
            guard let zone = snapshot.document(.zone, zoneID) else { return nil }
            return try page("map", title: "Map of " + zone.displayName, kind: .zone, MapPage(snapshot: snapshot).values(zone))
        }
    }

    /// A list page over `ids` (all of a kind, or search results), `page` counted from 1.
    public func renderList(_ kind: Kind, ids: [String], page number: Int, query: String?, extraQuery: String = "",
                           moduleFilter: ModuleFilter = ModuleFilter()) throws(TemplateError) -> [UInt8] {
        let values = ListPage(snapshot: snapshot).values(kind, ids: ids, page: number, pageSize: Self.pageSize, query: query,
                                                         extraQuery: extraQuery, moduleFilter: moduleFilter)
        return try page("list", title: SiteKinds.title(kind), kind: kind, values)
    }

    private func renderDetail(_ document: ConfigDocument) throws(TemplateError) -> [UInt8] {
        let detail = DetailPage(snapshot: snapshot)
        let title = ObjectLabels.name(document, in: snapshot)
        switch document.kind {
        case .system: return try page("system", title: title, kind: .system, detail.systemValues(document))
        case .zone: return try page("zone", title: title, kind: .zone, detail.zoneValues(document))
        default: return try page("detail", title: title, kind: document.kind, detail.values(document))
        }
    }

    /// Renders `template` inside the layout with the navigation and notices.
    public func page(_ template: String, title: String, kind: Kind?, _ values: [String: TemplateValue]) throws(TemplateError) -> [UInt8] {
        var members = values
        members["title"] = .string(title)
        members["nav"] = navigation[kind]
        members["notices"] = .html(notices)
        members["assets"] = .string(SiteURL.assets)
        // The sign-out button (a plain POST, so every page has it without script); app.js puts the name beside it.
        members["account"] = .bool(signOut)
        return try library.renderPage(template, .object(members))
    }
}
