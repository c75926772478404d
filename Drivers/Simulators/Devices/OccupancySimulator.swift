import DriverKit
import Foundation
import Synchronization

/// An occupancy service over HTTP. `GET /rooms/<id>` → `{"presence": bool, "people_count": n}`.
///
/// Without an override each room follows a deterministic schedule: a cycle of `cycle` seconds
/// (60 in demo mode), occupied for the first half and empty for the second, shifted per room
/// by a hash of its id, so rooms change at different times. `PUT`/`POST /rooms/<id>` with
/// `{"presence": bool, "people_count": n}` (either field) pins a room; `DELETE` returns it to
/// the schedule. The `error` fault answers 500, `silent` never answers.
public final class OccupancySimulator: DeviceSimulator {
    public struct Reading: Sendable, Equatable {
        public var presence: Bool
        public var peopleCount: Int
        var json: String { "{\"people_count\":\(peopleCount),\"presence\":\(presence)}" }
    }

    public let kind = SimulatorKind.occupancy
    public let stats = SimulatorStats()
    public let faults = Faults()
    public let cycle: Int
    private let listener: TCPListener
    private let overrides = Mutex<[String: Reading]>([:])
    public var port: Int { listener.port }

    public init(host: String = "127.0.0.1", port: Int, cycle: Int = 60) throws {
        precondition(cycle >= 2, "the occupancy cycle is at least 2 seconds")
        self.cycle = cycle
        listener = try TCPListener(host: host, port: port, stats: stats)
        listener.start(faults: faults) { [weak self] connection in
            guard let self else { return }
            SimpleHTTP.serve(connection, stats: stats, delayed: true) { self.handle($0) }
        }
    }

    public func dropConnections() { listener.dropConnections() }
    public func stop() { listener.stop() }

    /// Pins a room's reading (as `PUT /rooms/<id>` does).
    public func set(room: String, presence: Bool, peopleCount: Int) {
        overrides.withLock { $0[room] = Reading(presence: presence, peopleCount: peopleCount) }
    }

    /// Returns a room to the schedule (as `DELETE /rooms/<id>` does).
    public func clear(room: String) {
        overrides.withLock { _ = $0.removeValue(forKey: room) }
    }

    /// A room's reading at `time` (seconds since 1970).
    public func reading(room: String, at time: Int = Int(Date().timeIntervalSince1970)) -> Reading {
        if let pinned = overrides.withLock({ $0[room] }) { return pinned }
        var hash: UInt32 = 2166136261
        for byte in room.utf8 { hash = (hash ^ UInt32(byte)) &* 16777619 }
        let shifted = time + Int(hash % UInt32(cycle))
        let slot = shifted / cycle
        guard shifted % cycle < cycle / 2 else { return Reading(presence: false, peopleCount: 0) }
        return Reading(presence: true, peopleCount: 1 + Int((hash >> 8) &+ UInt32(slot & 0xFFFF)) % 6)
    }

    func handle(_ request: SimpleHTTPRequest) -> SimpleHTTPResponse? {
        let faults = self.faults.current
        if faults.silent { return nil }
        if faults.error { return .error(500, "sensor gateway failure") }
        let path = request.path.split(separator: "?").first.map(String.init) ?? request.path
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == 2, parts[0] == "rooms", !parts[1].isEmpty else {
            return .error(404, "no such resource: \(path) (try /rooms/<system-id>)")
        }
        let room = parts[1]
        switch request.method {
        case "GET":
            return .json(reading(room: room).json)
        case "PUT", "POST":
            let body: JSON
            do { body = try JSONParser.parse(request.body) } catch { return .error(400, "body is not JSON: \(error)") }
            var reading = reading(room: room)
            if let presence = body["presence"] {
                guard let flag = presence.boolValue else { return .error(400, "presence must be a boolean") }
                reading.presence = flag
                if !flag { reading.peopleCount = 0 } else if reading.peopleCount == 0 { reading.peopleCount = 1 }
            }
            if let count = body["people_count"] {
                guard let n = count.intValue, n >= 0 else { return .error(400, "people_count must be a non-negative integer") }
                reading.peopleCount = n
                if body["presence"] == nil { reading.presence = n > 0 }
            }
            overrides.withLock { $0[room] = reading }
            return .json(reading.json)
        case "DELETE":
            overrides.withLock { _ = $0.removeValue(forKey: room) }
            return .json(reading(room: room).json)
        default:
            return .error(405, "\(request.method) is not supported")
        }
    }
}
