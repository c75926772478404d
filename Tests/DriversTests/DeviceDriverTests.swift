import DeviceSimulators
import DriverKit
import Foundation
import Testing

/// Each bundled device driver, as a real process, against its simulator over the real protocol.
@Suite(.serialized) struct DeviceDriverTests {
    func config(_ module: String, port: Int, settings: JSON = [:]) -> JSON {
        ["module": .string(module), "ip": "127.0.0.1", "port": .number(Double(port)), "settings": settings]
    }

    @Test func pjlinkWithPassword() async throws {
        let projector = try PJLinkSimulator(port: 0, password: "harbourpoint", transition: .milliseconds(50))
        defer { projector.stop() }
        let driver = try DriverUnderTest("pjlink")
        #expect(await driver.next()?["type"] == "ready")
        #expect(await driver.start("p1", config("p1", port: projector.port, settings: ["password": "harbourpoint", "poll_every_seconds": 60]))?["ok"] == true)
        #expect(await driver.status("p1", "connected", becomes: true))
        #expect(await driver.exec("p1", "power", [true])?["ok"] == true)
        #expect(await driver.status("p1", "power", becomes: true))
        while projector.current.power != 1 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(await driver.exec("p1", "switch_to", ["HDMI2"])?["ok"] == true)
        #expect(projector.current.input == "32")
        #expect(await driver.exec("p1", "mute")?["ok"] == true)
        #expect(projector.current.mute == "31")
        #expect(await driver.exec("p1", "lamp_hours")?["value"] == 1234)
        #expect(await driver.exec("p1", "name")?["value"] == "Harbour Point Projector")
        #expect(await driver.exec("p1", "error_status")?["value"]?["lamp"] == "ok")
        #expect(await driver.exec("p1", "power", [false])?["ok"] == true)
        // Device errors come back as `failed` with PJLink's meaning.
        let warmingInput = await driver.exec("p1", "switch_to", ["HDMI1"])
        #expect(warmingInput?["error"] == ["code": "failed", "message": "INPT: unavailable now (the projector is off, warming up or cooling down)"])
        projector.faults.set({ var f = Faults.Settings(); f.error = true; return f }())
        let failure = await driver.exec("p1", "lamp_hours")
        #expect(failure?["error"] == ["code": "failed", "message": "LAMP: projector failure"])
        #expect(await driver.terminate() == 0)
    }

    @Test func pjlinkWrongPasswordIsReportedAndNeverConnects() async throws {
        let projector = try PJLinkSimulator(port: 0, password: "secret")
        defer { projector.stop() }
        let driver = try DriverUnderTest("pjlink")
        _ = await driver.next()
        _ = await driver.start("p1", config("p1", port: projector.port, settings: ["password": "wrong"]))
        #expect(await driver.status("p1", "authentication_failed", becomes: true))
        #expect(driver.lastStatus("p1", "connected") == false)
        // It keeps trying (with back-off) and stays disconnected.
        for _ in 0..<300 where projector.stats.connectionsAccepted < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(projector.stats.connectionsAccepted >= 2)
        #expect(driver.lastStatus("p1", "connected") == false)
    }

    @Test func droppedConnectionsAreNoticedAndReconnected() async throws {
        let projector = try PJLinkSimulator(port: 0, password: nil)
        defer { projector.stop() }
        let driver = try DriverUnderTest("pjlink")
        _ = await driver.next()
        _ = await driver.start("p1", config("p1", port: projector.port))
        #expect(await driver.status("p1", "connected", becomes: true))
        projector.dropConnections()
        #expect(await driver.status("p1", "connected", becomes: false))
        #expect(await driver.status("p1", "connected", becomes: true))
        #expect(projector.stats.connectionsAccepted == 2)
        #expect(await driver.exec("p1", "name")?["ok"] == true)
    }

    @Test func slowRepliesStillAnswer() async throws {
        let projector = try PJLinkSimulator(port: 0, password: nil)
        defer { projector.stop() }
        let driver = try DriverUnderTest("pjlink")
        _ = await driver.next()
        _ = await driver.start("p1", config("p1", port: projector.port))
        #expect(await driver.status("p1", "connected", becomes: true))
        projector.faults.set({ var f = Faults.Settings(); f.delayMilliseconds = 300; return f }())
        #expect(await driver.exec("p1", "name")?["value"] == "Harbour Point Projector")
    }

    @Test func oneProcessHostsManyModules() async throws {
        let projectors = try (0..<3).map { _ in try PJLinkSimulator(port: 0, password: nil) }
        defer { projectors.forEach { $0.stop() } }
        let driver = try DriverUnderTest("pjlink")
        _ = await driver.next()
        for (i, projector) in projectors.enumerated() { _ = await driver.start("p\(i)", config("p\(i)", port: projector.port)) }
        for i in 0..<3 { #expect(await driver.status("p\(i)", "connected", becomes: true)) }
        #expect(await driver.request(["type": "info"])?["value"] == ["modules": ["p0", "p1", "p2"]])
        // A connection change restarts only that module.
        let moved = try PJLinkSimulator(port: 0, password: nil)
        defer { moved.stop() }
        #expect(await driver.request(["type": "update", "module": "p1", "config": config("p1", port: moved.port)])?["ok"] == true)
        for _ in 0..<200 where moved.stats.connectionsAccepted == 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(moved.stats.connectionsAccepted == 1)
        #expect(projectors[0].stats.connectionsAccepted == 1 && projectors[2].stats.connectionsAccepted == 1)
        #expect(await driver.request(["type": "stop", "module": "p0"])?["ok"] == true)
        for _ in 0..<200 where projectors[0].stats.connectionsOpen > 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(projectors[0].stats.connectionsOpen == 0)
    }

    @Test func modbusHVAC() async throws {
        let hvac = try ModbusHVACSimulator(port: 0)
        defer { hvac.stop() }
        let driver = try DriverUnderTest("modbus-hvac")
        _ = await driver.next()
        _ = await driver.start("h1", config("h1", port: hvac.port, settings: ["unit_id": 1, "standby_setpoint": 26, "poll_every_seconds": 60]))
        #expect(await driver.status("h1", "connected", becomes: true))
        #expect(await driver.status("h1", "mode", becomes: "auto"))
        #expect(await driver.exec("h1", "set_setpoint", [21])?["ok"] == true)
        #expect(hvac.current.setpoint == 210)
        #expect(await driver.exec("h1", "set_mode", ["cool"])?["ok"] == true)
        #expect(hvac.current.mode == 3)
        #expect(await driver.exec("h1", "set_fan_speed", ["high"])?["ok"] == true)
        #expect(hvac.current.fanSpeed == 3)
        #expect(await driver.exec("h1", "standby")?["ok"] == true)
        #expect(hvac.current.mode == 5 && hvac.current.setpoint == 260)
        let reading = await driver.exec("h1", "refresh")?["value"]
        #expect(reading?["mode"] == "standby" && reading?["setpoint"] == 26)
        #expect(reading?["temperature"]?.doubleValue != nil)
        hvac.faults.set({ var f = Faults.Settings(); f.error = true; return f }())
        #expect(await driver.exec("h1", "comfort")?["error"]?["message"] == "Modbus exception 4 (server device failure) for function 6")
    }

    @Test func modbusWrongUnitIsAnException() async throws {
        let hvac = try ModbusHVACSimulator(port: 0, unitID: 7)
        defer { hvac.stop() }
        let driver = try DriverUnderTest("modbus-hvac")
        _ = await driver.next()
        _ = await driver.start("h1", config("h1", port: hvac.port, settings: ["unit_id": 1, "poll_every_seconds": 60]))
        #expect(await driver.status("h1", "connected", becomes: true))
        let reply = await driver.exec("h1", "set_mode", ["heat"])
        #expect(reply?["error"]?["message"] == "Modbus exception 11 (gateway target device failed to respond) for function 6")
    }

    @Test func lutronLevelsScenesAndChangesMadeElsewhere() async throws {
        let lighting = try LutronSimulator(port: 0)
        defer { lighting.stop() }
        let driver = try DriverUnderTest("lutron")
        _ = await driver.next()
        _ = await driver.start("l1", config("l1", port: lighting.port, settings: ["login": "lutron", "password": "integration"]))
        #expect(await driver.status("l1", "connected", becomes: true))
        #expect(await driver.exec("l1", "level", [2, 55])?["ok"] == true)
        #expect(lighting.levels[1] == 55)
        #expect(await driver.status("l1", "level_2", becomes: 55))
        #expect(await driver.exec("l1", "scene", ["presentation"])?["ok"] == true)
        #expect(lighting.levels == [30, 30, 70, 0])
        #expect(await driver.status("l1", "scene", becomes: "presentation"))
        #expect(await driver.exec("l1", "query", [3])?["value"] == 70)
        #expect(await driver.exec("l1", "level", [9, 10])?["error"]?["message"] == "Lutron error 2: object does not exist")
        #expect(await driver.exec("l1", "scene", ["disco"])?["error"]?["code"] == "bad_arguments")
        // A keypad (another integration client) changes zone 1: the driver hears the ~OUTPUT.
        let keypad = try RawClient(port: lighting.port)
        keypad.send("lutron\r\n"); keypad.send("integration\r\n")
        keypad.send("#OUTPUT,1,1,42\r\n")
        #expect(await driver.status("l1", "level_1", becomes: 42))
        #expect(await driver.exec("l1", "off")?["ok"] == true)
        #expect(lighting.levels == [0, 0, 0, 0])
    }

    @Test func lutronBadLoginNeverBecomesConnected() async throws {
        let lighting = try LutronSimulator(port: 0)
        defer { lighting.stop() }
        let driver = try DriverUnderTest("lutron")
        _ = await driver.next()
        _ = await driver.start("l1", config("l1", port: lighting.port, settings: ["password": "nope"]))
        _ = await driver.next { $0["type"] == "log" && $0["message"]?.stringValue?.contains("login refused") == true }
        #expect(driver.lastStatus("l1", "connected") == false)
    }

    @Test func occupancyPollsTheService() async throws {
        let sensor = try OccupancySimulator(port: 0, cycle: 3600)
        defer { sensor.stop() }
        let driver = try DriverUnderTest("occupancy")
        _ = await driver.next()
        let uri = "http://127.0.0.1:\(sensor.port)/rooms/sys-test"
        sensor.set(room: "sys-test", presence: true, peopleCount: 3)
        _ = await driver.start("o1", ["module": "o1", "uri": .string(uri), "settings": ["poll_every_seconds": 0.1]])
        #expect(await driver.status("o1", "connected", becomes: true))
        #expect(await driver.status("o1", "people_count", becomes: 3))
        #expect(driver.lastStatus("o1", "presence") == true)
        sensor.set(room: "sys-test", presence: false, peopleCount: 0)
        #expect(await driver.status("o1", "presence", becomes: false))
        #expect(await driver.status("o1", "people_count", becomes: 0))
        sensor.faults.set({ var f = Faults.Settings(); f.error = true; return f }())
        #expect(await driver.status("o1", "connected", becomes: false))
        #expect(await driver.exec("o1", "refresh")?["error"]?["message"]?.stringValue?.contains("HTTP 500") == true)
    }
}
