import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Debian's `mosquitto` broker run as a child process on a loopback port: the demo's broker,
/// and a real peer for tests and benchmarks.
///
/// It never outlives this process, even after a `kill -9` (``BrokerProcess``), and its files (a
/// private directory per start: configuration, password file, certificate) go with it.
public final class MosquittoBroker: Sendable {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        /// 0 picks a free port.
        public var port = 0
        /// With users, anonymous clients are refused and each user signs in with its password.
        public var users: [String: String] = [:]
        /// A TLS listener instead of plain TCP: PEM texts of the server certificate and its key.
        public var tlsCertificate: String?
        public var tlsKey: String?
        /// Packets larger than this are refused by the broker (0: MQTT's own limit).
        public var maximumPacketBytes = 0
        /// Where the broker's log goes (errors and warnings); nil discards it.
        public var logFile: String?

        public init(port: Int = 0) { self.port = port }
    }

    public let configuration: Configuration
    public let port: Int
    private let running = Mutex<BrokerProcess?>(nil)

    /// The broker executable: `MOSQUITTO` from the environment, else the Debian path or `PATH`.
    public static var executable: String? {
        if let path = ProcessInfo.processInfo.environment["MOSQUITTO"], FileManager.default.isExecutableFile(atPath: path) { return path }
        let candidates = ["/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/mosquitto" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts the broker and returns once it accepts connections.
    public init(_ configuration: Configuration = Configuration()) throws(MQTTError) {
        guard Self.executable != nil else {
            throw MQTTError("mosquitto is not installed (Debian package mosquitto; `make run` installs it)")
        }
        self.configuration = configuration
        port = configuration.port == 0 ? try Self.freePort(host: configuration.host) : configuration.port
        try start()
    }

    deinit { stop() }

    /// Stops the broker (retained messages are lost: it keeps no persistence).
    public func stop() {
        running.withLock { child in
            child?.stop()
            child = nil
        }
    }

    /// Starts the broker again on the same port (after ``stop()``).
    public func restart() throws(MQTTError) {
        stop()
        try start()
    }

    public var isRunning: Bool { running.withLock { $0?.isRunning ?? false } }

    /// Writes the files into a new private directory and starts the broker on them; the guard
    /// removes the directory once the broker has ended.
    private func start() throws(MQTTError) {
        let directory = try PrivateDirectory.create(prefix: "backoffice-mosquitto")
        let child: BrokerProcess
        do throws(MQTTError) {
            try writeConfiguration(into: directory)
            child = try BrokerProcess(executable: Self.executable!, directory: directory, logFile: configuration.logFile)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        running.withLock { $0 = child }
        let deadline = ContinuousClock.now + .seconds(10)
        while !Self.accepts(host: configuration.host, port: port) {
            guard child.isRunning, ContinuousClock.now < deadline else {
                stop()
                throw MQTTError("mosquitto did not start on \(configuration.host):\(port)"
                    + (configuration.logFile.map { " (see \($0))" } ?? " (is the port taken?)"))
            }
            usleep(20_000)
        }
    }

    private func writeConfiguration(into directory: String) throws(MQTTError) {
        // Started as root, mosquitto would switch to the user "mosquitto", which cannot read our
        // private files: it stays the user who started it, like any child process.
        let user = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "mosquitto"
        var lines = ["listener \(port) \(configuration.host)", "user \(user)", "persistence false", "set_tcp_nodelay true",
                     "log_dest stderr", "log_type error", "log_type warning", "log_timestamp false"]
        if configuration.maximumPacketBytes > 0 { lines.append("max_packet_size \(configuration.maximumPacketBytes)") }
        if configuration.users.isEmpty {
            lines.append("allow_anonymous true")
        } else {
            let passwords = directory + "/passwords"
            try write("", to: passwords, mode: 0o600)
            for (user, password) in configuration.users.sorted(by: { $0.key < $1.key }) {
                try Self.run("/usr/bin/mosquitto_passwd", ["-b", passwords, user, password])
            }
            lines += ["allow_anonymous false", "password_file \(passwords)"]
        }
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
            try write(certificate, to: directory + "/server.pem", mode: 0o644)
            try write(key, to: directory + "/server.key", mode: 0o600)
            lines += ["certfile \(directory)/server.pem", "keyfile \(directory)/server.key"]
        }
        try write(lines.joined(separator: "\n") + "\n", to: directory + "/mosquitto.conf", mode: 0o644)
    }

    private func write(_ text: String, to path: String, mode: Int) throws(MQTTError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw MQTTError("cannot write \(path)")
        }
    }

    private static func run(_ tool: String, _ arguments: [String]) throws(MQTTError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw MQTTError("cannot run \(tool): \(error)") }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw MQTTError("\(tool) failed (exit \(process.terminationStatus))") }
    }

    /// A port nothing listens on now, from below the kernel's range for outgoing connections
    /// (so no client socket takes it before the broker binds it); the kernel's pick otherwise.
    public static func freePort(host: String = "127.0.0.1") throws(MQTTError) -> Int {
        let ephemeralLow = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
            .flatMap { $0.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } } ?? 32768
        let candidates = 20000..<max(20001, min(ephemeralLow, 32768))
        for _ in 0..<200 {
            let port = Int.random(in: candidates)
            if (try? bindable(host: host, port: port)) == port { return port }
        }
        return try bindable(host: host, port: 0)
    }

    /// Binds `host:port` (0: any) for a moment; the port bound.
    private static func bindable(host: String, port: Int) throws(MQTTError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MQTTError("cannot open a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddr -> Bool in
                bind(fd, sockaddr, length) == 0 && getsockname(fd, sockaddr, &length) == 0
            }
        }
        guard bound else { throw MQTTError("cannot bind \(host):\(port): \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on `host:port`.
    static func accepts(host: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
