import ConfigRepo
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Interface repositories (static web apps) checked out at their commit under
/// `<state>/interfaces`: each commit is exported once into `.checkouts/<repository>-<commit>`,
/// and `<folder_name>` is a symbolic link to the current one, replaced atomically (a reader
/// sees the old tree or the new one, never half of either). Older checkouts of the repository
/// are removed after the switch.
struct InterfaceCheckouts {
    let root: String

    /// The checked-out tree served at `/<folder>/`, or nil when there is none.
    func directory(folder: String) -> String? {
        let link = root + "/" + folder
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) else { return nil }
        return target.hasPrefix("/") ? target : root + "/" + target
    }

    /// The commit `folder` is checked out at, or nil.
    func commit(folder: String) -> ObjectID? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/" + folder) else { return nil }
        return ObjectID(hex: String(target.suffix(40)))
    }

    /// Checks `commit` of `repositoryID` out and points `folder` at it.
    func checkout(repositoryID: String, folder: String, commit: ObjectID, mirror: GitMirror) throws {
        let manager = FileManager.default
        let checkouts = root + "/.checkouts"
        try manager.createDirectory(atPath: checkouts, withIntermediateDirectories: true)
        let name = repositoryID + "-" + commit.hex
        if !manager.fileExists(atPath: checkouts + "/" + name) {
            let temporary = checkouts + "/." + name + ".tmp-\(getpid())"
            try? manager.removeItem(atPath: temporary)
            do {
                try mirror.export(commit, into: temporary)
            } catch {
                try? manager.removeItem(atPath: temporary)
                throw error
            }
            guard rename(temporary, checkouts + "/" + name) == 0 else {
                try? manager.removeItem(atPath: temporary)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: checkouts + "/" + name])
            }
        }
        let link = root + "/" + folder
        let temporaryLink = root + "/." + folder + ".link-\(getpid())"
        try? manager.removeItem(atPath: temporaryLink)
        try manager.createSymbolicLink(atPath: temporaryLink, withDestinationPath: ".checkouts/" + name)
        guard rename(temporaryLink, link) == 0 else {
            try? manager.removeItem(atPath: temporaryLink)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: link])
        }
        for old in (try? manager.contentsOfDirectory(atPath: checkouts)) ?? []
        where old.hasPrefix(repositoryID + "-") && old != name {
            try? manager.removeItem(atPath: checkouts + "/" + old)
        }
    }
}

/// Which file answers a request for an interface (a static web app), with the SPA rule:
/// a file that exists is served; a folder serves its `index.html`; a path that names no file
/// and whose last part has no extension (`/rooms/42`, a client-side route) gets the app's
/// root `index.html`; a missing asset (`/app.js`) gets nothing, so it is a 404 and not a page.
public enum InterfaceFiles {
    /// The file to serve for `path` (the part after `/<folder_name>/`, percent-decoded) in the
    /// checked-out tree `root`, or nil for a 404. Paths leaving the tree are refused.
    public static func file(for path: String, in root: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        if parts.contains(where: { $0 == ".." || $0 == "." || $0.hasPrefix(".git") || $0.contains("\0") }) { return nil }
        let manager = FileManager.default
        let candidate = parts.isEmpty ? root : root + "/" + parts.joined(separator: "/")
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: candidate, isDirectory: &isDirectory) {
            let file = isDirectory.boolValue ? candidate + "/index.html" : candidate
            if isDirectory.boolValue && !manager.fileExists(atPath: file) { return nil }
            return staysInside(file, root: root) ? file : nil
        }
        if let last = parts.last, last.contains(".") { return nil }
        let index = root + "/index.html"
        return manager.fileExists(atPath: index) ? index : nil
    }

    /// Whether `file`, with symbolic links resolved, is inside `root`.
    static func staysInside(_ file: String, root: String) -> Bool {
        let resolvedRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        let resolved = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
        return resolved == resolvedRoot || resolved.hasPrefix(resolvedRoot + "/")
    }
}
