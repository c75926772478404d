import ConfigRepo
import Foundation
import SiteGen

/// History per object (commits touching it, each with its field changes) and revert.
extension SiteApp {
    static let historyLimit = 30

    func history(_ ref: ObjectRef, _ request: Request, error: String?, status: HTTPStatus = .ok) throws -> Response {
        let snapshot = try head()
        let commits: [CommitInfo]
        do { commits = try repository.history(of: ref, limit: Self.historyLimit) } catch {
            throw HTTPError(.internalServerError, "cannot read the history: \(error)")
        }
        guard !commits.isEmpty || snapshot.document(ref) != nil else { throw HTTPError(.notFound, "\(ref) has no history") }
        let action = SiteURL.revert(ref)
        let (token, cookie) = token(for: request, purpose: action)
        let name = snapshot.document(ref)?.displayName ?? ref.id
        let entries: [TemplateValue] = commits.map { commit in
            let changes = (try? repository.changes(to: ref, in: commit.id)) ?? []
            return ["message": HistoryValues.subject(commit, role: request.principal.role),
                    "author": .string(commit.author.name + " <" + commit.author.email + ">"),
                    "date": .string(commit.author.date.map { HistoryValues.format($0) } ?? ""), "short": .string(commit.id.short),
                    "id": .string(commit.id.hex), "changes": HistoryValues.changes(changes, kind: ref.kind, role: request.principal.role)]
        }
        let values: [String: TemplateValue] = [
            "name": .string(name), "noun": .string(ref.kind.noun), "kindTitle": .string(SiteKinds.title(ref.kind)),
            "listURL": .string(SiteURL.list(ref.kind)), "detailURL": .string(SiteURL.detail(ref)),
            "revertURL": .string(action), "token": .string(token), "commits": .list(entries), "error": .optional(error),
        ]
        return html(try renderer(snapshot).page("history", title: "History of \(name)", kind: ref.kind, values), status: status, setCookie: cookie)
    }

    func revert(_ request: Request) async throws -> Response {
        let kind = try kind(request)
        let ref = ObjectRef(kind, request.parameter("id") ?? "")
        let submission = FormSubmission(request)
        try checkToken(request, submission)
        guard let commit = submission["commit"].flatMap(ObjectID.init(hex:)) else {
            return try history(ref, request, error: "Choose a commit to revert.", status: .badRequest)
        }
        let result: WriteResult
        do {
            // Only a commit of this object's history, and only what the role may change (issue 11).
            result = try repository.revert(commit, author: request.principal.signature, scope: .object(ref),
                                           actingAs: request.principal.role)
        } catch .notInHistory {
            return try history(ref, request, error: "Not reverted: that commit is not in the history of this \(kind.noun).",
                               status: .unprocessableContent)
        } catch .notPermitted(let refused) {
            return try history(ref, request, error: "Not reverted, your role may not make this change: "
                               + refused.map(\.description).joined(separator: "; "), status: .forbidden)
        } catch .invalid(let problems) {
            return try history(ref, request, error: "Not reverted, the result would be invalid: "
                               + problems.map(\.description).joined(separator: "; "), status: .unprocessableContent)
        } catch .conflict(let other, _, _) {
            return try history(ref, request, error: "Not reverted: \(other) changed again after that commit; revert the later change first or edit it by hand.",
                               status: .conflict)
        } catch .store(.revertConflict(let paths)) {
            return try history(ref, request, error: "Not reverted: later commits changed " + paths.joined(separator: ", ") + ".", status: .conflict)
        } catch {
            return try history(ref, request, error: "Not reverted: \(error)", status: .conflict)
        }
        refreshSoon()
        let exists = result.snapshot.document(ref) != nil
        return .redirect(to: exists ? SiteURL.detail(ref) + "?saved=" + result.commit.id.hex : SiteURL.list(kind) + "?deleted=" + ref.id)
    }
}

/// Field changes as the history, conflict and diff tables show them.
enum HistoryValues {
    /// The changes of an object of `kind` (nil: the deployment file) as `role` may see them
    /// (`FieldVisibility`: settings levels above the role left out, secret fields hidden).
    static func changes(_ changes: [FieldChange], kind: Kind?, role: Role) -> TemplateValue {
        .list(visible(changes, kind: kind, to: role).map { change in
            ["path": .string(change.path), "old": .string(show(change.old)), "new": .string(show(change.new))]
        })
    }

    static func visible(_ changes: [FieldChange], kind: Kind?, to role: Role) -> [FieldChange] {
        FieldVisibility.visible(changes, of: kind, to: role)
    }

    /// A commit subject as `role` may read it (no settings key above the role).
    static func subject(_ commit: CommitInfo, role: Role) -> TemplateValue {
        .string(CommitMessage.visibleSubject(commit.subject, to: role))
    }

    /// A value in one line; encrypted values are not worth showing as ciphertext.
    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "—" }
        if let text = value.stringValue, SecretBox.isEnvelope(text) { return "(encrypted)" }
        if let text = value.stringValue { return text }
        return JSONWriter.compactString(redactingEnvelopes(value))
    }

    /// The value with every encrypted string inside (a whole settings level, say) shown as "(encrypted)".
    static func redactingEnvelopes(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text) where SecretBox.isEnvelope(text): .string("(encrypted)")
        case .array(let items): .array(items.map(redactingEnvelopes))
        case .object(let members): .object(members.mapValues(redactingEnvelopes))
        default: value
        }
    }

    static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}
