import Foundation
import Synchronization

/// A lighting processor on the Lutron integration protocol over telnet-style TCP.
///
/// `login: ` / `password: ` prompts, then `GNET> `. `#OUTPUT,<id>,1,<level>[,<fade>]` sets a zone
/// (0–100), `?OUTPUT,<id>,1` asks; both answer `~OUTPUT,<id>,1,<level>` with two decimals, and
/// every change is also reported to the other logged-in connections (monitoring).
/// `#AREA,1,6,<scene>` recalls a scene, `?AREA,1,6` asks, answered `~AREA,1,6,<scene>`.
/// Errors: `~ERROR,1` parameter count, `~ERROR,2` no such object, `~ERROR,3` bad action,
/// `~ERROR,4` out of range, `~ERROR,5` malformed, `~ERROR,6` unknown command.
public final class LutronSimulator: DeviceSimulator {
    public let kind = SimulatorKind.lutron
    public let stats = SimulatorStats()
    public let faults = Faults()
    public let login: String
    public let password: String
    /// Zone levels of outputs 1…zoneCount.
    public static let zoneCount = 4
    /// Scene number → zone levels.
    public static let scenes: [Int: [Double]] = [0: [0, 0, 0, 0], 1: [100, 100, 100, 100], 2: [30, 30, 70, 0], 3: [60, 60, 60, 60]]
    private let listener: TCPListener
    private let state = Mutex((levels: [Double](repeating: 0, count: zoneCount), scene: 0))
    private let monitors = Mutex<[ObjectIdentifier: ClientConnection]>([:])
    public var port: Int { listener.port }

    public init(host: String = "127.0.0.1", port: Int, login: String = "lutron", password: String = "integration") throws {
        self.login = login
        self.password = password
        listener = try TCPListener(host: host, port: port, stats: stats)
        listener.start(faults: faults) { [weak self] connection in self?.serve(connection) }
    }

    public var levels: [Double] { state.withLock { $0.levels } }
    /// Passwords received so far, right or wrong (a client that retries too fast shows here).
    public var loginAttempts: Int { attempts.withLock { $0 } }
    private let attempts = Mutex(0)
    public func dropConnections() { listener.dropConnections() }
    public func stop() { listener.stop() }

    private func serve(_ connection: ClientConnection) {
        while true {
            connection.write("login: ")
            guard let user = connection.readLine() else { return }
            connection.write("password: ")
            guard let secret = connection.readLine() else { return }
            attempts.withLock { $0 += 1 }
            if user == login, secret == password { break }
            connection.write("bad login\r\n")
        }
        connection.write("\r\nGNET> ")
        monitors.withLock { $0[ObjectIdentifier(connection)] = connection }
        defer { _ = monitors.withLock { $0.removeValue(forKey: ObjectIdentifier(connection)) } }
        while let line = connection.readLine() {
            if line.isEmpty { continue }
            stats.request()
            let (reply, broadcast) = answer(to: line)
            connection.reply(reply.map { $0 + "\r\n" }.joined() + "GNET> ")
            if !broadcast.isEmpty {
                let text = broadcast.map { $0 + "\r\n" }.joined()
                for other in monitors.withLock({ Array($0.values) }) where other !== connection { other.write(text) }
            }
        }
    }

    /// A level with two decimals, as `%.2f` writes it. Whole hundredths (nearly every level) are
    /// written by hand: `String(format:)` was the simulator's costliest call under load.
    static func format(_ level: Double) -> String {
        let hundredths = level * 100
        guard hundredths == hundredths.rounded(), abs(hundredths) < 1e15 else { return String(format: "%.2f", level) }
        let magnitude = Int(abs(hundredths))
        let fraction = magnitude % 100
        return (hundredths.sign == .minus ? "-" : "") + String(magnitude / 100) + (fraction < 10 ? ".0" : ".") + String(fraction)
    }

    /// A field without its surrounding blanks; fields with none (nearly all) skip Foundation's trimming.
    static func trimmed(_ field: Substring) -> String {
        if let first = field.utf8.first, let last = field.utf8.last,
           first < 0x80, last < 0x80, first != 0x20, first != 0x09, last != 0x20, last != 0x09 {
            return String(field)
        }
        return field.trimmingCharacters(in: .whitespaces)
    }

    /// Reply lines for the sender and change lines for the other monitoring connections.
    func answer(to line: String) -> (reply: [String], broadcast: [String]) {
        if faults.current.error { return (["~ERROR,6"], []) }
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(Self.trimmed)
        let command = fields[0].uppercased()
        switch command {
        case "#OUTPUT", "?OUTPUT":
            guard fields.count >= 3 else { return (["~ERROR,1"], []) }
            guard let id = Int(fields[1]) else { return (["~ERROR,5"], []) }
            guard (1...Self.zoneCount).contains(id) else { return (["~ERROR,2"], []) }
            guard fields[2] == "1" else { return (["~ERROR,3"], []) }
            if command == "?OUTPUT" {
                return (["~OUTPUT,\(id),1,\(Self.format(levels[id - 1]))"], [])
            }
            guard fields.count >= 4, fields.count <= 6 else { return (["~ERROR,1"], []) }
            guard let level = Double(fields[3]) else { return (["~ERROR,5"], []) }
            guard (0...100).contains(level) else { return (["~ERROR,4"], []) }
            state.withLock { $0.levels[id - 1] = level }
            let report = "~OUTPUT,\(id),1,\(Self.format(level))"
            return ([report], [report])
        case "#AREA", "?AREA":
            guard fields.count >= 3 else { return (["~ERROR,1"], []) }
            guard fields[1] == "1" else { return (["~ERROR,2"], []) }
            guard fields[2] == "6" else { return (["~ERROR,3"], []) }
            if command == "?AREA" { return (["~AREA,1,6,\(state.withLock { $0.scene })"], []) }
            guard fields.count == 4 else { return (["~ERROR,1"], []) }
            guard let scene = Int(fields[3]) else { return (["~ERROR,5"], []) }
            guard let levels = Self.scenes[scene] else { return (["~ERROR,4"], []) }
            state.withLock { $0 = (levels, scene) }
            let lines = ["~AREA,1,6,\(scene)"] + levels.enumerated().map { "~OUTPUT,\($0.offset + 1),1,\(Self.format($0.element))" }
            return (lines, lines)
        default:
            return (["~ERROR,6"], [])
        }
    }
}
