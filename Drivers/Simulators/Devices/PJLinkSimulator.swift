import DriverKit
import Foundation
import Synchronization

/// A PJLink class 1 projector (TCP, `%1POWR 1\r` → `%1POWR=OK\r`), with the MD5 password
/// scheme: the greeting `PJLINK 1 <random>` asks for `md5(random + password)` before the first
/// command; a wrong digest gets `PJLINK ERRA` and the connection is closed.
public final class PJLinkSimulator: DeviceSimulator {
    public struct State: Sendable {
        /// 0 off, 1 on, 2 cooling, 3 warming up.
        public var power = 0
        public var input = "31"
        public var mute = "30"
        public var lampHours = 1234
        public var errors = "000000"
        public var name = "Harbour Point Projector"
        var transitionEnds: ContinuousClock.Instant?
    }

    public let kind = SimulatorKind.pjlink
    public let stats = SimulatorStats()
    public let faults = Faults()
    public let password: String?
    /// Warming up and cooling down take this long.
    public let transition: Duration
    private let listener: TCPListener
    private let state = Mutex(State())
    public var port: Int { listener.port }

    public init(host: String = "127.0.0.1", port: Int, password: String? = "harbourpoint", transition: Duration = .milliseconds(500)) throws {
        self.password = password
        self.transition = transition
        listener = try TCPListener(host: host, port: port, stats: stats)
        listener.start(faults: faults) { [weak self] connection in self?.serve(connection) }
    }

    public var current: State { state.withLock { Self.settle(&$0); return $0 } }
    public func dropConnections() { listener.dropConnections() }
    public func stop() { listener.stop() }

    private static func settle(_ state: inout State) {
        if let end = state.transitionEnds, ContinuousClock.now >= end {
            state.power = state.power == 3 ? 1 : 0
            state.transitionEnds = nil
        }
    }

    private func serve(_ connection: ClientConnection) {
        let challenge = password.map { _ in String(format: "%08x", UInt32.random(in: .min ... .max)) }
        connection.write(challenge.map { "PJLINK 1 \($0)\r" } ?? "PJLINK 0\r")
        var authenticated = challenge == nil
        while let raw = connection.readLine() {
            var line = raw
            if !authenticated {
                guard let challenge, let password, line.count > 32,
                      line.prefix(32).lowercased() == MD5.hex(challenge + password) else {
                    stats.request()
                    connection.reply("PJLINK ERRA\r")
                    return
                }
                authenticated = true
            }
            if line.count > 32, line.dropFirst(32).hasPrefix("%") { line = String(line.dropFirst(32)) }
            stats.request()
            connection.reply(answer(to: line) + "\r")
        }
    }

    /// The reply line (without `\r`) to one command line.
    func answer(to line: String) -> String {
        guard line.hasPrefix("%1"), line.count >= 7 else { return "%1\(line.dropFirst(2).prefix(4))=ERR1" }
        let command = String(line.dropFirst(2).prefix(4)).uppercased()
        let parameter = String(line.dropFirst(7))
        let head = "%1\(command)="
        if faults.current.error { return head + "ERR4" }
        return state.withLock { state -> String in
            Self.settle(&state)
            switch (command, parameter) {
            case ("POWR", "?"): return head + String(state.power)
            case ("POWR", "1"):
                if state.power == 2 { return head + "ERR3" }
                if state.power == 0 { state.power = 3; state.transitionEnds = .now + transition }
                return head + "OK"
            case ("POWR", "0"):
                if state.power == 3 { return head + "ERR3" }
                if state.power == 1 { state.power = 2; state.transitionEnds = .now + transition }
                return head + "OK"
            case ("POWR", _): return head + "ERR2"
            case ("INPT", "?"): return state.power == 1 ? head + state.input : head + "ERR3"
            case ("INPT", _):
                guard ["11", "12", "21", "22", "31", "32", "33", "41", "51"].contains(parameter) else { return head + "ERR2" }
                guard state.power == 1 else { return head + "ERR3" }
                state.input = parameter
                return head + "OK"
            case ("AVMT", "?"): return state.power == 1 ? head + state.mute : head + "ERR3"
            case ("AVMT", _):
                guard ["10", "11", "20", "21", "30", "31"].contains(parameter) else { return head + "ERR2" }
                guard state.power == 1 else { return head + "ERR3" }
                state.mute = parameter
                return head + "OK"
            case ("LAMP", "?"): return head + "\(state.lampHours) \(state.power == 1 ? 1 : 0)"
            case ("ERST", "?"): return head + state.errors
            case ("NAME", "?"): return head + state.name
            case ("INF1", "?"): return head + "BackOffice"
            case ("INF2", "?"): return head + "Simulated Projector"
            case ("CLSS", "?"): return head + "1"
            default: return head + "ERR1"
            }
        }
    }
}
