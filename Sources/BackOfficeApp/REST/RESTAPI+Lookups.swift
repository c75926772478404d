import ConfigRepo
import WebServer

/// The read-only lookups PlaceOS clients use beside the indexes: every zone tag in use
/// (`zones/tags`), the triggers a zone applies (`zones/:id/triggers`) and the systems named by
/// email (`systems/with_emails?in=`).
extension RESTAPI {
    func mountLookups(on router: inout Router) {
        router.add(.get, Self.base + "/zones/tags", blocking: answer(.zones) { [self] in zoneTags($0) })
        router.add(.get, Self.base + "/zones/:id/triggers", blocking: answer(.zones, rule: "triggers") { [self] in try zoneTriggers($0) })
        router.add(.get, Self.base + "/systems/with_emails", blocking: answer(.systems) { [self] in try systemsWithEmails($0) })
    }

    /// `["building", "level", …]`: the tags of every zone, each once, sorted.
    func zoneTags(_ call: Call) -> Response {
        let tags = Set(call.snapshot.unordered(.zone).flatMap { $0.strings("tags") })
        return Self.json(.array(tags.sorted().map(JSONValue.string)))
    }

    /// The triggers the zone applies to its systems, in its order (support reads triggers).
    func zoneTriggers(_ call: Call) throws -> Response {
        let zone = try existing(call)
        let triggers = call.snapshot.triggers(ofZone: zone.id).compactMap { call.snapshot.document(.trigger, $0) }
        return Self.json(.array(triggers.map(call.format.json)))
    }

    /// The systems whose email is one of `in` (comma-separated, any case), by id.
    func systemsWithEmails(_ call: Call) throws -> Response {
        guard let list = call.request.query("in") else {
            throw RESTError.badRequest("in is required", parameter: "in", restriction: "comma-separated emails")
        }
        let emails = Set(RESTResource.list(list.lowercased()))
        let systems = call.snapshot.unordered(.system).filter { $0.string("email").map { emails.contains($0.lowercased()) } ?? false }
        return Self.json(.array(systems.sorted { $0.id < $1.id }.map(call.format.json)))
    }
}
