import ConfigRepo

/// How objects are named on pages.
public enum ObjectLabels {
    /// The name shown for an object: a module is its custom name or its driver's module name.
    public static func name(_ document: ConfigDocument, in snapshot: Snapshot) -> String {
        if document.kind == .module {
            let module = ModuleView(document)
            if let custom = module.customName { return custom }
            if let driver = snapshot.driver(ofModule: document) { return driver.moduleName }
            return document.id
        }
        return document.displayName
    }

    /// The name for a reference; the bare id when the object does not exist.
    public static func name(_ ref: ObjectRef, in snapshot: Snapshot) -> String {
        snapshot.document(ref).map { name($0, in: snapshot) } ?? ref.id
    }

    /// A link value `{text, href, missing}` for templates.
    static func link(_ ref: ObjectRef, in snapshot: Snapshot) -> TemplateValue {
        let document = snapshot.document(ref)   // looked up once: a page has many links
        return ["text": .string(document.map { name($0, in: snapshot) } ?? ref.id), "href": .string(SiteURL.detail(ref)), "id": .string(ref.id),
                "missing": .bool(document == nil)]
    }
}
