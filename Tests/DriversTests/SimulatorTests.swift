@testable import DeviceSimulators
import DriverKit
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite struct SimulatorTests {
    @Test func lutronLevelsAreWrittenAsPrintfWouldAndBlankFieldsAreTrimmed() throws {
        for level in [0, -0.0, 0.5, 7, 37.25, 99.99, 100, 12.345, 0.125, 1.0 / 3, 66.666] {
            #expect(LutronSimulator.format(level) == String(format: "%.2f", level), "level \(level)")
        }
        let simulator = try LutronSimulator(port: 0)
        defer { simulator.stop() }
        #expect(simulator.answer(to: " #output , 2 ,1, 42.5 ").reply == ["~OUTPUT,2,1,42.50"])
        #expect(simulator.answer(to: "?OUTPUT,2,1").reply == ["~OUTPUT,2,1,42.50"])
        #expect(simulator.answer(to: "?OUTPUT,2,x").reply == ["~ERROR,3"])
    }

    @Test func occupancyScheduleIsDeterministicAndFlipsWithinACycle() throws {
        let sensor = try OccupancySimulator(port: 0, cycle: 60)
        defer { sensor.stop() }
        let readings = (0..<60).map { sensor.reading(room: "sys-l1-huddle", at: 1_800_000_000 + $0) }
        #expect(readings.contains { $0.presence } && readings.contains { !$0.presence })
        #expect(readings.filter(\.presence).count == 30)
        #expect(readings.allSatisfy { $0.presence == ($0.peopleCount > 0) })
        #expect(sensor.reading(room: "sys-l1-huddle", at: 1_800_000_007) == sensor.reading(room: "sys-l1-huddle", at: 1_800_000_007))
        sensor.set(room: "sys-l1-huddle", presence: true, peopleCount: 9)
        #expect(sensor.reading(room: "sys-l1-huddle").peopleCount == 9)
        sensor.clear(room: "sys-l1-huddle")
        #expect(sensor.reading(room: "sys-l1-huddle", at: 1_800_000_007) == readings[7])
    }

    @Test func fleetStartsEveryEntryAndNamesAPortInUse() throws {
        let fleet = try SimulatorFleet([.init(.pjlink, port: 0), .init(.modbusHVAC, port: 0), .init(.lutron, port: 0), .init(.occupancy, port: 0)])
        defer { fleet.stop() }
        #expect(fleet.simulators.map(\.kind) == [.pjlink, .modbusHVAC, .lutron, .occupancy])
        let taken = fleet.simulators[0].port
        #expect(fleet.simulator(port: taken)?.kind == .pjlink)
        #expect {
            _ = try SimulatorFleet([.init(.lutron, port: 0), .init(.pjlink, port: taken)])
        } throws: { error in
            String(describing: error).hasPrefix("pjlink simulator on port \(taken): cannot listen")
        }
    }

    @Test func kindsForTheSampleBuildingDriverFiles() {
        #expect(SimulatorKind(driverFile: "pjlink/PJLinkProjector.swift") == .pjlink)
        #expect(SimulatorKind(driverFile: "modbus-hvac/ModbusHVAC.swift") == .modbusHVAC)
        #expect(SimulatorKind(driverFile: "lutron/LutronLighting.swift") == .lutron)
        #expect(SimulatorKind(driverFile: "occupancy/OccupancySensor.swift") == .occupancy)
        #expect(SimulatorKind(driverFile: "room-logic/RoomLogic.swift") == nil)
    }

    @Test func modbusTemperatureDriftsTowardTheSetpoint() throws {
        let hvac = try ModbusHVACSimulator(port: 0, driftPerSecond: 1000)
        defer { hvac.stop() }
        let start = hvac.current.temperature
        usleep(20_000)
        #expect(hvac.current.temperature == 225 && start != 225)
    }
}

@Suite struct FleetControlTests {
    func get(_ url: String, method: String = "GET", body: String? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    @Test func oneControlPortReachesEverySimulatorOfAFleet() async throws {
        let fleet = try SimulatorFleet([.init(.pjlink, port: 0), .init(.occupancy, port: 0)])
        defer { fleet.stop() }
        let control = try FleetControlServer(port: 0, fleet: fleet)
        defer { control.stop() }
        let base = "http://127.0.0.1:\(control.port)"
        let pjlinkPort = fleet.simulators[0].port
        let (status, list) = try await get("\(base)/simulators")
        #expect(status == 200 && list.contains("\"kind\":\"pjlink\"") && list.contains("\"port\":\(pjlinkPort)"))
        let (_, stats) = try await get("\(base)/simulators/\(pjlinkPort)/stats")
        #expect(stats == #"{"connections_accepted":0,"connections_open":0,"requests":0}"#)
        let (faultStatus, faults) = try await get("\(base)/simulators/\(pjlinkPort)/faults", method: "POST", body: #"{"delay_ms":50}"#)
        #expect(faultStatus == 200 && faults.contains("\"delay_ms\":50"))
        #expect(fleet.simulators[0].faults.current.delayMilliseconds == 50)
        #expect(try await get("\(base)/simulators/1/stats").0 == 404)
    }
}

@Suite struct FleetEntriesTests {
    @Test func entriesForTheSampleBuildingModules() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sample = root.appendingPathComponent("sample-config")
        func object(_ url: URL) throws -> JSON { try JSONParser.parse(Array(try Data(contentsOf: url))) }
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: sample.appendingPathComponent("drivers").path) {
            let driver = try object(sample.appendingPathComponent("drivers/" + name))
            files[String(name.dropLast(5))] = driver["file_name"]?.stringValue
        }
        var modules: [SimulatorFleet.ModuleEndpoint] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: sample.appendingPathComponent("modules").path) {
            let module = try object(sample.appendingPathComponent("modules/" + name))
            modules.append(.init(driverFile: files[module["driver_id"]!.stringValue!]!, ip: module["ip"]?.stringValue,
                                 port: module["port"]?.intValue, uri: module["uri"]?.stringValue))
        }
        let entries = SimulatorFleet.entries(for: modules)
        #expect(entries.filter { $0.kind == .occupancy } == [.init(.occupancy, port: 18080)])
        #expect(entries.filter { $0.kind == .mqttSensor } == [.init(.mqttSensor, port: 18830)])   // the placeholder port
        #expect(entries.filter { $0.kind == .pjlink }.count == modules.filter { $0.driverFile.hasPrefix("pjlink/") }.count)
        #expect(entries.contains(.init(.lutron, port: 12304)) && entries.contains(.init(.modbusHVAC, port: 15024)))
        // The whole sample building's simulators start in one process.
        let fleet = try SimulatorFleet(entries.map { .init($0.kind, port: 0) })
        #expect(fleet.simulators.count == entries.count)
        #expect(entries.count == Set(modules.compactMap { $0.uri.map { $0.hasPrefix("mqtt:") ? 18830 : 18080 } ?? $0.port }).count)
        fleet.stop()
    }
}
