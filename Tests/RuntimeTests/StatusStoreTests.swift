import ConfigRepo
import Foundation
import Synchronization
import Testing
@testable import Runtime

@Suite struct StatusStoreTests {
    @Test func watchersHearOnlyRealChangesAndNullDeletes() {
        let store = StatusStore()
        let heard = Mutex<[JSONValue]>([])
        let all = Mutex<[String]>([])
        let token = store.watch(module: "mod-a", key: "power") { value in heard.withLock { $0.append(value) } }
        _ = store.watchAll { module, key, _ in all.withLock { $0.append("\(module).\(key)") } }
        store.set(module: "mod-a", key: "power", value: true)
        store.set(module: "mod-a", key: "power", value: true)
        store.set(module: "mod-a", key: "input", value: "HDMI1")
        store.set(module: "mod-a", key: "power", value: .null)
        store.set(module: "mod-a", key: "power", value: .null)
        #expect(heard.withLock { $0 } == [true, .null])
        #expect(all.withLock { $0 } == ["mod-a.power", "mod-a.input", "mod-a.power"])
        #expect(store.value(module: "mod-a", key: "power") == nil)
        #expect(store.values(module: "mod-a") == ["input": "HDMI1"])
        store.unwatch(token)
        store.set(module: "mod-a", key: "power", value: false)
        #expect(heard.withLock { $0 }.count == 2)
    }

    @Test func savesAndLoadsAndIgnoresABrokenFile() throws {
        let path = NSTemporaryDirectory() + "status-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = StatusStore()
        store.set(module: "mod-a", key: "level", value: ["zones": [1, 2]])
        try store.save(to: path)
        let loaded = StatusStore()
        loaded.load(from: path)
        #expect(loaded.value(module: "mod-a", key: "level") == ["zones": [1, 2]])
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        let broken = StatusStore()
        broken.load(from: path)
        #expect(broken.values(module: "mod-a").isEmpty)
    }
}
