import ConfigRepo

/// The history of an object or of the deployment file: each commit that touched it with its
/// field changes in the words of `backoffice diff` (``ChangeWords``: a secret only "changed"),
/// and a Revert button per commit (a form to `revertURL` with `token`; none without a token).
/// Rendered per request.
public struct HistoryPage: Sendable {
    /// What the page is the history of.
    public struct Subject: Sendable {
        public var name: String
        public var noun: String
        public var kindTitle: String
        public var listURL: String
        public var detailURL: String
        public var revertURL: String
        /// The kind of the object (nil: the deployment file), for which fields hold secrets.
        public var kind: Kind?

        public init(name: String, noun: String, kindTitle: String, listURL: String, detailURL: String, revertURL: String,
                    kind: Kind? = nil) {
            self.name = name
            self.noun = noun
            self.kindTitle = kindTitle
            self.listURL = listURL
            self.detailURL = detailURL
            self.revertURL = revertURL
            self.kind = kind
        }

        /// An object of the configuration (`snapshot` names it; a deleted one goes by its id).
        public static func object(_ ref: ObjectRef, in snapshot: Snapshot) -> Subject {
            Subject(name: snapshot.document(ref)?.displayName ?? ref.id, noun: ref.kind.noun, kindTitle: SiteKinds.title(ref.kind),
                    listURL: SiteURL.list(ref.kind), detailURL: SiteURL.detail(ref), revertURL: SiteURL.revert(ref),
                    kind: ref.kind)
        }

        /// The deployment file (`backoffice.json`).
        public static let deployment = Subject(name: "the deployment", noun: "deployment file", kindTitle: "Overview",
                                               listURL: SiteURL.root, detailURL: SiteURL.deployment, revertURL: SiteURL.deploymentRevert)
    }

    /// One commit and what it changed.
    public struct Entry: Sendable {
        public var commit: CommitInfo
        public var changes: [FieldChange]

        public init(commit: CommitInfo, changes: [FieldChange]) {
            self.commit = commit
            self.changes = changes
        }
    }

    public let subject: Subject

    public init(_ subject: Subject) { self.subject = subject }

    /// The title of the page.
    public var title: String { "History of \(subject.name)" }

    public func values(entries: [Entry], role: Role, token: String, error: String?) -> [String: TemplateValue] {
        let commits: [TemplateValue] = entries.map { entry in
            let commit = entry.commit
            return ["message": ChangeValues.subject(commit, role: role), "author": .string(commit.author.name + " <" + commit.author.email + ">"),
                    "date": .string(commit.author.date.map { ChangeValues.format($0) } ?? ""), "short": .string(commit.id.short),
                    "id": .string(commit.id.hex), "changes": ChangeValues.wordRows(entry.changes, kind: subject.kind)]
        }
        return [
            "name": .string(subject.name), "noun": .string(subject.noun), "kindTitle": .string(subject.kindTitle),
            "listURL": .string(subject.listURL), "detailURL": .string(subject.detailURL), "revertURL": .string(subject.revertURL),
            "token": .string(token), "commits": .list(commits), "error": .optional(error),
        ]
    }
}
