import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension GitMirror {
    /// Writes the files of `commit` under `directory` (which must not exist yet): executable
    /// bits as git records them; symbolic links only when they point inside the tree.
    /// Used for builds and interface checkouts; the caller writes to a temporary name and
    /// renames, so nobody sees a half-written export.
    public func export(_ commit: ObjectID, into directory: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: false)
        for file in try files(at: commit) {
            let target = directory + "/" + file.path
            let parent = (target as NSString).deletingLastPathComponent
            if !manager.fileExists(atPath: parent) {
                try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
            }
            let bytes = try self.bytes(of: file.blob)
            switch file.mode {
            case .symbolicLink:
                let destination = String(decoding: bytes, as: UTF8.self)
                guard Self.staysInside(link: file.path, destination: destination) else { continue }
                try manager.createSymbolicLink(atPath: target, withDestinationPath: destination)
            case .regular, .executable:
                guard manager.createFile(atPath: target, contents: Data(bytes)) else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target])
                }
                if file.mode == .executable { chmod(target, 0o755) }
            }
        }
    }

    /// Whether a relative link at `link` to `destination` resolves inside the tree.
    static func staysInside(link: String, destination: String) -> Bool {
        guard !destination.hasPrefix("/") else { return false }
        var depth = link.split(separator: "/").count - 1
        for part in destination.split(separator: "/") {
            if part == ".." { depth -= 1 } else if part != "." { depth += 1 }
            if depth < 0 { return false }
        }
        return true
    }
}
