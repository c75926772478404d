import ConfigRepo

/// The confirmation page of a delete: the object, what refers to it (and will be updated in the
/// same commit), and the form that deletes it. Rendered per request (its form carries a token).
public struct DeletePage {
    /// At most this many referrers are listed.
    static let cascadeLimit = 50

    public let snapshot: Snapshot

    public init(snapshot: Snapshot) { self.snapshot = snapshot }

    public func values(_ document: ConfigDocument, token: String, error: String?) -> [String: TemplateValue] {
        let ref = document.ref
        let cascade = snapshot.references.referrers(of: ref).sorted().map { "\($0) refers to it and will be updated" }
        return [
            "name": .string(document.displayName), "id": .string(ref.id), "noun": .string(ref.kind.noun),
            "kindTitle": .string(SiteKinds.title(ref.kind)), "listURL": .string(SiteURL.list(ref.kind)),
            "detailURL": .string(SiteURL.detail(ref)), "action": .string(SiteURL.delete(ref)), "token": .string(token),
            "version": .optional(document.version?.hex), "error": .optional(error),
            "cascade": .list(cascade.prefix(Self.cascadeLimit).map { .string($0) }), "hasCascade": .bool(!cascade.isEmpty),
        ]
    }
}
