extension Error {
    /// The message of a driver error, or the error's description.
    var message: String { (self as? DriverError)?.message ?? String(describing: self) }
}
