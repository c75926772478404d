#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every subcommand; `backoffice --help` lists them in this order.
nonisolated var commands: [any Command.Type] {
    [
        ServeCommand.self,
        InitCommand.self,
        CheckCommand.self,
        DiffCommand.self,
        RevertCommand.self,
        ImportCommand.self,
        SecretCommand.self,
        SimulateCommand.self,
        HookCommand.self,
        UserCommand.self,
        ApiKeyCommand.self,
        SiteCommand.self,
    ]
}

func usageOverview() -> String {
    var text = "usage: backoffice <command> [options]\n\ncommands:\n"
    for command in commands {
        text += "  " + command.name + String(repeating: " ", count: max(1, 10 - command.name.count)) + command.summary + "\n"
    }
    text += "\n`backoffice <command> --help` explains one command."
    return text
}

func runMain() async -> Int32 {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard let name = arguments.first, name != "--help", name != "-h", name != "help" else {
        Terminal.print(usageOverview())
        return arguments.isEmpty ? 2 : 0
    }
    guard let command = commands.first(where: { $0.name == name }) else {
        Terminal.error("backoffice: unknown command \"\(name)\"\n\n" + usageOverview())
        return 2
    }
    let rest = Array(arguments.dropFirst())
    if rest.contains("--help") || rest.contains("-h") {
        Terminal.print(command.help)
        return 0
    }
    do {
        let parsed = try command.arguments.parse(rest)
        return try await command.run(parsed)
    } catch let usage as UsageError {
        Terminal.error("backoffice \(command.name): \(usage.message)\n(see `backoffice \(command.name) --help`)")
        return 2
    } catch {
        Terminal.error("backoffice \(command.name): \(error)")
        return 1
    }
}

exit(await runMain())
