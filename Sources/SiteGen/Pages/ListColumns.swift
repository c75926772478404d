import ConfigRepo

/// The columns of each kind's list and the cells of one row.
public enum ListColumns {
    static func headers(_ kind: Kind) -> [String] {
        switch kind {
        case .domain: ["Name", "Domain", "Description"]
        case .application: ["Name", "Domain", "Redirect URI"]
        case .user: ["Name", "Email", "Domain", "Role"]
        case .apiKey: ["Name", "User", "Permissions"]
        case .repository: ["Name", "Type", "URI"]
        case .driver: ["Name", "Role", "Module name", "Repository"]
        case .zone: ["Name", "Tags", "Parent"]
        case .system: ["Name", "Email", "Capacity", "Zones", "Modules"]
        case .module: ["Module", "Driver", "System", "IP", "State"]
        case .trigger: ["Name", "System", "Description"]
        case .authStrategy: ["Name", "Domain", "Type"]
        default: ["Name"]
        }
    }

    /// One row: the first cell links to the object.
    static func row(_ document: ConfigDocument, in snapshot: Snapshot) -> TemplateValue {
        let name: TemplateValue = ["text": .string(ObjectLabels.name(document, in: snapshot)), "href": .string(SiteURL.detail(document.ref)),
                                   "sub": .string(document.id)]
        func text(_ value: String?) -> TemplateValue { ["text": .string(value ?? "")] }
        func link(_ kind: Kind, _ id: String?) -> TemplateValue {
            guard let id, !id.isEmpty else { return ["text": ""] }
            let ref = ObjectRef(kind, id)
            return ["text": .string(ObjectLabels.name(ref, in: snapshot)), "href": .string(SiteURL.detail(ref))]
        }
        func chips(_ values: [String]) -> TemplateValue { ["chips": .list(values.map { .string($0) })] }
        var cells: [TemplateValue] = [name]
        switch document.kind {
        case .domain:
            cells += [text(document.string("domain")), text(document.string("description"))]
        case .application:
            cells += [link(.domain, document.string("owner_id")), text(document.string("redirect_uri"))]
        case .user:
            let role = document.bool("sys_admin") == true ? "admin" : document.bool("support") == true ? "support" : "user"
            cells += [text(document.string("email")), link(.domain, document.string("authority_id")), chips([role])]
        case .apiKey:
            let permissions = document.int("permissions").map { ["user", "support", "admin", "support and admin"][min(max($0, 0), 3)] }
            cells += [link(.user, document.string("user_id")), text(permissions)]
        case .repository:
            cells += [text(document.string("repo_type")), text(document.string("uri"))]
        case .driver:
            let driver = DriverView(document)
            cells += [text(driver.role.map { "\($0)" }), text(driver.moduleName), link(.repository, driver.repositoryID)]
        case .zone:
            cells += [chips(ZoneView(document).tags), link(.zone, ZoneView(document).parentID)]
        case .system:
            let system = SystemView(document)
            cells += [text(system.email), text(document.int("capacity").map(String.init)),
                      system.zoneIDs.last.map { link(.zone, $0) } ?? text(nil), text(String(system.moduleIDs.count))]
        case .module:
            let module = ModuleView(document)
            cells += [link(.driver, module.driverID), link(.system, module.controlSystemID ?? snapshot.systems(usingModule: module.id).first),
                      text(module.ip), ["dot": .string(module.running ? "running" : "stopped"), "text": .string(module.running ? "running" : "stopped")]]
        case .trigger:
            cells += [link(.system, document.string("control_system_id")), text(document.string("description"))]
        case .authStrategy:
            let type = document.id.hasPrefix("adfs_strat-") ? "SAML2" : document.id.hasPrefix("ldap_strat-") ? "LDAP" : "OAuth2 / OpenID Connect"
            cells += [link(.domain, document.string("authority_id")), text(type)]
        default:
            break
        }
        // Every cell sets every key the template reads, so none is taken from the page around it.
        let complete: [TemplateValue] = cells.map { cell in
            guard case .object(var members) = cell else { return cell }
            for key in ["text", "href", "sub", "chips", "dot"] where members[key] == nil { members[key] = .null }
            return .object(members)
        }
        return ["cells": .list(complete), "id": .string(document.id)]
    }

    /// Whether a row matches a search (case-insensitive, on id, name and the kind's key fields).
    public static func matches(_ document: ConfigDocument, query: String, in snapshot: Snapshot) -> Bool {
        let needle = query.lowercased()
        if document.id.lowercased().contains(needle) { return true }
        if ObjectLabels.name(document, in: snapshot).lowercased().contains(needle) { return true }
        for field in ["email", "ip", "domain", "uri", "description", "code"] {
            if let value = document.string(field), value.lowercased().contains(needle) { return true }
        }
        return false
    }
}
