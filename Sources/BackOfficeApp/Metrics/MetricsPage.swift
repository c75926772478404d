import ConfigRepo
import Runtime
import SiteGen

/// What the Metrics page shows (`metrics.html`), from the running configuration and the runtime:
/// modules offline by building and level, driver processes with their restarts, touch panels
/// connected per system against `installed_ui_devices` (a warning where fewer are connected),
/// and the charts of `MetricsHistory`.
struct MetricsPage {
    let snapshot: Snapshot
    let engine: RuntimeEngine
    /// Touch panels connected per system (`TouchPanels.connected()`).
    let panels: [String: Int]
    let history: [MetricsHistory.Sample]

    /// Offline modules listed by name under their level, at most this many per row.
    static let modulesPerRow = 8

    func values() -> [String: TemplateValue] {
        let health = engine.moduleHealth()
        var values: [String: TemplateValue] = [
            "online": .string(String(health.count { $0.health == .online })),
            "offline": .string(String(health.count { $0.health == .offline })),
            "stopped": .string(String(health.count { $0.health == .stopped })),
        ]
        values["levels"] = .list(offlineByLevel(health))
        values["processes"] = .list(engine.processes().map { process in
            ["name": .string(String(process.executable.split(separator: "/").last ?? "")), "pid": .optional(process.pid.map(String.init)),
             "modules": .string(String(process.modules.count)), "restarts": .string(String(process.restarts)),
             "restarted": .bool(process.restarts > 0)]
        })
        let panelRows = touchPanels()
        values["panels"] = .list(panelRows.map { .object($0.values) })
        let short = panelRows.count(where: \.short)
        if short > 0 {
            values["panelWarning"] = .string(short == 1 ? "1 system has fewer touch panels connected than installed."
                                                        : "\(short) systems have fewer touch panels connected than installed.")
        }
        values["onlineChart"] = .html(LineChart(title: "Modules online", unit: "modules",
                                                points: history.map { .init(time: $0.time, value: Double($0.online)) }).svg())
        values["execChart"] = .html(LineChart(title: "Execs per minute", unit: "per minute",
                                              points: history.map { .init(time: $0.time, value: $0.execsPerMinute) }).svg())
        return values
    }

    /// One row per building and level with offline modules: counts and the first few modules.
    private func offlineByLevel(_ health: [ModuleHealthEntry]) -> [TemplateValue] {
        var systemsOfModule: [String: [String]] = [:]
        for system in snapshot.unordered(.system) {
            for module in SystemView(system).moduleIDs { systemsOfModule[module, default: []].append(system.id) }
        }
        struct Row { var offline: [String] = []; var total = 0 }
        var rows: [Place: Row] = [:]
        for entry in health where entry.health != .stopped {
            let place = place(of: systemsOfModule[entry.module]?.first)
            rows[place, default: Row()].total += 1
            if entry.health == .offline { rows[place]!.offline.append(entry.module) }
        }
        return rows.filter { !$0.value.offline.isEmpty }.sorted { $0.key < $1.key }.map { place, row in
            let shown = row.offline.prefix(Self.modulesPerRow).map { id -> TemplateValue in
                let ref = ObjectRef(.module, id)
                let name = snapshot.document(ref).map { ObjectLabels.name($0, in: snapshot) } ?? id
                return ["text": .string(name), "href": .string(SiteURL.detail(ref))]
            }
            return ["building": .string(place.building), "level": .string(place.level), "offline": .string(String(row.offline.count)),
                    "total": .string(String(row.total)), "modules": .list(shown),
                    "more": .optional(row.offline.count > shown.count ? "and \(row.offline.count - shown.count) more" : nil)]
        }
    }

    /// A building and level by zone name; modules in no system or no tagged zone say so.
    private struct Place: Hashable, Comparable {
        var building: String
        var level: String
        static func < (a: Place, b: Place) -> Bool { (a.building, a.level) < (b.building, b.level) }
    }

    private func place(of systemID: String?) -> Place {
        guard let systemID, let system = snapshot.document(.system, systemID) else { return Place(building: "no system", level: "") }
        var building = "no building", level = "no level"
        for zoneID in SystemView(system).zoneIDs {
            guard let zone = snapshot.document(.zone, zoneID) else { continue }
            let tags = ZoneView(zone).tags
            if tags.contains("building") { building = zone.displayName }
            if tags.contains("level") { level = zone.displayName }
        }
        return Place(building: building, level: level)
    }

    /// Systems that expect touch panels (`installed_ui_devices`) or have one connected.
    private func touchPanels() -> [(values: [String: TemplateValue], short: Bool)] {
        snapshot.unordered(.system).compactMap { system -> (String, [String: TemplateValue], Bool)? in
            let expected = system.int("installed_ui_devices") ?? 0
            let connected = panels[system.id] ?? 0
            guard expected > 0 || connected > 0 else { return nil }
            let name = system.displayName
            return (name.lowercased(), ["name": .string(name), "href": .string(SiteURL.detail(system.ref)), "id": .string(system.id),
                                        "expected": .string(String(expected)), "connected": .string(String(connected)),
                                        "short": .bool(connected < expected)], connected < expected)
        }.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
    }
}
