import ConfigRepo
import Foundation

/// Runs `driver --metadata` under a time limit and checks that what it prints is driver
/// metadata (driver protocol §5): a JSON object with a `name`, and when present a `role` the
/// core knows, a `module_name` string and `functions` as an object of objects.
struct DriverMetadataCheck {
    var timeLimit: Double = 10

    func run(_ executable: String, registry: RunningCommands? = nil) -> Result<DriverMetadata, RuntimeError> {
        let outcome: BoundedCommand.Outcome
        do {
            outcome = try BoundedCommand(executable: executable, arguments: ["--metadata"], timeLimit: timeLimit, outputLimit: 4 << 20,
                                     registry: registry).run()
        } catch {
            return .failure(RuntimeError(code: "not_a_driver", message: "cannot run the driver: \(error)"))
        }
        if outcome.timedOut {
            return .failure(RuntimeError(code: "not_a_driver", message: "`--metadata` did not finish within \(Int(timeLimit)) s"))
        }
        guard outcome.status == 0 else {
            let status = outcome.status.map { "exited with status \($0)" } ?? "was killed"
            return .failure(RuntimeError(code: "not_a_driver", message: "`--metadata` \(status): \(Self.excerpt(outcome.output))"))
        }
        // The output mixes stderr in; the metadata is the last line that is a JSON object.
        let lines = outcome.output.split(separator: "\n").reversed()
        guard let line = lines.first(where: { $0.hasPrefix("{") }) else {
            return .failure(RuntimeError(code: "not_a_driver", message: "`--metadata` printed no JSON object: \(Self.excerpt(outcome.output))"))
        }
        let json: JSONValue
        do { json = try JSONParser.parse(String(line)) } catch {
            return .failure(RuntimeError(code: "not_a_driver", message: "`--metadata` printed invalid JSON (\(error)): \(Self.excerpt(String(line)))"))
        }
        if let problem = Self.problem(in: json) {
            return .failure(RuntimeError(code: "not_a_driver", message: "`--metadata` printed something that is not driver metadata: \(problem)"))
        }
        return .success(DriverMetadata(json: json))
    }

    /// What is wrong with `json` as metadata, or nil.
    static func problem(in json: JSONValue) -> String? {
        guard case .object(let members) = json else { return "expected a JSON object, found \(json.typeName)" }
        guard let name = members["name"]?.stringValue, !name.isEmpty else { return "name: missing or not a string" }
        if let role = members["role"], !role.isNull, !(role.intValue.map([0, 1, 2, 3, 99].contains) ?? false) {
            return "role: must be 0, 1, 2, 3 or 99, found \(JSONWriter.compactString(role))"
        }
        if let moduleName = members["module_name"], !moduleName.isNull, moduleName.stringValue == nil {
            return "module_name: must be a string"
        }
        if let functions = members["functions"], !functions.isNull {
            guard let table = functions.objectValue else { return "functions: must be an object" }
            for (function, spec) in table.sorted(by: { $0.key < $1.key }) {
                guard let fields = spec.objectValue else { return "functions.\(function): must be an object" }
                if let args = fields["args"], !args.isNull, args.arrayValue == nil { return "functions.\(function).args: must be an array" }
            }
        }
        return nil
    }

    static func excerpt(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "(nothing)" : String(trimmed.suffix(300))
    }
}
