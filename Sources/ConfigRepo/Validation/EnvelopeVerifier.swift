/// With the deployment secret at hand: checks that every encrypted value opens for the
/// object, level and key it sits under (a ciphertext moved elsewhere does not).
public struct EnvelopeVerifier: Sendable {
    public let box: SecretBox

    public init(box: SecretBox) { self.box = box }

    /// Problems with envelopes anywhere in the snapshot.
    public func problems(in snapshot: Snapshot) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        for kind in Kind.allCases where kind.hasSettings || kind.fields.contains(where: { $0.type == .secret || $0.type == .triggerInstances }) {
            for document in snapshot.unordered(kind) {
                problems += self.problems(in: document)
            }
        }
        if let deployment = snapshot.deployment, let settings = deployment.settings {
            problems += verify(settings, objectID: SettingsSource.globalObjectID, path: RepoPath.deploymentFile, field: "settings")
        }
        if let password = snapshot.deployment?.members["mail"]?.objectValue?["password"]?.stringValue, SecretBox.isEnvelope(password) {
            do { _ = try box.open(password, binding: MailServerSettings.passwordBinding) } catch {
                problems.append(ValidationProblem(path: RepoPath.deploymentFile, field: "mail.password", message: "\(error)"))
            }
        }
        return problems
    }

    /// Problems with the envelopes of one object.
    public func problems(in document: ConfigDocument) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        for field in document.kind.fields {
            guard let value = document[field.name] else { continue }
            switch field.type {
            case .settings:
                problems += verify(value, objectID: document.id, path: document.path, field: field.name)
            case .secret:
                problems += verifySecret(value, objectID: document.id, path: document.path, field: field.name)
            case .triggerInstances:
                for (index, instance) in (value.arrayValue ?? []).enumerated() {
                    guard let secret = instance.objectValue?["webhook_secret"] else { continue }
                    problems += verifySecret(secret, objectID: document.id, path: document.path,
                                             field: "\(field.name)[\(index)].webhook_secret")
                }
            default:
                continue
            }
        }
        return problems
    }

    /// A secret field's envelope (plain text is the validator's business) must open where it sits.
    private func verifySecret(_ value: JSONValue, objectID: String, path: String, field: String) -> [ValidationProblem] {
        guard let text = value.stringValue, SecretBox.isEnvelope(text) else { return [] }
        do {
            _ = try box.open(text, binding: .field(objectID: objectID, path: field))
            return []
        } catch {
            return [ValidationProblem(path: path, field: field, message: "\(error)")]
        }
    }

    private func verify(_ value: JSONValue, objectID: String, path: String, field: String) -> [ValidationProblem] {
        Settings.parse(value, path: field).settings.verify(objectID: objectID, box: box, path: field).map {
            ValidationProblem(path: path, field: $0.path, message: $0.message)
        }
    }
}
