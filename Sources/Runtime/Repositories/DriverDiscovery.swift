import ConfigRepo
import Foundation

/// A driver found in a driver repository at a commit (docs/driver-repositories.md).
public struct DiscoveredDriver: Sendable, Hashable {
    public enum Kind: String, Sendable {
        /// A folder with `main.swift` calling `DriverMain.run(T.self)`, built against DriverKit.
        case swift
        /// A file git marks executable that starts with `#!`, run as it is.
        case executable
    }

    /// The driver's file (a driver's `file_name`): for Swift drivers the file declaring the
    /// driver type, else `main.swift`.
    public var file: String
    public var kind: Kind
    /// For Swift drivers, the `.swift` files compiled together (the folder's, not its subfolders').
    public var sources: [String]

    /// The folder whose changes change the driver (its commits are the driver's history).
    public var folder: String { (file as NSString).deletingLastPathComponent }
}

/// Finds the drivers of a repository's tree by the layout of docs/driver-repositories.md.
public enum DriverDiscovery {
    /// Every driver of `files`, sorted by file. `read` gives a file's bytes (only `main.swift`
    /// files, the files of their folders and executables' first bytes are read).
    public static func drivers(in files: [GitTreeFile], read: (GitTreeFile) throws -> [UInt8]) rethrows -> [DiscoveredDriver] {
        var drivers: [DiscoveredDriver] = []
        var swiftFolders = Set<String>()
        for main in files where isMainSwift(main) && !isHidden(main.path) {
            let folder = (main.path as NSString).deletingLastPathComponent
            guard let type = driverType(in: String(decoding: try read(main), as: UTF8.self)) else { continue }
            let sources = files.filter { $0.mode != .symbolicLink && $0.path.hasSuffix(".swift")
                && ($0.path as NSString).deletingLastPathComponent == folder }
            var file = main.path
            for source in sources where source.path != main.path {
                if declares(type, in: String(decoding: try read(source), as: UTF8.self)) { file = source.path; break }
            }
            swiftFolders.insert(folder)
            drivers.append(DiscoveredDriver(file: file, kind: .swift, sources: sources.map(\.path)))
        }
        for file in files where file.mode == .executable && !isHidden(file.path)
            && !swiftFolders.contains((file.path as NSString).deletingLastPathComponent) {
            if try read(file).starts(with: Array("#!".utf8)) {
                drivers.append(DiscoveredDriver(file: file.path, kind: .executable, sources: [file.path]))
            }
        }
        return drivers.sorted { $0.file < $1.file }
    }

    /// The driver whose file is `path`, or why `path` is not one.
    public static func driver(at path: String, in files: [GitTreeFile],
                              read: (GitTreeFile) throws -> [UInt8]) rethrows -> Result<DiscoveredDriver, RuntimeError> {
        guard files.contains(where: { $0.path == path }) else {
            return .failure(RuntimeError(code: "not_a_driver", message: "there is no file \(path)"))
        }
        if let driver = try drivers(in: files, read: read).first(where: { $0.file == path || ($0.kind == .swift && $0.sources.contains(path)) }) {
            return .success(driver)
        }
        let hint = path.hasSuffix(".swift")
            ? "a Swift driver is a folder with a main.swift that calls DriverMain.run(YourDriver.self)"
            : "an executable driver must be marked executable in git (chmod +x) and start with #!"
        return .failure(RuntimeError(code: "not_a_driver", message: "\(path) is not a driver: \(hint)"))
    }

    static func isMainSwift(_ file: GitTreeFile) -> Bool {
        file.mode != .symbolicLink && (file.path == "main.swift" || file.path.hasSuffix("/main.swift"))
    }

    /// Paths inside a folder starting with `.` (`.github/`) hold no drivers.
    static func isHidden(_ path: String) -> Bool {
        path.split(separator: "/").contains { $0.hasPrefix(".") }
    }

    /// `T` of `DriverMain.run(T.self)`.
    static func driverType(in main: String) -> String? {
        guard let call = main.range(of: "DriverMain.run(") else { return nil }
        let rest = main[call.upperBound...]
        guard let end = rest.range(of: ".self") else { return nil }
        let name = rest[..<end.lowerBound].trimmingCharacters(in: .whitespaces)
        return name.isEmpty || !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) ? nil : name
    }

    /// Whether `source` declares a class, struct, actor or enum named `type`.
    static func declares(_ type: String, in source: String) -> Bool {
        for keyword in ["class", "struct", "actor", "enum"] {
            var search = source[...]
            while let found = search.range(of: keyword + " " + type) {
                let after = search[found.upperBound...].first
                if after == nil || !(after!.isLetter || after!.isNumber || after! == "_") { return true }
                search = search[found.upperBound...]
            }
        }
        return false
    }
}
