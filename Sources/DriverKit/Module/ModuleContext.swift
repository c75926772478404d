import Foundation

/// Everything a module has: its config and typed settings, status, logger, command queue,
/// transport, HTTP client, scheduler and (for logic modules) the system proxy. Pieces a module
/// does not use are never created, so idle modules stay small.
@DriverActor
public final class ModuleContext {
    public let id: String
    public internal(set) var config: ModuleConfig
    public internal(set) var settings: Settings
    public let logger: Logger
    public let info: DriverInfo
    public private(set) var status = StatusStore()

    /// Set before the transport opens (in `init` or `start`) to frame the device's bytes.
    public var tokenizer: (any Tokenizer)?
    /// Reconnect back-off for the device transport.
    public var backoff = Backoff()
    /// Back-off after refused credentials (``authenticationFailed(_:)``): 1 s, doubling, at most
    /// 5 minutes; it starts again from 1 s once a login succeeds (``deviceReady()``).
    public var authenticationBackoff = Backoff(initial: .seconds(1), maximum: .seconds(300))
    /// Until when the module waits after refused credentials; nil when it is not waiting.
    public private(set) var authenticationHeldUntil: ContinuousClock.Instant?
    /// When false, a new connection is not usable until the driver calls `deviceReady()`
    /// (after a login prompt or greeting): `connected` stays false and the queue waits.
    public var readyOnConnect = true

    weak var process: DriverProcess?
    var hooks = Hooks()
    private(set) var transport: SocketTransport?
    private var _queue: CommandQueue?
    private var _scheduler: Scheduler?
    private var _http: HTTPClient?
    private var _system: SystemProxy?
    var subscriptionIDs: [Int] = []
    var stopped = false

    /// Calls from the context into the module object (set by the process; weak to the module).
    struct Hooks {
        var connected: (@DriverActor () -> Void)?
        var disconnected: (@DriverActor () -> Void)?
        var received: (@DriverActor ([UInt8], QueuedCommand?) -> ResponseVerdict)?
    }

    init(config: ModuleConfig, info: DriverInfo, process: DriverProcess?) {
        id = config.module
        self.config = config
        self.info = info
        self.process = process
        settings = Settings(values: config.settings, defaults: info.defaultSettings)
        logger = Logger(module: config.module, output: process?.output)
    }

    /// A context outside any driver process (unit tests, tools): messages go to `output`.
    public convenience init(config: ModuleConfig, info: DriverInfo, output: (any MessageOutput)? = nil) {
        self.init(config: config, info: info, process: nil)
        logger.output = output
        standaloneOutput = output
    }

    private var standaloneOutput: (any MessageOutput)?
    private var output: (any MessageOutput)? { process?.output ?? standaloneOutput }

    // MARK: status

    /// Sets status `key`; sends a `status` message only when the value changed.
    public func set(_ key: String, _ value: some JSONConvertible) {
        setStatus(key, value.json)
    }

    public func setStatus(_ key: String, _ value: JSON) {
        guard !stopped, status.set(key, value) else { return }
        output?.send(["type": "status", "module": .string(id), "key": .string(key), "value": value])
    }

    public subscript(status key: String) -> JSON? { status[key] }

    // MARK: queue and transport

    public var queue: CommandQueue {
        if let _queue { return _queue }
        let queue = CommandQueue()
        queue.judge = { [weak self] frame, command in self?.hooks.received?(frame, command) ?? .ignore }
        queue.transmit = { [weak self] bytes in
            guard let transport = self?.transport else { throw DriverError(.offline, "this module has no connection") }
            try transport.write(bytes)
        }
        _queue = queue
        return queue
    }

    /// Queues a command for the device and waits for its outcome (see `CommandQueue`).
    @discardableResult
    public func send(_ payload: [UInt8], _ options: CommandOptions = CommandOptions(), tag: String? = nil) async throws -> JSON {
        if let transport, transport.options.makebreak { transport.connectIfNeeded() }
        logger.trace("send \(printable(payload))")
        return try await queue.send(payload, options: options, tag: tag)
    }

    @discardableResult
    public func send(_ text: String, _ options: CommandOptions = CommandOptions(), tag: String? = nil) async throws -> JSON {
        try await send(Array(text.utf8), options, tag: tag)
    }

    /// Writes bytes straight to the device, bypassing the queue (e.g. a login reply).
    public func write(_ payload: [UInt8]) throws {
        guard let transport else { throw DriverError(.offline, "this module has no connection") }
        logger.trace("write \(printable(payload))")
        try transport.write(payload)
    }

    public func write(_ text: String) throws { try write(Array(text.utf8)) }

    /// Opens the device connection from the config (device modules with an ip and port).
    func openConnection() {
        guard info.role == .device, let host = config.ip, let port = config.port ?? info.defaultPort else { return }
        var options = SocketTransport.Options(host: host, port: port, udp: config.udp, makebreak: config.makebreak || info.makebreak,
                                              tls: config.tls)
        options.tlsVerify = settings.get("tls_verify", default: false)
        options.backoff = backoff
        let transport = SocketTransport(options)
        transport.delegate = self
        self.transport = transport
        let queue = self.queue
        queue.connectsOnDemand = options.makebreak
        queue.wantsConnection = { [weak transport] in transport?.connectIfNeeded() }
        setStatus("connected", options.makebreak ? true : false)
        transport.open()
    }

    // MARK: services

    public var schedule: Scheduler {
        if let _scheduler { return _scheduler }
        let scheduler = Scheduler(logger: logger) { [weak self] reason in
            // `degraded` and its reason (docs/driverkit.md, "Degraded modules").
            self?.setStatus("degraded_reason", reason.map(JSON.string) ?? .null)
            self?.setStatus("degraded", reason == nil ? .null : .bool(true))
        }
        _scheduler = scheduler
        return scheduler
    }

    /// An HTTP client whose relative paths resolve against the module's `uri`.
    public var http: HTTPClient {
        if let _http { return _http }
        let client = HTTPClient(base: config.uri.flatMap { URL(string: $0) })
        _http = client
        return client
    }

    /// The other modules of this logic module's system.
    public var system: SystemProxy {
        if let _system { return _system }
        let proxy = SystemProxy(context: self)
        _system = proxy
        return proxy
    }

    /// Persists a setting at the module level through the core (one commit).
    public func saveSetting(_ key: String, _ value: some JSONConvertible) async throws {
        guard let process else { throw DriverError.failed("not running in a driver process") }
        _ = try await process.request(["type": "setting", "module": .string(id), "key": .string(key), "value": value.json])
    }

    // MARK: life

    func shutdown() {
        stopped = true
        _scheduler?.cancelAll()
        _queue?.abortAll(DriverError(.offline, "the module stopped"))
        transport?.delegate = nil
        transport?.close()
        transport = nil
        for subscription in subscriptionIDs { process?.unsubscribe(subscription, module: id) }
        subscriptionIDs = []
    }
}

extension ModuleContext: TransportDelegate {
    public func transportConnected() {
        tokenizer?.reset()
        logger.debug("connected")
        if readyOnConnect { deviceReady() }
        hooks.connected?()
    }

    /// The device finished its login or greeting: mark it connected and start sending. A login
    /// that succeeds ends the back-off of refused credentials.
    public func deviceReady() {
        guard transport?.isConnected ?? false else { return }
        authenticationBackoff.reset()
        authenticationHeldUntil = nil
        setStatus("offline_reason", .null)
        setStatus("connected", true)
        queue.setOnline(true)
    }

    /// Drops the connection (it reconnects with back-off). For refused credentials use
    /// ``authenticationFailed(_:)``: a device that accepts the connection again at once would
    /// otherwise be asked to log in as fast as it answers.
    public func reconnect(reason: String) {
        transport?.dropConnection(reason: reason)
    }

    /// The device (or service) refused the module's credentials. Every driver should say so
    /// here rather than try again at once: the module goes offline (`connected: false`) with
    /// `offline_reason` saying why and when it retries, the connection is dropped, and the next
    /// attempt waits for ``authenticationBackoff`` (1 s, 2 s, 4 s … 5 minutes). A driver without
    /// a device connection (HTTP polling) waits the returned delay itself.
    @discardableResult
    public func authenticationFailed(_ reason: String) -> Duration {
        let delay = authenticationBackoff.nextDelay()
        authenticationHeldUntil = .now + delay
        logger.warning("\(reason); retrying in \(Self.seconds(delay))")
        setStatus("connected", false)
        setStatus("offline_reason", .string("\(reason) (retrying in \(Self.seconds(delay)))"))
        queue.setOnline(false)
        transport?.dropConnection(reason: "authentication failed", retryAfter: delay)
        return delay
    }

    /// `4 s`, `1.5 s`.
    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    public func transportDisconnected(reason: String) {
        let idle = reason.hasPrefix("idle")
        if !idle { logger.warning("disconnected: \(reason)") }
        if !(transport?.options.makebreak ?? false) || !idle {
            setStatus("connected", false)
            // Why it is offline, unless refused credentials already said so.
            if authenticationHeldUntil.map({ ContinuousClock.now >= $0 }) ?? true { setStatus("offline_reason", .string(reason)) }
        }
        queue.setOnline(false)
        hooks.disconnected?()
    }

    public func transportReceived(_ bytes: [UInt8]) {
        logger.trace("received \(printable(bytes))")
        guard var tokenizer else {
            queue.received(bytes)
            return
        }
        let frames = tokenizer.push(bytes)
        self.tokenizer = tokenizer
        for frame in frames { queue.received(frame) }
    }
}
