import ConfigRepo
import Dispatch
import Foundation
import Runtime
import Synchronization

/// The Metrics page's charts: modules online and the exec rate, sampled from the runtime every
/// minute, the last six hours kept in memory and in `<state>/metrics/history.json` so a restart
/// keeps the picture (docs/metrics.md). One small file rewritten per sample (about 20 KB full).
public final class MetricsHistory: Sendable {
    public struct Sample: Sendable, Equatable {
        /// Unix seconds.
        public var time: Int
        public var online: Int
        public var offline: Int
        /// Execs answered per minute since the sample before (in this process).
        public var execsPerMinute: Double
    }

    /// Six hours of one-minute samples.
    public static let capacity = 360
    public static let interval: Double = 60

    private struct State {
        var samples: [Sample] = []
        /// The engine's exec count and when, at the last sample.
        var lastExecs: (count: Int, time: Double)?
    }

    private let path: String?
    private let state = Mutex(State())
    nonisolated(unsafe) private var timer: (any DispatchSourceTimer)?

    /// Loads the kept samples from `stateDirectory` (nil: memory only). Call `start` to sample.
    public init(stateDirectory: String?) {
        path = stateDirectory.map { $0 + "/metrics/history.json" }
        if let path, let data = FileManager.default.contents(atPath: path) {
            let samples = Self.decode(Array(data))
            state.withLock { $0.samples = Array(samples.suffix(Self.capacity)) }
        }
    }

    deinit { timer?.cancel() }

    public var samples: [Sample] { state.withLock { $0.samples } }

    /// Samples `engine` now and then every `interval` seconds, for as long as this object lives.
    public func start(engine: RuntimeEngine, interval: Double = MetricsHistory.interval) {
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now(), repeating: interval)
        timer.setEventHandler { [weak self, weak engine] in
            guard let self, let engine else { return }
            self.record(engine)
        }
        self.timer = timer
        timer.resume()
    }

    /// Takes one sample of `engine` and writes the file.
    func record(_ engine: RuntimeEngine) {
        let health = engine.moduleHealth()
        record(online: health.count { $0.health == .online }, offline: health.count { $0.health == .offline },
               execs: engine.execCount, now: Date().timeIntervalSince1970)
    }

    /// Adds a sample: `execs` is the engine's running count, turned into a rate per minute.
    func record(online: Int, offline: Int, execs: Int, now: Double) {
        let samples: [Sample] = state.withLock { state in
            // The first sample of a process counts from its start: the engine's count began at 0.
            let (before, since) = state.lastExecs ?? (0, now - Self.interval)
            let rate = now > since ? Double(execs - before) / (now - since) * 60 : 0
            state.lastExecs = (execs, now)
            state.samples.append(Sample(time: Int(now), online: online, offline: offline, execsPerMinute: max(rate, 0)))
            if state.samples.count > Self.capacity { state.samples.removeFirst(state.samples.count - Self.capacity) }
            return state.samples
        }
        save(samples)
    }

    private func save(_ samples: [Sample]) {
        guard let path else { return }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let json = JSONValue.array(samples.map { sample in
            .object(["time": .int(sample.time), "online": .int(sample.online), "offline": .int(sample.offline),
                     "execs_per_minute": .double(sample.execsPerMinute)])
        })
        // Written aside and renamed: a crash never leaves half a file.
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(JSONWriter.compactString(json).utf8)) else { return }
        _ = rename(temporary, path)
    }

    /// The samples of a history file; entries that do not read are skipped.
    static func decode(_ bytes: [UInt8]) -> [Sample] {
        guard let entries = (try? JSONParser.parse(bytes))?.arrayValue else { return [] }
        return entries.compactMap { entry in
            guard let time = entry["time"]?.intValue, let online = entry["online"]?.intValue else { return nil }
            return Sample(time: time, online: online, offline: entry["offline"]?.intValue ?? 0,
                          execsPerMinute: entry["execs_per_minute"]?.doubleValue ?? 0)
        }
    }
}
