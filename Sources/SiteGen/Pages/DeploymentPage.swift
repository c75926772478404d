import ConfigRepo

/// The deployment page (`backoffice.json`): title, tracked branch, layout and the global
/// settings as the reader's role may see them. Rendered per request (the settings depend on
/// the reader), so it is never a pre-rendered page.
public struct DeploymentPage: Sendable {
    public let file: DeploymentFile?

    public init(file: DeploymentFile?) { self.file = file }

    public func values(role: Role, box: SecretBox?, canEdit: Bool) -> [String: TemplateValue] {
        let sharded = file?.members["layout"]?.objectValue?["sharded"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let settings: TemplateValue = file?.settings.map {
            SettingsPresenter.levels($0, objectID: SettingsSource.globalObjectID, box: box, role: role)
        } ?? .null
        return [
            "siteTitle": .string(file?.title ?? DeploymentFile().title),
            "branch": .string(file?.branch ?? DeploymentFile().branch),
            "sharded": .list(sharded.map { .string($0) }),
            "settings": settings,
            "version": .optional(file?.version?.short),
            "missing": .bool(file == nil),
            "editURL": canEdit ? .string(SiteURL.deploymentEdit) : .null,
            "historyURL": .string(SiteURL.deploymentHistory),
        ]
    }
}
