/// Works out the least the runtime must do to go from one configuration to the next
/// (DESIGN §5 hot apply). Pure: specs and directories in, actions out, sorted for stable logs.
public enum ApplyPlanner {
    public static func plan(old: [String: ModuleSpec], new: [String: ModuleSpec],
                            oldDirectory: SystemDirectory, newDirectory: SystemDirectory) -> [ApplyAction] {
        var actions: [ApplyAction] = []
        for id in Set(old.keys).union(new.keys).sorted() {
            let before = old[id].flatMap { $0.running ? $0 : nil }
            let after = new[id].flatMap { $0.running ? $0 : nil }
            switch (before, after) {
            case (nil, nil): continue
            case (nil, .some): actions.append(.start(id))
            case (.some, nil): actions.append(.stop(id))
            case let (.some(before), .some(after)):
                if before == after { continue }
                if before.executable != after.executable || before.driverID != after.driverID
                    || before.settingsProblem != after.settingsProblem {
                    actions.append(.restart(id))
                } else if before.connection != after.connection {
                    actions.append(.reconnect(id))
                } else {
                    actions.append(.update(id))
                }
            }
        }
        for system in newDirectory.changedSystems(comparedTo: oldDirectory).sorted() {
            actions.append(.remap(system: system))
        }
        return actions
    }
}
