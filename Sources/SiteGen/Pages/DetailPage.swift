import ConfigRepo

/// Detail pages: the generic one (every declared field, what refers to the object, its
/// metadata) and the richer system and zone pages.
public struct DetailPage {
    let snapshot: Snapshot
    /// Related lists longer than this link to a search instead.
    static let relatedLimit = 100
    /// Where a user's page gets its per-request part (permissions form, access history).
    public static let userPanelMarker = TrustedHTML(trusted: "<!--user-panel-->")
    /// Where a broker's page gets its live connection state (connected, published, dropped, errors).
    public static let brokerStateMarker = TrustedHTML(trusted: "<!--broker-state-->")
    /// Where a system's or a trigger's page gets its live trigger instances (per request).
    public static let triggerPanelMarker = TrustedHTML(trusted: "<!--trigger-instances-->")
    /// Where a module's page gets its Operate panel: start, stop, functions (per request). A
    /// system's page stays the same for every reader: its Start all / Stop all are on the
    /// system's "Modules of" page, which is per request anyway.
    public static let operateMarker = TrustedHTML(trusted: "<!--operate-->")

    func values(_ document: ConfigDocument) -> [String: TemplateValue] {
        var values = common(document)
        let presenter = FieldPresenter(snapshot: snapshot)
        values["fields"] = .list(document.kind.fields(forID: document.id).compactMap { presenter.row($0, of: document) })
        values["related"] = related(document)
        if document.kind == .domain {
            // Sign-in methods are configured from their domain's page (docs/auth.md, "Single sign-on").
            let new = SiteURL.new(.authStrategy) + "?domain=" + FormEncoding.encode(document.id)
            values["addLinks"] = .list([["text": "Add OpenID Connect / OAuth2 sign-in", "href": .string(new + "&type=oauth")],
                                        ["text": "Add SAML2 sign-in", "href": .string(new + "&type=saml")]])
        }
        if document.kind == .user { values["userPanel"] = .html(Self.userPanelMarker) }
        if document.kind == .broker { values["brokerState"] = .html(Self.brokerStateMarker) }
        if document.kind == .trigger { values["triggerPanel"] = .html(Self.triggerPanelMarker) }
        if document.kind == .module {
            let running = ModuleView(document).running
            values["state"] = ["dot": .string(running ? "running" : "stopped"), "text": .string(running ? "running" : "stopped")]
            values["settingsURL"] = .string(SiteURL.effectiveSettings(module: document.id))
            values["operatePanel"] = .html(Self.operateMarker)
        }
        // Fetch state and drivers of a repository, the build of a driver (BackOfficeApp/DriverRepositories).
        if document.kind == .repository {
            values["gitURL"] = .string(SiteURL.detail(document.ref) + "git")
            values["gitLabel"] = "Git and drivers"
        }
        if document.kind == .driver {
            values["gitURL"] = .string(SiteURL.detail(document.ref) + "build")
            values["gitLabel"] = "Build and commits"
        }
        return values
    }

    func systemValues(_ document: ConfigDocument) -> [String: TemplateValue] {
        var values = common(document)
        let system = SystemView(document)
        let presenter = FieldPresenter(snapshot: snapshot)
        let about = ["display_name", "email", "support_url", "capacity", "bookable", "public", "installed_ui_devices", "features",
                     "code", "type", "timezone", "map_id", "images"]
        values["about"] = .list(about.compactMap { name in
            document.kind.fields.first { $0.name == name }.flatMap { presenter.row($0, of: document) }
        })
        if let description = document.string("description"), !description.isEmpty {
            values["description"] = .html(MarkdownLite.render(description))
        }
        if let settings = document["settings"] { values["settings"] = SettingsPresenter.levels(settings) }
        values["modules"] = .list(system.moduleIDs.enumerated().map { offset, id in
            let ref = ObjectRef(.module, id)
            guard let module = snapshot.document(ref) else {
                return ["position": .int(offset + 1), "text": .string(id), "missing": true]
            }
            let view = ModuleView(module)
            return ["position": .int(offset + 1), "text": .string(ObjectLabels.name(module, in: snapshot)), "href": .string(SiteURL.detail(ref)),
                    "editURL": .string(SiteURL.edit(ref)), "id": .string(id),
                    "driver": view.driverID.map { ObjectLabels.link(ObjectRef(.driver, $0), in: snapshot) } ?? .null,
                    "address": .optional(view.ip.map { ip in view.port.map { "\(ip):\($0)" } ?? ip } ?? view.uri),
                    "dot": .string(view.running ? "running" : "stopped")]
        })
        values["newModuleURL"] = .string(SiteURL.new(.module) + "?system=" + document.id)
        values["modulesURL"] = .string(SiteURL.members(system: document.id, .modules))
        values["zonesURL"] = .string(SiteURL.members(system: document.id, .zones))
        values["zones"] = .list(system.zoneIDs.enumerated().map { offset, id in
            var link = ObjectLabels.link(ObjectRef(.zone, id), in: snapshot)
            if case .object(var members) = link {
                members["position"] = .int(offset + 1)
                members["tags"] = .list((snapshot.document(.zone, id).map { ZoneView($0).tags } ?? []).map { .string($0) })
                link = .object(members)
            }
            return link
        })
        values["triggerInstances"] = .list(system.triggerInstances.map { instance in
            let id = instance["trigger_id"]?.stringValue ?? "?"
            return ["trigger": ObjectLabels.link(ObjectRef(.trigger, id), in: snapshot),
                    "enabled": .bool(instance["enabled"]?.boolValue ?? true),
                    "json": .string(JSONWriter.canonicalString(.object(instance)))]
        })
        values["triggerPanel"] = .html(Self.triggerPanelMarker)
        values["systemTriggers"] = .list(snapshot.references.referrers(of: document.ref, ofKind: .trigger).sorted()
            .map { ObjectLabels.link(ObjectRef(.trigger, $0), in: snapshot) })
        if let mapZone = system.zoneIDs.reversed().first(where: { snapshot.document(.zone, $0)?.string("map_id") != nil }) {
            values["mapURL"] = .string(SiteURL.map(zone: mapZone))
        }
        return values
    }

    func zoneValues(_ document: ConfigDocument) -> [String: TemplateValue] {
        var values = common(document)
        let presenter = FieldPresenter(snapshot: snapshot)
        let shown = ["display_name", "description", "tags", "location", "code", "type", "count", "capacity", "timezone", "images", "triggers"]
        values["fields"] = .list(shown.compactMap { name in
            document.kind.fields.first { $0.name == name }.flatMap { presenter.row($0, of: document) }
        })
        values["breadcrumb"] = .list(snapshot.ancestors(ofZone: document.id).reversed().map { ObjectLabels.link(ObjectRef(.zone, $0), in: snapshot) })
        if let settings = document["settings"] { values["settings"] = SettingsPresenter.levels(settings) }
        values["children"] = .list(snapshot.childZones(of: document.id).sorted().map { ObjectLabels.link(ObjectRef(.zone, $0), in: snapshot) })
        let systems = snapshot.systems(inZone: document.id).sorted()
        values["systems"] = .list(systems.prefix(Self.relatedLimit).map { ObjectLabels.link(ObjectRef(.system, $0), in: snapshot) })
        values["systemCount"] = .int(systems.count)
        if systems.count > Self.relatedLimit { values["moreSystemsURL"] = .string(SiteURL.list(.system) + "?zone=" + document.id) }
        if document.string("map_id") != nil { values["mapURL"] = .string(SiteURL.map(zone: document.id)) }
        values["mapUploadURL"] = .string(SiteURL.mapUpload(zone: document.id))
        return values
    }

    /// What every detail page has: names, links to actions, metadata.
    private func common(_ document: ConfigDocument) -> [String: TemplateValue] {
        [
            "id": .string(document.id),
            "kindTitle": .string(SiteKinds.title(document.kind)),
            "noun": .string(document.kind.noun),
            "listURL": .string(SiteURL.list(document.kind)),
            "editURL": .string(SiteURL.edit(document.ref)),
            "deleteURL": .string(SiteURL.delete(document.ref)),
            "historyURL": .string(SiteURL.history(document.ref)),
            "version": .optional(document.version?.short),
            "metadata": metadataList(of: document.ref),
            "metadataNewURL": .optional([.zone, .system, .user].contains(document.kind) ? SiteURL.metadataNew(parent: document.ref) : nil),
        ]
    }

    /// The metadata entries of a zone, system or user, as `metadata-view.html` lists them.
    public static func metadataList(of ref: ObjectRef, in snapshot: Snapshot) -> TemplateValue {
        DetailPage(snapshot: snapshot).metadataList(of: ref)
    }

    private func metadataList(of ref: ObjectRef) -> TemplateValue {
        .list(snapshot.metadata(of: ref).sorted().compactMap { id in
            guard let document = snapshot.document(.metadata, id) else { return nil }
            return ["name": .string(document.displayName), "description": .optional(document.string("description")),
                    "json": .string(JSONWriter.canonicalString(document["details"] ?? .null)),
                    "editURL": .string(SiteURL.metadataEdit(document.ref)), "historyURL": .string(SiteURL.history(document.ref))]
        })
    }

    /// Objects that refer to this one, grouped by kind, capped at `relatedLimit` each.
    private func related(_ document: ConfigDocument) -> TemplateValue {
        let referrers = snapshot.references.referrers(of: document.ref)
        var groups: [TemplateValue] = []
        for kind in SiteKinds.all {
            let ids = referrers.filter { $0.kind == kind }.map(\.id).sorted()
            guard !ids.isEmpty else { continue }
            groups.append(["title": .string(SiteKinds.title(kind)), "count": .int(ids.count),
                           "items": .list(ids.prefix(Self.relatedLimit).map { ObjectLabels.link(ObjectRef(kind, $0), in: snapshot) }),
                           "more": .bool(ids.count > Self.relatedLimit)])
        }
        return .list(groups)
    }
}
