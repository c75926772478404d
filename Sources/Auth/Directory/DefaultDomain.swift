import ConfigRepo
import Foundation

/// The domain that answers a request whose `Host` no domain claims (a fresh install on
/// `127.0.0.1`, a tunnel): the one `backoffice.json` names in `default_domain`, else the oldest
/// (the earliest commit that added its file; ids break ties). Adding a domain therefore never
/// changes which one such an address signs in to — with "the first by id" a new domain whose
/// random id sorted first took over, and every token of the old one stopped working.
/// docs/auth.md, "Domains".
enum DefaultDomain {
    /// The default domain's id in `snapshot`; `repository` dates the domains (without one, or
    /// when git has no history for them, the first by id).
    static func id(in snapshot: Snapshot, repository: ConfigRepository?) -> String? {
        let domains = snapshot.all(.domain).map(\.ref)
        if let named = snapshot.deployment?.members["default_domain"]?.stringValue, domains.contains(where: { $0.id == named }) {
            return named
        }
        guard domains.count > 1, let repository else { return domains.first?.id }
        let added = Dictionary(uniqueKeysWithValues: domains.map { ref in
            (ref.id, (try? repository.history(of: ref))?.last?.author.date ?? .distantFuture)
        })
        return domains.min { (added[$0.id]!, $0.id) < (added[$1.id]!, $1.id) }?.id
    }
}
