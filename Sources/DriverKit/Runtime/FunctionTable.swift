/// A driver type's functions by name, with the module object's type erased: built once per
/// process and shared by all its modules (a table per module cost about 2 KiB each).
@DriverActor
final class FunctionTable {
    typealias Entry = (spec: FunctionSpec, run: @DriverActor (any DriverModule, Arguments) async throws -> JSON)
    let entries: [String: Entry]

    init<D: DriverModule>(_ type: D.Type) {
        var entries: [String: Entry] = [:]
        for function in D.functions {
            let body = function.body
            // Every module of this table is a `D`: the box made it from this same type.
            entries[function.spec.name] = (function.spec, { module, args in try await body(unsafeDowncast(module, to: D.self), args) })
        }
        self.entries = entries
    }
}
