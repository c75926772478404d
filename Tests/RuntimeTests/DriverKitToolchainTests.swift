import Foundation
import Testing
@testable import Runtime

/// Drivers from git are built against DriverKit's sources by the server itself, so the modules it
/// compiles must be exactly DriverKit's own dependencies in the package, in an order where each
/// comes after what it imports. A module added to DriverKit's dependencies and not here breaks
/// every Swift driver build at run time, not at `swift build`.
@Suite struct DriverKitToolchainTests {
    /// `name → dependencies` of each `.target(name:dependencies:)` in Package.swift.
    static func packageTargets() throws -> [String: [String]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let target = try Regex(#"\.target\(name: "([A-Za-z0-9]+)"(?:, dependencies: \[([^\]]*)\])?"#)
        var targets: [String: [String]] = [:]
        for match in manifest.matches(of: target) {
            let name = String(match.output[1].substring ?? "")
            let list = match.output[2].substring.map(String.init) ?? ""
            targets[name] = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                .filter { !$0.isEmpty }
        }
        return targets
    }

    @Test func theModulesBuiltForDriversAreDriverKitsSwiftDependencies() throws {
        let targets = try Self.packageTargets()
        var closure: Set<String> = []
        var pending = ["DriverKit"]
        while let name = pending.popLast() {
            guard closure.insert(name).inserted else { continue }
            pending += targets[name] ?? []
        }
        // C shims and system libraries are named `C` + a capital (`CCrypto`, `COpenSSL`).
        func isC(_ name: String) -> Bool { name.count > 1 && name.hasPrefix("C") && name.dropFirst().first!.isUppercase }
        #expect(Set(DriverKitToolchain.swiftModules) == closure.filter { !isC($0) })
        #expect(closure.filter(isC).isSuperset(of: DriverKitToolchain.cModules))
        for (index, module) in DriverKitToolchain.swiftModules.enumerated() {
            let before = Set(DriverKitToolchain.swiftModules.prefix(index))
            for dependency in targets[module] ?? [] where !DriverKitToolchain.cModules.contains(dependency) {
                #expect(before.contains(dependency), "\(module) imports \(dependency), which is built after it")
            }
        }
    }
}
