import DriverKit

/// An HTTP occupancy service: polls the module's `uri` for `{"presence": bool, "people_count": n}`
/// every `poll_every_seconds` and publishes `presence`, `people_count` and `connected`.
final class OccupancySensor: DriverModule {
    static let info = DriverInfo(
        name: "Occupancy Sensor",
        description: "HTTP occupancy sensor service: polls a JSON endpoint for presence and people count.",
        moduleName: "Occupancy",
        role: .service,
        defaultURI: "http://127.0.0.1:18080/",
        defaultSettings: ["poll_every_seconds": 5],
        settingsSchema: ["type": "object", "properties": ["poll_every_seconds": ["type": "number", "minimum": 0.05]]],
        implements: ["OccupancySensor"]
    )

    static let functions: [Function<OccupancySensor>] = [
        Function("refresh", description: "Read the sensor now.") { o, _ in try await o.refresh() },
    ]

    let context: ModuleContext

    init(context: ModuleContext) { self.context = context }

    func start() async throws {
        guard context.config.uri != nil else { throw DriverError.failed("the module has no uri to poll") }
        context.set("connected", false)
        schedulePolling()
    }

    func update() async throws {
        context.schedule.cancelAll()
        schedulePolling()
    }

    private func schedulePolling() {
        let seconds = context.settings.get("poll_every_seconds", default: 5.0)
        context.schedule.every(.milliseconds(Int(seconds * 1000)), immediately: true) { [weak self] in
            _ = try? await self?.refresh()
        }
    }

    func refresh() async throws -> JSON {
        do {
            let reading = try await context.http.get().json()
            guard let presence = reading["presence"]?.boolValue, let count = reading["people_count"]?.intValue else {
                throw DriverError.failed("reply lacks presence or people_count: \(reading.serialized)")
            }
            context.set("presence", presence)
            context.set("people_count", count)
            context.set("connected", true)
            return ["presence": .bool(presence), "people_count": .number(Double(count))]
        } catch {
            if context[status: "connected"] != false { context.logger.warning("poll failed: \(error)") }
            context.set("connected", false)
            throw error
        }
    }
}
