import DriverKit
import Foundation

/// A room's brain. Watches `Occupancy_1` (presence, people count) and the room's displays
/// (`Projector_1`, `Projector_2`, `Display_1` power) and publishes `state`:
/// `in_use` (people present and a display on), `occupied` (people present, or a booking
/// checked in to), `free` otherwise. When the room has been empty for `vacancy_timeout_minutes`
/// (inherited from zone/system settings; fractions allowed) it turns the displays off,
/// recalls the lighting's `off` scene and puts the HVAC in standby.
final class RoomLogic: DriverModule {
    static let info = DriverInfo(
        name: "Room Logic",
        description: "Combines occupancy, bookings and the room's devices into a room state (free / occupied / in use) and shuts devices down when the room has been empty long enough.",
        moduleName: "RoomLogic",
        role: .logic,
        defaultSettings: ["vacancy_timeout_minutes": 30, "check_in_minutes": 10],
        settingsSchema: ["type": "object", "properties": [
            "vacancy_timeout_minutes": ["type": "number", "minimum": 0],
            "check_in_minutes": ["type": "number", "minimum": 0],
        ]]
    )

    static let functions: [Function<RoomLogic>] = [
        Function("start_booking", description: "A booking started (from the calendar).") { r, _ in r.setBooking(true) },
        Function("check_in", description: "Someone checked in to the current booking.") { r, _ in
            r.context.set("checked_in", true)
            r.evaluate()
        },
        Function("release_booking", description: "End the current booking so the room shows as free.") { r, _ in r.setBooking(false) },
        Function("shutdown", description: "Turn the room's devices off now.") { r, _ in await r.shutdown(reason: "requested") },
        Function("state", description: "The room state now.") { r, _ in r.context[status: "state"] ?? "free" },
    ]

    /// Modules whose `power` counts as "a display is on" and which the shutdown turns off.
    static let displays = ["Projector_1", "Projector_2", "Display_1"]

    let context: ModuleContext
    private var presence = false
    private var peopleCount = 0
    private var displaysOn: [String: Bool] = [:]
    private var vacancyTimer: Scheduler.Handle?

    init(context: ModuleContext) { self.context = context }

    func start() async throws {
        context.set("booking_active", false)
        context.set("checked_in", false)
        evaluate()
        // Subscriptions are made in the background: start must not wait on the core.
        Task { await self.subscribeAll() }
    }

    func update() async throws {
        // A new timeout applies from now if the room is empty.
        if !presence { armVacancyTimer() }
    }

    private func subscribeAll() async {
        let occupancy = context.system["Occupancy_1"]
        do {
            try await occupancy.subscribe("presence") { [weak self] value in
                guard let self else { return }
                self.presence = value.boolValue ?? false
                self.presenceChanged()
            }
            try await occupancy.subscribe("people_count") { [weak self] value in
                guard let self else { return }
                self.peopleCount = value.intValue ?? 0
                self.context.set("people_count", self.peopleCount)
                if self.peopleCount > 0, !self.presence {
                    self.presence = true
                    self.presenceChanged()
                }
            }
        } catch {
            context.logger.warning("cannot watch Occupancy_1: \(error)")
        }
        for display in Self.displays {
            do {
                try await context.system[display].subscribe("power") { [weak self] value in
                    guard let self else { return }
                    self.displaysOn[display] = value.boolValue ?? false
                    self.evaluate()
                }
            } catch {
                context.logger.debug("no \(display) to watch: \(error)")
            }
        }
    }

    private func presenceChanged() {
        context.set("presence", presence)
        if presence {
            if let vacancyTimer { context.schedule.cancel(vacancyTimer) }
            vacancyTimer = nil
            context.set("vacant_since", JSON.null)
        } else {
            context.set("vacant_since", ISO8601DateFormatter().string(from: Date()))
            armVacancyTimer()
        }
        evaluate()
    }

    private func armVacancyTimer() {
        if let vacancyTimer { context.schedule.cancel(vacancyTimer) }
        let minutes = context.settings.get("vacancy_timeout_minutes", default: 30.0)
        vacancyTimer = context.schedule.after(.milliseconds(Int(minutes * 60_000))) { [weak self] in
            guard let self, !self.presence else { return }
            self.vacancyTimer = nil
            await self.shutdown(reason: "empty for \(minutes) minutes")
        }
    }

    private func setBooking(_ active: Bool) {
        context.set("booking_active", active)
        if !active { context.set("checked_in", false) }
        evaluate()
    }

    /// Recomputes `state` from what is known.
    func evaluate() {
        let displayOn = displaysOn.values.contains(true)
        let checkedIn = context[status: "checked_in"] == true && context[status: "booking_active"] == true
        let state = presence && displayOn ? "in_use" : (presence || checkedIn ? "occupied" : "free")
        context.set("state", state)
    }

    func shutdown(reason: String) async {
        context.logger.info("shutting the room down: \(reason)")
        for display in Self.displays where displaysOn[display] != nil {
            await attempt { try await self.context.system[display].call("power", false) }
        }
        await attempt { try await self.context.system["Lighting_1"].call("scene", "off") }
        await attempt { try await self.context.system["HVAC_1"].call("standby") }
        context.set("last_shutdown", ISO8601DateFormatter().string(from: Date()))
    }

    private func attempt(_ call: @escaping @DriverActor () async throws -> JSON) async {
        do { _ = try await call() } catch { context.logger.warning("shutdown step failed: \(error)") }
    }
}
