import DeviceSimulators
import DriverKit
import Foundation
import Testing

/// Refused credentials back off in DriverKit, for every driver (issue 11, item 13): a wrong
/// Lutron password made the driver log in about 2,400 times a second. Each refusal now waits
/// longer before the next attempt (1 s, 2 s, 4 s … up to 5 minutes), and the module says why it
/// is offline (`connected: false`, `offline_reason`).
@Suite(.serialized) struct AuthenticationBackoffTests {
    func config(_ module: String, port: Int, settings: JSON = [:]) -> JSON {
        ["module": .string(module), "ip": "127.0.0.1", "port": .number(Double(port)), "settings": settings]
    }

    /// The `offline_reason` values the driver reports, until `count` of them mention a retry.
    /// Starts from those already read: the first refusal can arrive before the start's result,
    /// and waiting for that result passes over it.
    private func refusals(_ driver: DriverUnderTest, module: String, count: Int) async -> [String] {
        let isRefusal: (JSON) -> Bool = { $0["type"] == "status" && $0["module"]?.stringValue == module
            && $0["key"] == "offline_reason" && ($0["value"]?.stringValue?.contains("retrying in") ?? false) }
        var reasons = driver.seen.withLock { $0.filter(isRefusal) }.map { $0["value"]?.stringValue ?? "" }
        while reasons.count < count {
            guard let message = await driver.next(where: isRefusal) else { break }
            reasons.append(message["value"]?.stringValue ?? "")
        }
        return reasons
    }

    @Test func aWrongLutronPasswordBacksOffAndSaysWhy() async throws {
        let lighting = try LutronSimulator(port: 0)
        defer { lighting.stop() }
        let driver = try DriverUnderTest("lutron")
        _ = await driver.next()
        _ = await driver.start("l1", config("l1", port: lighting.port, settings: ["password": "nope"]))
        let reasons = await refusals(driver, module: "l1", count: 3)
        #expect(reasons.count == 3)
        #expect(reasons.first?.contains("login refused") == true)
        #expect(reasons.map { $0.components(separatedBy: "retrying in ").last ?? "" } == ["1 s)", "2 s)", "4 s)"])
        // Three refusals, three logins (one more may be on its way): not thousands.
        #expect(lighting.loginAttempts <= 4, "\(lighting.loginAttempts) logins")
        #expect(driver.lastStatus("l1", "connected") == false)
    }

    @Test func aWrongPJLinkPasswordBacksOffToo() async throws {
        let projector = try PJLinkSimulator(port: 0, password: "secret")
        defer { projector.stop() }
        let driver = try DriverUnderTest("pjlink")
        _ = await driver.next()
        _ = await driver.start("p1", config("p1", port: projector.port, settings: ["password": "wrong"]))
        let reasons = await refusals(driver, module: "p1", count: 2)
        #expect(reasons.map { $0.components(separatedBy: "retrying in ").last ?? "" } == ["1 s)", "2 s)"])
        #expect(projector.stats.connectionsAccepted <= 3)
    }

    @Test func theRightPasswordClearsTheReason() async throws {
        let lighting = try LutronSimulator(port: 0)
        defer { lighting.stop() }
        let driver = try DriverUnderTest("lutron")
        _ = await driver.next()
        _ = await driver.start("l1", config("l1", port: lighting.port, settings: ["password": "integration"]))
        #expect(await driver.status("l1", "connected", becomes: true))
        #expect(driver.lastStatus("l1", "offline_reason") == nil || driver.lastStatus("l1", "offline_reason") == .null)
    }
}
