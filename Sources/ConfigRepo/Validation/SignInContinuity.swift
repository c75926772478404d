/// A change must not lock everyone out of the deployment (docs/config-format.md, "Pushing").
/// Checked by the pre-receive gate between the branch's head and the pushed tip; passwords
/// live in the state directory, so the caller says who can sign in.
///
/// - **A domain**: the server answers every request with the domain whose `domain` host
///   matches, else the first domain by id; with none, nobody can sign in. A tree that had a
///   domain keeps at least one.
/// - **An administrator who can sign in**: a user with `sys_admin: true` whose `authority_id`
///   names a domain of the tree and who `canSignIn` (has a password in this deployment). A
///   tree that had one keeps at least one. A deployment that never had one (before the first
///   administrator was made) is not held to it.
public enum SignInContinuity {
    public static func problems(before: Snapshot, after: Snapshot, canSignIn: (String) -> Bool) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        if before.count(.domain) > 0, after.count(.domain) == 0 {
            problems.append(ValidationProblem(
                path: Kind.domain.directory + "/", field: "",
                message: "no domain would be left: every request is answered by a domain (the one whose host matches, else the first by id), so nobody could sign in; keep at least one"))
        }
        let admins = usableAdmins(in: before, canSignIn: canSignIn)
        if !admins.isEmpty, usableAdmins(in: after, canSignIn: canSignIn).isEmpty {
            problems.append(ValidationProblem(
                path: Kind.user.directory + "/", field: "",
                message: "no administrator who can sign in would be left: keep sys_admin on a user of an existing domain who has a password here (now: \(admins.sorted().joined(separator: ", ")))"))
        }
        return problems
    }

    /// Ids of the users of `snapshot` who are administrators of an existing domain and can sign in.
    public static func usableAdmins(in snapshot: Snapshot, canSignIn: (String) -> Bool) -> [String] {
        snapshot.unordered(.user).filter { user in
            user.bool("sys_admin") == true
                && user.string("authority_id").flatMap { snapshot.document(.domain, $0) } != nil
                && canSignIn(user.id)
        }.map(\.id)
    }
}
