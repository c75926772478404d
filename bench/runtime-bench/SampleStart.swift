import BenchSupport
import ConfigRepo
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `make run`'s promise, measured: `backoffice serve` with a fresh state directory on the sample
/// building and its simulators, from launch to serving and to every running module online.
struct SampleStart {
    var serving: Double?
    var live: Double?

    /// Runs the release `backoffice` next to this binary, polling each module's `ping` every 50 ms.
    static func measure(sampleConfig: String, timeout: Double = 60) throws -> SampleStart {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("backoffice").path
        let state = NSTemporaryDirectory() + "runtime-bench-sample-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let port = FreePort.pick()
        let modules = try runningModules(in: sampleConfig)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--state", state, "--port", String(port), "--auth", "off"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let launched = Date()
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var result = SampleStart()
        let base = "http://127.0.0.1:\(port)"
        var pending = Set(modules)
        while Date().timeIntervalSince(launched) < timeout, process.isRunning {
            if result.serving == nil, request(base + "/healthz", method: "GET") != nil {
                result.serving = Date().timeIntervalSince(launched)
            }
            if result.serving != nil {
                pending = pending.filter { module in
                    let answer = request(base + "/api/engine/v2/modules/\(module)/ping", method: "POST")
                    return (try? JSONParser.parse(answer ?? []))?.objectValue?["pingable"]?.boolValue != true
                }
                if pending.isEmpty {
                    result.live = Date().timeIntervalSince(launched)
                    break
                }
            }
            usleep(50_000)
        }
        return result
    }

    /// Ids of the sample's modules that are meant to run.
    private static func runningModules(in sampleConfig: String) throws -> [String] {
        let folder = sampleConfig + "/modules"
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.compactMap { name in
            let object = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))))
            return object.objectValue?["running"]?.boolValue == false ? nil : String(name.dropLast(5))
        }
    }

    /// The body of a 2xx answer, or nil.
    private static func request(_ url: String, method: String) -> [UInt8]? {
        var request = URLRequest(url: URL(string: url)!, timeoutInterval: 2)
        request.httpMethod = method
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var body: [UInt8]?
        URLSession.shared.dataTask(with: request) { data, response, _ in
            if let status = (response as? HTTPURLResponse)?.statusCode, (200..<300).contains(status) { body = data.map { Array($0) } ?? [] }
            done.signal()
        }.resume()
        done.wait()
        return body
    }
}
