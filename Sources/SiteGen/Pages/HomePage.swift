import ConfigRepo

/// The deployment overview: its title (`backoffice.json`), counts per kind, stopped modules, the zone roots, the level maps.
struct HomePage {
    let snapshot: Snapshot

    func values() -> [String: TemplateValue] {
        let counts: [TemplateValue] = SiteKinds.all.map { kind in
            ["title": .string(SiteKinds.title(kind)), "count": .int(snapshot.count(kind)), "href": .string(SiteURL.list(kind))]
        }
        let stopped = snapshot.unordered(.module).filter { !ModuleView($0).running }
        let roots = snapshot.unordered(.zone).filter { ZoneView($0).parentID == nil }.sorted { $0.id < $1.id }
        // Where a newcomer sees the building live: each zone with a map (the first 20 by id).
        let maps = snapshot.unordered(.zone).filter { $0.string("map_id") != nil }.sorted { $0.id < $1.id }.prefix(20)
        return [
            "maps": .list(maps.map { zone in
                ["text": .string(ObjectLabels.name(zone, in: snapshot)), "href": .string(SiteURL.map(zone: zone.id))]
            }),
            "counts": .list(counts),
            "stoppedCount": .int(stopped.count),
            "stopped": .list(stopped.sorted { $0.id < $1.id }.prefix(20).map { ObjectLabels.link($0.ref, in: snapshot) }),
            "roots": .list(roots.map { ObjectLabels.link($0.ref, in: snapshot) }),
            "commit": .optional(snapshot.commit?.short),
            "deploymentTitle": .string(snapshot.deployment?.title ?? DeploymentFile().title),
            "deploymentURL": .string(SiteURL.deployment),
        ]
    }
}
