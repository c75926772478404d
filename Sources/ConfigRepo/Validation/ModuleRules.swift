/// PlaceOS's module rules, by the role of the module's driver.
struct ModuleRules {
    let snapshot: Snapshot

    func check(_ document: ConfigDocument, into report: inout ProblemReport) {
        let module = ModuleView(document)
        guard let driver = snapshot.driver(ofModule: document), let role = driver.role else { return }
        if role.connectsByAddress {
            if (module.ip ?? "").isEmpty {
                report.add("ip", "is required for a module of a \(role.name) driver")
            }
            if module.port == nil, driver.defaultPort == nil, document["port"] == nil {
                report.add("port", "is required: the driver \"\(driver.name)\" has no default_port")
            }
            if module.udp, module.tls {
                report.add("tls", "cannot be true together with udp")
            }
        }
        if role.connectsByURI, (module.uri ?? "").isEmpty, (driver.defaultURI ?? "").isEmpty {
            report.add("uri", "is required: the driver \"\(driver.name)\" has no default_uri")
        }
        let listedBy = snapshot.systems(usingModule: document.id)
        if role == .logic {
            guard let systemID = module.controlSystemID else {
                return report.add("control_system_id", "is required for a logic module (driver \"\(driver.name)\")")
            }
            guard snapshot.document(.system, systemID) != nil else { return }
            if !listedBy.contains(systemID) {
                report.add("control_system_id", "the logic module must be listed in the modules of system \"\(systemID)\"")
            }
            let others = listedBy.filter { $0 != systemID }
            if !others.isEmpty {
                report.add("", "a logic module belongs to exactly one system, but \(others.map { "\"\($0)\"" }.joined(separator: ", ")) also list it")
            }
        } else if module.controlSystemID != nil {
            report.add("control_system_id", "only logic modules belong to a system this way; driver \"\(driver.name)\" is \(role.name)")
        }
    }
}
