import DriverKit
import Foundation
import Testing

/// The room logic driver as a process, with the test playing the core: it answers the
/// module's subscriptions and calls, and pushes status changes.
@Suite(.serialized) struct RoomLogicTests {
    /// Subscriptions the test grants: target.key → (number, initial value). Others are unknown modules.
    static let granted: [String: (Int, JSON)] = [
        "Occupancy_1.presence": (1, true), "Occupancy_1.people_count": (2, 3), "Projector_1.power": (3, false),
    ]

    func startRoom(_ driver: DriverUnderTest, minutes: Double) async throws {
        #expect(await driver.next()?["type"] == "ready")
        driver.send(["type": "start", "seq": 1, "module": "logic", "config": [
            "module": "logic", "control_system_id": "sys-1", "settings": ["vacancy_timeout_minutes": .number(minutes)],
        ]])
        var answered = 0
        while answered < 5 {
            let message = try #require(await driver.next { $0["type"] == "subscribe" })
            let key = "\(message["target"]!.stringValue!).\(message["key"]!.stringValue!)"
            let seq = message["seq"]!
            if let (number, value) = Self.granted[key] {
                driver.send(["type": "result", "seq": seq, "ok": true, "value": ["subscription": .number(Double(number)), "value": value]])
            } else {
                driver.send(["type": "result", "seq": seq, "ok": false, "error": ["code": "unknown_module", "message": .string("no \(key)")]])
            }
            answered += 1
        }
    }

    func push(_ driver: DriverUnderTest, _ subscription: Int, _ value: JSON) {
        driver.send(["type": "status", "subscription": .number(Double(subscription)), "module": "logic", "key": "x", "value": value])
    }

    @Test func stateFollowsOccupancyAndDisplays() async throws {
        let driver = try DriverUnderTest("room-logic")
        try await startRoom(driver, minutes: 30)
        #expect(await driver.status("logic", "state", becomes: "occupied"))
        #expect(driver.lastStatus("logic", "people_count") == 3)
        push(driver, 3, true)
        #expect(await driver.status("logic", "state", becomes: "in_use"))
        push(driver, 1, false)
        push(driver, 2, 0)
        #expect(await driver.status("logic", "state", becomes: "free"))
        #expect(await driver.exec("logic", "start_booking")?["ok"] == true)
        #expect(await driver.exec("logic", "check_in")?["ok"] == true)
        #expect(await driver.status("logic", "state", becomes: "occupied"))
        #expect(driver.lastStatus("logic", "checked_in") == true)
        #expect(await driver.exec("logic", "release_booking")?["ok"] == true)
        #expect(await driver.status("logic", "booking_active", becomes: false))
        #expect(await driver.status("logic", "state", becomes: "free"))
    }

    @Test func emptyRoomIsShutDownAfterTheVacancyTimeout() async throws {
        let driver = try DriverUnderTest("room-logic")
        try await startRoom(driver, minutes: 0.005)  // 0.3 s
        push(driver, 3, true)
        #expect(await driver.status("logic", "state", becomes: "in_use"))
        push(driver, 1, false)
        push(driver, 2, 0)
        var calls: [String] = []
        while calls.count < 3 {
            let exec = try #require(await driver.next { $0["type"] == "exec" })
            calls.append("\(exec["target"]!.stringValue!).\(exec["method"]!.stringValue!)(\(exec["args"]!.serialized))")
            driver.send(["type": "result", "seq": exec["seq"]!, "ok": true, "value": nil])
        }
        #expect(calls == ["Projector_1.power([false])", "Lighting_1.scene([\"off\"])", "HVAC_1.standby([])"])
        #expect(await driver.next { $0["type"] == "status" && $0["key"] == "last_shutdown" } != nil)
    }

    @Test func presenceReturningCancelsTheShutdown() async throws {
        let driver = try DriverUnderTest("room-logic")
        try await startRoom(driver, minutes: 0.01)  // 0.6 s
        push(driver, 1, false)
        #expect(await driver.status("logic", "presence", becomes: false))
        push(driver, 1, true)
        #expect(await driver.status("logic", "presence", becomes: true))
        // Ask for something after the timeout would have fired: no exec came before its result.
        try await Task.sleep(for: .milliseconds(900))
        #expect(await driver.exec("logic", "state")?["value"] == "occupied")
        #expect(driver.seen.withLock { $0.contains { $0["type"] == "exec" } } == false)
    }
}
