/// What the core and a driver process agree on (docs/driver-protocol.md), shared by the
/// runtime (`Runtime/Process`) and DriverKit so the two sides cannot drift apart: the protocol
/// version, the JSON Lines framing (`LineFramer`) and the error codes a driver answers with
/// (`DriverErrorCode`). It depends on nothing, so DriverKit stays small for driver authors.
public enum DriverProtocol {
    /// The version a driver announces in `ready` (`"protocol": 1`).
    public static let version = 1
    /// The longest line either side reads (§1): a longer one is dropped whole and reported.
    public static let maximumLineLength = 16 << 20
}
