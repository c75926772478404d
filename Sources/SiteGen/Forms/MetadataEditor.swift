import ConfigRepo

/// The editor of one metadata entry (`metadata/<parent>/<name>.json`): a JSON form
/// (`description`, `details` as JSON text, and for support and admins `schema_id` and
/// `editors`) and, when the entry has a schema with properties, a form generated from it
/// (`SchemaForm`). Each form posts `_mode` (`json` or `schema`); both read back into the entry,
/// checked against its schema, with each error beside its input.
public struct MetadataEditor: Sendable {
    public enum Mode: String, Sendable { case json, schema }

    public let snapshot: Snapshot
    public let parent: ObjectRef
    public let name: String
    /// Support and admins: they may change `schema_id` and `editors` (`MetadataRights`).
    public let mayChangeSchema: Bool

    public init(snapshot: Snapshot, parent: ObjectRef, name: String, mayChangeSchema: Bool) {
        self.snapshot = snapshot
        self.parent = parent
        self.name = name
        self.mayChangeSchema = mayChangeSchema
    }

    public var ref: ObjectRef { ObjectRef(.metadata, parent.id + "/" + name) }

    /// The entry as stored, or a new one (`details` `{}`).
    public var stored: ConfigDocument? { snapshot.document(ref) }

    /// The schema form of `document`'s `schema_id`, when that schema has properties.
    public func schemaForm(of document: ConfigDocument?) -> SchemaForm? {
        guard let id = document?.string("schema_id"), let schema = snapshot.document(.schema, id)?["schema"] else { return nil }
        return SchemaForm(schema: schema)
    }

    // MARK: - Entry → inputs

    /// The text of both forms' inputs for `document` (nil: a new entry).
    public func inputs(for document: ConfigDocument?) -> [String: String] {
        var inputs = ["details": JSONWriter.canonicalString(document?["details"] ?? .object([:]))]
        if let description = document?.string("description") { inputs["description"] = description }
        if let schemaID = document?.string("schema_id") { inputs["schema_id"] = schemaID }
        inputs["editors"] = (document?.strings("editors") ?? []).joined(separator: "\n")
        if let form = schemaForm(of: document) { inputs.merge(form.inputs(for: document?["details"]), uniquingKeysWith: { _, new in new }) }
        return inputs
    }

    // MARK: - Inputs → entry

    public struct Decoded: Sendable {
        public var document: ConfigDocument
        /// Errors by input name.
        public var errors: [String: String]
        /// Errors no input shows.
        public var general: [String]
    }

    /// The entry the form `mode` makes from `submitted` on top of `base` (the stored entry, or
    /// a new one); members the form does not show are kept.
    public func decode(_ submitted: [String: String], mode: Mode, onto base: ConfigDocument) -> Decoded {
        var document = base
        document["name"] = .string(name)
        var errors: [String: String] = [:]
        var general: [String] = []
        switch mode {
        case .schema:
            guard let form = schemaForm(of: base) else {
                return Decoded(document: document, errors: [:], general: ["This entry has no schema form; edit its JSON."])
            }
            let decoded = form.decode(submitted, onto: base["details"])
            document["details"] = decoded.details
            errors = decoded.errors
            general = decoded.general
        case .json:
            let description = (submitted["description"] ?? "").trimmingCharacters()
            document["description"] = description.isEmpty ? nil : .string(description)
            if mayChangeSchema {
                if let schemaID = submitted["schema_id"] { document["schema_id"] = schemaID.isEmpty ? nil : .string(schemaID) }
                if let editors = submitted["editors"] {
                    let list = editors.split(whereSeparator: { $0 == "\n" || $0 == "," }).map { String($0).trimmingCharacters() }.filter { !$0.isEmpty }
                    document["editors"] = list.isEmpty ? nil : .array(list.map(JSONValue.string))
                }
            }
            let text = (submitted["details"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            do {
                let details = try JSONParser.parse(text.trimmingCharacters().isEmpty ? "{}" : text)
                document["details"] = details
                if let schemaID = document.string("schema_id"), let schema = snapshot.document(.schema, schemaID)?["schema"] {
                    let problems = JSONSchemaChecker().problems(in: details, against: schema, at: "")
                    if !problems.isEmpty {
                        errors["details"] = "does not match the schema “\(schemaID)”: "
                            + problems.map { ($0.path.isEmpty ? "" : "\($0.path): ") + $0.message }.joined(separator: "; ")
                    }
                }
            } catch {
                errors["details"] = "invalid JSON at line \(error.line), column \(error.column): \(error.message)"
            }
        }
        return Decoded(document: document, errors: errors, general: general)
    }

    /// The input a validation problem of the entry belongs to (`details.x` → `details`).
    public func inputName(for problemField: String, mode: Mode) -> String? {
        let head = String(problemField.prefix { $0 != "." && $0 != "[" })
        if mode == .schema, head == "details", let form = schemaForm(of: stored) {
            let property = problemField.dropFirst("details.".count).prefix { $0 != "." && $0 != "[" }
            return form.fields.first { $0.property == property }?.inputName
        }
        return ["description", "details", "schema_id", "editors"].contains(head) ? head : nil
    }

    // MARK: - Page values

    /// The values of the `metadata-edit` page. `errors` belong to the form `mode` that was posted.
    public func values(action: String, token: String, version: String?, inputs: [String: String], errors: [String: String],
                       general: [String], mode: Mode?) -> [String: TemplateValue] {
        let parentDocument = snapshot.document(parent)
        let parentName = parentDocument.map { ObjectLabels.name($0, in: snapshot) } ?? parent.id
        var jsonFields: [TemplateValue] = [
            FormPage.input(name: "description", label: "Description", kind: "isText", value: inputs["description"] ?? "",
                           error: mode == .json ? errors["description"] : nil),
            FormPage.input(name: "details", label: "Details *", kind: "isJSON", value: inputs["details"] ?? "{}",
                           error: mode == .json ? errors["details"] : nil,
                           hint: "A JSON value; checked against the schema when the entry has one."),
        ]
        let schemaID = inputs["schema_id"] ?? ""
        if mayChangeSchema {
            var options: [TemplateValue] = [["value": "", "text": "— none", "selected": .bool(schemaID.isEmpty)]]
            for schema in snapshot.all(.schema) {
                options.append(["value": .string(schema.id), "text": .string("\(schema.displayName) (\(schema.id))"), "selected": .bool(schema.id == schemaID)])
            }
            jsonFields.append(["name": "schema_id", "label": "Schema", "isSelect": true, "options": .list(options),
                               "error": .optional(mode == .json ? errors["schema_id"] : nil), "hint": .null, "isGroup": false,
                               "inputID": "f-schema_id"])
            jsonFields.append(FormPage.input(name: "editors", label: "Editors", kind: "isLines", value: inputs["editors"] ?? "",
                                             error: mode == .json ? errors["editors"] : nil,
                                             hint: "Groups whose members may edit this entry, one per line."))
        }
        var values: [String: TemplateValue] = [
            "formTitle": .string((stored == nil ? "New metadata “" : "Metadata “") + name + "” of " + parentName),
            "name": .string(name),
            "parentName": .string(parentName),
            "parentURL": .string(SiteURL.detail(parent)),
            "parentListURL": .string(SiteURL.list(parent.kind)),
            "parentKindTitle": .string(SiteKinds.title(parent.kind)),
            "historyURL": .optional(stored == nil ? nil : SiteURL.history(ref)),
            "action": .string(action),
            "token": .string(token),
            "version": .optional(version),
            "jsonFields": .list(jsonFields),
            "general": .list(general.map { .string($0) }),
            "hasErrors": .bool(!errors.isEmpty || !general.isEmpty),
            "schemaNote": .optional(mayChangeSchema || schemaID.isEmpty ? nil : "Checked against the schema “\(schemaID)”."),
        ]
        if let form = schemaForm(of: stored) {
            let schemaName = snapshot.document(.schema, stored?.string("schema_id") ?? "")?.displayName ?? ""
            values["schemaForm"] = ["schemaName": .string(schemaName),
                                    "fields": .list(form.fieldValues(inputs: inputs, errors: mode == .schema ? errors : [:]))]
        }
        return values
    }
}
