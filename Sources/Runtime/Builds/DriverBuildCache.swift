import ConfigRepo
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The build results on disk, one folder per `DriverBuildKey` under `<state>/drivers/builds`:
/// `result.json` (state, message, output, diagnostics, metadata, the executable's path inside
/// the folder) beside the binary. A folder is written under a temporary name starting with
/// `.` and renamed into place when complete, so a crash mid-build leaves only a temporary
/// that is ignored and removed; a folder whose record is missing or broken, or whose binary
/// is gone, is refused (and removed) rather than run.
struct DriverBuildCache {
    let root: String

    func directory(for key: DriverBuildKey) -> String { root + "/" + key.cachePath }

    /// The finished result for `key`, or nil when there is none (or only a broken one).
    func result(for key: DriverBuildKey) -> DriverBuildState? {
        let folder = directory(for: key)
        guard let data = FileManager.default.contents(atPath: folder + "/result.json") else {
            if FileManager.default.fileExists(atPath: folder) { try? FileManager.default.removeItem(atPath: folder) }
            return nil
        }
        guard let record = try? JSONParser.parse([UInt8](data)), let state = record["state"]?.stringValue else {
            try? FileManager.default.removeItem(atPath: folder)
            return nil
        }
        switch state {
        case "built":
            guard let relative = record["executable"]?.stringValue, let metadata = record["metadata"], case .object = metadata,
                  FileManager.default.isExecutableFile(atPath: folder + "/" + relative) else {
                try? FileManager.default.removeItem(atPath: folder)
                return nil
            }
            return .built(BuiltDriver(key: key, executable: folder + "/" + relative, metadata: DriverMetadata(json: metadata),
                                      output: record["output"]?.stringValue ?? ""))
        case "failed":
            let diagnostics = (record["diagnostics"]?.arrayValue ?? []).compactMap { item -> CompilerDiagnostic? in
                guard let file = item["file"]?.stringValue, let line = item["line"]?.intValue else { return nil }
                return CompilerDiagnostic(file: file, line: line, column: item["column"]?.intValue ?? 0,
                                          severity: item["severity"]?.stringValue ?? "error", message: item["message"]?.stringValue ?? "")
            }
            return .failed(DriverBuildFailure(key: key, message: record["message"]?.stringValue ?? "the build failed",
                                              output: record["output"]?.stringValue ?? "", diagnostics: diagnostics))
        default:
            try? FileManager.default.removeItem(atPath: folder)
            return nil
        }
    }

    /// A new temporary folder for building `key`; `publish` moves it into place.
    func makeTemporary(for key: DriverBuildKey) throws -> String {
        let final = directory(for: key)
        let parent = (final as NSString).deletingLastPathComponent
        let name = "." + (final as NSString).lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: parent + "/" + name, withIntermediateDirectories: true)
        return parent + "/" + name
    }

    /// Writes the record into `temporary` and renames it to `key`'s folder, replacing an older
    /// result (a recompile). `executable` is relative to the folder.
    func publish(_ state: DriverBuildState, for key: DriverBuildKey, from temporary: String, executable: String?) throws {
        var record: [String: JSONValue] = ["state": .string(state.name)]
        switch state {
        case .built(let built):
            record["executable"] = executable.map(JSONValue.string) ?? .null
            record["metadata"] = built.metadata.json
            record["output"] = .string(built.output)
        case .failed(let failure):
            record["message"] = .string(failure.message)
            record["output"] = .string(failure.output)
            record["diagnostics"] = .array(failure.diagnostics.map { diagnostic in
                .object(["file": .string(diagnostic.file), "line": .int(diagnostic.line), "column": .int(diagnostic.column),
                         "severity": .string(diagnostic.severity), "message": .string(diagnostic.message)])
            })
        case .queued, .building:
            preconditionFailure("only finished builds are published")
        }
        try Data(JSONWriter.canonicalBytes(.object(record))).write(to: URL(fileURLWithPath: temporary + "/result.json"))
        let final = directory(for: key)
        remove(finalPath: final)
        guard rename(temporary, final) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: final, NSLocalizedDescriptionKey: reason])
        }
    }

    /// Forgets the result for `key` (a recompile builds again).
    func remove(_ key: DriverBuildKey) { remove(finalPath: directory(for: key)) }

    /// Moves a folder aside before deleting it, so a reader never sees half of it.
    private func remove(finalPath: String) {
        guard FileManager.default.fileExists(atPath: finalPath) else { return }
        let parent = (finalPath as NSString).deletingLastPathComponent
        let aside = parent + "/." + (finalPath as NSString).lastPathComponent + ".old-\(UInt32.random(in: 0...UInt32.max))"
        if rename(finalPath, aside) == 0 { try? FileManager.default.removeItem(atPath: aside) }
    }

    /// Removes temporaries left by a build that never finished (a crash, a kill).
    func removeTemporaries() {
        guard let repositories = try? FileManager.default.contentsOfDirectory(atPath: root) else { return }
        for repository in repositories {
            let folder = root + "/" + repository
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(".") {
                try? FileManager.default.removeItem(atPath: folder + "/" + name)
            }
        }
    }
}
