import ConfigRepo

/// The gate's check of level maps (docs/config-format.md, "Pushing"): every map a zone names
/// must parse and survive sanitising, as the site will render it; a room's element must survive
/// too. ConfigRepo cannot parse SVG (libxml2 lives here), so `backoffice check` and the
/// pre-receive hook add these problems to the validator's.
public enum MapCheck {
    /// The problems of the maps `snapshot`'s zones name; `memo` keeps results by content across
    /// the commits of one push.
    public static func problems(in snapshot: Snapshot, memo: inout [[UInt8]: String?]) -> [ValidationProblem] {
        var names: Set<String> = []
        for zone in snapshot.unordered(.zone) {
            if let name = ZoneView(zone).mapID, !name.isEmpty, snapshot.maps[name] != nil { names.insert(name) }
        }
        var problems: [ValidationProblem] = []
        for name in names.sorted() {
            let bytes = snapshot.maps[name]!
            let failure: String?
            if let known = memo[bytes] {
                failure = known
            } else {
                do {
                    _ = try MapSanitizer.sanitize(bytes)
                    failure = nil
                } catch {
                    failure = error.message
                }
                memo[bytes] = failure
            }
            if let failure {
                problems.append(ValidationProblem(path: "maps/" + name, field: "", message: "cannot be rendered: \(failure)"))
            }
        }
        return problems
    }

    public static func problems(in snapshot: Snapshot) -> [ValidationProblem] {
        var memo: [[UInt8]: String?] = [:]
        return problems(in: snapshot, memo: &memo)
    }
}
