import ConfigRepo

/// A level zone's map: the sanitised SVG with each room linked to its system, and the
/// systems of the zone whose `map_id` is not on the map.
struct MapPage {
    let snapshot: Snapshot

    func values(_ zone: ConfigDocument) -> [String: TemplateValue] {
        var values: [String: TemplateValue] = ["zone": ObjectLabels.link(zone.ref, in: snapshot), "id": .string(zone.id)]
        let systems = snapshot.systems(inZone: zone.id).sorted().compactMap { snapshot.document(.system, $0) }
        let placed = systems.filter { SystemView($0).mapID != nil }
        let unplaced = systems.filter { SystemView($0).mapID == nil }
        values["unplaced"] = .list(unplaced.map { ObjectLabels.link($0.ref, in: snapshot) })
        values["hasUnplaced"] = .bool(!unplaced.isEmpty)
        guard let name = zone.string("map_id") else {
            values["error"] = "This zone has no map_id."
            return values
        }
        values["mapName"] = .string(name)
        guard let bytes = snapshot.maps[name] else {
            values["error"] = .string("The map file maps/\(name) is not in the repository.")
            return values
        }
        let links = placed.map { system in
            MapSanitizer.RoomLink(elementID: SystemView(system).mapID!, href: SiteURL.detail(system.ref), title: system.displayName)
        }
        do {
            let result = try MapSanitizer.sanitize(bytes, links: links)
            values["svg"] = .html(result.svg)
            let missing = Set(result.missing)
            values["notFound"] = .list(placed.filter { missing.contains(SystemView($0).mapID!) }.map { system in
                ["link": ObjectLabels.link(system.ref, in: snapshot), "mapID": .string(SystemView(system).mapID!)]
            })
            values["hasNotFound"] = .bool(!missing.isEmpty)
            values["linkedCount"] = .int(placed.count - missing.count)
        } catch {
            values["error"] = .string("maps/\(name) cannot be shown: \(error.message)")
        }
        return values
    }
}
