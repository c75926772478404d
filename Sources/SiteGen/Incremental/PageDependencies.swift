import ConfigRepo

/// Which pages show which objects, so a commit re-renders only what it changed.
///
/// A page depends on an object when it shows some of the object's data:
/// - its own detail page shows all of it;
/// - the list page at its position shows its row; creating or deleting shifts the rows after
///   it, so every list page from its position on;
/// - pages of objects it refers to, and of objects referring to it, show its *name* (and the
///   link): they change only when the name changes, it appears or disappears, or the reference
///   itself is added or removed;
/// - a system's page shows its modules' driver, address and state: any module change;
/// - a level map shows the names and `map_id`s of the systems in its zone, and the SVG file;
/// - the zones list (page 1) shows the zone tree: zone names, tags, parents and system counts;
/// - the home page shows counts, stopped modules, the root zones and the title from
///   `backoffice.json` (global settings are shown per request, on no pre-rendered page).
public enum PageDependencies {
    public static func affectedPages(changedPaths: [String], old: Snapshot?, new: Snapshot,
                                     oldIndex: SiteIndex?, newIndex: SiteIndex) -> Set<PageKey> {
        var pages = Set<PageKey>()
        var refs = Set<ObjectRef>()
        for path in changedPaths {
            switch RepoPath(path) {
            case .object(let ref): refs.insert(ref)
            case .deployment:
                pages.insert(.home)  // the home page shows the deployment's title
            case .map(let name):
                for zone in new.unordered(.zone) + (old?.unordered(.zone) ?? []) where zone.string("map_id") == name {
                    pages.insert(.map(zoneID: zone.id))
                }
            default: break
            }
        }
        // A driver's module name is the name of its modules without a custom name.
        for ref in refs where ref.kind == .driver {
            let before = old?.document(ref).map { DriverView($0).moduleName }
            let after = new.document(ref).map { DriverView($0).moduleName }
            if before != after {
                for id in Set(new.modules(ofDriver: ref.id) + (old?.modules(ofDriver: ref.id) ?? [])) { refs.insert(ObjectRef(.module, id)) }
            }
        }
        for ref in refs {
            pages.formUnion(affected(by: ref, old: old, new: new, oldIndex: oldIndex, newIndex: newIndex))
        }
        return pages
    }

    static func affected(by ref: ObjectRef, old: Snapshot?, new: Snapshot, oldIndex: SiteIndex?, newIndex: SiteIndex) -> Set<PageKey> {
        var pages = Set<PageKey>()
        let before = old?.document(ref)
        let after = new.document(ref)
        if ref.kind == .metadata {
            if let parent = (after ?? before)?.metadataParent, SiteKinds.all.contains(parent.kind) { pages.insert(.detail(parent)) }
            return pages
        }
        guard SiteKinds.all.contains(ref.kind) else { return pages }
        let appeared = (before == nil) != (after == nil)
        let nameBefore = before.map { ObjectLabels.name($0, in: old!) }
        let nameAfter = after.map { ObjectLabels.name($0, in: new) }
        let renamed = appeared || nameBefore != nameAfter

        pages.insert(.detail(ref))
        // List rows.
        if appeared {
            let start = min(oldIndex?.position(of: ref.id, in: ref.kind) ?? 0, newIndex.position(of: ref.id, in: ref.kind))
            let last = max(oldIndex?.pageCount(ref.kind) ?? 1, newIndex.pageCount(ref.kind))
            for page in (start / PageRenderer.pageSize + 1)...max(last, start / PageRenderer.pageSize + 1) {
                pages.insert(.list(ref.kind, page: page))
            }
            pages.insert(.home)
        } else {
            pages.insert(.list(ref.kind, page: newIndex.position(of: ref.id, in: ref.kind) / PageRenderer.pageSize + 1))
        }
        // Names shown elsewhere, and references added or removed.
        let targetsBefore = Set(before?.outgoingReferences.map(\.target) ?? [])
        let targetsAfter = Set(after?.outgoingReferences.map(\.target) ?? [])
        let referrers = new.references.referrers(of: ref).union(old?.references.referrers(of: ref) ?? [])
        if renamed {
            for other in targetsBefore.union(targetsAfter).union(referrers) where SiteKinds.all.contains(other.kind) {
                pages.insert(.detail(other))
            }
            for other in referrers where SiteKinds.all.contains(other.kind) {
                pages.insert(.list(other.kind, page: newIndex.position(of: other.id, in: other.kind) / PageRenderer.pageSize + 1))
            }
        } else {
            for other in targetsBefore.symmetricDifference(targetsAfter) where SiteKinds.all.contains(other.kind) {
                pages.insert(.detail(other))
            }
        }
        switch ref.kind {
        case .module:
            // System pages show each module's driver, address and state.
            for id in Set(new.systems(usingModule: ref.id) + (old?.systems(usingModule: ref.id) ?? [])) {
                pages.insert(.detail(ObjectRef(.system, id)))
            }
            if ModuleView(before ?? after!).running != ModuleView(after ?? before!).running { pages.insert(.home) }
        case .system:
            let placementChanged = renamed || before?.string("map_id") != after?.string("map_id")
                || before.map { SystemView($0).zoneIDs } != after.map { SystemView($0).zoneIDs }
            if appeared || before.map({ SystemView($0).zoneIDs }) != after.map({ SystemView($0).zoneIDs }) {
                pages.insert(.list(.zone, page: 1))  // the zone tree counts systems per zone
            }
            if placementChanged {
                let zones = Set((before.map { SystemView($0).zoneIDs } ?? []) + (after.map { SystemView($0).zoneIDs } ?? []))
                for zoneID in zones where new.document(.zone, zoneID)?.string("map_id") != nil
                    || old?.document(.zone, zoneID)?.string("map_id") != nil {
                    pages.insert(.map(zoneID: zoneID))
                }
            }
        case .zone:
            if before?.string("map_id") != nil || after?.string("map_id") != nil { pages.insert(.map(zoneID: ref.id)) }
            let treeChanged = renamed || before.map { ZoneView($0).parentID } != after.map { ZoneView($0).parentID }
                || before.map { ZoneView($0).tags } != after.map { ZoneView($0).tags }
            if before?.string("map_id") != after?.string("map_id") { pages.insert(.home) }  // the home page lists level maps
            if treeChanged {
                pages.insert(.list(.zone, page: 1))
                pages.insert(.home)
            }
        default:
            break
        }
        return pages
    }
}
