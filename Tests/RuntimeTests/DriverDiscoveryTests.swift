import ConfigRepo
import Foundation
import Testing
@testable import Runtime

@Suite struct DriverDiscoveryTests {
    static func file(_ path: String, _ mode: GitTreeFile.Mode = .regular) -> GitTreeFile {
        GitTreeFile(path: path, blob: ObjectID(hex: String(repeating: "0", count: 40))!, mode: mode)
    }

    let contents: [String: String] = [
        "echo/main.swift": "import DriverKit\nDriverMain.run(Echo.self)\n",
        "echo/Helpers.swift": "struct Helper {}\n",
        "echo/Echo.swift": "final class Echo: DriverModule {}\n",
        "echo/sub/Other.swift": "",
        "lib/main.swift": "print(1)\n",
        "tools/run.py": "#!/usr/bin/env python3\n",
        "tools/data.bin": "\u{7f}ELF",
        "tools/notes.txt": "#!/bin/sh\n",
        ".github/ci.sh": "#!/bin/sh\n",
        "Solo/main.swift": "DriverMain.run(Solo.self)\n",
    ]

    var files: [GitTreeFile] {
        contents.keys.sorted().map { path in
            Self.file(path, ["tools/run.py", "tools/data.bin", ".github/ci.sh"].contains(path) ? .executable : .regular)
        }
    }

    func read(_ file: GitTreeFile) -> [UInt8] { Array(contents[file.path]!.utf8) }

    @Test func findsSwiftFoldersAndExecutablesWithAShebang() {
        let drivers = DriverDiscovery.drivers(in: files, read: read)
        #expect(drivers.map(\.file) == ["Solo/main.swift", "echo/Echo.swift", "tools/run.py"])
        #expect(drivers[1].kind == .swift && drivers[1].sources == ["echo/Echo.swift", "echo/Helpers.swift", "echo/main.swift"])
        #expect(drivers[2].kind == .executable)
    }

    @Test func aFileThatIsNotADriverSaysWhy() {
        guard case .failure(let error) = DriverDiscovery.driver(at: "tools/notes.txt", in: files, read: read) else {
            Issue.record("notes.txt is not a driver"); return
        }
        #expect(error.message.contains("must be marked executable in git"))
        guard case .failure(let missing) = DriverDiscovery.driver(at: "nope.py", in: files, read: read) else { return }
        #expect(missing.message == "there is no file nope.py")
        guard case .failure(let library) = DriverDiscovery.driver(at: "lib/main.swift", in: files, read: read) else { return }
        #expect(library.message.contains("DriverMain.run(YourDriver.self)"))
        // A helper file of a Swift driver names its driver.
        guard case .success(let driver) = DriverDiscovery.driver(at: "echo/Helpers.swift", in: files, read: read) else { return }
        #expect(driver.file == "echo/Echo.swift")
    }

    @Test func findsTheDriverTypeByName() {
        #expect(DriverDiscovery.driverType(in: "DriverMain.run( Greeter.self )") == "Greeter")
        #expect(DriverDiscovery.driverType(in: "DriverMain.run(make())") == nil)
        #expect(DriverDiscovery.declares("Echo", in: "final class Echo: DriverModule"))
        #expect(!DriverDiscovery.declares("Echo", in: "final class EchoBox: DriverModule"))
    }

    @Test func theBundledDriversFolderIsADriverRepository() throws {
        // Drivers/ of this checkout follows the same layout, templates included.
        let root = Checkout.root + "/Drivers"
        var files: [GitTreeFile] = []
        for case let path as String in FileManager.default.enumerator(atPath: root)! {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files.append(Self.file(path, FileManager.default.isExecutableFile(atPath: root + "/" + path) ? .executable : .regular))
        }
        let drivers = DriverDiscovery.drivers(in: files) { file in
            [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: root + "/" + file.path))) ?? Data())
        }
        let found = Set(drivers.map(\.file))
        for expected in ["pjlink/PJLinkProjector.swift", "room-logic/RoomLogic.swift", "Templates/greeter/Greeter.swift",
                         "Templates/python/echo_driver.py"] {
            #expect(found.contains(expected), "\(expected) not found in \(found.sorted())")
        }
    }
}

@Suite struct RepositorySourceTests {
    @Test func passwordsInAURIAreNotShown() {
        let source = RepositorySource(id: "repo-a", kind: .driver, uri: "https://ada:tok3n@git.example.com/d.git", folderName: "a",
                                      credentials: GitCredentials(username: "ada", password: "s3cret"))
        #expect(source.displayURI == "https://ada@git.example.com/d.git")
        #expect(source.redacted("at https://ada:tok3n@git.example.com/d.git: s3cret refused") == "at https://ada@git.example.com/d.git: [hidden] refused")
        #expect(RepositorySource(id: "r", kind: .driver, uri: "/srv/git/d.git", folderName: "d").displayURI == "/srv/git/d.git")
        #expect(!RepositorySource.isFetched("bundled:Drivers") && !RepositorySource.isFetched("file:///opt/drivers"))
        #expect(RepositorySource.pin("HEAD") == nil && RepositorySource.pin("") == nil && RepositorySource.pin("abc1234") == "abc1234")
    }
}
