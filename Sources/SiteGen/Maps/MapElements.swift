import ConfigRepo

/// The elements of a level map a room can be linked to: the ids of its shapes (`rect`, `path`,
/// `polygon`, `polyline`, `circle`, `ellipse`), in document order. Read from the stored SVG as
/// text (a pick list needs no DOM); the sanitiser still decides what is rendered.
public enum MapElements {
    static let shapes: Set<String> = ["rect", "path", "polygon", "polyline", "circle", "ellipse"]

    public static func ids(in svg: [UInt8]) -> [String] {
        let text = String(decoding: svg, as: UTF8.self)
        var ids: [String] = []
        var rest = text[...]
        while let open = rest.firstIndex(of: "<") {
            rest = rest[rest.index(after: open)...]
            let name = rest.prefix { $0.isLetter }
            guard let close = rest.firstIndex(of: ">") else { break }
            let tag = rest[..<close]
            rest = rest[close...]
            guard shapes.contains(String(name).lowercased()), let id = attribute("id", in: tag) else { continue }
            ids.append(id)
        }
        return ids
    }

    /// The value of ` name="…"` (or single quotes) in a tag's text.
    static func attribute(_ name: String, in tag: Substring) -> String? {
        for quote in ["\"", "'"] {
            if let start = tag.range(of: " " + name + "=" + quote) {
                let value = tag[start.upperBound...].prefix { String($0) != quote }
                return value.isEmpty ? nil : String(value)
            }
        }
        return nil
    }

    /// Per level zone with a map: the zone and its room elements, each with the system it is
    /// linked to (`map_id`), if any. Zones in name order. A level's rooms are the systems that
    /// list its zone (a `map_id` must name an element of one of its zones' maps), so only those
    /// are read: an edit form asks this of a 10,000-room tree on every view.
    public static func levels(in snapshot: Snapshot) -> [(zone: ConfigDocument, elements: [(id: String, system: String?)])] {
        if snapshot.maps.isEmpty { return [] }   // no zone can show a map: skip reading every zone
        return snapshot.unordered(.zone).compactMap { zone -> (zone: ConfigDocument, elements: [(id: String, system: String?)])? in
            guard let name = ZoneView(zone).mapID, let bytes = snapshot.maps[name] else { return nil }
            var linked: [String: String] = [:]
            for id in snapshot.systems(inZone: zone.id) {
                if let mapID = snapshot.document(.system, id)?.string("map_id"), !mapID.isEmpty { linked[mapID] = id }
            }
            return (zone: zone, elements: ids(in: bytes).map { (id: $0, system: linked[$0]) })
        }.sorted { $0.zone.displayName < $1.zone.displayName }
    }
}
