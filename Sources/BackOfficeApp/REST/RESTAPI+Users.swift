import Auth
import ConfigRepo
import WebServer

/// PlaceOS's user routes beyond CRUD: `GET users/groups?emails=` (the groups of the users of
/// the caller's domain with those emails, for front-ends that check group membership) and
/// `POST users/:id/revive` (undoes a soft delete). The soft delete itself is `delete`'s: a
/// user of a domain whose `internals.soft_delete` is true is marked `deleted` instead of
/// removed, unless `force_removal=true`.
extension RESTAPI {
    func mountUsers(on router: inout Router) {
        router.add(.get, Self.base + "/users/groups", blocking: answer(.users, anyone: true) { [self] in try userGroups($0) })
        router.add(.post, Self.base + "/users/:id/revive", blocking: answer(.users) { [self] in try revive($0) })
    }

    /// `[{id, groups}]` for each user of the caller's domain whose email is listed
    /// (comma-separated, case-insensitive); deleted users are left out.
    func userGroups(_ call: Call) throws -> Response {
        let emails = (call.request.query("emails") ?? "").split(separator: ",").map { $0.filter { $0 != " " } }.filter { !$0.isEmpty }
        guard !emails.isEmpty else {
            throw RESTError.badRequest("emails is required", parameter: "emails", restriction: "a comma-separated list of emails")
        }
        if let invalid = emails.first(where: { !Self.looksLikeEmail($0) }) {
            throw RESTError.invalid(field: "emails", reason: "\(invalid) is an invalid email")
        }
        let wanted = Set(emails.map { $0.lowercased() })
        let domain = call.principal.domainID
        let users = call.snapshot.all(.user).filter { user in
            guard let email = user.string("email"), wanted.contains(email.lowercased()), user.bool("deleted") != true else { return false }
            return domain == nil || user.string("authority_id") == domain
        }
        return Self.json(.array(users.map { user in
            .object(["id": .string(user.id), "groups": .array(user.strings("groups").map(JSONValue.string))])
        }))
    }

    /// `POST users/:id/revive`: the user no longer marked `deleted` (one commit); 200 with the
    /// user (PlaceOS answers an empty 200).
    func revive(_ call: Call) throws -> Response {
        guard call.principal.mayEdit(.user) else { throw RESTError.forbidden }
        var user = try existing(call)
        guard user.bool("deleted") == true else { return Self.json(call.format.json(user)) }
        user.members["deleted"] = nil
        let result = try writer(call).apply([.save(user)], target: user.ref)
        return try written(user.ref, result, call, status: .ok)
    }

    /// Whether `user` is deleted softly: its domain keeps deleted users (`internals.soft_delete`)
    /// and the caller did not ask for `force_removal`.
    func deletesSoftly(_ user: ConfigDocument, _ call: Call) -> Bool {
        guard user.kind == .user, call.request.query("force_removal") != "true",
              let domain = user.string("authority_id").flatMap({ call.snapshot.document(.domain, $0) }) else { return false }
        return domain.object("internals")?["soft_delete"]?.boolValue == true
    }

    /// One `@` with something on both sides, a dot in the domain part, no spaces.
    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else {
            return false
        }
        return !text.contains(where: \.isWhitespace)
    }
}
