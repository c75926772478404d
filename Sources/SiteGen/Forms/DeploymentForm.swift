import ConfigRepo

/// The edit form of `backoffice.json`: title, tracked branch, sharded directories and the
/// global settings (one JSON input per level the reader may edit, like an object's settings).
/// Members the form does not show are kept as they are.
public struct DeploymentForm: Sendable {
    public let role: Role
    public let box: SecretBox?

    public init(role: Role, box: SecretBox?) {
        self.role = role
        self.box = box
    }

    var settingsForm: SettingsForm { SettingsForm(role: role, box: box) }
    static let objectID = SettingsSource.globalObjectID
    static let shardedInput = "layout.sharded"

    /// The text each input starts with (nil: no file yet).
    public func inputs(for file: DeploymentFile?) -> [String: String] {
        var inputs = settingsForm.inputs(file?.settings, objectID: Self.objectID)
        guard let file else { return inputs }
        inputs["title"] = file.members["title"]?.stringValue ?? ""
        inputs["branch"] = file.members["branch"]?.stringValue ?? ""
        let sharded = file.members["layout"]?.objectValue?["sharded"]?.arrayValue ?? []
        inputs[Self.shardedInput] = sharded.map { $0.stringValue ?? JSONWriter.compactString($0) }.joined(separator: "\n")
        return inputs
    }

    /// The result of reading a submitted form.
    public struct Decoded: Sendable {
        public var file: DeploymentFile
        /// Errors by input name.
        public var errors: [String: String]
    }

    /// Applies the submitted inputs to `base` (the file as the form was made from).
    public func decode(_ submitted: [String: String], onto base: DeploymentFile) -> Decoded {
        var file = base
        var errors: [String: String] = [:]
        for name in ["title", "branch"] {
            guard let raw = submitted[name] else { continue }
            let text = raw.trimmingCharacters()
            file.members[name] = text.isEmpty ? nil : .string(text)
        }
        if let raw = submitted[Self.shardedInput] {
            let names = raw.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "," })
                .map { String($0).trimmingCharacters() }.filter { !$0.isEmpty }
            var layout = file.members["layout"]?.objectValue ?? [:]
            layout["sharded"] = names.isEmpty ? nil : .array(names.map(JSONValue.string))
            file.members["layout"] = layout.isEmpty ? nil : .object(layout)
        }
        switch settingsForm.decode(submitted, stored: base.settings, objectID: Self.objectID, errors: &errors) {
        case .set(let settings): file.members["settings"] = settings
        case .remove: file.members["settings"] = nil
        case .keep, .error: break
        }
        return Decoded(file: file, errors: errors)
    }

    /// The input a validation problem of `backoffice.json` belongs to, if any.
    public func inputName(for problemField: String) -> String? {
        if problemField.hasPrefix("settings") { return settingsForm.inputName(for: problemField) }
        if problemField.hasPrefix("layout") { return Self.shardedInput }
        return ["title", "branch"].contains(problemField) ? problemField : nil
    }

    /// The values of the `form` (and `conflict`) template, shaped like `FormPage.values`.
    public func values(title: String, action: String, token: String, version: String?, inputs: [String: String],
                       errors: [String: String], general: [String]) -> [String: TemplateValue] {
        var fields: [TemplateValue] = [
            FormPage.input(name: "title", label: "Title", kind: "isText", value: inputs["title"] ?? "", error: errors["title"],
                           hint: "The name of this deployment, shown on the overview page. Empty: “BackOffice”."),
            FormPage.input(name: "branch", label: "Branch", kind: "isText", value: inputs["branch"] ?? "", error: errors["branch"],
                           hint: "The tracked branch, for tools reading this file; the server follows the branch given with --branch. Empty: main."),
            FormPage.input(name: Self.shardedInput, label: "Sharded directories", kind: "isLines", value: inputs[Self.shardedInput] ?? "",
                           error: errors[Self.shardedInput],
                           hint: "Directories whose new objects go into shard folders (modules, systems, zones…), one per line."),
        ]
        fields += settingsForm.fieldValues(inputs: inputs, errors: errors, audience: "every signed-in user who may see the deployment page")
        return FormPage.frame(title: title, action: action, token: token, version: version, fields: fields, hasFieldErrors: !errors.isEmpty,
                              general: general, hidden: [:], cancelURL: SiteURL.deployment, noun: "deployment")
    }
}
