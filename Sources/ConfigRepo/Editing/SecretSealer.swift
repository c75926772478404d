/// Encrypts plain values where the format requires envelopes, before anything is written:
/// settings levels above `none`, and secret fields (OAuth client secrets, repository
/// passwords, webhook secrets).
public struct SecretSealer: Sendable {
    public let box: SecretBox

    public init(box: SecretBox) { self.box = box }

    /// The document with every plain secret sealed and bound to the document's id.
    public func seal(_ document: ConfigDocument) -> ConfigDocument {
        var sealed = document
        for field in document.kind.fields {
            guard let value = document[field.name] else { continue }
            switch field.type {
            case .settings:
                guard isWellFormedLevels(value) else { continue }
                let settings = Settings.parse(value, path: field.name).settings
                let sealedSettings = settings.sealed(objectID: document.id, box: box)
                if sealedSettings != settings { sealed[field.name] = sealedSettings.json }
            case .secret:
                if let text = value.stringValue, !SecretBox.isEnvelope(text) {
                    sealed[field.name] = .string(box.seal(value, binding: .field(objectID: document.id, path: field.name)))
                }
            case .triggerInstances:
                sealed[field.name] = sealWebhookSecrets(in: value, objectID: document.id)
            default:
                break
            }
        }
        return sealed
    }

    /// `backoffice.json` with the plain values of its encrypted settings levels sealed, bound
    /// to the global settings' object id (`SettingsSource.globalObjectID`), and a plain
    /// `mail.password` sealed.
    public func seal(_ file: DeploymentFile) -> DeploymentFile {
        let file = sealMailPassword(file)
        guard let settings = file.settings, isWellFormedLevels(settings) else { return file }
        let parsed = Settings.parse(settings).settings
        let sealed = parsed.sealed(objectID: SettingsSource.globalObjectID, box: box)
        guard sealed != parsed else { return file }
        var result = file
        result.members["settings"] = sealed.json
        return result
    }

    /// Only settings whose every member is a known level holding an object are sealed;
    /// anything else is left for validation to report, so nothing is dropped.
    func isWellFormedLevels(_ value: JSONValue) -> Bool {
        guard let levels = value.objectValue else { return false }
        return levels.allSatisfy { key, level in SettingsLevel(rawValue: key) != nil && level.objectValue != nil }
    }

    /// `mail.password` (docs/triggers.md, mail) sealed for `MailServerSettings.passwordBinding`.
    private func sealMailPassword(_ file: DeploymentFile) -> DeploymentFile {
        guard var mail = file.members["mail"]?.objectValue, let password = mail["password"],
              let text = password.stringValue, !SecretBox.isEnvelope(text) else { return file }
        mail["password"] = .string(box.seal(password, binding: MailServerSettings.passwordBinding))
        var result = file
        result.members["mail"] = .object(mail)
        return result
    }

    private func sealWebhookSecrets(in value: JSONValue, objectID: String) -> JSONValue {
        guard let instances = value.arrayValue else { return value }
        return .array(instances.enumerated().map { index, instance in
            guard var members = instance.objectValue, let secret = members["webhook_secret"],
                  let text = secret.stringValue, !SecretBox.isEnvelope(text) else { return instance }
            members["webhook_secret"] = .string(box.seal(secret, binding: .field(objectID: objectID, path: "triggers[\(index)].webhook_secret")))
            return .object(members)
        })
    }
}

extension SecretSealer {
    /// A repository file with its plain secrets sealed, for imports and `init`. Files that
    /// are not configuration objects, or do not parse, pass through unchanged (validation
    /// reports them); a file with nothing to seal keeps its exact bytes.
    public func sealFile(path: String, bytes: [UInt8]) -> [UInt8] {
        switch RepoPath(path) {
        case .object(let ref):
            guard let document = try? ConfigDocument.decode(bytes, ref: ref, version: nil) else { return bytes }
            let sealed = seal(document)
            return sealed == document ? bytes : sealed.canonicalBytes
        case .deployment:
            guard let file = try? DeploymentFile.decode(bytes, version: nil) else { return bytes }
            let sealed = seal(file)
            return sealed == file ? bytes : sealed.canonicalBytes
        default:
            return bytes
        }
    }
}
