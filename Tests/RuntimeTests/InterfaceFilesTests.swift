import Foundation
import Testing
@testable import Runtime

@Suite struct InterfaceFilesTests {
    @Test func servesFilesFoldersAndTheAppForClientRoutes() throws {
        let root = NSTemporaryDirectory() + "interface-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/docs", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        for file in ["index.html", "app.js", "docs/index.html"] {
            FileManager.default.createFile(atPath: root + "/" + file, contents: Data(file.utf8))
        }
        try FileManager.default.createSymbolicLink(atPath: root + "/escape.html", withDestinationPath: "/etc/hostname")
        #expect(InterfaceFiles.file(for: "", in: root) == root + "/index.html")
        #expect(InterfaceFiles.file(for: "app.js", in: root) == root + "/app.js")
        #expect(InterfaceFiles.file(for: "docs/", in: root) == root + "/docs/index.html")
        #expect(InterfaceFiles.file(for: "rooms/42", in: root) == root + "/index.html")
        #expect(InterfaceFiles.file(for: "missing.js", in: root) == nil)
        #expect(InterfaceFiles.file(for: "empty", in: root) == nil)
        #expect(InterfaceFiles.file(for: "../etc/passwd", in: root) == nil)
        #expect(InterfaceFiles.file(for: "escape.html", in: root) == nil)
    }
}
