/// What a transport tells its module. All callbacks run on `DriverActor`.
@DriverActor
public protocol TransportDelegate: AnyObject {
    func transportConnected()
    func transportDisconnected(reason: String)
    func transportReceived(_ bytes: [UInt8])
}

/// A byte-stream or datagram connection to a device.
@DriverActor
public protocol Transport: AnyObject {
    var isConnected: Bool { get }
    var delegate: (any TransportDelegate)? { get set }
    /// Starts connecting (and keeps reconnecting until `close`).
    func open()
    /// Writes bytes; throws when not connected.
    func write(_ bytes: [UInt8]) throws(DriverError)
    /// Disconnects for good (module stopping).
    func close()
}

enum SocketEvent: Sendable {
    case tlsReady(TLSSession)
    case data([UInt8])
    case writable
    case closed(String)
}
