import ConfigRepo

/// A list page: one page of rows, the pager, the search box, and for zones the tree.
struct ListPage {
    let snapshot: Snapshot

    func values(_ kind: Kind, ids: [String], page: Int, pageSize: Int, query: String?, extraQuery: String,
                moduleFilter: ModuleFilter = ModuleFilter()) -> [String: TemplateValue] {
        let pages = max(1, (ids.count + pageSize - 1) / pageSize)
        let current = min(max(page, 1), pages)
        let slice = ids.dropFirst((current - 1) * pageSize).prefix(pageSize)
        let rows = slice.compactMap { snapshot.document(kind, $0) }.map { ListColumns.row($0, in: snapshot) }
        func pageURL(_ number: Int) -> String {
            if query != nil || !extraQuery.isEmpty {
                let q = query.map { "q=" + FormEncoding.encode($0) } ?? ""
                return SiteURL.list(kind) + "?" + [q, extraQuery, "page=\(number)"].filter { !$0.isEmpty }.joined(separator: "&")
            }
            return SiteURL.listPage(kind, page: number)
        }
        var values: [String: TemplateValue] = [
            "kindTitle": .string(SiteKinds.title(kind)),
            "kind": .string(kind.directory),
            "listURL": .string(SiteURL.list(kind)),
            "newURL": .string(SiteURL.new(kind)),
            "noun": .string(kind.noun),
            "headers": .list(ListColumns.headers(kind).map { .string($0) }),
            "rows": .list(rows),
            "total": .int(ids.count),
            "query": .optional(query),
            "searching": .bool(query != nil || !moduleFilter.isEmpty),
            "isModules": .bool(kind == .module),
            "moduleFilter": kind == .module ? moduleFilter.values : .null,
        ]
        if pages > 1 {
            values["pager"] = [
                "page": .int(current), "pages": .int(pages),
                "prev": current > 1 ? .string(pageURL(current - 1)) : .null,
                "next": current < pages ? .string(pageURL(current + 1)) : .null,
                "first": current > 1 ? .string(pageURL(1)) : .null,
                "last": current < pages ? .string(pageURL(pages)) : .null,
            ]
        }
        if kind == .zone && current == 1 && query == nil && extraQuery.isEmpty {
            values["tree"] = ["roots": ZoneTree(snapshot: snapshot).roots()]
        }
        return values
    }
}

/// The zone hierarchy (org → building → level) as nested lists.
struct ZoneTree {
    let snapshot: Snapshot

    func roots() -> TemplateValue {
        let roots = snapshot.unordered(.zone).filter { ZoneView($0).parentID.map { snapshot.document(.zone, $0) == nil } ?? true }
        return .list(roots.sorted { $0.id < $1.id }.map { node($0, depth: 0) })
    }

    private func node(_ zone: ConfigDocument, depth: Int) -> TemplateValue {
        let children = depth < 8 ? snapshot.childZones(of: zone.id).sorted().compactMap { snapshot.document(.zone, $0) } : []
        return ["text": .string(zone.displayName), "href": .string(SiteURL.detail(zone.ref)),
                "tags": .list(ZoneView(zone).tags.map { .string($0) }),
                "systems": .int(snapshot.systems(inZone: zone.id).count),
                "children": .list(children.map { node($0, depth: depth + 1) }), "hasChildren": .bool(!children.isEmpty)]
    }
}
