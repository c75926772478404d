import DriverKit

/// A logic driver to start from: it greets by name and counts the greetings in its status.
/// Rename the folder, this file and the type; `main.swift` names the type to run.
final class Greeter: DriverModule {
    static let info = DriverInfo(
        name: "Greeter",
        description: "Says hello. A template: copy the folder to start a Swift driver.",
        moduleName: "Greeter",
        role: .logic,
        defaultSettings: ["greeting": "Hello"],
        settingsSchema: ["type": "object", "properties": ["greeting": ["type": "string"]]]
    )

    static let functions: [Function<Greeter>] = [
        Function("greet", description: "Greet someone.", args: [Argument("name", .string, default: "world")]) { greeter, args in
            try greeter.greet(try args.get("name", as: String.self))
        },
        Function("reset", description: "Set the count back to zero.", security: .support) { greeter, _ in
            greeter.context.set("greetings", 0)
        },
    ]

    let context: ModuleContext
    private var count = 0

    init(context: ModuleContext) { self.context = context }

    func start() async throws {
        context.set("greetings", count)
        context.set("greeting", context.settings.get("greeting", default: "Hello"))
    }

    func update() async throws {
        context.set("greeting", context.settings.get("greeting", default: "Hello"))
    }

    func greet(_ name: String) throws -> String {
        count += 1
        context.set("greetings", count)
        return "\(context.settings.get("greeting", default: "Hello")), \(name)!"
    }
}
